package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/workers"
)

// Config is every setting of the server-side commands, from CONFMEDIA_*
// variables. The defaults are those of the README's configuration table.
type Config struct {
	Addr        string // CONFMEDIA_ADDR, ":8080"
	DataDir     string // CONFMEDIA_DATA, "./var"
	PublicURL   string // CONFMEDIA_PUBLIC_URL, from Addr
	DatabaseURL string // CONFMEDIA_DATABASE_URL, SQLite in DataDir
	RedisURL    string // CONFMEDIA_REDIS_URL
	Token       string // CONFMEDIA_TOKEN, the admin token
	// SessionKey signs login sessions and CSRF tokens:
	// CONFMEDIA_SESSION_KEY (web nodes serving the same users share it),
	// else the session-key file in DataDir, made once when missing.
	SessionKey []byte

	S3Endpoint  string // CONFMEDIA_S3_ENDPOINT
	S3Bucket    string // CONFMEDIA_S3_BUCKET, "confmedia"
	S3Region    string // CONFMEDIA_S3_REGION, "us-east-1"
	S3AccessKey string // CONFMEDIA_S3_ACCESS_KEY (else the AWS default chain)
	S3SecretKey string // CONFMEDIA_S3_SECRET_KEY
	S3PublicURL string // CONFMEDIA_S3_PUBLIC_URL
	// S3PublicEndpoint is the S3 endpoint as browsers reach it, the host of
	// presigned upload URLs: CONFMEDIA_S3_PUBLIC_ENDPOINT, default the S3
	// endpoint.
	S3PublicEndpoint string

	AllowOriginals  bool // CONFMEDIA_ALLOW_ORIGINALS, false: offer headshot originals (stripped) for download
	PrivateSpeakers bool // CONFMEDIA_PRIVATE_SPEAKERS, false: speaker pages need a speaker link

	// Faces is CONFMEDIA_FACES, true: workers find faces (when the face
	// models are built in) and frame square renditions around them.
	Faces bool
	// FaceRecognition is CONFMEDIA_FACE_RECOGNITION, false: workers
	// recognise speakers in event photos by their headshots' faces
	// (biometric processing: the speakers must agree). Needs Faces.
	FaceRecognition bool

	MaxBytes    int64 // CONFMEDIA_MAX_BYTES, 200 MiB
	MaxPixels   int64 // CONFMEDIA_MAX_PIXELS, 100 MP
	Concurrency int   // CONFMEDIA_CONCURRENCY, the number of CPUs

	ReconcileInterval time.Duration // CONFMEDIA_RECONCILE_INTERVAL, 30s: time between the reconciler's sweeps
	ReconcileGrace    time.Duration // CONFMEDIA_RECONCILE_GRACE, 2m: how long an item may be pending with no task

	MetricsAddr string // CONFMEDIA_METRICS_ADDR, "": off; else serve and worker answer GET /metrics there, without a token
}

// DefaultMaxBytes and DefaultMaxPixels are the upload limits.
const (
	DefaultMaxBytes  = 200 << 20
	DefaultMaxPixels = 100_000_000
)

func (m *Main) loadConfig() (Config, error) {
	env := func(k, def string) string {
		if v := m.Getenv(k); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:        env("CONFMEDIA_ADDR", ":8080"),
		MetricsAddr: m.Getenv("CONFMEDIA_METRICS_ADDR"),
		DataDir:     env("CONFMEDIA_DATA", "./var"),
		PublicURL:   m.Getenv("CONFMEDIA_PUBLIC_URL"),
		DatabaseURL: m.Getenv("CONFMEDIA_DATABASE_URL"),
		RedisURL:    m.Getenv("CONFMEDIA_REDIS_URL"),
		Token:       m.Getenv("CONFMEDIA_TOKEN"),
		S3Endpoint:  m.Getenv("CONFMEDIA_S3_ENDPOINT"),
		S3Bucket:    env("CONFMEDIA_S3_BUCKET", "confmedia"),
		S3Region:    env("CONFMEDIA_S3_REGION", "us-east-1"),
		S3AccessKey: m.Getenv("CONFMEDIA_S3_ACCESS_KEY"),
		S3SecretKey: m.Getenv("CONFMEDIA_S3_SECRET_KEY"),
		S3PublicURL: m.Getenv("CONFMEDIA_S3_PUBLIC_URL"),

		S3PublicEndpoint: m.Getenv("CONFMEDIA_S3_PUBLIC_ENDPOINT"),
	}
	var err error
	if c.AllowOriginals, err = envBool(m.Getenv, "CONFMEDIA_ALLOW_ORIGINALS"); err != nil {
		return c, err
	}
	if c.PrivateSpeakers, err = envBool(m.Getenv, "CONFMEDIA_PRIVATE_SPEAKERS"); err != nil {
		return c, err
	}
	if c.Faces, err = envBoolDefault(m.Getenv, "CONFMEDIA_FACES", true); err != nil {
		return c, err
	}
	if c.FaceRecognition, err = envBool(m.Getenv, "CONFMEDIA_FACE_RECOGNITION"); err != nil {
		return c, err
	}
	if c.FaceRecognition && !c.Faces {
		return c, usageErr("CONFMEDIA_FACE_RECOGNITION=true needs faces: CONFMEDIA_FACES is false")
	}
	if c.MaxBytes, err = envInt(m.Getenv, "CONFMEDIA_MAX_BYTES", DefaultMaxBytes); err != nil {
		return c, err
	}
	if c.MaxPixels, err = envInt(m.Getenv, "CONFMEDIA_MAX_PIXELS", DefaultMaxPixels); err != nil {
		return c, err
	}
	conc, err := envInt(m.Getenv, "CONFMEDIA_CONCURRENCY", 0)
	if err != nil {
		return c, err
	}
	c.Concurrency = int(conc)
	if c.ReconcileInterval, err = envDuration(m.Getenv, "CONFMEDIA_RECONCILE_INTERVAL", workers.DefaultReconcileInterval); err != nil {
		return c, err
	}
	if c.ReconcileGrace, err = envDuration(m.Getenv, "CONFMEDIA_RECONCILE_GRACE", workers.DefaultReconcileGrace); err != nil {
		return c, err
	}
	if c.DataDir, err = filepath.Abs(c.DataDir); err != nil {
		return c, err
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "catalog.db")
	}
	if err := securePrivateFiles(c.DataDir, c.DatabaseURL, m.logger()); err != nil {
		return c, err
	}
	if c.SessionKey, err = loadSessionKey(m.Getenv("CONFMEDIA_SESSION_KEY"), c.DataDir); err != nil {
		return c, err
	}
	if c.PublicURL == "" {
		c.PublicURL = localURL(c.Addr)
	}
	return c, nil
}

