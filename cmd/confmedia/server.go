package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/s3store"
	"github.com/confmedia/confmedia/catalog/sqlstore"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/metrics"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
	"github.com/confmedia/confmedia/pipeline/rendition"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/workers"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
)

// backends are the connections every server-side command needs.
type backends struct {
	cfg      Config
	store    catalog.Store
	blobs    *s3store.Store
	redisOpt asynq.RedisConnOpt
	queue    *workers.Queue
	children []func() error // supervised services to stop, last first
	log      *slog.Logger

	// The sweep and the crash guard of this process's workers, with their
	// counters; nil when it runs no workers.
	reconciler *workers.Reconciler
	crashGuard *workers.CrashGuard
	// pub publishes the catalog for the web app and the workers of this
	// process alike (see publisher).
	pub *catalog.Publisher
	// metrics are this process's (see metrics.go).
	metrics *metrics.Metrics
}

func (b *backends) Close() error {
	var errs []error
	if b.queue != nil {
		errs = append(errs, b.queue.Close())
	}
	if b.store != nil {
		errs = append(errs, b.store.Close())
	}
	for i := len(b.children) - 1; i >= 0; i-- {
		errs = append(errs, b.children[i]())
	}
	return errors.Join(errs...)
}

// open connects to (and with supervise, starts when not configured) Redis,
// the S3 store and the catalog database. It waits for those that do not
// answer yet, logging what it waits for, until they do or ctx ends; ready,
// when not nil, tracks them meanwhile for /healthz. A wrong setting ends it
// with an error at once.
func (m *Main) open(ctx context.Context, cfg Config, supervise bool, log *slog.Logger, ready *readiness) (_ *backends, err error) {
	b := &backends{cfg: cfg, log: log, metrics: metrics.New()}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if cfg.RedisURL == "" {
		if !supervise {
			return nil, usageErr("CONFMEDIA_REDIS_URL is not set (e.g. redis://10.0.0.5:6379/0)")
		}
		r, err := services.StartRedis(ctx, filepath.Join(cfg.DataDir, "redis"), "", log)
		if err != nil {
			return nil, fmt.Errorf("start redis: %w", err)
		}
		b.children = append(b.children, r.Stop)
		cfg.RedisURL = r.URL()
	}
	if b.redisOpt, err = asynq.ParseRedisURI(cfg.RedisURL); err != nil {
		return nil, usageErr("CONFMEDIA_REDIS_URL %q: %v", cfg.RedisURL, err)
	}
	b.queue = workers.NewQueue(b.redisOpt)

	s3cfg := s3store.Config{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
		AccessKeyID: cfg.S3AccessKey, SecretAccessKey: cfg.S3SecretKey, PathStyle: cfg.S3Endpoint != ""}
	if cfg.S3Endpoint == "" && supervise {
		bin, err := services.FindVersityGW()
		if err != nil {
			return nil, err
		}
		s, err := services.StartS3(ctx, filepath.Join(cfg.DataDir, "s3"), bin, log)
		if err != nil {
			return nil, fmt.Errorf("start S3 server: %w", err)
		}
		b.children = append(b.children, s.Stop)
		s3cfg.Endpoint, s3cfg.Region = s.Endpoint, s.Region
		s3cfg.AccessKeyID, s3cfg.SecretAccessKey, s3cfg.PathStyle = s.AccessKeyID, s.SecretAccessKey, true
	}
	if b.blobs, err = s3store.New(ctx, s3cfg); err != nil {
		return nil, err
	}
	err = await(ctx, log, ready, []component{
		{name: "redis", what: "the queue (Redis)", check: b.queue.Ping},
		{name: "s3", what: "the storage server", check: func(ctx context.Context) error {
			if err := b.blobs.EnsureBucket(ctx); err != nil {
				return fmt.Errorf("bucket %s: %w", cfg.S3Bucket, err)
			}
			return nil
		}},
		{name: "catalog", what: "the catalog database", check: func(ctx context.Context) error {
			s, err := sqlstore.Open(ctx, cfg.DatabaseURL, log.With("component", "catalog"))
			if err == nil {
				b.store = s
			}
			return err
		}},
	})
	if err != nil {
		return nil, err
	}
	b.cfg = cfg
	return b, nil
}

