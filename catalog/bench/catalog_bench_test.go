package bench_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/catalog/sqlstore"
	"github.com/confmedia/confmedia/pipeline/schedule"
	"github.com/confmedia/confmedia/web"
)

// benchDirEnv names a folder where BenchmarkCatalog leaves its seeded
// databases (catalog-N.db) for BenchmarkExportRSS; a temporary one when
// unset.
const benchDirEnv = "CONFMEDIA_BENCH_DIR"

// benchDBEnv names the seeded database BenchmarkExportRSS exports.
const benchDBEnv = "CONFMEDIA_BENCH_DB"

// conferenceSchedule is FOSDEM 2025's schedule (1,074 talks) when the
// shared data is present, else a generated one of the same size.
func conferenceSchedule(tb testing.TB) (catalog.Schedule, string) {
	if p, ok := catalogtest.SharedDataPath("fosdem-2025", "schedule.xml"); ok {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		s, err := schedule.Parse("schedule.xml", data, "")
		if err != nil {
			tb.Fatal(err)
		}
		return s, "fosdem-2025"
	}
	s := catalog.Schedule{Conference: catalog.Conference{Title: "Generated", Timezone: "Europe/Brussels"}}
	start := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
	for i := range 1074 {
		n := strconv.Itoa(i)
		a, b := catalog.Speaker{ID: "s" + n, Name: "Speaker " + n}, catalog.Speaker{ID: "c" + n, Name: "Cospeaker " + n}
		s.Speakers = append(s.Speakers, a, b)
		at := start.Add(time.Duration(i%40)*20*time.Minute).AddDate(0, 0, i%2)
		s.Talks = append(s.Talks, catalog.Talk{ID: "t" + n, Title: "Talk " + n, Room: "Room " + strconv.Itoa(i/40),
			Start: at, End: at.Add(20 * time.Minute), SpeakerIDs: []string{a.ID, b.ID}, Track: "Track " + strconv.Itoa(i%30)})
	}
	return s, "generated-1074"
}

// seed makes a SQLite catalog at path with sched and n media items, written
// through the store's own interface (CreateMedia): 90% photos tagged to a
// talk and its speakers, 4% untagged photos, 2% needing review, 1% pending,
// 3% headshots tagged to a speaker; three renditions each once processed.
func seed(tb testing.TB, path string, sched catalog.Schedule, n int) *sqlstore.Store {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.ReplaceSchedule(ctx, sched); err != nil {
		tb.Fatal(err)
	}
	talks, speakers := sched.Talks, sched.Speakers
	start := time.Now()
	for i := range n {
		sum := sha256.Sum256([]byte("media " + strconv.Itoa(i)))
		id := hex.EncodeToString(sum[:])
		t := talks[i%len(talks)]
		m := &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: fmt.Sprintf("IMG_%06d.jpg", i), ContentType: "image/jpeg",
			Bytes: 4 << 20, OriginalKey: catalog.OriginalKey(id), Photographer: "Photographer " + strconv.Itoa(i%12),
			UploadedAt: t.End, Status: catalog.Tagged, Generation: 1, Camera: "camera" + strconv.Itoa(i%12),
			TakenAt: t.Start.Add(time.Duration(i%1200) * time.Second), Width: 6000, Height: 4000, License: "CC-BY-4.0"}
		switch r := i % 100; {
		case r < 90:
			m.TalkIDs, m.SpeakerIDs = []string{t.ID}, slices.Clone(t.SpeakerIDs)
		case r < 94:
			m.Status = catalog.Untagged
		case r < 96:
			m.Status, m.Reason, m.Candidates = catalog.NeedsReview, "two talks possible", []string{t.ID}
		case r < 97:
			m.Status, m.TakenAt = catalog.Pending, time.Time{}
		default:
			m.Kind, m.Status, m.SpeakerIDs = catalog.Headshot, catalog.Tagged, []string{speakers[i%len(speakers)].ID}
		}
		if m.Status != catalog.Pending {
			for _, r := range []struct {
				name string
				w, h int
			}{{"large", 2048, 1365}, {"medium", 1024, 683}, {"square", 400, 400}} {
				m.Renditions = append(m.Renditions, catalog.Rendition{Name: r.name, Key: catalog.RenditionKey(id, r.name), Width: r.w, Height: r.h})
			}
		}
		if _, err := st.CreateMedia(ctx, m); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Logf("seeded %d items in %s", n, time.Since(start).Round(time.Millisecond))
	return st
}

// renderLoad keeps one CPU-bound goroutine per core busy, as rendering
// does, until stop is called.
func renderLoad() (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			buf := make([]byte, 64<<10)
			for !done.Load() {
				sum := sha256.Sum256(buf)
				buf[0] = sum[0]
			}
		})
	}
	return func() { done.Store(true); wg.Wait() }
}

// percentile returns the p-th percentile of ds, sorted.
func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	i := int(float64(len(ds)-1) * p)
	return ds[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkCatalog seeds a SQLite catalog with 10,000 and 100,000 items on
// a conference-sized schedule and measures: anonymous reads of talk and
// speaker pages, their JSON and /api/schedule (p50/p99 over 500 requests
// each, with a CPU-bound goroutine per core running, as rendering does);
// publish after one talk changes; and the streamed export against the
// document built in memory (peak Go heap). Run it with -benchtime 1x
// (make bench-catalog); each sub-benchmark reports its own figures.
func BenchmarkCatalog(b *testing.B) {
	sched, schedName := conferenceSchedule(b)
	dir := os.Getenv(benchDirEnv)
	if dir == "" {
		dir = b.TempDir()
	}
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("CONFMEDIA_BENCH_ITEMS"); v != "" { // a quick run: one size
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("CONFMEDIA_BENCH_ITEMS=%q: %v", v, err)
		}
		sizes = []int{n}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%s/items=%d", schedName, n), func(b *testing.B) {
			path := filepath.Join(dir, fmt.Sprintf("catalog-%d.db", n))
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				os.Remove(p)
			}
			st := seed(b, path, sched, n)
			defer st.Close()
			benchReads(b, st, sched)
			benchPublish(b, st, sched)
			benchExport(b, st)
		})
	}
}

