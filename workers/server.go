package workers

import (
	"context"
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
// recordings, then event photos. A headshot uploaded behind thousands of
// photos waits only for a task slot to free up (one photo's render), where
// the weights (6 to 2) would still give the freed slot to a photo one time
// in four. Photos cannot starve: the queues above them only ever hold what
// people upload or import, and each of their tasks is short. A slot
// reserved for headshots would sit idle most of the evening.
//
// Renders share a budget of concurrency x BytesPerSlot decoded bytes (see
// RenderBudget), which every task's context carries.
func NewServer(opt asynq.RedisConnOpt, concurrency int, logger *slog.Logger) *asynq.Server {
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
		}),
	})
}

// retryDelay backs off exponentially from one second, capped at a minute,
// with jitter so that many workers do not retry in step.
func retryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	d := time.Second << min(n, 6)
	d = min(d, time.Minute)
	return d/2 + rand.N(d/2+1)
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
