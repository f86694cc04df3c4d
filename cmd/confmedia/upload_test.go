package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// switchQueue is a work queue that Redis can leave and rejoin: while down,
// it takes no task and its stats cannot be read.
type switchQueue struct {
	down  atomic.Bool
	stats atomic.Int64 // Stats calls
	mu    sync.Mutex
	media []string
}

var _ web.Queue = (*switchQueue)(nil)

func (q *switchQueue) err() error {
	if q.down.Load() {
		return catalog.E(catalog.Unavailable, "test", nil, "redis does not answer")
	}
	return nil
}

func (q *switchQueue) EnqueueMedia(_ context.Context, m *catalog.Media) error {
	if err := q.err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.media = append(q.media, m.ID)
	return nil
}
func (q *switchQueue) EnqueueTag(context.Context, string, int) error       { return q.err() }
func (q *switchQueue) EnqueueRecording(context.Context, string, int) error { return q.err() }
func (q *switchQueue) Ping(context.Context) error                          { return q.err() }
func (q *switchQueue) Stats(context.Context) (catalog.QueueStats, error) {
	q.stats.Add(1)
	return catalog.QueueStats{}, q.err()
}

// fakeServer is a confmedia API server on an in-memory catalog and bucket.
type fakeServer struct {
	srv   *web.Server
	queue *switchQueue
	url   string
	// lose names files (by upload name) whose first PUT is carried out but
	// whose answer is lost on the way back, as behind a proxy that drops a
	// slow answer: the client sees a 502 and sends the file again.
	lose map[string]bool
	mu   sync.Mutex
	lost map[string]bool
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	fs := &fakeServer{queue: &switchQueue{}, lose: map[string]bool{}, lost: map[string]bool{}}
	fs.srv = &web.Server{Store: catalogtest.NewMemStore(), Blobs: catalogtest.NewMemBlobs(), Queue: fs.queue,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AdminTokenHash: web.HashToken("admin-secret"),
		MaxBytes: 1 << 20, MaxPixels: 10_000_000, TempDir: t.TempDir()}
	h := fs.srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		fs.mu.Lock()
		loseThis := r.Method == http.MethodPut && fs.lose[name] && !fs.lost[name]
		if loseThis {
			fs.lost[name] = true
		}
		fs.mu.Unlock()
		if !loseThis {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(httptest.NewRecorder(), r) // done, but the answer is lost
		http.Error(w, "upstream connection reset", http.StatusBadGateway)
	}))
	t.Cleanup(ts.Close)
	fs.srv.PublicURL = ts.URL
	fs.url = ts.URL
	return fs
}

func (fs *fakeServer) cli(args ...string) (code int, stdout, stderr string) {
	env := map[string]string{"CONFMEDIA_SERVER": fs.url, "CONFMEDIA_TOKEN": "admin-secret"}
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// photos writes n distinct JPEGs named p0.jpg… into dir.
func photos(t *testing.T, dir string, n int) []string {
	t.Helper()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("p%d.jpg", i))
		writeFile(t, p, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: fmt.Sprintf("2026:05:15 09:%02d:00", i)}))
		paths = append(paths, p)
	}
	return paths
}

// TestUploadCountsExact: a file is a duplicate only if the server had it
// before the upload began. A file whose first PUT was stored but whose
// answer was lost is sent again, finds itself on the server, and is still
// counted as uploaded; a file stored while the queue is away is uploaded,
// waiting for the queue, not rejected.
func TestUploadCountsExact(t *testing.T) {
	tests := []struct {
		name      string
		queueDown bool
		lose      []string
		want      uploadSummary
	}{
		{"sunny", false, nil,
			uploadSummary{Sent: 5, Skipped: 2, Repeated: 1}},
		{"answers lost after storing", false, []string{"p1.jpg", "p2.jpg", "p4.jpg"},
			uploadSummary{Sent: 5, Skipped: 2, Repeated: 1}},
		{"queue down", true, nil,
			uploadSummary{Sent: 5, Waiting: 5, Skipped: 2, Repeated: 1}},
		{"queue down and answers lost", true, []string{"p1.jpg", "p3.jpg"},
			uploadSummary{Sent: 5, Waiting: 5, Skipped: 2, Repeated: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t)
			dir := t.TempDir()
			paths := photos(t, dir, 6)
			// p5.jpg is on the server before this upload; copy.jpg repeats p0.jpg.
			if code, out, errs := fs.cli("upload", paths[5]); code != 0 {
				t.Fatalf("first upload: exit %d %s %s", code, out, errs)
			}
			first, err := os.ReadFile(paths[0])
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "copy.jpg"), first)
			for _, name := range tt.lose {
				fs.lose[name] = true
			}
			fs.queue.down.Store(tt.queueDown)

			code, out, errs := fs.cli("upload", "--json", dir)
			var got uploadSummary
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("upload: exit %d, %q (%v)\n%s", code, out, err, errs)
			}
			tt.want.Rejected = []rejected{}
			if code != 0 || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("upload: exit %d, %+v; want exit 0, %+v\nstderr:\n%s", code, got, tt.want, errs)
			}
			if len(tt.lose) > 0 && len(fs.lost) != len(tt.lose) {
				t.Errorf("lost %d answers, want %d: the test did not do what it says", len(fs.lost), len(tt.lose))
			}
			waiting := strings.Contains(errs, "processed when the queue is back")
			if waiting != tt.queueDown {
				t.Errorf("stderr says the files wait for the queue: %v, want %v\n%s", waiting, tt.queueDown, errs)
			}
			items, err := fs.srv.Store.ListMedia(context.Background(), catalog.MediaFilter{})
			if err != nil || len(items) != 6 {
				t.Errorf("%d items in the catalog (%v), want 6", len(items), err)
			}
		})
	}
}

