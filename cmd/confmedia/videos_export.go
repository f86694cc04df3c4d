package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

func (m *Main) runVideosExport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("videos export", "DIR")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1)
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
	cat, err := json.MarshalIndent(out.Category, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "category.json"), append(cat, '\n'), 0o644); err != nil {
		return err
	}
	for _, v := range out.Videos {
		if filepath.Base(v.File) != v.File {
			return fmt.Errorf("server sent a bad file name %q", v.File)
		}
		data := bytes.TrimSpace(v.Video)
		if err := os.WriteFile(filepath.Join(dir, "videos", v.File), append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "wrote %d videos and category.json to %s\n", len(out.Videos), dir)
	return nil
}
