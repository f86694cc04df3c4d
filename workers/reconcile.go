package workers

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Defaults of the reconciler's settings.
const (
	DefaultReconcileInterval = 30 * time.Second
	DefaultReconcileGrace    = 2 * time.Minute
)

// reconcileLockKey is the Redis key of the lock that lets one reconciler
// sweep at a time, whatever the number of worker processes and machines.
const reconcileLockKey = "confmedia:reconcile:lock"

// Reconciler is the periodic sweep that gives every item an end. Each sweep
//
//   - turns every task asynq gave up on (archived) into a failed item with
//     its reason in plain words, then removes the task, so that the same
//     task id can be queued again later;
//   - queues again every item left pending with no live task for its
//     current generation (stored while Redis was away, or its task lost),
//     once it has been so for Grace: its processing, or, for an event
//     photo rendered and waiting for its faces task (Recognition), that
//     task.
//
// Every worker process runs one. A lock in Redis lets one sweep at a time;
// the task ids make a second queuing of the same generation a no-op anyway.
type Reconciler struct {
	Store  ItemStore
	Queue  *Queue
	Logger *slog.Logger
	// Interval is the time between sweeps; DefaultReconcileInterval when 0.
	Interval time.Duration
	// Grace is how long an item may be pending with no task before it is
	// stuck: an upload stores the item before it queues its task, and must
	// not be raced. DefaultReconcileGrace when 0.
	Grace time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Recognition is the workers' Handlers.Recognition: a rendered event
	// photo then stays pending until its faces task decides it, so that
	// task, not its processing, is the one the sweep keeps alive.
	Recognition bool

	Stats ReconcileStats
}

// ReconcileStats counts what the reconcilers of a process did.
type ReconcileStats struct {
	Sweeps   atomic.Int64 // sweeps run (the lock was ours)
	Skipped  atomic.Int64 // sweeps left to another process holding the lock
	Requeued atomic.Int64 // stuck items queued again
	Failed   atomic.Int64 // items ended failed (or unmatched) from an archived task
	Removed  atomic.Int64 // archived tasks removed
	Errors   atomic.Int64 // sweeps that stopped on an error
}

// SweepResult is what one sweep did.
type SweepResult struct {
	Ran      bool // false: another process held the lock
	Requeued int
	Failed   int
	Removed  int
}

func (r *Reconciler) interval() time.Duration {
	if r.Interval > 0 {
		return r.Interval
	}
	return DefaultReconcileInterval
}

func (r *Reconciler) grace() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return DefaultReconcileGrace
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Run sweeps every Interval, with jitter, until ctx ends. A sweep that
// fails (Redis or the database away) is logged and tried at the next tick.
func (r *Reconciler) Run(ctx context.Context) {
	for {
		d := r.interval()
		d = d*3/4 + rand.N(d/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Warn("reconcile sweep stopped", "err", err)
		}
	}
}

// Sweep runs one sweep if no other process is running one.
func (r *Reconciler) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	unlock, ok, err := r.lock(ctx)
	if err != nil {
		r.Stats.Errors.Add(1)
		return res, err
	}
	if !ok {
		r.Stats.Skipped.Add(1)
		return res, nil
	}
	defer unlock()
	res.Ran = true
	r.Stats.Sweeps.Add(1)
	err = errors.Join(r.sweepArchived(ctx, &res), r.sweepPending(ctx, &res))
	if err != nil {
		r.Stats.Errors.Add(1)
	}
	return res, err
}

// lock takes the sweep lock for a while longer than a sweep should take; a
// process that dies holding it delays sweeps by that long at most.
func (r *Reconciler) lock(ctx context.Context) (unlock func(), ok bool, err error) {
	buf := make([]byte, 16)
	_, _ = crand.Read(buf)
	token := hex.EncodeToString(buf)
	ttl := max(2*r.interval(), time.Minute)
	ok, err = r.Queue.rdb.SetNX(ctx, reconcileLockKey, token, ttl).Result()
	if err != nil {
		return nil, false, catalog.E(catalog.Unavailable, "workers.Reconcile", err, "redis does not answer")
	}
	if !ok {
		return nil, false, nil
	}
	return func() {
		// Release only our own lock: it may have expired and been taken.
		_ = unlockScript.Run(context.WithoutCancel(ctx), r.Queue.rdb, []string{reconcileLockKey}, token).Err()
	}, true, nil
}