// adminTokenHash returns the hash of the admin token: CONFMEDIA_TOKEN, else
// the one in the data dir, which create makes once (mode 0600) when missing.
func adminTokenHash(cfg Config, create bool, log *slog.Logger, stderr io.Writer) (string, error) {
	if cfg.Token != "" {
		return web.HashToken(cfg.Token), nil
	}
	path := filepath.Join(cfg.DataDir, adminTokenFile)
	b, err := os.ReadFile(path)
	if token := strings.TrimSpace(string(b)); err == nil && token != "" {
		if create {
			fmt.Fprintf(stderr, "\nSign in to the web app as an organizer with:\n\n    %s/login?token=%s\n\n", strings.TrimRight(cfg.PublicURL, "/"), token)
		}
		return web.HashToken(token), nil
	}
	if !create {
		return "", usageErr("no admin token: set CONFMEDIA_TOKEN")
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	token := "cm_" + hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	log.Info("admin token created", "file", path)
	fmt.Fprintf(stderr, "\nAdmin token (also in %s):\n\n    %s\n\nSign in to the web app as an organizer with:\n\n    %s/login?token=%s\n\n",
		path, token, strings.TrimRight(cfg.PublicURL, "/"), token)
	return web.HashToken(token), nil
}

func renderOptions(cfg Config) rendition.Options {
	return rendition.Options{MaxPixels: cfg.MaxPixels}
}

func (m *Main) webServer(b *backends, tokenHash string) (*web.Server, func() error) {
	dash := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: b.redisOpt})
	return &web.Server{
		Store: b.store, Blobs: b.blobs, Queue: b.queue, Logger: b.log.With("component", "web"),
		AdminTokenHash: tokenHash, PublicURL: b.cfg.PublicURL, S3PublicURL: b.cfg.S3PublicURL,
		MaxBytes: b.cfg.MaxBytes, MaxPixels: b.cfg.MaxPixels, TempDir: uploadTempDir(b.cfg),
		AllowOriginals: b.cfg.AllowOriginals, PrivateSpeakers: b.cfg.PrivateSpeakers,
		FaceRecognition: b.cfg.FaceRecognition,
		QueueDashboard:  dash, SessionKey: b.cfg.SessionKey, Publisher: b.publisher(), Metrics: b.metrics,
	}, dash.Close
}

func uploadTempDir(cfg Config) string {
	d := filepath.Join(cfg.DataDir, "tmp")
	if err := os.MkdirAll(d, 0o700); err != nil {
		return ""
	}
	return d
}

func (m *Main) workerServer(b *backends, concurrency int, faces workers.FaceFinder, recognition bool) (*asynq.Server, *asynq.ServeMux) {
	if concurrency <= 0 {
		concurrency = runtime.NumCPU()
	}
	h := &workers.Handlers{Store: b.store, Blobs: b.blobs, Logger: b.log.With("component", "worker"),
		Render: renderOptions(b.cfg), MaxBytes: b.cfg.MaxBytes, Publisher: b.metrics.CountRepublish(b.publisher()),
		Faces: faces, Recognition: recognition, Queue: b.queue}
	mux := h.Mux()
	mux.Use((&workers.Outcomes{Store: b.store, Logger: h.Logger, Observer: b.metrics}).Middleware)
	b.crashGuard = &workers.CrashGuard{Store: b.store, Queue: b.queue, Logger: b.log.With("component", "crashguard")}
	mux.Use(b.crashGuard.Middleware)
	return workers.NewServer(b.redisOpt, concurrency, b.log, b.store), mux
}

// reconciler returns the sweep every worker process runs (see
// workers.Reconciler).
func (m *Main) reconciler(b *backends, recognition bool) *workers.Reconciler {
	return &workers.Reconciler{Store: b.store, Queue: b.queue, Logger: b.log.With("component", "reconcile"),
		Interval: b.cfg.ReconcileInterval, Grace: b.cfg.ReconcileGrace, Recognition: recognition}
}

// runWorkers starts the workers and the reconciler; stop stops both.
func (m *Main) runWorkers(ctx context.Context, b *backends, conc int) (stop func(), err error) {
	faces, recognition, err := faceFinder(b.cfg, b.log.With("component", "worker"), loadFaceModel)
	if err != nil {
		return nil, fmt.Errorf("start workers: %w", err)
	}
	srv, mux := m.workerServer(b, conc, faces, recognition)
	if err := srv.Start(mux); err != nil {
		return nil, fmt.Errorf("start workers: %w", err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	b.reconciler = m.reconciler(b, recognition)
	go func() {
		defer close(done)
		b.reconciler.Run(rctx)
	}()
	return func() {
		cancel()
		<-done
		srv.Shutdown()
	}, nil
}

// listen opens the web app's listening socket.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageErr("listen on %s: %v (set CONFMEDIA_ADDR to another address)", addr, err)
	}
	return ln, nil
}

