// Package metrics is confmedia's Prometheus instrumentation: the one
// package that imports client_golang. It implements web.Metrics (what the
// web app answered) and workers.Observer (what the workers did), and
// collects on scrape what the store, the queues, the reconciler and the
// crash guard hold. docs/OPERATIONS.md lists every metric.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/workers"
	"github.com/hibiken/asynq"
	asynqmetrics "github.com/hibiken/asynq/x/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const ns = "confmedia"

// Metrics holds one process's metrics. Its zero value is not usable: call
// New.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	requests    *prometheus.HistogramVec
	uploads     *prometheus.CounterVec
	logins      *prometheus.CounterVec
	logouts     prometheus.Counter
	publishes   *prometheus.CounterVec
	unavailable *prometheus.CounterVec
	tasks       *prometheus.HistogramVec
	render      *prometheus.HistogramVec
	faceTime    *prometheus.HistogramVec
	faces       *prometheus.CounterVec
}

var (
	_ web.Metrics      = (*Metrics)(nil)
	_ workers.Observer = (*Metrics)(nil)
)

// New returns the metrics of a process, with Go's runtime and process
// collectors registered.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "http_request_duration_seconds",
		Help:    "Time to answer a web request, by route (the route table's pattern) and status code.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"route", "code"})
	m.uploads = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "uploads_total",
		Help: "Files uploaded (the CLI's and the upload page's), by outcome: created, duplicate, stored (awaiting the queue), rejected, error."}, []string{"outcome"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "logins_total",
		Help: "Sign-ins through the login form, by outcome: ok or refused."}, []string{"outcome"})
	m.logouts = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "logouts_total",
		Help: "Sign-outs."})
	m.publishes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "publishes_total",
		Help: "Catalog publishes, by source (web: an organizer; worker: a republish after tagging took an item down) and outcome."}, []string{"source", "outcome"})
	m.unavailable = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "unavailable_errors_total",
		Help: "Errors of kind unavailable where they surface (web 503s, task errors), by source and the dependency that failed: s3, database, redis or other."},
		[]string{"source", "dependency"})
	m.tasks = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "task_duration_seconds",
		Help:    "Time a worker's task handler ran, by task type and outcome (ok, error, skip_retry: failed for good).",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}}, []string{"type", "outcome"})
	m.render = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "render_duration_seconds",
		Help:    "Time to make one item's renditions (decode, orient, resize, encode), by media kind.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2, 4, 8, 16, 32}}, []string{"kind"})
	m.faceTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "face_duration_seconds",
		Help:    "Time to find one item's faces (read and decode its large rendition, find the faces, cut its squares again), by media kind.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2, 4, 8, 16, 32}}, []string{"kind"})
	m.faces = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "faces_found_total",
		Help: "Faces found in media items, by media kind."}, []string{"kind"})
	m.reg.MustRegister(m.requests, m.uploads, m.logins, m.logouts, m.publishes, m.unavailable, m.tasks, m.render,
		m.faceTime, m.faces,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return m
}

// ServeHTTP answers a scrape.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// Observe counts one web request (web.Metrics).
func (m *Metrics) Observe(o web.Observation) {
	route := o.Route
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(o.Status)).Observe(o.Took.Seconds())
	switch o.Event {
	case "upload":
		m.uploads.WithLabelValues(o.Outcome).Inc()
	case "login":
		m.logins.WithLabelValues(o.Outcome).Inc()
	case "logout":
		if o.Outcome == "ok" {
			m.logouts.Inc()
		}
	case "publish":
		m.publishes.WithLabelValues("web", o.Outcome).Inc()
	}
	if o.Status == http.StatusServiceUnavailable && o.Err != nil {
		m.unavailable.WithLabelValues("web", Dependency(o.Err)).Inc()
	}
}

// TaskDone times one task (workers.Observer).
func (m *Metrics) TaskDone(taskType string, took time.Duration, err error) {
	outcome := "ok"
	switch {
	case errors.Is(err, asynq.SkipRetry):
		outcome = "skip_retry"
	case err != nil:
		outcome = "error"
	}
	m.tasks.WithLabelValues(taskType, outcome).Observe(took.Seconds())
	if err != nil && catalog.ErrorKind(err) == catalog.Unavailable {
		m.unavailable.WithLabelValues("worker", Dependency(err)).Inc()
	}
}

// Rendered times one item's renditions (workers.Observer).
func (m *Metrics) Rendered(kind catalog.MediaKind, took time.Duration) {
	m.render.WithLabelValues(string(kind)).Observe(took.Seconds())
}

// FacesFound times one item's face search and counts its faces
// (workers.Observer).
func (m *Metrics) FacesFound(kind catalog.MediaKind, took time.Duration, faces int) {
	m.faceTime.WithLabelValues(string(kind)).Observe(took.Seconds())
	m.faces.WithLabelValues(string(kind)).Add(float64(faces))
}