var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// sweepArchived turns archived tasks into items' ends and removes them.
func (r *Reconciler) sweepArchived(ctx context.Context, res *SweepResult) error {
	tasks, err := r.Queue.archivedTasks()
	if err != nil {
		return err
	}
	for _, ti := range tasks {
		if err := ctx.Err(); err != nil {
			return err
		}
		var p Payload
		if err := json.Unmarshal(ti.Payload, &p); err == nil && p.ID != "" {
			reason := FailureReason(ti.Type, ti.LastErr)
			changed, err := failItem(ctx, r.Store, ti.Type, p, reason, r.now())
			if err != nil {
				return err // keep the task: the next sweep tries again
			}
			if changed {
				res.Failed++
				r.Stats.Failed.Add(1)
				r.Logger.Warn("reconcile: item failed", "task", ti.ID, "type", ti.Type, "item", p.ID, "generation", p.Generation, "reason", reason, "err", ti.LastErr)
			}
		}
		if err := r.Queue.deleteTask(ti.Queue, ti.ID); err != nil {
			return err
		}
		res.Removed++
		r.Stats.Removed.Add(1)
		r.Logger.Info("reconcile: archived task removed", "task", ti.ID, "queue", ti.Queue)
	}
	return nil
}

// Stuck reports whether an item pending since since, with no live task, is
// stuck at now: it is once it has been so for grace. A zero since (an item
// with no time of its own) is stuck at once.
func Stuck(now, since time.Time, grace time.Duration) bool {
	return since.IsZero() || now.Sub(since) >= grace
}

// live reports whether a task in state keeps its item moving.
func live(state string) bool {
	switch state {
	case "pending", "active", "scheduled", "retry", "aggregating":
		return true
	}
	return false
}

// sweepPending queues again the pending items whose task is gone.
func (r *Reconciler) sweepPending(ctx context.Context, res *SweepResult) error {
	now := r.now()
	media, err := r.Store.ListMedia(ctx, catalog.MediaFilter{Status: []catalog.Status{catalog.Pending}})
	if err != nil {
		return err
	}
	for _, m := range media {
		t, opts := NewMediaProcessTask(m)
		state, err := r.Queue.taskState(queueOf(opts), TaskID(TypeMediaProcess, Payload{ID: m.ID, Generation: m.Generation}))
		if err != nil {
			return err
		}
		if state == "" && r.Recognition && m.Kind == catalog.Photo && len(m.Renditions) > 0 {
			// Rendered, and waiting for its faces task to decide it:
			// that task is the one to keep alive.
			t, opts = NewMediaFacesTask(m.ID, m.Generation)
			if state, err = r.Queue.taskState(QueueFaces, TaskID(TypeMediaFaces, Payload{ID: m.ID, Generation: m.Generation})); err != nil {
				return err
			}
		}
		if state != "" || !Stuck(now, m.UploadedAt, r.grace()) {
			continue // live, finished, or archived (the next sweep ends it); or too young
		}
		// Its task may have finished between the listing and now: a
		// handler changes the item before asynq forgets the task.
		if cur, err := r.Store.Media(ctx, m.ID); err != nil || cur.Status != catalog.Pending || cur.Generation != m.Generation {
			if err != nil && !catalog.IsNotFound(err) {
				return err
			}
			continue
		}
		queued, err := r.Queue.enqueueNew(ctx, t, opts)
		if err != nil {
			return err
		}
		if !queued {
			continue
		}
		res.Requeued++
		r.Stats.Requeued.Add(1)
		r.Logger.Info("reconcile: stuck item queued again", "media", m.ID, "file", m.SourceName, "generation", m.Generation,
			"task", t.Type(), "pending_for", now.Sub(m.UploadedAt).Round(time.Second))
	}

	recs, err := r.Store.ListRecordings(ctx)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.State != catalog.RecordingPending || rec.Decided {
			continue
		}
		id := TaskID(TypeRecordingMatch, Payload{ID: rec.ID, Generation: rec.Generation})
		state, err := r.Queue.taskState(QueueRecordings, id)
		if err != nil {
			return err
		}
		if state != "" {
			continue
		}
		if cur, err := r.Store.Recording(ctx, rec.ID); err != nil || cur.State != catalog.RecordingPending || cur.Generation != rec.Generation {
			if err != nil && !catalog.IsNotFound(err) {
				return err
			}
			continue
		}
		since, err := r.firstSeen(ctx, id, now)
		if err != nil {
			return err
		}
		if !Stuck(now, since, r.grace()) {
			continue
		}
		t, opts := NewRecordingMatchTask(rec.ID, rec.Generation)
		queued, err := r.Queue.enqueueNew(ctx, t, opts)
		if err != nil {
			return err
		}
		r.Queue.rdb.Del(ctx, seenKey(id))
		if !queued {
			continue
		}
		res.Requeued++
		r.Stats.Requeued.Add(1)
		r.Logger.Info("reconcile: stuck recording queued again", "recording", rec.ID, "generation", rec.Generation,
			"pending_for", now.Sub(since).Round(time.Second))
	}
	return nil
}

