package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// seedReview adds n photos in review from two cameras, one every minute
// from 09:00 on the conference day, with a 40-minute pause after the
// first half, and a square rendition each.
func seedReview(t testing.TB, s *Server, n int) []string {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, 0, n)
	for i := range n {
		id := fmt.Sprintf("%064x", 0xfeed0000+i)
		at := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		if i >= n/2 {
			at = at.Add(40 * time.Minute)
		}
		cam := "serial:Canon:" + fmt.Sprint(i%2)
		m := catalog.Media{ID: id, Kind: catalog.Photo, SourceName: fmt.Sprintf("bulk-%04d.jpg", i), Status: catalog.NeedsReview,
			Reason: "no room given and no speaker named; 2 talks running at 10:00", Camera: cam, Photographer: "Noor", TakenAt: at,
			Candidates: []string{"t1", "t2"},
			Renditions: []catalog.Rendition{{Name: "square", Key: catalog.RenditionKey(id, "square"), Width: 400, Height: 400},
				{Name: "medium", Key: catalog.RenditionKey(id, "medium"), Width: 1024, Height: 683}}}
		if _, err := s.Store.CreateMedia(ctx, &m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// TestReviewPageGroups: the grid groups the queue by kind of reason, then
// camera, then runs without a long pause; it shows a page of items with
// links to the next; the reason filter narrows it.
func TestReviewPageGroups(t *testing.T) {
	s, h := newAccessServer(t)
	seedReview(t, s, 240)
	b := newBrowser(t, s, h, adminToken)
	body := b.get("/review").Body.String()
	mustContain(t, "review page", body,
		"No room given, several talks running · serial:Canon:0 · Fri 15 May 10:00–11:58 <span class=\"muted\">· 60 items",
		"serial:Canon:1 · Fri 15 May 10:01–11:59", `data-testid="bulk"`, `data-select-group="g1"`,
		`data-talks="[{`, `data-preview="http://example.test/api/media/`, `href="/review?page=2"`, "page 1 of 2 shows 200")
	if n := strings.Count(body, `data-testid="review-item"`); n != reviewPageSize {
		t.Errorf("page 1 shows %d items, want %d", n, reviewPageSize)
	}
	// Four camera runs of 60 photos, then the fixture's own items.
	heads := regexp.MustCompile(`<h2 id="g\d+-title">([^<]*)`).FindAllStringSubmatch(body, -1)
	if len(heads) < 4 {
		t.Fatalf("page 1 has %d groups, want at least 4", len(heads))
	}
	page2 := b.get("/review?page=2").Body.String()
	mustContain(t, "page 2", page2, `href="/review"`, "page 2 of 2")
	if got := strings.Count(body, `data-testid="review-item"`) + strings.Count(page2, `data-testid="review-item"`); got < 240 {
		t.Errorf("the two pages show %d items, want all 240 and the fixture's", got)
	}
	filtered := b.get("/review?reason=" + url.QueryEscape("Recordings without a talk")).Body.String()
	if n := strings.Count(filtered, `data-testid="review-item"`); n != 1 || !strings.Contains(filtered, `data-id="`+recUnmatched+`"`) {
		t.Errorf("filtered to recordings: %d items", n)
	}
}

// TestReviewPage2000: with 2,000 photos in review (in the in-memory
// store) the review page shows one page of them (BenchmarkReviewPage2000
// times it).
func TestReviewPage2000(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 2,000 items")
	}
	s, h := newAccessServer(t)
	seedReview(t, s, 2000)
	b := newBrowser(t, s, h, adminToken)
	rec := b.get("/review")
	if rec.Code != 200 {
		t.Fatalf("review page: %d", rec.Code)
	}
	if n := strings.Count(rec.Body.String(), `data-testid="review-item"`); n != reviewPageSize {
		t.Errorf("it shows %d items, want a page of %d", n, reviewPageSize)
	}
}

// BenchmarkReviewPage2000 times the review page with 2,000 photos in
// review, in the in-memory store, for an organizer signed in by bearer
// token (docs/BENCHMARKS.md).
func BenchmarkReviewPage2000(b *testing.B) {
	s, h := newAccessServer(b)
	seedReview(b, s, 2000)
	for b.Loop() {
		req := httptest.NewRequest("GET", "/review", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("review page: %d", rec.Code)
		}
	}
}

// TestFailedOnStatusPage: the status page lists failed items by file,
// photographer and plain reason, and its form retries or deletes them.
func TestFailedOnStatusPage(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	a, c := strings.Repeat("7", 64), strings.Repeat("8", 64)
	for _, m := range []catalog.Media{
		{ID: a, Kind: catalog.Photo, SourceName: "cut.jpg", Photographer: "Noor", Status: catalog.Failed, Reason: "rendition.Decode: unexpected EOF (skip retry for the task)"},
		{ID: c, Kind: catalog.Photo, SourceName: "huge.tif", Photographer: "Ola", Status: catalog.Failed, Reason: "too large"},
	} {
		if _, err := s.Store.CreateMedia(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, s, h, adminToken)
	body := b.get("/admin").Body.String()
	mustContain(t, "status page", body, `data-testid="failed-items"`, "cut.jpg", "Noor", "Unexpected EOF", "huge.tif", "Too large",
		`value="retry:`+a+`"`, `aria-label="Delete huge.tif"`)
	if strings.Contains(body, "skip retry") {
		t.Error("the status page shows queue jargon")
	}
	_, page := b.post("/admin/failed", url.Values{"only": {"retry:" + a}})
	mustContain(t, "after retry", page.Body.String(), "1 file queued to be processed again")
	if m, _ := s.Store.Media(ctx, a); m.Status != catalog.Pending {
		t.Errorf("cut.jpg is %s after retry, want pending", m.Status)
	}
	_, page = b.post("/admin/failed", url.Values{"do": {"delete"}, "id": {c, a}})
	mustContain(t, "after delete", page.Body.String(), "2 files deleted")
	if _, err := s.Store.Media(ctx, c); !catalog.IsNotFound(err) {
		t.Errorf("huge.tif after delete: %v", err)
	}
	_, page = b.post("/admin/failed", url.Values{"do": {"retry"}, "id": {mediaTagged}})
	mustContain(t, "retry of a tagged item", page.Body.String(), `class="flash error"`, "not failed")
}
