package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confmedia/confmedia/pipeline/recording"
)

// runVideosExport writes a pyvideo event folder: category.json and
// videos/*.json, laid out as pyvideo/data keeps them (recording.FormatVideo).
// Into a checkout of pyvideo/data it changes only what changed: a
// category.json with the same title is left as it is, and a file keeps the
// ending it had (pyvideo's files end in a newline, some do not).
func (m *Main) runVideosExport(ctx context.Context, args []string) error {
	flags := m.newFlagSet("videos export", "DIR")
	settings := m.clientFlags(flags)
	pos, err := parseArgs(flags, args, 1, 1)
	if err != nil {
		return err
	}
	out, err := m.client(settings()).ExportVideos(ctx)
	if err != nil {
		return err
	}
	dir := pos[0]
	if err := os.MkdirAll(filepath.Join(dir, "videos"), 0o755); err != nil {
		return err
	}
	catPath := filepath.Join(dir, "category.json")
	old, err := os.ReadFile(catPath)
	if title, perr := recording.ParseCategory("category.json", old); err != nil || perr != nil || title != out.Category.Title {
		if err := os.WriteFile(catPath, recording.CategoryJSON(out.Category.Title), 0o644); err != nil {
			return err
		}
	}
	written := 0
	for _, v := range out.Videos {
		if filepath.Base(v.File) != v.File {
			return fmt.Errorf("server sent a bad file name %q", v.File)
		}
		data, err := recording.FormatVideo(v.Video)
		if err != nil {
			return fmt.Errorf("server sent a bad record for %s: %w", v.File, err)
		}
		path := filepath.Join(dir, "videos", v.File)
		old, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return err
		case !bytes.HasSuffix(old, []byte("\n")):
			data = bytes.TrimSuffix(data, []byte("\n"))
		}
		if bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		written++
	}
	fmt.Fprintf(m.Stdout, "%d videos in %s: %d written, %d unchanged\n", len(out.Videos), dir, written, len(out.Videos)-written)
	return nil
}