func seenKey(taskID string) string { return "confmedia:reconcile:seen:" + taskID }

// firstSeen returns when a sweep, in any process, first found the task id
// missing: recordings carry no time of their own to measure the grace
// from. The record outlives the grace, then expires.
func (r *Reconciler) firstSeen(ctx context.Context, taskID string, now time.Time) (time.Time, error) {
	key := seenKey(taskID)
	set, err := r.Queue.rdb.SetNX(ctx, key, now.UnixNano(), 2*r.grace()+time.Minute).Result()
	if err == nil && set {
		return now, nil
	}
	var ns int64
	if err == nil {
		ns, err = r.Queue.rdb.Get(ctx, key).Int64()
	}
	if errors.Is(err, redis.Nil) {
		return now, nil // expired between the two calls
	}
	if err != nil {
		return now, catalog.E(catalog.Unavailable, "workers.Reconcile", err, "redis does not answer")
	}
	return time.Unix(0, ns), nil
}

// queueOf returns the queue a task's options name.
func queueOf(opts []asynq.Option) string {
	for _, o := range opts {
		if o.Type() == asynq.QueueOpt {
			if q, ok := o.Value().(string); ok {
				return q
			}
		}
	}
	return "default"
}

// FailureReason says in plain words why asynq gave up on a task of type
// typ whose last error was lastErr.
func FailureReason(typ, lastErr string) string {
	what := "processing"
	switch typ {
	case TypeMediaFaces:
		what = "finding faces"
	case TypeMediaTag:
		what = "tagging"
	case TypeRecordingMatch:
		what = "matching to a talk"
	}
	e := strings.ToLower(lastErr)
	var why string
	switch {
	case strings.Contains(e, crashReasonStart):
		return CrashReason
	case strings.Contains(e, "lease expired"):
		why = "the worker stopped while working on it"
	case strings.Contains(e, "deadline exceeded"), strings.Contains(e, "did not answer in time"):
		why = "it took longer than the task's time limit"
	case strings.Contains(e, "no such blob"), strings.Contains(e, "not found"):
		why = "its original is missing from the bucket"
	case strings.Contains(e, "storage server"), strings.Contains(e, "s3store."):
		why = "the storage server was unavailable"
	case strings.Contains(e, "catalog database"), strings.Contains(e, "sqlstore."):
		why = "the catalog database was unavailable"
	case strings.Contains(e, "redis"):
		why = "the queue (Redis) was unavailable"
	case strings.TrimSpace(lastErr) == "":
		why = "no reason recorded"
	default:
		why = plainError(lastErr)
	}
	return fmt.Sprintf("%s failed: %s", what, why)
}

// opPrefix matches the operation names confmedia's errors start with.
var opPrefix = regexp.MustCompile(`\b(workers|catalog|catalogtest|sqlstore|s3store|rendition|exif|match|schedule|recording|web)\.[A-Za-z]+: `)

// plainError drops the operation names and asynq's retry note from an
// error's text, and bounds its length.
func plainError(s string) string {
	s = opPrefix.ReplaceAllString(s, "")
	s = strings.TrimSuffix(s, " ("+asynq.SkipRetry.Error()+")")
	s = strings.TrimSuffix(s, ": "+asynq.SkipRetry.Error())
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return strings.TrimSpace(s)
}
