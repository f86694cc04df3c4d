package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/develop"
	"github.com/confmedia/confmedia/pipeline/rendition"
	"golang.org/x/sync/errgroup"
)

func (m *Main) runRender(ctx context.Context, args []string) error {
	fs := m.newFlagSet("render", "[--out DIR] FILE...")
	out := fs.String("out", ".", "folder for the renditions (NAME.large.jpg, NAME.medium.jpg, NAME.square.jpg)")
	maxPixels := fs.Int64("max-pixels", DefaultMaxPixels, "refuse images with more pixels than this")
	quality := fs.Int("quality", 85, "JPEG quality")
	parallel := fs.Int("parallel", 2, "files rendered at once")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageErr("render takes one or more FILEs")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			total += fi.Size()
		}
	}
	opts := rendition.Options{MaxPixels: *maxPixels, Quality: *quality}
	p := newProgress(m.Stderr, isTerminal(m.Stderr), "render", int64(len(files)), total)
	failed := make([]error, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(*parallel, 1))
	for i, f := range files {
		g.Go(func() error {
			failed[i] = renderFile(gctx, f, *out, opts)
			if fi, err := os.Stat(f); err == nil {
				p.addBytes(fi.Size())
			}
			p.addItem()
			return gctx.Err()
		})
	}
	err = g.Wait()
	p.finish()
	if err != nil {
		return err
	}
	n := 0
	for i, err := range failed {
		if err != nil {
			n++
			fmt.Fprintf(m.Stderr, "failed %s: %s\n", files[i], catalog.ErrorMessage(err))
		}
	}
	if n > 0 {
		return &exitError{code: exitRejected, err: fmt.Errorf("%d of %d files failed", n, len(files))}
	}
	return nil
}

func renderFile(ctx context.Context, path, out string, opts rendition.Options) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dev, err := develop.Develop(ctx, data, opts)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	for _, r := range dev.Result.Renditions {
		if err := os.WriteFile(filepath.Join(out, base+"."+r.Name+".jpg"), r.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
