package web

import (
	"os/exec"
	"strings"
	"testing"
)

// webForbidden are imports package web may not depend on, even
// indirectly (an entry ending in "/" forbids everything under it): it reaches the queue, the bucket and the database through the
// interfaces it declares, and decides nothing the workers decide (both call
// package catalog's lifecycle and pipeline's pure rules).
var webForbidden = []string{
	"github.com/confmedia/confmedia/workers", "github.com/confmedia/confmedia/workers/",
	"github.com/confmedia/confmedia/cmd/",
	"github.com/confmedia/confmedia/catalog/sqlstore",
	"github.com/confmedia/confmedia/catalog/s3store",
	"github.com/hibiken/asynq", "github.com/hibiken/asynq/", "github.com/redis/", "github.com/aws/",
	"github.com/prometheus/", // Metrics is an interface; cmd implements it
	"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx",
}

func TestWebDependencies(t *testing.T) {
	for _, dep := range deps(t, ".") {
		for _, f := range webForbidden {
			if dep == f || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) {
				t.Errorf("package web depends on %s", dep)
			}
		}
	}
}

// TestCatalogIsStdlibOnly: the domain package imports nothing but the
// standard library.
func TestCatalogIsStdlibOnly(t *testing.T) {
	for _, dep := range deps(t, "../catalog") {
		if dep != "github.com/confmedia/confmedia/catalog" && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
			t.Errorf("package catalog depends on %s", dep)
		}
	}
}

// deps lists the packages pkg depends on, itself included, tests excluded.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-test=false", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// TestClientDoesNotLinkServer: the CLI's client and the API types it
// speaks depend on catalog and the standard library only — never on the
// server (package web) or anything it depends on.
func TestClientDoesNotLinkServer(t *testing.T) {
	for _, pkg := range []string{"./client", "./api"} {
		for _, dep := range deps(t, pkg) {
			if !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
				continue // the standard library
			}
			switch dep {
			case "github.com/confmedia/confmedia/catalog", "github.com/confmedia/confmedia/web/api", "github.com/confmedia/confmedia/web/client":
				continue
			}
			t.Errorf("%s depends on %s", pkg, dep)
		}
	}
}
