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
	// Each crash is a worker process of its own that dies in the handler:
	// a guard of its own whose handler never returns.
	dies := func() asynq.Handler {
		dead := &CrashGuard{Store: store, Queue: q, Logger: testLogger(t)}
		return dead.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
			runs.Add(1)
			<-hang // the process is gone: the handler never returns
			return nil
		}))
	}
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
		for range n {
			before := runs.Load()
			go dies().ProcessTask(ctx, task)
			waitFor(t, "a crashed run", func() bool { return runs.Load() == before+1 })
		}
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

// TestCrashGuardSuspectsRunAlone: the tasks that were in flight when a
// worker died (the photo that killed it and its neighbours) each run alone
// in the next process, so that a neighbour is never charged for the
// culprit's next crash; tasks no crash touched run side by side.
func TestCrashGuardSuspectsRunAlone(t *testing.T) {
	opt := redisOpt(t)
	ctx := t.Context()
	q := NewQueue(opt)
	defer q.Close()
	cleanRedis(t, opt)
	store := catalogtest.NewMemStore()
	items := make([]*catalog.Media, 4)
	for i := range items {
		items[i] = &catalog.Media{ID: randomID(), Kind: catalog.Photo, Status: catalog.Pending, Generation: 1}
		if _, err := store.CreateMedia(ctx, items[i]); err != nil {
			t.Fatal(err)
		}
	}
	culprit, neighbour := items[0], items[1]
	// One worker died with both in flight.
	for _, m := range []*catalog.Media{culprit, neighbour} {
		if err := q.rdb.Set(ctx, crashKey(TypeMediaProcess, Payload{ID: m.ID, Generation: 1}), 1, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}

	// The next worker starts the culprit first; it dies in it again.
	g1 := &CrashGuard{Store: store, Queue: q, Logger: testLogger(t)}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	var entered atomic.Int32
	runs := map[string]*atomic.Int32{culprit.ID: {}, neighbour.ID: {}}
	h := g1.Middleware(asynq.HandlerFunc(func(_ context.Context, task *asynq.Task) error {
		p, _ := decodePayload(task)
		runs[p.ID].Add(1)
		entered.Add(1)
		if p.ID == culprit.ID {
			<-hang
		}
		return nil
	}))
	ct, _ := NewMediaProcessTask(culprit)
	go h.ProcessTask(ctx, ct)
	waitFor(t, "the culprit running", func() bool { return entered.Load() == 1 })
	nt, _ := NewMediaProcessTask(neighbour)
	nctx, cancel := context.WithCancel(ctx)
	nerr := make(chan error, 1)
	go func() { nerr <- h.ProcessTask(nctx, nt) }()
	time.Sleep(200 * time.Millisecond)
	if runs[neighbour.ID].Load() != 0 {
		t.Fatal("a suspect ran beside another suspect")
	}
	cancel() // the process dies with the neighbour still waiting
	<-nerr
	nkey := crashKey(TypeMediaProcess, Payload{ID: neighbour.ID, Generation: 1})
	if n, _ := q.rdb.Get(ctx, nkey).Int64(); n != 1 {
		t.Errorf("the neighbour's unfinished starts = %d after a death it did not run in, want 1", n)
	}

	// In the next process the neighbour runs alone and finishes; tasks no
	// crash touched run side by side.
	g2 := &CrashGuard{Store: store, Queue: q, Logger: testLogger(t)}
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	h2 := g2.Middleware(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
		return nil
	}))
	errc := make(chan error, 2)
	for _, m := range items[2:] {
		task, _ := NewMediaProcessTask(m)
		go func() { errc <- h2.ProcessTask(ctx, task) }()
	}
	waitFor(t, "two untouched tasks side by side", func() bool { return inFlight.Load() == 2 })
	close(release)
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if err := h2.ProcessTask(ctx, nt); err != nil {
		t.Fatalf("the neighbour: %v", err)
	}
	if n, _ := q.rdb.Exists(ctx, nkey).Result(); n != 0 {
		t.Error("the neighbour's count outlived its finished run")
	}
	if got, _ := store.Media(ctx, neighbour.ID); got.Status == catalog.Failed {
		t.Errorf("the neighbour ended failed: %q", got.Reason)
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
