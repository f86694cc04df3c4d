package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/s3store"
	"github.com/confmedia/confmedia/catalog/sqlstore"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// forward relays TCP connections on addr to target until the test ends: an
// S3 server that comes up at addr when forward is called.
func forward(t *testing.T, addr, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				go func() { io.Copy(u, c); u.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, u)
			})
		}
	})
}

// getHealth fetches /healthz with token ("" for anonymous).
func getHealth(t *testing.T, url, token string) (int, web.Health, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/healthz", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, web.Health{}, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var h web.Health
	_ = json.Unmarshal(b, &h)
	return resp.StatusCode, h, string(b)
}

// TestWaitForStorage starts `serve` and `worker` pointed at an S3 server
// that is not up yet: both wait for it and say so, serve answers /healthz
// (what is missing, the details only to an organizer) and 503 elsewhere;
// once the server comes up, an upload is processed.
func TestWaitForStorage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	redisURL, s3Endpoint := os.Getenv(services.EnvRedisURL), os.Getenv(services.EnvS3Endpoint)
	if redisURL == "" || s3Endpoint == "" {
		t.Skipf("set %s and %s (bin/confmedia services -- go test … does) to run against a real Redis and S3 server", services.EnvRedisURL, services.EnvS3Endpoint)
	}
	s3Addr := freeAddr(t) // nothing listens there yet
	addr := freeAddr(t)
	const token = "cm_await-test-admin"
	data := t.TempDir()
	env := map[string]string{
		"CONFMEDIA_DATA":   data,
		"CONFMEDIA_ADDR":   addr,
		"CONFMEDIA_SERVER": "http://" + addr,
		"CONFMEDIA_TOKEN":  token,
		// Database 15: the workers package's tests use 1 to 14, and this
		// worker's sweep must not touch their tasks.
		"CONFMEDIA_REDIS_URL":          redisURL + "?db=15",
		"CONFMEDIA_S3_ENDPOINT":        "http://" + s3Addr,
		"CONFMEDIA_S3_ACCESS_KEY":      os.Getenv(services.EnvS3AccessKey),
		"CONFMEDIA_S3_SECRET_KEY":      os.Getenv(services.EnvS3SecretKey),
		"CONFMEDIA_S3_REGION":          os.Getenv(services.EnvS3Region),
		"CONFMEDIA_S3_BUCKET":          fmt.Sprintf("await-%d", rand.Uint32()),
		"CONFMEDIA_CONCURRENCY":        "2",
		"CONFMEDIA_RECONCILE_INTERVAL": "1s",
		"CONFMEDIA_LOG_LEVEL":          "info",
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	type proc struct {
		name string
		logs *syncBuffer
		done chan int
	}
	var procs []*proc
	for _, cmd := range []string{"serve", "worker"} {
		p := &proc{name: cmd, logs: &syncBuffer{}, done: make(chan int, 1)}
		m := &Main{Stdin: strings.NewReader(""), Stdout: p.logs, Stderr: p.logs, Getenv: getenv}
		go func() { p.done <- m.Run(ctx, []string{cmd}) }()
		procs = append(procs, p)
	}
	t.Cleanup(func() {
		cancel()
		for _, p := range procs {
			select {
			case code := <-p.done:
				if code != 0 {
					t.Errorf("%s exited with %d:\n%s", p.name, code, p.logs)
				}
			case <-time.After(60 * time.Second):
				t.Errorf("%s did not stop within 60s", p.name)
			}
		}
	})
	waitUntil := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			for _, p := range procs {
				select {
				case code := <-p.done:
					t.Fatalf("%s exited with %d while waiting for %s:\n%s", p.name, code, what, p.logs)
				default:
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after %s\nserve:\n%s\nworker:\n%s", what, d, procs[0].logs, procs[1].logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// Waiting: both processes stay up, trying again and saying what they
	// wait for.
	waitUntil("waiting logged", 20*time.Second, func() bool {
		for _, p := range procs {
			l := p.logs.String()
			if !strings.Contains(l, `msg="waiting for the storage server" component=s3`) || !strings.Contains(l, "tries=2") {
				return false
			}
		}
		return true
	})
	url := "http://" + addr
	_, port, _ := net.SplitHostPort(s3Addr)
	waitUntil("healthz naming s3 alone", 20*time.Second, func() bool {
		code, h, _ := getHealth(t, url, "")
		return code == http.StatusServiceUnavailable && len(h.Down) == 1 && h.Down[0] == "s3"
	})
	code, h, body := getHealth(t, url, "")
	if h.Status != "starting" || h.Checks != nil || strings.Contains(body, port) || strings.Contains(body, "127.0.0.1") {
		t.Errorf("anonymous /healthz while waiting: %d %s; want status starting, no details, no address", code, body)
	}
	if _, h, body := getHealth(t, url, token); h.Checks == nil || h.Checks["s3"] == "ok" || h.Checks["redis"] != "ok" || !strings.Contains(body, "storage server") {
		t.Errorf("organizer /healthz while waiting: %s; want the s3 error and redis ok", body)
	}
	resp, err := http.Get(url + "/api/queue")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "waiting for the storage server") {
		t.Errorf("/api/queue while waiting: %d %s; want 503 saying what is awaited", resp.StatusCode, b)
	}

	// The storage server comes up.
	forward(t, s3Addr, strings.TrimPrefix(s3Endpoint, "http://"))
	up := time.Now()
	waitUntil("healthz 200", 45*time.Second, func() bool {
		code, _, _ := getHealth(t, url, "")
		return code == http.StatusOK
	})
	waitUntil("the worker running", 45*time.Second, func() bool {
		return strings.Contains(procs[1].logs.String(), "workers running")
	})
	t.Logf("serving %s after the storage server came up", time.Since(up).Round(time.Millisecond))

	// Work happens.
	dir := t.TempDir()
	photo := filepath.Join(dir, "hall.jpg")
	writeFile(t, photo, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 12:30:00"}))
	in := &instance{t: t, env: env}
	in.mustCLI("upload", photo)
	in.mustCLI("wait", "--timeout", "60s")
	store, err := sqlstore.Open(t.Context(), env["CONFMEDIA_DATA"]+"/catalog.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	media, err := store.ListMedia(t.Context(), catalog.MediaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(media) != 1 || media[0].Status == catalog.Pending || media[0].Status == catalog.Failed || len(media[0].Renditions) == 0 {
		t.Fatalf("after the upload: %d items, want one processed with renditions: %+v", len(media), media)
	}

	// An item stored with no task (Redis was away when it arrived) is
	// queued by the worker's reconciler and processed, with no one asking.
	blobs, err := s3store.New(t.Context(), s3store.Config{Endpoint: "http://" + s3Addr, Region: env["CONFMEDIA_S3_REGION"],
		Bucket: env["CONFMEDIA_S3_BUCKET"], AccessKeyID: env["CONFMEDIA_S3_ACCESS_KEY"], SecretAccessKey: env["CONFMEDIA_S3_SECRET_KEY"], PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	orphan := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 12:31:00"})
	sum := sha256.Sum256(orphan)
	m := &catalog.Media{ID: hex.EncodeToString(sum[:]), Kind: catalog.Photo, SourceName: "orphan.jpg", ContentType: "image/jpeg",
		Bytes: int64(len(orphan)), Status: catalog.Pending, Generation: 1, UploadedAt: time.Now().Add(-time.Hour)}
	m.OriginalKey = catalog.OriginalKey(m.ID)
	if err := blobs.Put(t.Context(), m.OriginalKey, bytes.NewReader(orphan), int64(len(orphan)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateMedia(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	waitUntil("the stored item processed", 30*time.Second, func() bool {
		got, err := store.Media(t.Context(), m.ID)
		return err == nil && got.Status != catalog.Pending
	})
	if got, _ := store.Media(t.Context(), m.ID); got.Status == catalog.Failed || len(got.Renditions) == 0 {
		t.Errorf("the stored item ended %s %q, want processed with renditions", got.Status, got.Reason)
	}
	if !strings.Contains(procs[1].logs.String(), "reconcile: stuck item queued again") {
		t.Error("the worker did not log the re-queue")
	}
}