func benchReads(b *testing.B, st *sqlstore.Store, sched catalog.Schedule) {
	s := &web.Server{Store: st, Blobs: catalogtest.NewMemBlobs(), PublicURL: "https://media.example",
		Logger: slog.New(slog.DiscardHandler), AdminTokenHash: web.HashToken("bench-admin-token")}
	h := s.Handler()
	get := func(tb testing.TB, path string) time.Duration {
		t0 := time.Now()
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		d := time.Since(t0)
		if w.code != http.StatusOK || w.n == 0 {
			tb.Fatalf("GET %s: %d, %d bytes", path, w.code, w.n)
		}
		return d
	}
	stop := renderLoad()
	defer stop()
	b.Run("view-build", func(b *testing.B) {
		// The first read builds the public view from the store.
		for b.Loop() {
			b.ReportMetric(ms(get(b, "/api/schedule")), "build-ms")
		}
	})
	talk := func(i int) string { return sched.Talks[i%len(sched.Talks)].ID }
	speaker := func(i int) string { return sched.Speakers[i%len(sched.Speakers)].ID }
	for _, rc := range []struct {
		name string
		path func(i int) string
	}{
		{"talk-page", func(i int) string { return "/talks/" + talk(i*7) }},
		{"talk-json", func(i int) string { return "/api/talks/" + talk(i*7) }},
		{"speaker-page", func(i int) string { return "/speakers/" + speaker(i*7) }},
		{"speaker-json", func(i int) string { return "/api/speakers/" + speaker(i*7) }},
		{"api-schedule", func(int) string { return "/api/schedule" }},
	} {
		b.Run(rc.name, func(b *testing.B) {
			for b.Loop() {
				ds := make([]time.Duration, 500)
				for i := range ds {
					ds[i] = get(b, rc.path(i))
				}
				b.ReportMetric(ms(percentile(ds, 0.5)), "p50-ms")
				b.ReportMetric(ms(percentile(ds, 0.99)), "p99-ms")
			}
		})
	}
}

func benchPublish(b *testing.B, st *sqlstore.Store, sched catalog.Schedule) {
	ctx := context.Background()
	p := &catalog.Publisher{Store: st, Blobs: catalogtest.NewMemBlobs(), URL: func(k string) string { return "https://media.example/" + k }}
	b.Run("publish-first", func(b *testing.B) {
		for b.Loop() {
			t0 := time.Now()
			res, err := p.Publish(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(ms(time.Since(t0)), "ms")
			b.ReportMetric(float64(res.Objects), "objects")
		}
	})
	photos, err := st.ListMedia(ctx, catalog.MediaFilter{TalkID: sched.Talks[0].ID, Kind: catalog.Photo, Status: []catalog.Status{catalog.Tagged}})
	if err != nil || len(photos) == 0 {
		b.Fatalf("no tagged photo of %s: %v", sched.Talks[0].ID, err)
	}
	id := photos[0].ID
	b.Run("publish-one-talk-changed", func(b *testing.B) {
		var ds []time.Duration
		var res catalog.PublishResult
		for b.Loop() {
			// One photo of one talk is hidden (or shown again): its talk's
			// and its speakers' pages change, and catalog.json.
			if err := st.UpdateMedia(ctx, id, func(m *catalog.Media) error {
				if m.Status == catalog.Hidden {
					m.Status = catalog.Tagged
				} else {
					m.Status = catalog.Hidden
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			res, err = p.Publish(ctx)
			if err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(t0))
		}
		b.ReportMetric(ms(percentile(ds, 0.5)), "p50-ms")
		b.ReportMetric(ms(slices.Max(ds)), "max-ms")
		b.ReportMetric(float64(res.Objects), "objects")
		b.ReportMetric(float64(res.Unchanged), "unchanged")
	})
}

// peakHeap runs fn and returns the largest Go heap in use seen while it
// ran, above what was in use before, sampled every 5 ms.
func peakHeap(fn func()) (peak uint64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	if peak < base.HeapInuse {
		return 0
	}
	return peak - base.HeapInuse
}

// discardWriter is a ResponseWriter that keeps the status and the size of
// the body, not the body: as a connection does, unlike a recorder that
// holds every byte.
type discardWriter struct {
	header http.Header
	code   int
	n      int64
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += int64(len(p))
	return len(p), nil
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func benchExport(b *testing.B, st *sqlstore.Store) {
	ctx := context.Background()
	url := func(k string) string { return "https://media.example/" + k }
	for _, ec := range []struct {
		name string
		run  func(io.Writer) error
	}{
		{"export-streamed", func(w io.Writer) error {
			return catalog.WriteDocument(ctx, w, st, catalog.ExportOptions{Now: time.Now(), URL: url})
		}},
		{"export-built-in-memory", func(w io.Writer) error { return buildAndEncode(ctx, w, st, url) }},
	} {
		b.Run(ec.name, func(b *testing.B) {
			for b.Loop() {
				var cw countWriter
				var err error
				t0 := time.Now()
				heap := peakHeap(func() { err = ec.run(&cw) })
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ms(time.Since(t0)), "ms")
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(cw.n)/(1<<20), "doc-MB")
			}
		})
	}
}
