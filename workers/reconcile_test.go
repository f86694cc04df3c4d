package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/hibiken/asynq"
)

func TestRetrySpan(t *testing.T) {
	var least, most time.Duration
	for n := range MaxRetry {
		lo, hi := retryBounds(n)
		if lo <= 0 || hi < lo || hi > retryCap {
			t.Errorf("retryBounds(%d) = %s, %s: want 0 < lo <= hi <= %s", n, lo, hi, retryCap)
		}
		for range 50 {
			if d := retryDelay(n, nil, nil); d < lo || d > hi {
				t.Fatalf("retryDelay(%d) = %s, want within [%s, %s]", n, d, lo, hi)
			}
		}
		least += lo
		most += hi
	}
	if least < MinRetrySpan {
		t.Errorf("%d retries span at least %s, want at least %s", MaxRetry, least, MinRetrySpan)
	}
	t.Logf("%d retries span %s to %s", MaxRetry, least, most)
}

func TestStuck(t *testing.T) {
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)
	grace := 2 * time.Minute
	tests := []struct {
		name  string
		since time.Time
		want  bool
	}{
		{"just stored: the uploader is queuing it", now.Add(-time.Second), false},
		{"inside the grace", now.Add(-grace + time.Second), false},
		{"at the grace", now.Add(-grace), true},
		{"long ago", now.Add(-time.Hour), true},
		{"no time known", time.Time{}, true},
		{"clock ahead of ours", now.Add(time.Minute), false},
	}
	for _, tt := range tests {
		if got := Stuck(now, tt.since, grace); got != tt.want {
			t.Errorf("%s: Stuck = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFailureReason(t *testing.T) {
	tests := []struct{ typ, lastErr, want string }{
		{TypeMediaProcess, "asynq: task lease expired", "processing failed: the worker stopped while working on it"},
		{TypeMediaProcess, "s3store.Get: cannot read x.jpg: cannot reach the storage server", "processing failed: the storage server was unavailable"},
		{TypeMediaTag, "sqlstore.Media: the catalog database at db:5432 did not answer", "tagging failed: the catalog database was unavailable"},
		{TypeRecordingMatch, "context deadline exceeded", "matching to a talk failed: it took longer than the task's time limit"},
		{TypeMediaProcess, "media:process abc: " + CrashReason + " (skip retry for the task)", CrashReason},
		{TypeMediaProcess, "s3store.Get: no such blob", "processing failed: its original is missing from the bucket"},
		{TypeMediaProcess, "", "processing failed: no reason recorded"},
		{TypeMediaProcess, "odd failure", "processing failed: odd failure"},
		{TypeMediaProcess, "workers.readOriginal: x.jpg is over 100 bytes (skip retry for the task)", "processing failed: x.jpg is over 100 bytes"},
		{TypeMediaProcess, "media:process: undecodable payload \"{\": skip retry for the task", "processing failed: media:process: undecodable payload \"{\""},
	}
	for _, tt := range tests {
		if got := FailureReason(tt.typ, tt.lastErr); got != tt.want {
			t.Errorf("FailureReason(%s, %q) = %q, want %q", tt.typ, tt.lastErr, got, tt.want)
		}
	}
}

func TestFailItem(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		typ          string
		status       catalog.Status
		gen, taskGen int
		want         bool
		wantStatus   catalog.Status
	}{
		{"pending item, its task", TypeMediaProcess, catalog.Pending, 1, 1, true, catalog.Failed},
		{"pending item, an older task", TypeMediaProcess, catalog.Pending, 2, 1, false, catalog.Pending},
		{"processed meanwhile", TypeMediaProcess, catalog.Tagged, 1, 1, false, catalog.Tagged},
		{"hidden meanwhile", TypeMediaTag, catalog.Hidden, 3, 3, false, catalog.Hidden},
		{"failed already", TypeMediaProcess, catalog.Failed, 1, 1, false, catalog.Failed},
		{"re-tag given up on keeps the tagged photo", TypeMediaTag, catalog.Tagged, 3, 3, false, catalog.Tagged},
		{"re-tag superseded", TypeMediaTag, catalog.NeedsReview, 4, 3, false, catalog.NeedsReview},
	}
	for _, tt := range tests {
		store := catalogtest.NewMemStore()
		m := &catalog.Media{ID: "m1", Kind: catalog.Photo, Status: tt.status, Generation: tt.gen, Reason: "before"}
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		got, err := failItem(ctx, store, tt.typ, Payload{ID: "m1", Generation: tt.taskGen}, "why", now)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		after, _ := store.Media(ctx, "m1")
		if got != tt.want || after.Status != tt.wantStatus {
			t.Errorf("%s: changed %v, status %s; want %v, %s", tt.name, got, after.Status, tt.want, tt.wantStatus)
		}
		if tt.want && after.Reason != "why" {
			t.Errorf("%s: reason %q, want %q", tt.name, after.Reason, "why")
		}
	}

	store := catalogtest.NewMemStore()
	if got, err := failItem(ctx, store, TypeMediaProcess, Payload{ID: "gone", Generation: 1}, "why", now); got || err != nil {
		t.Errorf("missing item: %v, %v; want false, nil", got, err)
	}
	for _, r := range []*catalog.Recording{{ID: "r1", URL: "https://v/1"}, {ID: "r2", URL: "https://v/2"}} {
		if _, err := store.PutRecording(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	r1, _ := store.Recording(ctx, "r1")
	if err := store.UpdateRecording(ctx, "r2", func(r *catalog.Recording) error {
		r.Decided, r.State, r.TalkID = true, catalog.RecordingAttached, "t1"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := failItem(ctx, store, TypeRecordingMatch, Payload{ID: "r1", Generation: r1.Generation}, "matching failed: x", now); !got || err != nil {
		t.Errorf("pending recording: %v, %v; want true, nil", got, err)
	}
	if r, _ := store.Recording(ctx, "r1"); r.State != catalog.RecordingUnmatched || r.Reason != "matching failed: x" {
		t.Errorf("recording r1 %s %q, want unmatched with the reason", r.State, r.Reason)
	}
	r2, _ := store.Recording(ctx, "r2")
	if got, _ := failItem(ctx, store, TypeRecordingMatch, Payload{ID: "r2", Generation: r2.Generation}, "x", now); got {
		t.Error("a recording a person attached was changed")
	}
}

// testLogger logs to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// cleanRedis removes what a test left in its Redis database.
func cleanRedis(t *testing.T, opt asynq.RedisConnOpt) {
	t.Cleanup(func() {
		q := NewQueue(opt)
		defer q.Close()
		for _, qn := range QueueNames() {
			q.inspector.DeleteQueue(qn, true)
		}
		ctx := context.Background()
		keys, _ := q.rdb.Keys(ctx, "confmedia:*").Result()
		if len(keys) > 0 {
			q.rdb.Del(ctx, keys...)
		}
	})
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func randomID() string { return fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()) }

// TestReconcilersConcurrent runs two reconcilers, as two worker processes
// would, against one Redis and one catalog: each stuck item is queued
// exactly once, and items inside the grace are left to their uploader.
func TestReconcilersConcurrent(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	store := catalogtest.NewMemStore()
	clk := &clock{t: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	grace := time.Minute

	var stuck []string
	for i := range 20 {
		m := &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Pending, Generation: 1 + i%3,
			UploadedAt: clk.Now().Add(-time.Hour)}
		if i%5 == 0 {
			m.Kind = catalog.Headshot
		}
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		stuck = append(stuck, TaskID(TypeMediaProcess, Payload{ID: m.ID, Generation: m.Generation}))
	}
	// Stored during the last round, before its uploader queued it.
	young := &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Pending, Generation: 1, UploadedAt: clk.Now().Add(2 * time.Minute)}
	done := &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Tagged, Generation: 1, UploadedAt: clk.Now().Add(-time.Hour)}
	for _, m := range []*catalog.Media{young, done} {
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rec := &catalog.Recording{ID: "rec-" + randomID(), URL: "https://videos.example/1"}
	if _, err := store.PutRecording(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec, _ = store.Recording(ctx, rec.ID)
	stuck = append(stuck, TaskID(TypeRecordingMatch, Payload{ID: rec.ID, Generation: rec.Generation}))

	// An item whose task is queued already is not queued again.
	live := &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Pending, Generation: 1, UploadedAt: clk.Now().Add(-time.Hour)}
	if _, err := store.CreateMedia(ctx, live); err != nil {
		t.Fatal(err)
	}
	var rs []*Reconciler
	for range 2 {
		q := NewQueue(opt)
		defer q.Close()
		rs = append(rs, &Reconciler{Store: store, Queue: q, Logger: testLogger(t), Interval: time.Second, Grace: grace, Now: clk.Now})
	}
	cleanRedis(t, opt)
	if err := rs[0].Queue.EnqueueMedia(ctx, live); err != nil {
		t.Fatal(err)
	}

	// Rounds of two concurrent sweeps, the clock moving on 40 s a round:
	// the recording, which has no time of its own, is stuck once seen
	// pending with no task for the grace.
	for range 4 {
		var wg sync.WaitGroup
		errs := make([]error, len(rs))
		for i, r := range rs {
			wg.Go(func() { _, errs[i] = r.Sweep(ctx) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		clk.Add(40 * time.Second)
	}

	var requeued, sweeps int64
	for _, r := range rs {
		requeued += r.Stats.Requeued.Load()
		sweeps += r.Stats.Sweeps.Load()
	}
	if requeued != int64(len(stuck)) {
		t.Errorf("requeued %d times, want %d (each stuck item once)", requeued, len(stuck))
	}
	if sweeps < 4 {
		t.Errorf("%d sweeps in 4 rounds, want at least one a round", sweeps)
	}
	var queued []string
	for _, qn := range QueueNames() {
		tasks, err := rs[0].Queue.inspector.ListPendingTasks(qn, asynq.PageSize(1000))
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			t.Fatal(err)
		}
		for _, ti := range tasks {
			queued = append(queued, ti.ID)
		}
	}
	want := append(slices.Clone(stuck), TaskID(TypeMediaProcess, Payload{ID: live.ID, Generation: 1}))
	slices.Sort(want)
	slices.Sort(queued)
	if !slices.Equal(queued, want) {
		t.Errorf("queued tasks:\n%v\nwant:\n%v", queued, want)
	}
}

// TestReconcileArchived: a task asynq gave up on ends its item failed with
// the reason in plain words, and is removed, so that the item can be queued
// again under the same task id.
func TestReconcileArchived(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	store := catalogtest.NewMemStore()
	q := NewQueue(opt)
	defer q.Close()
	cleanRedis(t, opt)

	m := &catalog.Media{ID: randomID(), Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.Pending, Generation: 1, UploadedAt: time.Now()}
	if _, err := store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	rec := &catalog.Recording{ID: "rec-" + randomID(), URL: "https://videos.example/2"}
	if _, err := store.PutRecording(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec, _ = store.Recording(ctx, rec.ID)
	if err := q.EnqueueMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := q.EnqueueRecording(ctx, rec.ID, rec.Generation); err != nil {
		t.Fatal(err)
	}

	// A worker whose every try fails the way an S3 outage does, given up
	// at once so that the test need not wait for the retries.
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: 2, Queues: queueWeights, Logger: slogAdapter{testLogger(t)}, LogLevel: asynq.WarnLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeMediaProcess, func(context.Context, *asynq.Task) error {
		return fmt.Errorf("%w (%w)", catalog.E(catalog.Unavailable, "s3store.Get", errors.New("dial tcp: refused"), "cannot reach the storage server"), asynq.SkipRetry)
	})
	mux.HandleFunc(TypeRecordingMatch, func(context.Context, *asynq.Task) error {
		return fmt.Errorf("sqlstore.Schedule: the catalog database at db:5432 did not answer: %w", asynq.SkipRetry)
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two archived tasks", func() bool {
		a, _ := q.taskState(QueuePhotos, TaskID(TypeMediaProcess, Payload{ID: m.ID, Generation: 1}))
		b, _ := q.taskState(QueueRecordings, TaskID(TypeRecordingMatch, Payload{ID: rec.ID, Generation: rec.Generation}))
		return a == "archived" && b == "archived"
	})
	srv.Shutdown()

	r := &Reconciler{Store: store, Queue: q, Logger: testLogger(t), Grace: time.Hour}
	res, err := r.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Ran || res.Failed != 2 || res.Removed != 2 || res.Requeued != 0 {
		t.Errorf("sweep %+v, want 2 failed, 2 removed, none requeued", res)
	}
	got, _ := store.Media(ctx, m.ID)
	if want := "processing failed: the storage server was unavailable"; got.Status != catalog.Failed || got.Reason != want {
		t.Errorf("media %s %q, want failed %q", got.Status, got.Reason, want)
	}
	gotRec, _ := store.Recording(ctx, rec.ID)
	if want := "matching to a talk failed: the catalog database was unavailable"; gotRec.State != catalog.RecordingUnmatched || gotRec.Reason != want {
		t.Errorf("recording %s %q, want unmatched %q", gotRec.State, gotRec.Reason, want)
	}
	if tasks, _ := q.archivedTasks(); len(tasks) != 0 {
		t.Errorf("%d archived tasks left", len(tasks))
	}
	// The same task id is free again: queuing it now queues a task.
	if err := q.EnqueueMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	state, err := q.taskState(QueuePhotos, TaskID(TypeMediaProcess, Payload{ID: m.ID, Generation: 1}))
	if err != nil || state != "pending" {
		t.Errorf("after removal, queuing again gives state %q (%v), want pending", state, err)
	}
	// A second sweep finds nothing more to do.
	if res, err := r.Sweep(ctx); err != nil || res.Failed+res.Removed+res.Requeued != 0 {
		t.Errorf("second sweep %+v, %v; want nothing done", res, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 20s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServerGivesUp: a task given up on ends its item failed at once, with
// no sweep; a task that will be retried leaves its item pending.
func TestServerGivesUp(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	q := NewQueue(opt)
	defer q.Close()
	cleanRedis(t, opt)
	store := catalogtest.NewMemStore()
	gone := &catalog.Media{ID: randomID(), Kind: catalog.Photo, SourceName: "gone.jpg", Status: catalog.Pending, Generation: 1}
	flaky := &catalog.Media{ID: randomID(), Kind: catalog.Headshot, SourceName: "flaky.jpg", Status: catalog.Pending, Generation: 1}
	for _, m := range []*catalog.Media{gone, flaky} {
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var tries atomic.Int32
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeMediaProcess, func(_ context.Context, task *asynq.Task) error {
		p, _ := decodePayload(task)
		if p.ID == gone.ID {
			return permanent(catalog.E(catalog.NotFound, "s3store.Get", nil, "no such blob"))
		}
		tries.Add(1)
		return catalog.E(catalog.Unavailable, "s3store.Get", nil, "cannot reach the storage server")
	})
	srv := NewServer(opt, 2, testLogger(t), store)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	for _, m := range []*catalog.Media{gone, flaky} {
		if err := q.EnqueueMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the item with no original failed", func() bool {
		m, _ := store.Media(ctx, gone.ID)
		return m.Status == catalog.Failed
	})
	if m, _ := store.Media(ctx, gone.ID); m.Reason != "processing failed: its original is missing from the bucket" {
		t.Errorf("reason %q", m.Reason)
	}
	waitFor(t, "a try of the flaky item", func() bool { return tries.Load() >= 1 })
	time.Sleep(300 * time.Millisecond) // time for a wrong give-up to land
	if m, _ := store.Media(ctx, flaky.ID); m.Status != catalog.Pending {
		t.Errorf("an item whose task is retried is %s %q, want pending", m.Status, m.Reason)
	}
}

// TestReconcileFaces: with recognition on, an event photo rendered and
// pending for its faces task is kept alive by that task: a live one
// counts, a lost one is queued again (not its processing); a photo not yet
// rendered, or any photo with recognition off, gets its processing again.
func TestReconcileFaces(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)
	rendered := []catalog.Rendition{{Name: "large", Key: "k"}}
	pending := func(kind catalog.MediaKind, r []catalog.Rendition) *catalog.Media {
		return &catalog.Media{ID: randomID(), Kind: kind, Status: catalog.Pending, Generation: 1,
			UploadedAt: now.Add(-time.Hour), Renditions: r}
	}
	for _, recognition := range []bool{true, false} {
		store := catalogtest.NewMemStore()
		lost, live := pending(catalog.Photo, rendered), pending(catalog.Photo, rendered)
		unrendered, head := pending(catalog.Photo, nil), pending(catalog.Headshot, rendered)
		for _, m := range []*catalog.Media{lost, live, unrendered, head} {
			if _, err := store.CreateMedia(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		q := NewQueue(opt)
		defer q.Close()
		cleanRedis(t, opt)
		if err := q.EnqueueFaces(ctx, live.ID, live.Generation); err != nil {
			t.Fatal(err)
		}
		r := &Reconciler{Store: store, Queue: q, Logger: testLogger(t), Now: func() time.Time { return now }, Recognition: recognition}
		if _, err := r.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		var queued []string
		for _, qn := range QueueNames() {
			tasks, err := q.inspector.ListPendingTasks(qn, asynq.PageSize(100))
			if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
				t.Fatal(err)
			}
			for _, ti := range tasks {
				queued = append(queued, ti.ID)
			}
		}
		id := func(typ string, m *catalog.Media) string { return TaskID(typ, Payload{ID: m.ID, Generation: 1}) }
		want := []string{id(TypeMediaFaces, live), id(TypeMediaProcess, unrendered), id(TypeMediaProcess, head)}
		if recognition {
			want = append(want, id(TypeMediaFaces, lost))
		} else {
			want = append(want, id(TypeMediaProcess, lost), id(TypeMediaProcess, live))
		}
		slices.Sort(want)
		slices.Sort(queued)
		if !slices.Equal(queued, want) {
			t.Errorf("recognition %v: queued\n%v\nwant\n%v", recognition, queued, want)
		}
		for _, qn := range QueueNames() {
			q.inspector.DeleteQueue(qn, true)
		}
	}
}