// Dependency names what an unavailable error came from, by the operations
// on its chain: s3 (package s3store, reading an original), database
// (sqlstore), redis (the queue's operations in package workers), else
// other.
func Dependency(err error) string {
	var ops []string
	walk(err, func(e *catalog.Error) { ops = append(ops, e.Op) })
	has := func(f func(string) bool) bool {
		for _, op := range ops {
			if f(op) {
				return true
			}
		}
		return false
	}
	switch {
	case has(func(op string) bool { return strings.HasPrefix(op, "s3store.") || op == "workers.readOriginal" }):
		return "s3"
	case has(func(op string) bool { return strings.HasPrefix(op, "sqlstore.") }):
		return "database"
	case has(func(op string) bool { return strings.HasPrefix(op, "workers.") }):
		return "redis"
	}
	return "other"
}

// walk calls f with every *catalog.Error in err's tree.
func walk(err error, f func(*catalog.Error)) {
	if err == nil {
		return
	}
	if e, ok := err.(*catalog.Error); ok {
		f(e)
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, f)
		}
	}
}

// CountRepublish counts the republishes r makes (the workers' after a
// take-down) as publishes of source worker.
func (m *Metrics) CountRepublish(r workers.Republisher) workers.Republisher {
	return countingRepublisher{r, m}
}

type countingRepublisher struct {
	workers.Republisher
	m *Metrics
}

func (c countingRepublisher) Republish(ctx context.Context) (bool, error) {
	published, err := c.Republisher.Republish(ctx)
	switch {
	case err != nil:
		c.m.publishes.WithLabelValues("worker", "failed").Inc()
	case published:
		c.m.publishes.WithLabelValues("worker", "ok").Inc()
	}
	return published, err
}

// WatchQueues adds asynq's own queue collector (asynq_queue_size,
// asynq_queue_latency_seconds, asynq_tasks_enqueued_total, ...), which
// asks Redis on every scrape.
func (m *Metrics) WatchQueues(inspector *asynq.Inspector) {
	m.reg.MustRegister(asynqmetrics.NewQueueMetricsCollector(inspector))
}

// WatchItems adds confmedia_items: the catalog's media items by status
// and kind, read from store on scrape and kept for ttl, so that frequent
// scrapes, or several Prometheus servers, read the store once per ttl.
func (m *Metrics) WatchItems(store catalog.MediaStore, ttl time.Duration, log *slog.Logger) {
	m.reg.MustRegister(&itemsCollector{store: store, ttl: ttl, log: log})
}

// WatchReconciler adds the counters of the reconciler and the crash guard
// of this process's workers; the functions return nil until they run.
func (m *Metrics) WatchReconciler(rec func() *workers.ReconcileStats, guard func() *workers.CrashStats) {
	m.reg.MustRegister(&reconcileCollector{rec: rec, guard: guard})
}

var itemsDesc = prometheus.NewDesc(ns+"_items", "Media items in the catalog by status and kind (read from the store, cached briefly).",
	[]string{"status", "kind"}, nil)

type itemsCollector struct {
	store catalog.MediaStore
	ttl   time.Duration
	log   *slog.Logger

	mu     sync.Mutex
	at     time.Time
	counts map[[2]string]int
}

func (c *itemsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- itemsDesc }

func (c *itemsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil || time.Since(c.at) >= c.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		items, err := c.store.ListMedia(ctx, catalog.MediaFilter{})
		if err != nil {
			// Keep the last counts; a scrape without them would look
			// like an empty catalog.
			c.log.Warn("metrics: cannot count the items", "err", err)
		} else {
			c.counts = map[[2]string]int{}
			for _, it := range items {
				c.counts[[2]string{string(it.Status), string(it.Kind)}]++
			}
			c.at = time.Now()
		}
	}
	for k, n := range c.counts {
		ch <- prometheus.MustNewConstMetric(itemsDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}

var (
	reconcileDesc = prometheus.NewDesc(ns+"_reconciler_actions_total",
		"What this process's reconciler did, by action: sweep, skipped (another process held the lock), requeued, failed (items ended from an archived task), removed (archived tasks), error (sweeps that stopped on an error).",
		[]string{"action"}, nil)
	crashDesc = prometheus.NewDesc(ns+"_crash_guard_ended_total",
		"Items this process's crash guard ended failed after crashing workers too often.", nil, nil)
)

type reconcileCollector struct {
	rec   func() *workers.ReconcileStats
	guard func() *workers.CrashStats
}

func (c *reconcileCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- reconcileDesc
	ch <- crashDesc
}

func (c *reconcileCollector) Collect(ch chan<- prometheus.Metric) {
	if s := c.rec(); s != nil {
		for _, a := range []struct {
			name string
			n    int64
		}{
			{"sweep", s.Sweeps.Load()}, {"skipped", s.Skipped.Load()}, {"requeued", s.Requeued.Load()},
			{"failed", s.Failed.Load()}, {"removed", s.Removed.Load()}, {"error", s.Errors.Load()},
		} {
			ch <- prometheus.MustNewConstMetric(reconcileDesc, prometheus.CounterValue, float64(a.n), a.name)
		}
	}
	if g := c.guard(); g != nil {
		ch <- prometheus.MustNewConstMetric(crashDesc, prometheus.CounterValue, float64(g.Ended.Load()))
	}
}
