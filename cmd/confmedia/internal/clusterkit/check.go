//go:build cluster

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/s3store"
	"github.com/jackc/pgx/v5"
)

// runCheck checks the catalog and the bucket against the photos in -dirs:
// every photo is one item (nothing lost, nothing extra), none is pending or
// failed, each was processed once in its first generation (a generation is
// added only when an item is queued again), each has its renditions, and
// the bucket holds exactly the originals and renditions the catalog names
// (no stray or missing object). It prints the counts by status and fails
// with every problem found.
func runCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	dirs := fs.String("dirs", "", "comma-separated folders of uploaded photos")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want := map[string]string{} // id → file
	for _, d := range strings.Split(*dirs, ",") {
		files, err := filepath.Glob(filepath.Join(d, "*.jpg"))
		if err != nil || len(files) == 0 {
			return fmt.Errorf("no photos in %q", d)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			id := hex.EncodeToString(sum[:])
			if prev, dup := want[id]; dup {
				return fmt.Errorf("%s and %s have the same bytes: the batch is not distinct", prev, f)
			}
			want[id] = f
		}
	}

	db, err := pgx.Connect(ctx, env("CONFMEDIA_DATABASE_URL", ""))
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	rows, err := db.Query(ctx, `SELECT id, status, reason, generation, renditions, processed_at IS NOT NULL FROM media`)
	if err != nil {
		return err
	}
	var problems []string
	bad := func(format string, a ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, a...))
		} else if len(problems) == 20 {
			problems = append(problems, "…")
		}
	}
	byStatus := map[string]int{}
	seen := map[string]bool{}
	wantStaff, wantPublic, wantOriginals := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var (
			id, status, reason, rends string
			gen                       int64
			processed                 bool
		)
		if err := rows.Scan(&id, &status, &reason, &gen, &rends, &processed); err != nil {
			return err
		}
		seen[id] = true
		byStatus[status]++
		if _, ok := want[id]; !ok {
			bad("item %s is no photo of the batch", id)
		}
		switch catalog.Status(status) {
		case catalog.Pending, catalog.Failed:
			bad("item %s (%s) is %s: %s", id, filepath.Base(want[id]), status, reason)
		}
		if gen != 1 {
			bad("item %s (%s) is in generation %d: it was queued again", id, filepath.Base(want[id]), gen)
		}
		if !processed {
			bad("item %s (%s) has no processing time", id, filepath.Base(want[id]))
		}
		var rs []catalog.Rendition
		if err := json.Unmarshal([]byte(rends), &rs); err != nil || len(rs) == 0 {
			bad("item %s (%s) has no renditions (%q)", id, filepath.Base(want[id]), rends)
		}
		public := catalog.Status(status).Public()
		for _, r := range rs {
			wantStaff[catalog.StaffRenditionKey(id, r.Name)] = true
			if public {
				wantPublic[catalog.RenditionKey(id, r.Name)] = true
			}
		}
		wantOriginals[catalog.OriginalKey(id)] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	lost := 0
	for id, f := range want {
		if !seen[id] {
			lost++
			bad("photo %s (item %s) is not in the catalog", filepath.Base(f), id)
		}
	}

	blobs, err := openBlobs(ctx)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		prefix string
		want   map[string]bool
	}{{catalog.OriginalsPrefix, wantOriginals}, {catalog.StaffPrefix + "media/", wantStaff}, {catalog.PublicPrefix + "media/", wantPublic}} {
		keys, err := blobs.List(ctx, c.prefix)
		if err != nil {
			return err
		}
		got := map[string]bool{}
		for _, k := range keys {
			got[k] = true
			if !c.want[k] {
				bad("the bucket holds %s, which the catalog does not name", k)
			}
		}
		for k := range c.want {
			if !got[k] {
				bad("the bucket lacks %s", k)
			}
		}
		fmt.Printf("bucket %-14s %d objects (catalog names %d)\n", c.prefix, len(keys), len(c.want))
	}

	var counts []string
	for _, s := range slices.Sorted(maps.Keys(byStatus)) {
		counts = append(counts, fmt.Sprintf("%s %d", s, byStatus[s]))
	}
	fmt.Printf("catalog: %d items for %d photos (%s); lost %d\n", len(seen), len(want), strings.Join(counts, ", "), lost)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n  "))
	}
	return nil
}

// openBlobs opens the bucket as `confmedia serve` does, from CONFMEDIA_S3_*.
func openBlobs(ctx context.Context) (*s3store.Store, error) {
	endpoint := os.Getenv("CONFMEDIA_S3_ENDPOINT")
	return s3store.New(ctx, s3store.Config{
		Endpoint: endpoint, Region: env("CONFMEDIA_S3_REGION", "us-east-1"),
		Bucket:      env("CONFMEDIA_S3_BUCKET", "confmedia"),
		AccessKeyID: os.Getenv("CONFMEDIA_S3_ACCESS_KEY"), SecretAccessKey: os.Getenv("CONFMEDIA_S3_SECRET_KEY"),
		PathStyle: endpoint != "",
	})
}
