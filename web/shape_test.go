package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// reachesBackends lists the functions that see a request or a response
// and still name the store, the bucket or the queue themselves, each with
// why it has not moved behind a use case yet. TestHandlersAreThin fails
// for any other such function, and for one listed here that no longer
// does, so that the list only shrinks.
var reachesBackends = map[string]string{
	"handleLogout":         "ends the stored session: sign-in, not a use case of the catalog",
	"handleHealth":         "pings each backend itself",
	"handleCamerasPage":    "reads the conference for the page's title",
	"handleTokensPage":     "reads the conference for the page's title",
	"handleTokenForm":      "reads the conference for the page's title",
	"handleVideoPage":      "the video page reads the schedule and recordings to render",
	"handleUploadPage":     "the upload page reads the schedule for its room and speaker lists",
	"handleMedia":          "answers one stored item as it is",
	"handlePublic":         "streams a public file from the bucket with its validators",
	"handleStaffRendition": "streams a staff copy from the bucket",
	"handleDownload":       "streams a rendition, or renders a clean original, from the bucket",
	"serveOriginal":        "renders a clean original from the bucket as it streams",
	"streamZip":            "streams a zip of renditions from the bucket",
	"owns":                 "the route table's per-object rules look up the object a request names",
}

// TestHandlersAreThin: a function that sees an HTTP request or response
// decodes it, calls a use case (service_review.go and the other
// service_*.go files) and encodes the answer; it does not reach the store,
// the bucket or the queue itself (s.Store, s.Blobs, s.Queue of its
// receiver s). The use case files do not import net/http.
func TestHandlersAreThin(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var reaching []string
	services := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "service_") {
			services++
			for _, imp := range f.Imports {
				if p, _ := strconv.Unquote(imp.Path.Value); p == "net/http" {
					t.Errorf("%s, a use case, imports net/http", name)
				}
			}
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !seesHTTP(fd) {
				continue
			}
			recv := ""
			if fd.Recv != nil && len(fd.Recv.List) == 1 && len(fd.Recv.List[0].Names) == 1 {
				recv = fd.Recv.List[0].Names[0].Name
			}
			var names []string
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if se, ok := n.(*ast.SelectorExpr); ok && isIdent(se.X, recv) {
					switch se.Sel.Name {
					case "Store", "Blobs", "Queue":
						if !slices.Contains(names, se.Sel.Name) {
							names = append(names, se.Sel.Name)
						}
					}
				}
				return true
			})
			if len(names) == 0 {
				continue
			}
			reaching = append(reaching, fd.Name.Name)
			if _, ok := reachesBackends[fd.Name.Name]; !ok {
				t.Errorf("%s: %s sees the request and reaches s.%s itself: call a use case instead",
					fset.Position(fd.Pos()), fd.Name.Name, strings.Join(names, ", s."))
			}
		}
	}
	for name := range reachesBackends {
		if !slices.Contains(reaching, name) {
			t.Errorf("%s no longer reaches the backends itself: take it off reachesBackends", name)
		}
	}
	if services == 0 {
		t.Error("no use case files (service_*.go) found")
	}
}

// seesHTTP reports whether fd takes an *http.Request or an
// http.ResponseWriter.
func seesHTTP(fd *ast.FuncDecl) bool {
	for _, p := range fd.Type.Params.List {
		typ := p.Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if se, ok := typ.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok && id.Name == "http" && (se.Sel.Name == "Request" || se.Sel.Name == "ResponseWriter") {
				return true
			}
		}
	}
	return false
}

// isIdent reports whether x is the identifier name.
func isIdent(x ast.Expr, name string) bool {
	id, ok := x.(*ast.Ident)
	return ok && name != "" && id.Name == name
}
