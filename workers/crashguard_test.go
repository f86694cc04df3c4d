package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/hibiken/asynq"
)

// TestCrashGuard: a task whose worker dies in it (simulated by a handler
// that never returns, so the start is never cleared) runs CrashLimit times;
// the next start ends its item failed and is not retried. Starts that
// finish, with success or an error, do not count.
func TestCrashGuard(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	q := NewQueue(opt)
	defer q.Close()
	cleanRedis(t, opt)
	store := catalogtest.NewMemStore()
	g := &CrashGuard{Store: store, Queue: q, Logger: testLogger(t)}

	newItem := func() *catalog.Media {
		m := &catalog.Media{ID: randomID(), Kind: catalog.Photo, SourceName: "big.png", Status: catalog.Pending, Generation: 1}
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	var runs atomic.Int32
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	dies := g.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		runs.Add(1)
		<-hang // the process is gone: the handler never returns
		return nil
	}))
	fails := g.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		runs.Add(1)
		return errors.New("storage away")
	}))
	works := g.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		runs.Add(1)
		return nil
	}))
	crash := func(m *catalog.Media, n int) {
		t.Helper()
		task, _ := NewMediaProcessTask(m)
		before := runs.Load()
		for range n {
			go dies.ProcessTask(ctx, task)
		}
		waitFor(t, "crashed runs", func() bool { return runs.Load() == before+int32(n) })
	}

	// Crashes interleaved with runs that finish: the count starts over.
	m := newItem()
	task, _ := NewMediaProcessTask(m)
	crash(m, CrashLimit-1)
	if err := fails.ProcessTask(ctx, task); err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("a run after %d crashes returned %v, want the handler's own error", CrashLimit-1, err)
	}
	crash(m, CrashLimit-1)
	if err := works.ProcessTask(ctx, task); err != nil {
		t.Fatalf("a run after %d crashes: %v", CrashLimit-1, err)
	}
	if got, _ := store.Media(ctx, m.ID); got.Status != catalog.Pending {
		t.Fatalf("item %s after crashes that never reached the limit, want pending", got.Status)
	}

	// CrashLimit crashes in a row end it.
	m = newItem()
	task, _ = NewMediaProcessTask(m)
	crash(m, CrashLimit)
	// A count that is never cleared (the item deleted meanwhile) expires.
	if ttl, err := q.rdb.TTL(ctx, crashKey(TypeMediaProcess, Payload{ID: m.ID, Generation: 1})).Result(); err != nil || ttl <= 0 || ttl > crashTTL {
		t.Errorf("start count expires in %s (%v), want within %s", ttl, err, crashTTL)
	}
	before := runs.Load()
	err := works.ProcessTask(ctx, task)
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("start after %d crashes returned %v, want SkipRetry", CrashLimit, err)
	}
	if runs.Load() != before {
		t.Error("the handler ran again after the crash limit")
	}
	got, _ := store.Media(ctx, m.ID)
	if got.Status != catalog.Failed || got.Reason != "stopped the worker 3 times — too large or damaged?" {
		t.Errorf("item %s %q, want failed with the crash reason", got.Status, got.Reason)
	}
	if n := g.Stats.Ended.Load(); n != 1 {
		t.Errorf("Stats.Ended = %d, want 1", n)
	}
	if n, _ := q.rdb.Exists(ctx, crashKey(TypeMediaProcess, Payload{ID: m.ID, Generation: 1})).Result(); n != 0 {
		t.Error("the start count outlived the item's end")
	}

	// The rest of the queue carries on: another item runs.
	other := newItem()
	task, _ = NewMediaProcessTask(other)
	if err := works.ProcessTask(ctx, task); err != nil {
		t.Errorf("another item: %v", err)
	}
}