// TestUploadSummaryLine: the summary names every count, and each rejected
// file with its reason.
func TestUploadSummaryLine(t *testing.T) {
	fs := newFakeServer(t)
	dir := t.TempDir()
	paths := photos(t, dir, 3)
	if code, out, errs := fs.cli("upload", paths[2]); code != 0 {
		t.Fatalf("first upload: exit %d %s %s", code, out, errs)
	}
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte("not a photo"))
	fs.queue.down.Store(true)
	code, out, errs := fs.cli("upload", dir)
	if got, want := out, "uploaded 2 (2 stored, awaiting the queue), 1 already on the server, rejected 1\n"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if code != exitRejected || !strings.Contains(errs, "rejected "+filepath.Join(dir, "notes.txt")+": ") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and notes.txt named with its reason", code, errs)
	}
	if !strings.Contains(errs, "2 files are stored, but the server's queue is unavailable: processed when the queue is back") {
		t.Errorf("stderr does not say the files wait for the queue:\n%s", errs)
	}
}

// TestWait: wait keeps waiting through a queue outage, saying so once, and
// does not end while items are pending in the catalog; it exits 1 listing
// the failed items, 3 on timeout.
func TestWait(t *testing.T) {
	fs := newFakeServer(t)
	ctx := context.Background()
	store := fs.srv.Store
	add := func(id, name string, st catalog.Status, reason string) {
		t.Helper()
		if _, err := store.CreateMedia(ctx, &catalog.Media{ID: strings.Repeat(id, 64), Kind: catalog.Photo, SourceName: name,
			Status: st, Reason: reason, Generation: 1}); err != nil {
			t.Fatal(err)
		}
	}
	add("a", "stored-while-down.jpg", catalog.Pending, "")

	// Pending in the catalog with nothing queued: not done.
	code, _, errs := fs.cli("wait", "--timeout", "1s")
	if code != exitTimeout || !strings.Contains(errs, "1 media and 0 recordings pending") {
		t.Errorf("wait with an item pending: exit %d %q, want 3 naming the pending item", code, errs)
	}

	// The queue is away, then back; the item is processed after that.
	fs.queue.down.Store(true)
	type result struct {
		code int
		errs string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errs := fs.cli("wait", "--timeout", "30s")
		done <- result{code, errs}
	}()
	for fs.queue.stats.Load() < 6 { // several polls during the outage
		time.Sleep(50 * time.Millisecond)
	}
	fs.queue.down.Store(false)
	polls := fs.queue.stats.Load()
	for fs.queue.stats.Load() < polls+2 {
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case r := <-done:
		t.Fatalf("wait ended while an item was pending: exit %d\n%s", r.code, r.errs)
	default:
	}
	if err := store.UpdateMedia(ctx, strings.Repeat("a", 64), func(m *catalog.Media) error {
		m.Status = catalog.Tagged
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 {
		t.Errorf("wait after the outage: exit %d, want 0\n%s", r.code, r.errs)
	}
	if n := strings.Count(r.errs, "the queue is unavailable"); n != 1 {
		t.Errorf("the outage was reported %d times, want once:\n%s", n, r.errs)
	}
	if !strings.Contains(r.errs, "the queue is back") {
		t.Errorf("wait did not say the queue is back:\n%s", r.errs)
	}

	// Failed items make the exit code 1, each listed with its reason.
	add("b", "broken.jpg", catalog.Failed, "broken.jpg: not a JPEG (truncated)")
	add("c", "huge.png", catalog.Failed, "stopped the worker 3 times — too large or damaged?")
	code, _, errs = fs.cli("wait", "--timeout", "10s")
	for _, want := range []string{"failed broken.jpg: not a JPEG (truncated)\n", "failed huge.png: stopped the worker 3 times — too large or damaged?\n"} {
		if !strings.Contains(errs, want) {
			t.Errorf("wait stderr lacks %q:\n%s", want, errs)
		}
	}
	if code != exitRejected {
		t.Errorf("wait with failed items: exit %d, want 1", code)
	}
}

// waitFailed runs `wait` and wants it to end with exactly the given files
// listed as failed, each with a reason, and exit 1; or exit 0 when none.
func (in *instance) waitFailed(timeout string, files ...string) {
	in.t.Helper()
	code, _, errs := in.cli("wait", "--timeout", timeout)
	want := exitOK
	if len(files) > 0 {
		want = exitRejected
	}
	if code != want {
		in.t.Fatalf("wait: exit %d, want %d\nstderr:\n%s", code, want, errs)
	}
	var listed []string
	for _, line := range strings.Split(errs, "\n") {
		if rest, ok := strings.CutPrefix(line, "failed "); ok {
			name, reason, _ := strings.Cut(rest, ": ")
			listed = append(listed, name)
			if strings.TrimSpace(reason) == "" {
				in.t.Errorf("wait lists %s without a reason", name)
			}
		}
	}
	slices.Sort(listed)
	slices.Sort(files)
	if !slices.Equal(listed, files) {
		in.t.Errorf("wait listed %v as failed, want %v\nstderr:\n%s", listed, files, errs)
	}
}

// TestRedisOutage stops a real Redis in the middle of a batch: the files
// sent meanwhile are stored and counted as uploaded, waiting for the queue
// (not rejected, not duplicates); wait keeps waiting through the outage,
// says so once, and ends when every item is processed.
func TestRedisOutage(t *testing.T) {
	requireServices(t)
	ctx := context.Background()
	redisDir := filepath.Join(t.TempDir(), "redis")
	r, err := services.StartRedis(ctx, redisDir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop() })
	in := startDevEnv(t, t.TempDir(), map[string]string{"CONFMEDIA_REDIS_URL": r.URL()})

	dir := t.TempDir()
	paths := photos(t, dir, 5)
	upload := func() (uploadSummary, int, string) {
		t.Helper()
		code, out, errs := in.cli("upload", "--json", dir)
		var sum uploadSummary
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("upload: exit %d %q (%v)\n%s", code, out, err, errs)
		}
		return sum, code, errs
	}
	in.mustCLI("upload", paths[0], paths[1])

	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	sum, code, errs := upload()
	if want := (uploadSummary{Sent: 3, Waiting: 3, Skipped: 2, Rejected: []rejected{}}); code != 0 || fmt.Sprint(sum) != fmt.Sprint(want) {
		t.Errorf("upload with Redis away: exit %d %+v, want 0 %+v\n%s", code, sum, want, errs)
	}

	// wait runs through the outage.
	var werr syncBuffer
	done := make(chan int, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &werr, Getenv: in.getenv}
		done <- m.Run(ctx, []string{"wait", "--timeout", "40s"})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(werr.String(), "the queue is unavailable") {
		if time.Now().After(deadline) {
			t.Fatalf("wait did not say the queue is away:\n%s", werr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // several polls during the outage
	select {
	case code := <-done:
		t.Fatalf("wait ended with exit %d while Redis was away:\n%s", code, werr.String())
	default:
	}
	if r, err = services.StartRedis(ctx, redisDir, "", nil); err != nil {
		t.Fatal(err)
	}
	// Sending the same files again queues what waited (as the reconciler
	// does by itself), and counts nothing twice. The server's Redis client
	// may take a second to notice that Redis is back, so this is repeated
	// as an operator would, until wait ends.
	code = -1
	for end := time.Now().Add(40 * time.Second); code < 0 && time.Now().Before(end); {
		sum, ucode, errs := upload()
		if want := (uploadSummary{Sent: 0, Skipped: 5, Rejected: []rejected{}}); ucode != 0 || fmt.Sprint(sum) != fmt.Sprint(want) {
			t.Errorf("upload again with Redis back: exit %d %+v, want 0 %+v\n%s", ucode, sum, want, errs)
		}
		select {
		case code = <-done:
		case <-time.After(time.Second):
		}
	}
	if code != 0 {
		t.Errorf("wait: exit %d, want 0\n%s\nserver log:\n%s", code, werr.String(), in.logs)
	}
	if n := strings.Count(werr.String(), "the queue is unavailable"); n != 1 {
		t.Errorf("the outage was reported %d times, want once:\n%s", n, werr.String())
	}
	for _, m := range in.export().Media {
		if m.Status == catalog.Pending || m.Status == catalog.Failed {
			t.Errorf("%s: %s %s", m.SourceName, m.Status, m.Reason)
		}
	}
}