// serveHTTP serves h on ln until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	// A slow or stalled client cannot hold a connection for ever: headers
	// within 10s, a request within 2 minutes and its answer within 5. The
	// web app gives requests that move whole files (uploads through it,
	// zips) longer deadlines of their own.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("web listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func (m *Main) runDev(ctx context.Context, args []string) error {
	fs := m.newFlagSet("dev", "[--concurrency N]")
	conc := fs.Int("concurrency", 0, "worker tasks at once (CONFMEDIA_CONCURRENCY; default the number of CPUs)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return m.serve(ctx, true, true, *conc)
}

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", "")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return m.serve(ctx, false, false, 0)
}

func (m *Main) runWorker(ctx context.Context, args []string) error {
	fs := m.newFlagSet("worker", "[--concurrency N]")
	conc := fs.Int("concurrency", 0, "tasks at once (CONFMEDIA_CONCURRENCY; default the number of CPUs)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	if *conc == 0 {
		*conc = cfg.Concurrency
	}
	log := m.logger()
	b, err := m.open(ctx, cfg, false, log, nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting
		}
		return err
	}
	defer b.Close()
	m.watch(b, false, true)
	stop, err := m.runWorkers(ctx, b, *conc)
	if err != nil {
		return err
	}
	defer stop()
	stopMetrics, err := listenMetrics(ctx, b, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	log.Info("workers running", "concurrency", *conc)
	<-ctx.Done()
	return nil
}

// serve runs the web app, and with withWorkers the workers too; with
// supervise it starts Redis and the S3 server when they are not configured.
// It listens at once: while it waits for Redis, the S3 server and the
// catalog database, /healthz says which are missing and every other route
// answers 503 saying what is awaited.
func (m *Main) serve(ctx context.Context, supervise, withWorkers bool, conc int) error {
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	if conc == 0 {
		conc = cfg.Concurrency
	}
	log := m.logger()
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	// The admin token, when there is one already, shows organizers the
	// details of what is awaited.
	early, _ := adminTokenHash(cfg, false, log, io.Discard)
	ready := newReadiness("catalog", "s3", "redis")
	g := &gate{}
	g.set(web.Starting(early, ready.status))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hctx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	httpDone := make(chan error, 1)
	go func() {
		err := serveHTTP(hctx, ln, g, log)
		httpDone <- err
		if err != nil {
			cancel() // the web app cannot serve: stop
		}
	}()
	// The web app stops first, before what its handlers use.
	stopWeb := sync.OnceValue(func() error {
		stopHTTP()
		return <-httpDone
	})
	defer stopWeb()

	b, err := m.open(ctx, cfg, supervise, log, ready)
	if err != nil {
		if ctx.Err() != nil {
			return stopWeb() // stopped while waiting
		}
		return err
	}
	defer func() {
		if err := b.Close(); err != nil {
			log.Warn("shutdown", "err", err)
		}
		log.Info("stopped")
	}()
	hash, err := adminTokenHash(b.cfg, supervise, log, m.Stderr)
	if err != nil {
		return err
	}
	m.watch(b, true, withWorkers)
	if withWorkers {
		stop, err := m.runWorkers(ctx, b, conc)
		if err != nil {
			return err
		}
		defer stop()
	}
	stopMetrics, err := listenMetrics(ctx, b, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	srv, closeDash := m.webServer(b, hash)
	defer closeDash()
	srv.Presigner = directUploads(ctx, b, log)
	g.set(srv.Handler())
	log.Info("confmedia ready", "url", b.cfg.PublicURL, "data", b.cfg.DataDir)
	<-ctx.Done()
	return stopWeb()
}

// directUploads lets browsers send originals straight to the bucket: it
// sets the bucket's CORS rules for the web app's origins and checks that
// the store answers a browser's preflight. When the store cannot, it logs
// why and returns nil: the upload page then sends files through the web app.
func directUploads(ctx context.Context, b *backends, log *slog.Logger) web.Presigner {
	off := func(err error) web.Presigner {
		log.Warn("browsers cannot upload straight to the bucket; the upload page sends files through the web app", "err", err)
		return nil
	}
	origins, err := web.UploadOrigins(b.cfg.PublicURL)
	if err != nil {
		return off(err)
	}
	p, err := b.blobs.NewPresigner(b.cfg.S3PublicEndpoint)
	if err != nil {
		return off(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := b.blobs.SetCORS(ctx, origins); err != nil {
		return off(err)
	}
	if err := p.CheckCORS(ctx, origins[0]); err != nil {
		return off(err)
	}
	log.Info("browsers upload straight to the bucket", "origins", origins)
	return p
}