// TestCrashGuardInServer runs the guard in a real asynq server: a task
// that already stopped the worker CrashLimit times is archived at its next
// start, its item failed, while the other tasks of the queue complete.
func TestCrashGuardInServer(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	q := NewQueue(opt)
	defer q.Close()
	cleanRedis(t, opt)
	store := catalogtest.NewMemStore()
	g := &CrashGuard{Store: store, Queue: q, Logger: testLogger(t)}

	bad := &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Pending, Generation: 1}
	good := &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Pending, Generation: 1}
	for _, m := range []*catalog.Media{bad, good} {
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Three workers died in the bad item's handler before this one.
	key := crashKey(TypeMediaProcess, Payload{ID: bad.ID, Generation: 1})
	if err := q.rdb.Set(ctx, key, CrashLimit, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	var done atomic.Int32
	mux := asynq.NewServeMux()
	mux.Use(g.Middleware)
	mux.HandleFunc(TypeMediaProcess, func(ctx context.Context, task *asynq.Task) error {
		p, _ := decodePayload(task)
		done.Add(1)
		return store.UpdateMedia(ctx, p.ID, func(m *catalog.Media) error { m.Status = catalog.Tagged; return nil })
	})
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: 1, Queues: queueWeights, Logger: slogAdapter{testLogger(t)}, LogLevel: asynq.WarnLevel})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	for _, m := range []*catalog.Media{bad, good} {
		if err := q.EnqueueMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the bad task archived and the good one done", func() bool {
		st, _ := q.taskState(QueuePhotos, TaskID(TypeMediaProcess, Payload{ID: bad.ID, Generation: 1}))
		return st == "archived" && done.Load() == 1
	})
	if got, _ := store.Media(ctx, bad.ID); got.Status != catalog.Failed || got.Reason != CrashReason {
		t.Errorf("bad item %s %q, want failed %q", got.Status, got.Reason, CrashReason)
	}
	if got, _ := store.Media(ctx, good.ID); got.Status != catalog.Tagged {
		t.Errorf("good item %s, want tagged", got.Status)
	}
	tasks, err := q.archivedTasks()
	if err != nil || len(tasks) != 1 {
		t.Fatalf("archived %d tasks (%v), want 1", len(tasks), err)
	}
	if got := FailureReason(tasks[0].Type, tasks[0].LastErr); got != CrashReason {
		t.Errorf("the archived task reads %q (%q), want %q", got, tasks[0].LastErr, CrashReason)
	}
}

// TestCrashGuardKilledProcess runs the guarded handler in real processes
// that die in it (os.Exit, as an out-of-memory kill would end them): the
// starts they leave behind are counted, and the start after CrashLimit
// such deaths ends the item.
func TestCrashGuardKilledProcess(t *testing.T) {
	if os.Getenv("CONFMEDIA_CRASH_HELPER") != "" {
		crashHelper()
		return
	}
	opt := redisOpt(t)
	ctx := t.Context()
	q := NewQueue(opt)
	defer q.Close()
	cleanRedis(t, opt)
	store := catalogtest.NewMemStore()
	m := &catalog.Media{ID: randomID(), Kind: catalog.Photo, SourceName: "bomb.png", Status: catalog.Pending, Generation: 1}
	if _, err := store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	db := opt.(asynq.RedisClientOpt).DB
	for i := range CrashLimit {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashGuardKilledProcess$")
		cmd.Env = append(os.Environ(), "CONFMEDIA_CRASH_HELPER="+m.ID, fmt.Sprintf("CONFMEDIA_CRASH_DB=%d", db))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("crash %d: %v, want the process to die with exit code 3:\n%s", i+1, err, out)
		}
	}
	g := &CrashGuard{Store: store, Queue: q, Logger: testLogger(t)}
	task, _ := NewMediaProcessTask(m)
	ran := false
	err := g.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { ran = true; return nil })).ProcessTask(ctx, task)
	if !errors.Is(err, asynq.SkipRetry) || ran {
		t.Errorf("start after %d dead processes: %v, handler ran %v; want SkipRetry without running", CrashLimit, err, ran)
	}
	if got, _ := store.Media(ctx, m.ID); got.Status != catalog.Failed || got.Reason != CrashReason {
		t.Errorf("item %s %q, want failed %q", got.Status, got.Reason, CrashReason)
	}
}

// crashHelper is the process TestCrashGuardKilledProcess kills: it runs the
// guarded handler, which exits the process.
func crashHelper() {
	u := os.Getenv("CONFMEDIA_TEST_REDIS_URL")
	opt, err := asynq.ParseRedisURI(u)
	if err != nil {
		os.Exit(2)
	}
	o := opt.(asynq.RedisClientOpt)
	o.DB, _ = strconv.Atoi(os.Getenv("CONFMEDIA_CRASH_DB"))
	q := NewQueue(o)
	g := &CrashGuard{Store: catalogtest.NewMemStore(), Queue: q, Logger: slog.New(slog.DiscardHandler)}
	task, _ := NewMediaProcessTask(&catalog.Media{ID: os.Getenv("CONFMEDIA_CRASH_HELPER"), Kind: catalog.Photo, Generation: 1})
	_ = g.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		os.Exit(3) // the decoder crashed the process
		return nil
	})).ProcessTask(context.Background(), task)
	os.Exit(4)
}
