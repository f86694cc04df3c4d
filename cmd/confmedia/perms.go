package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Modes of what the data dir holds: only the user confmedia runs as may
// read the catalog (token hashes, opt-out reasons, camera serials), the
// admin token or the session key.
const (
	privateDirMode  fs.FileMode = 0o700
	privateFileMode fs.FileMode = 0o600
)

// securePrivateFiles makes the data dir and the secrets in it private, at
// every start of a server-side command: it creates dataDir (0700) when
// missing and tightens it to 0700 when found looser; it tightens the admin
// token, the session key and the SQLite catalog (with its -wal, -shm and
// -journal files, wherever databaseURL puts it) to 0600 when found looser;
// and it creates a missing SQLite catalog as an empty 0600 file, as SQLite
// gives its -wal and -shm files the database's mode. It logs each change.
// Modes mean nothing on Windows, where it only creates the data dir.
func securePrivateFiles(dataDir, databaseURL string, log *slog.Logger) error {
	if err := os.MkdirAll(dataDir, privateDirMode); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if err := tighten(dataDir, privateDirMode, log); err != nil {
		return err
	}
	files := []string{filepath.Join(dataDir, adminTokenFile), filepath.Join(dataDir, sessionKeyFile)}
	if db := sqliteFile(databaseURL); db != "" {
		if err := os.MkdirAll(filepath.Dir(db), privateDirMode); err != nil {
			return fmt.Errorf("catalog database folder: %w", err)
		}
		f, err := os.OpenFile(db, os.O_RDONLY|os.O_CREATE, privateFileMode)
		if err != nil {
			return fmt.Errorf("catalog database: %w", err)
		}
		f.Close()
		files = append(files, db, db+"-wal", db+"-shm", db+"-journal")
	}
	for _, f := range files {
		if err := tighten(f, privateFileMode, log); err != nil {
			return err
		}
	}
	return nil
}

// tighten takes from path's mode every permission beyond want. A missing
// path is not an error.
func tighten(path string, want fs.FileMode, log *slog.Logger) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	mode := fi.Mode().Perm()
	if mode&^want == 0 {
		return nil
	}
	if err := os.Chmod(path, mode&want); err != nil {
		return fmt.Errorf("make %s private: %w", path, err)
	}
	log.Warn("made a private file private", "file", path, "was", fmt.Sprintf("%04o", mode), "now", fmt.Sprintf("%04o", mode&want))
	return nil
}

// sqliteFile returns the file of a SQLite catalog URL, or "" for
// PostgreSQL.
func sqliteFile(databaseURL string) string {
	u := databaseURL
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return ""
	}
	for _, prefix := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if rest, ok := strings.CutPrefix(u, prefix); ok {
			u, _, _ = strings.Cut(rest, "?")
			break
		}
	}
	if u == "" || strings.HasPrefix(u, ":memory:") || strings.Contains(u, "://") {
		return ""
	}
	return u
}
