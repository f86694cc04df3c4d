package services

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// VersityGWModule is the versitygw release confmedia is tested with.
const VersityGWModule = "github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// s3Region is the region the local server answers for.
const s3Region = "us-east-1"

// S3 is a versitygw child serving the posix folder dir/objects over S3 on a
// loopback port. The fields are what a client needs; they never change
// while the server runs.
type S3 struct {
	Endpoint        string // "http://127.0.0.1:PORT"
	Region          string
	AccessKeyID     string
	SecretAccessKey string

	proc *process
}

// credentials are the gateway's root keys as kept in credentials.json.
type credentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// metaMode says where versitygw keeps object metadata (content type…).
type metaMode int

const (
	metaAuto    metaMode = iota // xattrs when the filesystem has them, else a sidecar
	metaXattr                   // user extended attributes on the object files
	metaSidecar                 // files in dir/meta
)

// StartS3 starts versitygw (bin, see FindVersityGW) with the posix backend
// on dir/objects, listening on a free port of 127.0.0.1. Its root keys are
// generated once and kept in dir/credentials.json (mode 0600), so a restart
// on the same dir serves the same objects to the same keys. Object metadata
// is kept in extended attributes, or in dir/meta when the filesystem has no
// user extended attributes. It logs to dir/versitygw.log. A versitygw left
// running in dir by a supervisor that was killed is stopped first.
//
// StartS3 returns once the server answers, or an Unavailable error ending
// with the log's last lines when it does not within ten seconds or ctx is
// done. It returns a Conflict error when another process supervises an S3
// server in dir. The server outlives ctx: call Stop.
func StartS3(ctx context.Context, dir, bin string, logger *slog.Logger) (*S3, error) {
	return startS3(ctx, dir, bin, logger, metaAuto)
}

func startS3(ctx context.Context, dir, bin string, logger *slog.Logger, meta metaMode) (*S3, error) {
	const op = "services.StartS3"
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if bin == "" {
		found, err := FindVersityGW()
		if err != nil {
			return nil, err
		}
		bin = found
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, catalog.E(catalog.Unavailable, op, err, "versitygw not found at %s", bin)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "bad S3 data folder %s", dir)
	}
	objects := filepath.Join(dir, "objects")
	if err := os.MkdirAll(objects, 0o700); err != nil {
		return nil, catalog.E(catalog.Other, op, err, "cannot create S3 data folder %s", objects)
	}
	p := &process{name: "versitygw", dir: dir, logPath: filepath.Join(dir, "versitygw.log"), logger: logger}
	if err := p.claim(op, path); err != nil {
		return nil, err
	}
	creds, err := loadCredentials(filepath.Join(dir, "credentials.json"))
	if err != nil {
		p.release()
		return nil, catalog.E(catalog.Other, op, err, "cannot read or create the S3 keys in %s", filepath.Join(dir, "credentials.json"))
	}

	if meta == metaAuto {
		meta = metaXattr
		if !xattrsSupported(objects) {
			meta = metaSidecar
			logger.Info("the filesystem has no user extended attributes; keeping S3 metadata in a sidecar folder",
				"service", "versitygw", "dir", objects)
		}
	}
	backend := []string{"posix"}
	if meta == metaSidecar {
		sidecar := filepath.Join(dir, "meta")
		if err := os.MkdirAll(sidecar, 0o700); err != nil {
			p.release()
			return nil, catalog.E(catalog.Other, op, err, "cannot create S3 metadata folder %s", sidecar)
		}
		backend = append(backend, "--sidecar", sidecar)
	}
	backend = append(backend, objects)
	env := childEnv([]string{"VGW_", "ROOT_ACCESS_KEY", "ROOT_SECRET", "AWS_"},
		"ROOT_ACCESS_KEY_ID="+creds.AccessKeyID,
		"ROOT_SECRET_ACCESS_KEY="+creds.SecretAccessKey)

	// The port is free when we look; another program may take it before
	// versitygw binds it, in which case versitygw exits and we try another.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			p.release()
			return nil, catalog.E(catalog.Unavailable, op, err, "no free port on 127.0.0.1 for the S3 server")
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		args := append([]string{
			"--port", addr,
			"--region", s3Region,
			"--health", "/health",
			"--quiet",
		}, backend...)
		if err := p.start(op, path, args, env); err != nil {
			p.release()
			return nil, err
		}
		s := &S3{
			Endpoint:        "http://" + addr,
			Region:          s3Region,
			AccessKeyID:     creds.AccessKeyID,
			SecretAccessKey: creds.SecretAccessKey,
			proc:            p,
		}
		lastErr = s.waitReady(ctx, op)
		if lastErr == nil {
			p.ready.Store(true)
			logger.Info("S3 server started", "service", "versitygw", "pid", p.cmd.Process.Pid, "endpoint", s.Endpoint, "dir", objects)
			return s, nil
		}
		if !p.exited() || ctx.Err() != nil {
			break
		}
		p.cmd = nil // exited while starting: try another port
	}
	_ = p.stop()
	return nil, lastErr
}

