package bench_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// discardBlobs is a bucket whose Put reads the body and keeps nothing
// but the key: what a publish costs without the bucket's own work
// (MemBlobs copies and hashes every body).
type discardBlobs struct{ *catalogtest.MemBlobs }

func (d discardBlobs) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, ctype string) error {
	if _, err := io.Copy(io.Discard, body); err != nil {
		return err
	}
	return d.MemBlobs.Put(ctx, key, io.NewSectionReader(zeros{}, 0, 0), 0, ctype)
}

type zeros struct{}

func (zeros) ReadAt(p []byte, _ int64) (int, error) { return 0, io.EOF }

// BenchmarkPublish is the publish part of BenchmarkCatalog alone, with
// more rounds: a first publish, then one photo of one talk hidden or shown
// again before each of 10 publishes, into the in-memory bucket and into
// one that discards what it is given. It reports the heap the publisher
// keeps between publishes. CONFMEDIA_BENCH_ITEMS picks one size.
func BenchmarkPublish(b *testing.B) {
	sched, schedName := conferenceSchedule(b)
	dir := os.Getenv(benchDirEnv)
	if dir == "" {
		dir = b.TempDir()
	}
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("CONFMEDIA_BENCH_ITEMS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("CONFMEDIA_BENCH_ITEMS=%q: %v", v, err)
		}
		sizes = []int{n}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%s/items=%d", schedName, n), func(b *testing.B) {
			path := filepath.Join(dir, fmt.Sprintf("publish-%d.db", n))
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				os.Remove(p)
			}
			st := seed(b, path, sched, n)
			defer st.Close()
			ctx := context.Background()
			photos, err := st.ListMedia(ctx, catalog.MediaFilter{TalkID: sched.Talks[0].ID, Kind: catalog.Photo, Status: []catalog.Status{catalog.Tagged}})
			if err != nil || len(photos) == 0 {
				b.Fatalf("no tagged photo of %s: %v", sched.Talks[0].ID, err)
			}
			id := photos[0].ID
			for _, bucket := range []struct {
				name  string
				blobs catalog.PublishBlobs
			}{{"memblobs", catalogtest.NewMemBlobs()}, {"discard", discardBlobs{catalogtest.NewMemBlobs()}}} {
				b.Run(bucket.name, func(b *testing.B) {
					var before, after runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&before)
					p := &catalog.Publisher{Store: st, Blobs: bucket.blobs, URL: func(k string) string { return "https://media.example/" + k }}
					for b.Loop() {
						t0 := time.Now()
						if _, err := p.Publish(ctx); err != nil {
							b.Fatal(err)
						}
						b.ReportMetric(ms(time.Since(t0)), "first-ms")
						runtime.GC()
						runtime.ReadMemStats(&after)
						b.ReportMetric(float64(after.HeapInuse-min(after.HeapInuse, before.HeapInuse))/(1<<20), "kept-MB")
						var ds []time.Duration
						var res catalog.PublishResult
						for range 10 {
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
							if res, err = p.Publish(ctx); err != nil {
								b.Fatal(err)
							}
							ds = append(ds, time.Since(t0))
						}
						b.ReportMetric(ms(percentile(ds, 0.5)), "changed-p50-ms")
						b.ReportMetric(ms(slices.Max(ds)), "changed-max-ms")
						b.ReportMetric(float64(res.Objects), "objects")
						b.ReportMetric(float64(res.Unchanged), "unchanged")
					}
				})
			}
		})
	}
}
