package workers

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/semaphore"
)

// CrashLimit is how many times a task may start and never finish (its
// worker killed by the kernel for memory, a decoder crash) before its item
// ends failed.
const CrashLimit = 3

// CrashReason is the reason an item gets when it stopped the worker
// CrashLimit times.
var CrashReason = fmt.Sprintf(crashReasonStart+"%d times — too large or damaged?", CrashLimit)

const crashReasonStart = "stopped the worker "

// crashTTL bounds how long an unfinished start is remembered.
const crashTTL = 24 * time.Hour

// CrashGuard ends crash loops. It counts, in Redis, the starts of each task
// that did not finish: a start is recorded before the handler runs and
// cleared when it returns, with success or an error, so only a process that
// died in the handler leaves one behind. A task that starts with CrashLimit
// unfinished starts behind it is not run again: its item ends failed with
// CrashReason and the task is not retried, so the rest of the queue carries
// on.
//
// A task that was in flight when its worker died is a suspect: the photo
// that killed the worker, or one that merely ran beside it. A suspect runs
// alone in its process, so that the next death is charged to the photo that
// caused it and never to its neighbours.
type CrashGuard struct {
	Store  ItemStore
	Queue  *Queue
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	Stats CrashStats

	soloOnce sync.Once
	solo     *semaphore.Weighted // a task takes 1; a suspect takes all
}

// soloWeight is what a suspect takes of the guard's semaphore: more than
// any worker runs at once.
const soloWeight = 1 << 20

func (g *CrashGuard) sem() *semaphore.Weighted {
	g.soloOnce.Do(func() { g.solo = semaphore.NewWeighted(soloWeight) })
	return g.solo
}

// CrashStats counts what a crash guard did.
type CrashStats struct {
	Ended atomic.Int64 // items ended failed after CrashLimit crashes
}

func crashKey(typ string, p Payload) string { return "confmedia:starts:" + TaskID(typ, p) }

// Middleware wraps next with the guard; use it with asynq's ServeMux.Use.
func (g *CrashGuard) Middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		p, err := decodePayload(t)
		if err != nil {
			return next.ProcessTask(ctx, t) // the handler refuses it
		}
		key := crashKey(t.Type(), p)
		// A suspect waits until it can run alone; the start is counted once
		// it may run, so that one waiting when the worker dies is not
		// charged for it.
		weight := int64(1)
		if n, err := g.Queue.rdb.Get(ctx, key).Int64(); err == nil && n > 0 && n < CrashLimit {
			weight = soloWeight
		}
		if err := g.sem().Acquire(ctx, weight); err != nil {
			return err
		}
		defer g.sem().Release(weight)
		var incr *redis.IntCmd
		_, err = g.Queue.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			incr = pipe.Incr(ctx, key)
			pipe.Expire(ctx, key, crashTTL)
			return nil
		})
		if err != nil {
			// Without Redis the task could not have been delivered; run it
			// unguarded rather than not at all.
			g.Logger.Warn("crash guard: cannot count the start", "task", t.Type(), "item", p.ID, "err", err)
			return next.ProcessTask(ctx, t)
		}
		if unfinished := incr.Val() - 1; unfinished >= CrashLimit {
			now := time.Now()
			if g.Now != nil {
				now = g.Now()
			}
			changed, err := failItem(ctx, g.Store, t.Type(), p, CrashReason, now)
			if err != nil {
				return err // retried; the count stays, so the next start ends it
			}
			g.Queue.rdb.Del(context.WithoutCancel(ctx), key)
			if changed {
				g.Stats.Ended.Add(1)
			}
			g.Logger.Error("crash guard: item failed", "task", t.Type(), "item", p.ID, "generation", p.Generation,
				"unfinished_starts", unfinished, "reason", CrashReason)
			return fmt.Errorf("%s %s: %s: %w", t.Type(), p.ID, CrashReason, asynq.SkipRetry)
		}
		defer g.Queue.rdb.Del(context.WithoutCancel(ctx), key)
		return next.ProcessTask(ctx, t)
	})
}
