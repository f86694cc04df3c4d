package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/hibiken/asynq"
)

// NewServer returns an asynq server that runs concurrency tasks at once over
// every confmedia queue, logging through logger.
//
// Queues are served in strict priority: headshots, then tagging, then
// recordings, then event photos, then faces (which only re-cut squares and,
// with recognition on, decide event photos, so they wait for rendering). A headshot uploaded behind thousands of
// photos waits only for a task slot to free up (one photo's render), where
// the weights (6 to 2) would still give the freed slot to a photo one time
// in four. Photos cannot starve: the queues above them only ever hold what
// people upload or import, and each of their tasks is short. A slot
// reserved for headshots would sit idle most of the evening.
//
// Renders share a budget of concurrency x BytesPerSlot decoded bytes (see
// RenderBudget), which every task's context carries.
//
// When store is not nil, a task given up on (a permanent failure, or its
// retries spent) ends its item failed at once with the reason (see
// failItem); the reconciler does it otherwise, and for tasks whose worker
// died.
func NewServer(opt asynq.RedisConnOpt, concurrency int, logger *slog.Logger, store ItemStore) *asynq.Server {
	budget := NewRenderBudget(int64(max(concurrency, 1)) * BytesPerSlot)
	return asynq.NewServer(opt, asynq.Config{
		Concurrency:     concurrency,
		Queues:          queueWeights,
		StrictPriority:  true,
		BaseContext:     func() context.Context { return WithRenderBudget(context.Background(), budget) },
		Logger:          slogAdapter{logger.With("component", "asynq")},
		LogLevel:        asynq.WarnLevel,
		RetryDelayFunc:  retryDelay,
		ShutdownTimeout: 30 * time.Second,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			logger.Warn("task error", "type", t.Type(), "payload", string(t.Payload()), "retried", retried, "max_retry", maxRetry, "err", err)
			if store != nil && (retried >= maxRetry || errors.Is(err, asynq.SkipRetry)) {
				giveUp(ctx, store, logger, t, err)
			}
		}),
	})
}

// giveUp ends the item of a task asynq is giving up on.
func giveUp(ctx context.Context, store ItemStore, logger *slog.Logger, t *asynq.Task, err error) {
	p, derr := decodePayload(t)
	if derr != nil {
		return
	}
	// The task's own context may have ended (its time limit).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	reason := FailureReason(t.Type(), err.Error())
	changed, ferr := failItem(ctx, store, t.Type(), p, reason, time.Now())
	switch {
	case ferr != nil:
		logger.Warn("cannot mark the item failed; the reconciler will", "type", t.Type(), "item", p.ID, "err", ferr)
	case changed:
		logger.Warn("item failed", "type", t.Type(), "item", p.ID, "generation", p.Generation, "reason", reason)
	}
}

// retryCap is the longest wait between two tries of a task.
const retryCap = 2 * time.Minute

// retryBounds returns the shortest and longest delay before retry n+1 (n
// counts the retries done): the nominal delay doubles from one second up to
// retryCap, and the delay is drawn from its upper half.
func retryBounds(n int) (lo, hi time.Duration) {
	d := min(time.Second<<min(max(n, 0), 8), retryCap)
	return d / 2, d
}

// retryDelay backs off exponentially, capped, with jitter so that many
// workers do not retry in step after an outage.
func retryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	lo, hi := retryBounds(n)
	return lo + rand.N(hi-lo+1)
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...))
	os.Exit(1)
}
