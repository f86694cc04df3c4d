package main

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// component is one thing a server process needs before it can work.
type component struct {
	name  string                          // as /healthz names it: "catalog", "s3", "redis"
	what  string                          // in words, for the log
	check func(ctx context.Context) error // connects; nil once it answers
}

// errNotChecked is a component's state before its first check ends.
var errNotChecked = errors.New("not checked yet")

// readiness is each component's last error while a process waits for them,
// for /healthz to report.
type readiness struct {
	mu   sync.Mutex
	errs map[string]error
}

func newReadiness(names ...string) *readiness {
	r := &readiness{errs: map[string]error{}}
	for _, n := range names {
		r.errs[n] = errNotChecked
	}
	return r
}

func (r *readiness) set(name string, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.errs[name] = err
	r.mu.Unlock()
}

// status returns a copy of each component's last error, nil when it answered.
func (r *readiness) status() map[string]error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.errs)
}

// Backoff of the checks: from awaitFirst, doubling, capped at awaitCap, the
// delay drawn from the upper half so that processes started together do not
// knock in step.
const (
	awaitFirst = 500 * time.Millisecond
	awaitCap   = 30 * time.Second
)

// await checks every component, each on its own, until all answer. A
// component that is unavailable (Unavailable errors: not started yet,
// restarting, unreachable) is checked again with backoff, and each try is
// logged with what is awaited; any other error (a wrong setting) ends the
// wait with it, as does ctx. ready, when not nil, tracks the components'
// states meanwhile.
func await(ctx context.Context, log *slog.Logger, ready *readiness, comps []component) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for _, c := range comps {
		wg.Go(func() {
			if err := awaitOne(ctx, log, ready, c); err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		})
	}
	wg.Wait()
	return firstErr
}

func awaitOne(ctx context.Context, log *slog.Logger, ready *readiness, c component) error {
	start := time.Now()
	d := awaitFirst
	for tries := 1; ; tries++ {
		err := c.check(ctx)
		ready.set(c.name, err)
		if err == nil {
			if tries > 1 {
				log.Info(c.what+" answers", "component", c.name, "waited", time.Since(start).Round(time.Millisecond))
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if catalog.ErrorKind(err) != catalog.Unavailable {
			return err
		}
		wait := d/2 + rand.N(d/2+1)
		log.Warn("waiting for "+c.what, "component", c.name, "err", err, "tries", tries, "retry_in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		d = min(2*d, awaitCap)
	}
}

// gate serves a handler for while the process starts until the real one is
// set.
type gate struct {
	h atomic.Pointer[http.Handler]
}

func (g *gate) set(h http.Handler) { g.h.Store(&h) }

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) { (*g.h.Load()).ServeHTTP(w, r) }