func envInt(getenv func(string) string, key string, def int64) (int64, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, usageErr("%s=%q: want a non-negative whole number", key, v)
	}
	return n, nil
}

func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageErr("%s=%q: want a positive duration like 30s or 2m", key, v)
	}
	return d, nil
}

func envBool(getenv func(string) string, key string) (bool, error) {
	switch strings.ToLower(getenv(key)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, usageErr("%s=%q: want true or false", key, getenv(key))
}

// envBoolDefault is envBool with def when key is unset or empty.
func envBoolDefault(getenv func(string) string, key string, def bool) (bool, error) {
	if getenv(key) == "" {
		return def, nil
	}
	return envBool(getenv, key)
}

// localURL is the address a browser on this machine uses for a listen address.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// clientSettings are what the CLI needs to talk to a server.
type clientSettings struct {
	server, token string
}

// clientFlags registers --server and --token and returns a function that
// resolves them after parsing: flags, then CONFMEDIA_SERVER/CONFMEDIA_TOKEN,
// then, for a server on loopback, the admin-token file in CONFMEDIA_DATA.
func (m *Main) clientFlags(fs interface {
	StringVar(*string, string, string, string)
}) func() clientSettings {
	var s clientSettings
	fs.StringVar(&s.server, "server", "", "server URL (CONFMEDIA_SERVER, default http://localhost:8080)")
	fs.StringVar(&s.token, "token", "", "API token (CONFMEDIA_TOKEN; on loopback, falls back to $CONFMEDIA_DATA/admin-token)")
	return func() clientSettings {
		if s.server == "" {
			s.server = m.Getenv("CONFMEDIA_SERVER")
		}
		if s.server == "" {
			s.server = "http://localhost:8080"
		}
		if s.token == "" {
			s.token = m.Getenv("CONFMEDIA_TOKEN")
		}
		if s.token == "" && isLoopback(s.server) {
			dir := m.Getenv("CONFMEDIA_DATA")
			if dir == "" {
				dir = "./var"
			}
			if b, err := os.ReadFile(filepath.Join(dir, adminTokenFile)); err == nil {
				s.token = strings.TrimSpace(string(b))
			}
		}
		return s
	}
}

func isLoopback(server string) bool {
	u, err := url.Parse(server)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

const (
	adminTokenFile = "admin-token"
	sessionKeyFile = "session-key"
	// minSessionKey is the shortest CONFMEDIA_SESSION_KEY accepted.
	minSessionKey = 32
)

// loadSessionKey returns the key that signs login sessions: env (the value
// of CONFMEDIA_SESSION_KEY) when set, which must be at least 32 characters
// (`openssl rand -hex 32` makes one); else the key in dataDir's session-key
// file, which it creates (0600, 32 random bytes in hex) when missing. The
// key is never derived from a token.
func loadSessionKey(env, dataDir string) ([]byte, error) {
	if env = strings.TrimSpace(env); env != "" {
		if len(env) < minSessionKey {
			return nil, usageErr("CONFMEDIA_SESSION_KEY is %d characters: give at least %d (e.g. openssl rand -hex 32)", len(env), minSessionKey)
		}
		return []byte(env), nil
	}
	path := filepath.Join(dataDir, sessionKeyFile)
	b, err := os.ReadFile(path)
	if key := strings.TrimSpace(string(b)); err == nil && len(key) >= minSessionKey {
		return []byte(key), nil
	} else if err == nil {
		return nil, fmt.Errorf("session key %s is %d characters, want at least %d: delete it to make a new one (everyone signs in again)", path, len(key), minSessionKey)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("session key: %w", err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(buf)
	// Written whole under another name, then linked into place: a process
	// starting beside this one (serve and worker on one data dir) sees no
	// key or the whole key, never an empty file.
	f, err := os.CreateTemp(dataDir, sessionKeyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(privateFileMode); err != nil {
		f.Close()
		return nil, fmt.Errorf("session key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("session key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	if err := os.Link(f.Name(), path); errors.Is(err, fs.ErrExist) {
		return loadSessionKey("", dataDir) // another process made it first
	} else if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	return []byte(key), nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
