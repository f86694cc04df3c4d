package main

import (
	"bytes"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestSecurePrivateFiles: a data dir and secrets found readable by others
// are made private at start, and a new catalog database is private from
// its first byte.
func TestSecurePrivateFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes mean nothing on Windows")
	}
	dir := filepath.Join(t.TempDir(), "var")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	loose := map[string]fs.FileMode{
		adminTokenFile: 0o644, sessionKeyFile: 0o640, "catalog.db": 0o644, "catalog.db-wal": 0o664, "catalog.db-shm": 0o644,
		"other.txt": 0o644,
	}
	for name, m := range loose {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), m); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if err := securePrivateFiles(dir, "sqlite:"+filepath.Join(dir, "catalog.db"), log); err != nil {
		t.Fatal(err)
	}
	if got, want := mode(t, dir), fs.FileMode(0o700); got != want {
		t.Errorf("data dir %04o, want %04o", got, want)
	}
	for name := range loose {
		want := fs.FileMode(0o600)
		if name == "other.txt" {
			want = 0o644 // not a secret: left as it is
		}
		if got := mode(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s: %04o, want %04o", name, got, want)
		}
	}
	if !strings.Contains(logs.String(), "catalog.db") || !strings.Contains(logs.String(), "was=0644") {
		t.Errorf("the changes are not logged: %s", logs.String())
	}

	// A new data dir and database, wherever the URL puts the database.
	fresh := filepath.Join(t.TempDir(), "new", "var")
	db := filepath.Join(t.TempDir(), "elsewhere", "c.db")
	if err := securePrivateFiles(fresh, "file:"+db+"?_pragma=busy_timeout(1000)", log); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, fresh); got != 0o700 {
		t.Errorf("new data dir %04o, want 0700", got)
	}
	if got := mode(t, db); got != 0o600 {
		t.Errorf("new database %04o, want 0600", got)
	}
	// PostgreSQL: no file.
	pg := t.TempDir()
	if err := securePrivateFiles(pg, "postgres://u@h/db", log); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(pg); len(entries) != 0 {
		t.Errorf("a PostgreSQL catalog left files in the data dir: %v", entries)
	}
}

func TestLoadSessionKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadSessionKey("too short", dir); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("short CONFMEDIA_SESSION_KEY: %v, want refused", err)
	}
	given := strings.Repeat("k", 40)
	if got, err := loadSessionKey(" "+given+" ", dir); err != nil || string(got) != given {
		t.Errorf("CONFMEDIA_SESSION_KEY: %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, sessionKeyFile)); err == nil {
		t.Error("a key file was made although the key was given")
	}
	a, err := loadSessionKey("", dir)
	if err != nil || len(a) != 64 {
		t.Fatalf("made key %q, %v; want 64 hex characters", a, err)
	}
	if runtime.GOOS != "windows" {
		if got := mode(t, filepath.Join(dir, sessionKeyFile)); got != 0o600 {
			t.Errorf("key file %04o, want 0600", got)
		}
	}
	again, err := loadSessionKey("", dir)
	if err != nil || !bytes.Equal(again, a) {
		t.Errorf("second start: %q, %v; want the same key %q (logins survive a restart)", again, err, a)
	}
	other, err := loadSessionKey("", t.TempDir())
	if err != nil || bytes.Equal(other, a) {
		t.Errorf("another data dir: %q, %v; want another random key", other, err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, sessionKeyFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSessionKey("", bad); err == nil {
		t.Error("a short key file was accepted")
	}
}

// TestLoadConfigPrivate: starting a server-side command makes the data dir
// private and settles the session key.
func TestLoadConfigPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var")
	env := map[string]string{"CONFMEDIA_DATA": dir, "CONFMEDIA_LOG_LEVEL": "error"}
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }}
	cfg, err := m.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SessionKey) != 64 {
		t.Errorf("session key %q, want one made in the data dir", cfg.SessionKey)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]fs.FileMode{dir: 0o700, filepath.Join(dir, "catalog.db"): 0o600, filepath.Join(dir, sessionKeyFile): 0o600} {
			if got := mode(t, p); got != want {
				t.Errorf("%s: %04o, want %04o", p, got, want)
			}
		}
	}
	env["CONFMEDIA_SESSION_KEY"] = strings.Repeat("s", 32)
	if cfg, err := m.loadConfig(); err != nil || string(cfg.SessionKey) != env["CONFMEDIA_SESSION_KEY"] {
		t.Errorf("with CONFMEDIA_SESSION_KEY: %q, %v", cfg.SessionKey, err)
	}
}
