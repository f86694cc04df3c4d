package pipeline

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are imports no pipeline package may depend on, even indirectly.
var forbidden = []string{
	"net/http", "database/sql", "github.com/hibiken/asynq", "github.com/aws/",
	"github.com/redis/", "modernc.org/sqlite", "github.com/jackc/pgx",
}

func TestPipelineStaysPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test=false", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f) {
				t.Errorf("a pipeline package depends on %s", dep)
			}
		}
	}
}

// TestNoWallClock fails if non-test pipeline code reads the clock or the
// server's zone: camera time stays a wall-clock value until match resolves
// it with the venue's zone.
func TestNoWallClock(t *testing.T) {
	files, err := filepath.Glob("*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("*/*/*.go")
	files = append(files, more...)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.Contains(name, "test/") || inNestedModule(name) {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && (sel.Sel.Name == "Now" || sel.Sel.Name == "Local" || sel.Sel.Name == "Since") {
				t.Errorf("%s: uses time.%s", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

// inNestedModule reports whether a file belongs to a module of its own (a
// benchmark comparator), which is not part of the pipeline.
func inNestedModule(name string) bool {
	for dir := filepath.Dir(name); dir != "." && dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return true
		}
	}
	return false
}