// waitReady polls the health endpoint until it answers 200.
func (s *S3) waitReady(ctx context.Context, op string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	var last error
	for {
		if s.proc.exited() {
			return startError(op, "versitygw", s.proc.logPath, s.proc.err, "exited while starting")
		}
		if last = health(ctx, client, s.Endpoint+"/health"); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return startError(op, "versitygw", s.proc.logPath, last, "did not answer on "+s.Endpoint)
		case <-time.After(pollInterval):
		}
	}
}

func health(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// Stop stops the server: SIGTERM, then SIGKILL if it has not exited after
// ten seconds. It returns an error if the server had to be killed or had
// died before; calling it again returns the same result.
func (s *S3) Stop() error { return s.proc.stop() }

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// loadCredentials reads the keys kept in path, or makes new ones and keeps
// them there, readable by the owner only.
func loadCredentials(path string) (credentials, error) {
	var c credentials
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &c); err != nil {
			return c, fmt.Errorf("%s: %w", path, err)
		}
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return c, fmt.Errorf("%s lacks access_key_id or secret_access_key", path)
		}
		// Keys copied around with a lax umask are tightened again.
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(path, 0o600)
		}
		return c, nil
	case !errors.Is(err, os.ErrNotExist):
		return c, err
	}
	c = credentials{AccessKeyID: randomKey(20, upperAlnum), SecretAccessKey: randomKey(40, secretChars)}
	raw, err = json.MarshalIndent(c, "", "  ")
	if err != nil {
		return c, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".credentials-*")
	if err != nil {
		return c, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return c, err
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return c, err
	}
	if err := tmp.Close(); err != nil {
		return c, err
	}
	return c, os.Rename(tmp.Name(), path)
}

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// randomKey returns n characters of alphabet chosen with crypto/rand.
func randomKey(n int, alphabet string) string {
	b := make([]byte, n)
	// 256 is not a multiple of the alphabet's length; redraw the bytes
	// past the last whole multiple so every character is equally likely.
	limit := byte(256 - 256%len(alphabet))
	for i := 0; i < n; {
		var one [1]byte
		_, _ = rand.Read(one[:]) // never fails (see crypto/rand.Read)
		if one[0] >= limit {
			continue
		}
		b[i] = alphabet[int(one[0])%len(alphabet)]
		i++
	}
	return string(b)
}

// FindVersityGW looks for the versitygw program: beside the running
// executable, then in .tools/bin of the current folder or of the nearest
// folder above it that has one, then on PATH. The error says how to install
// it.
func FindVersityGW() (string, error) {
	const name = "versitygw"
	var looked []string
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if isExecutable(p) {
			return p, nil
		}
		looked = append(looked, filepath.Dir(exe))
	}
	root := ""
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			p := filepath.Join(dir, ".tools", "bin", name)
			if isExecutable(p) {
				return p, nil
			}
			if root == "" && isFile(filepath.Join(dir, "go.mod")) {
				root = dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
		if root == "" {
			root = wd
		}
		looked = append(looked, ".tools/bin above "+wd)
	}
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	looked = append(looked, "PATH")
	gobin := filepath.Join(root, ".tools", "bin")
	return "", catalog.E(catalog.Unavailable, "services.FindVersityGW", nil,
		"versitygw not found (looked in %s); install it with: GOBIN=%s go install %s",
		strings.Join(looked, ", "), gobin, VersityGWModule)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
