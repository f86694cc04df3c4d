package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/confmedia/confmedia/workers"
	"github.com/hibiken/asynq"
)

// itemsTTL is how long the item counts of /metrics are kept.
const itemsTTL = 30 * time.Second

// watch adds to the process's metrics what it holds: the queues (asynq's
// collector) always, the catalog's items when it serves the web app, the
// reconciler and crash guard when it runs workers (runWorkers sets them).
func (m *Main) watch(b *backends, web, withWorkers bool) {
	insp := asynq.NewInspector(b.redisOpt)
	b.children = append(b.children, insp.Close)
	b.metrics.WatchQueues(insp)
	if web {
		b.metrics.WatchItems(b.store, itemsTTL, b.log.With("component", "metrics"))
	}
	if withWorkers {
		b.metrics.WatchReconciler(
			func() *workers.ReconcileStats {
				if b.reconciler == nil {
					return nil
				}
				return &b.reconciler.Stats
			},
			func() *workers.CrashStats {
				if b.crashGuard == nil {
					return nil
				}
				return &b.crashGuard.Stats
			})
	}
}

// listenMetrics answers GET /metrics without a token on
// CONFMEDIA_METRICS_ADDR, when it is set, until ctx ends: what a Prometheus
// server on the private network scrapes, and the only way to scrape a
// worker process. stop waits for it to end.
func listenMetrics(ctx context.Context, b *backends, log *slog.Logger) (stop func(), err error) {
	addr := b.cfg.MetricsAddr
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageErr("listen on %s: %v (set CONFMEDIA_METRICS_ADDR to another address)", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", b.metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics")
	stopCtx, cancel := context.WithCancel(ctx)
	go func() {
		<-stopCtx.Done()
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = srv.Shutdown(sctx)
	}()
	return func() {
		cancel()
		<-done
	}, nil
}
