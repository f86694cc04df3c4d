package workers

import (
	"os/exec"
	"strings"
	"testing"
)

// workersForbidden are imports package workers may not depend on, even
// indirectly (an entry ending in "/" forbids everything under it): it reaches the bucket and the database through package
// catalog's interfaces, serves no HTTP and knows nothing of the web app.
var workersForbidden = []string{
	"github.com/confmedia/confmedia/web", "github.com/confmedia/confmedia/web/",
	"github.com/confmedia/confmedia/cmd/",
	"github.com/confmedia/confmedia/catalog/sqlstore",
	"github.com/confmedia/confmedia/catalog/s3store",
	"github.com/aws/", "net/http",
	"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx",
}

func TestWorkersDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test=false", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range workersForbidden {
			if dep == f || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) {
				t.Errorf("package workers depends on %s", dep)
			}
		}
	}
}
