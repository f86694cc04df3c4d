//go:build cluster

package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// runBucket backs up, wipes or restores the whole bucket (CONFMEDIA_S3_*):
//
//	backup  -dir DIR  every object into DIR/objects/KEY, DIR/manifest.tsv (key, content type, size)
//	wipe              delete every object (the bucket stays)
//	restore -dir DIR  put every object of the manifest back, with its content type
//
// It is what the restore test uses where a production bucket would use
// versioning and `aws s3 sync`, `mc mirror` or `rclone sync`.
func runBucket(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("need backup, wipe or restore")
	}
	verb := args[0]
	fs := flag.NewFlagSet("bucket "+verb, flag.ContinueOnError)
	dir := fs.String("dir", "", "backup folder")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	blobs, err := openBlobs(ctx)
	if err != nil {
		return err
	}
	if err := blobs.EnsureBucket(ctx); err != nil {
		return err
	}
	switch verb {
	case "backup":
		keys, err := blobs.List(ctx, "")
		if err != nil {
			return err
		}
		var manifest bytes.Buffer
		var mu sync.Mutex
		var total int64
		err = parallel(ctx, keys, func(key string) error {
			rc, info, err := blobs.Get(ctx, key)
			if err != nil {
				return err
			}
			defer rc.Close()
			path := filepath.Join(*dir, "objects", filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			n, err := io.Copy(f, rc)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if n != info.Size {
				return fmt.Errorf("%s: read %d bytes of %d", key, n, info.Size)
			}
			mu.Lock()
			fmt.Fprintf(&manifest, "%s\t%s\t%d\n", key, info.ContentType, n)
			total += n
			mu.Unlock()
			return nil
		})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, "manifest.tsv"), manifest.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Printf("bucket backup: %d objects, %d bytes\n", len(keys), total)
	case "wipe":
		keys, err := blobs.List(ctx, "")
		if err != nil {
			return err
		}
		if err := parallel(ctx, keys, func(key string) error { return blobs.Delete(ctx, key) }); err != nil {
			return err
		}
		left, err := blobs.List(ctx, "")
		if err != nil {
			return err
		}
		fmt.Printf("bucket wiped: %d objects deleted, %d left\n", len(keys), len(left))
		if len(left) > 0 {
			return fmt.Errorf("%d objects left after the wipe", len(left))
		}
	case "restore":
		f, err := os.Open(filepath.Join(*dir, "manifest.tsv"))
		if err != nil {
			return err
		}
		defer f.Close()
		type entry struct {
			key, ct string
			size    int64
		}
		var lines []string
		entries := map[string]entry{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			parts := strings.Split(sc.Text(), "\t")
			size, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
			if len(parts) != 3 || err != nil {
				return fmt.Errorf("bad manifest line %q", sc.Text())
			}
			entries[parts[0]] = entry{parts[0], parts[1], size}
			lines = append(lines, parts[0])
		}
		if err := sc.Err(); err != nil {
			return err
		}
		err = parallel(ctx, lines, func(key string) error {
			e := entries[key]
			f, err := os.Open(filepath.Join(*dir, "objects", filepath.FromSlash(key)))
			if err != nil {
				return err
			}
			defer f.Close()
			return blobs.Put(ctx, key, f, e.size, e.ct)
		})
		if err != nil {
			return err
		}
		fmt.Printf("bucket restored: %d objects\n", len(lines))
	default:
		return fmt.Errorf("unknown bucket command %q", verb)
	}
	return nil
}

// parallel runs fn on every key, eight at a time, and returns the first error.
func parallel(ctx context.Context, keys []string, fn func(string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for k := range work {
				if err := fn(k); err != nil {
					cancel(err)
				}
			}
		})
	}
	for _, k := range keys {
		select {
		case work <- k:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}
