package bench_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/sqlstore"
)

// buildAndEncode is the export as it was before WriteDocument: every item
// listed, the document built in memory, then encoded.
func buildAndEncode(ctx context.Context, w io.Writer, st *sqlstore.Store, url func(string) string) error {
	sched, err := st.Schedule(ctx)
	if err != nil {
		return err
	}
	media, err := st.ListMedia(ctx, catalog.MediaFilter{})
	if err != nil {
		return err
	}
	recs, err := st.ListRecordings(ctx)
	if err != nil {
		return err
	}
	doc := catalog.BuildDocument(catalog.DocumentInput{Schedule: sched, Media: media, Recordings: recs, Now: time.Now(), URL: url})
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// BenchmarkExportRSS exports the catalog database $CONFMEDIA_BENCH_DB (one
// BenchmarkCatalog left in $CONFMEDIA_BENCH_DIR) once per iteration, so
// that /usr/bin/time -v reports the peak RSS of an export alone: streamed,
// or built in memory as before.
func BenchmarkExportRSS(b *testing.B) {
	path := os.Getenv(benchDBEnv)
	if path == "" {
		b.Skipf("set %s to a catalog database BenchmarkCatalog seeded (with %s set)", benchDBEnv, benchDirEnv)
	}
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	url := func(k string) string { return "https://media.example/" + k }
	b.Run("streamed", func(b *testing.B) {
		for b.Loop() {
			if err := catalog.WriteDocument(ctx, io.Discard, st, catalog.ExportOptions{Now: time.Now(), URL: url}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("built-in-memory", func(b *testing.B) {
		for b.Loop() {
			if err := buildAndEncode(ctx, io.Discard, st, url); err != nil {
				b.Fatal(err)
			}
		}
	})
}
