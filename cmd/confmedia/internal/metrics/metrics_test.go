package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/workers"
	"github.com/hibiken/asynq"
)

func TestDependency(t *testing.T) {
	refused := errors.New("connection refused")
	tests := []struct {
		err  error
		want string
	}{
		{catalog.E(catalog.Unavailable, "s3store.Put", refused, "cannot reach the storage server"), "s3"},
		{fmt.Errorf("publish: %w", catalog.E(catalog.Unavailable, "s3store.Get", refused, "x")), "s3"},
		{catalog.E(catalog.Unavailable, "workers.readOriginal", refused, "cannot read the original of a.jpg"), "s3"},
		{catalog.E(catalog.Unavailable, "sqlstore.UpdateMedia", refused, "the catalog database did not answer"), "database"},
		{catalog.E(catalog.Unavailable, "workers.Enqueue", refused, "cannot queue media:process"), "redis"},
		{errors.Join(refused, catalog.E(catalog.Unavailable, "sqlstore.Media", refused, "x")), "database"},
		{catalog.E(catalog.Unavailable, "web.Tokens", nil, "this catalog store cannot list tokens"), "other"},
		{refused, "other"},
	}
	for _, tt := range tests {
		if got := Dependency(tt.err); got != tt.want {
			t.Errorf("Dependency(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestScrape(t *testing.T) {
	m := New()
	ctx := context.Background()
	store := catalogtest.NewMemStore()
	for i, st := range []catalog.Status{catalog.Pending, catalog.Tagged, catalog.Tagged} {
		if _, err := store.CreateMedia(ctx, &catalog.Media{ID: fmt.Sprintf("%064d", i), Kind: catalog.Photo, Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	m.WatchItems(store, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var rec workers.ReconcileStats
	rec.Sweeps.Add(3)
	rec.Requeued.Add(2)
	m.WatchReconciler(func() *workers.ReconcileStats { return &rec }, func() *workers.CrashStats { return nil })

	down := catalog.E(catalog.Unavailable, "s3store.Put", errors.New("refused"), "cannot reach the storage server")
	m.Observe(web.Observation{Route: "PUT /api/media/{id}", Status: 201, Took: time.Millisecond, Event: "upload", Outcome: web.OutcomeCreated})
	m.Observe(web.Observation{Route: "POST /api/publish", Status: 503, Took: time.Millisecond, Event: "publish", Outcome: "failed", Err: down})
	m.Observe(web.Observation{Route: "POST /login", Status: 303, Event: "login", Outcome: "ok"})
	m.TaskDone(workers.TypeMediaProcess, 2*time.Second, nil)
	m.TaskDone(workers.TypeMediaProcess, time.Second, fmt.Errorf("bad: %w", asynq.SkipRetry))
	m.TaskDone(workers.TypeMediaTag, time.Second, catalog.E(catalog.Unavailable, "sqlstore.Media", nil, "x"))
	m.Rendered(catalog.Headshot, 300*time.Millisecond)
	m.FacesFound(catalog.Photo, 200*time.Millisecond, 3)

	for i := range 2 {
		if i == 1 {
			// A store that changes is read again only after the ttl.
			if _, err := store.CreateMedia(ctx, &catalog.Media{ID: fmt.Sprintf("%064d", 9), Kind: catalog.Photo, Status: catalog.Failed}); err != nil {
				t.Fatal(err)
			}
		}
		rr := httptest.NewRecorder()
		m.ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
		body := rr.Body.String()
		for _, want := range []string{
			`confmedia_uploads_total{outcome="created"} 1`,
			`confmedia_publishes_total{outcome="failed",source="web"} 1`,
			`confmedia_logins_total{outcome="ok"} 1`,
			`confmedia_unavailable_errors_total{dependency="s3",source="web"} 1`,
			`confmedia_unavailable_errors_total{dependency="database",source="worker"} 1`,
			`confmedia_task_duration_seconds_count{outcome="ok",type="media:process"} 1`,
			`confmedia_task_duration_seconds_count{outcome="skip_retry",type="media:process"} 1`,
			`confmedia_task_duration_seconds_count{outcome="error",type="media:tag"} 1`,
			`confmedia_render_duration_seconds_count{kind="headshot"} 1`,
			`confmedia_face_duration_seconds_count{kind="photo"} 1`,
			`confmedia_faces_found_total{kind="photo"} 3`,
			`confmedia_items{kind="photo",status="tagged"} 2`,
			`confmedia_items{kind="photo",status="pending"} 1`,
			`confmedia_reconciler_actions_total{action="sweep"} 3`,
			`confmedia_reconciler_actions_total{action="requeued"} 2`,
			`go_goroutines `,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("scrape lacks %q", want)
			}
		}
		if strings.Contains(body, `status="failed"`) {
			t.Errorf("the item counts were read again within their ttl")
		}
		if strings.Contains(body, "confmedia_crash_guard_ended_total") {
			t.Errorf("a crash guard counter without a crash guard")
		}
	}
}

type fakeRepublisher struct {
	published bool
	err       error
}

func (f fakeRepublisher) Republish(context.Context) (bool, error) { return f.published, f.err }

func TestCountRepublish(t *testing.T) {
	m := New()
	for _, f := range []fakeRepublisher{{true, nil}, {true, nil}, {false, nil}, {false, errors.New("bucket down")}} {
		got, err := m.CountRepublish(f).Republish(context.Background())
		if got != f.published || err != f.err {
			t.Errorf("Republish = %v, %v; want what the publisher said: %v, %v", got, err, f.published, f.err)
		}
	}
	rr := httptest.NewRecorder()
	m.ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`confmedia_publishes_total{outcome="ok",source="worker"} 2`,
		`confmedia_publishes_total{outcome="failed",source="worker"} 1`,
	} {
		if !strings.Contains(rr.Body.String(), want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
