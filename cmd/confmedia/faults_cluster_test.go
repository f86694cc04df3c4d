//go:build faults && linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/s3store"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
)

const faultsToken = "faults-admin-token"

// cluster is one scenario's deployment: a redis-server (append-only) and a
// versitygw of its own in a temporary folder, `confmedia serve` and
// `confmedia worker` processes of the real binary configured only by
// CONFMEDIA_* variables, and the S3 proxy between them and versitygw.
type cluster struct {
	t        *testing.T
	settings []string // CONFMEDIA_* settings beyond the usual ones
	bin      string
	dir      string
	url      string
	redis    *services.Redis
	s3       *services.S3
	proxy    *s3Proxy

	ctx    context.Context // ends when the cluster stops: CLI commands are killed
	cancel context.CancelFunc

	mu       sync.Mutex
	stopping bool
	procs    []*proc // every process started, in order
	seq      map[string]int
	wg       sync.WaitGroup
}

// proc is one run of one confmedia process.
type proc struct {
	name    string // "serve", "worker-1#2" (the second run of worker-1)
	cmd     *exec.Cmd
	logPath string
	started time.Time
	done    chan struct{}
	exitErr error
	ended   time.Time
	killed  bool // SIGKILLed by the suite (a fault), not stopped
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// newCluster starts Redis, the S3 server and `confmedia serve`, and stops
// everything it started when the test ends, whatever happened.
func newCluster(t *testing.T, cfg faultsConfig, bin string) *cluster {
	t.Helper()
	// Short: the Redis socket path must fit in 104 bytes.
	dir, err := os.MkdirTemp("", "cmfaults-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, bin: bin, dir: dir, seq: map[string]int{}}
	if !cfg.full {
		// The short run (inside make test) sweeps for items stored while
		// Redis was away every 5 s, after 10 s, so that it ends in its
		// deadline; the full run keeps the defaults (30 s, 2 minutes).
		c.settings = []string{"CONFMEDIA_RECONCILE_INTERVAL=5s", "CONFMEDIA_RECONCILE_GRACE=10s"}
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("CONFMEDIA_FAULTS_KEEP") != "" {
			t.Logf("logs kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	t.Cleanup(c.stop)
	ctx := context.Background()
	if c.redis, err = services.StartRedis(ctx, filepath.Join(dir, "redis"), "", nil); err != nil {
		t.Fatal(err)
	}
	if c.s3, err = services.StartS3(ctx, filepath.Join(dir, "s3"), "", nil); err != nil {
		t.Fatal(err)
	}
	if c.proxy, err = newS3Proxy(c.s3.Endpoint); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	c.url = "http://" + addr
	if _, err := c.start("serve", []string{"CONFMEDIA_ADDR=" + addr}, "serve"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(c.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not healthy after 60s:\n%s", c.logTail("serve"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c
}

// env is what every process gets: the caller's environment without any
// CONFMEDIA_ or AWS_ variable, then the documented CONFMEDIA_* settings.
func (c *cluster) env(s3Endpoint string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFMEDIA_") && !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	data := filepath.Join(c.dir, "data")
	return append(append(env,
		"CONFMEDIA_DATA="+data,
		"CONFMEDIA_DATABASE_URL=sqlite:"+filepath.Join(data, "catalog.db"),
		"CONFMEDIA_REDIS_URL="+c.redis.URL(),
		"CONFMEDIA_S3_ENDPOINT="+s3Endpoint,
		"CONFMEDIA_S3_BUCKET=faults",
		"CONFMEDIA_S3_REGION="+c.s3.Region,
		"CONFMEDIA_S3_ACCESS_KEY="+c.s3.AccessKeyID,
		"CONFMEDIA_S3_SECRET_KEY="+c.s3.SecretAccessKey,
		"CONFMEDIA_TOKEN="+faultsToken,
		"CONFMEDIA_SERVER="+c.url,
		"CONFMEDIA_CONCURRENCY=2",
		"CONFMEDIA_LOG_LEVEL=info",
	), c.settings...)
}

// start runs `confmedia args...` as process base (its runs numbered), in
// a process group of its own, with its own S3 proxy listener.
func (c *cluster) start(base string, extraEnv []string, args ...string) (*proc, error) {
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		return nil, errors.New("stopping")
	}
	c.seq[base]++
	name := base
	if base != "serve" {
		name = fmt.Sprintf("%s#%d", base, c.seq[base])
	}
	c.mu.Unlock()
	endpoint, err := c.proxy.endpoint(name)
	if err != nil {
		return nil, err
	}
	p := &proc{name: name, logPath: filepath.Join(c.dir, strings.ReplaceAll(name, "#", "-")+".log"), done: make(chan struct{})}
	logf, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	p.cmd = exec.Command(c.bin, args...)
	p.cmd.Env = append(c.env(endpoint), extraEnv...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		return nil, errors.New("stopping")
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	p.started = time.Now()
	c.procs = append(c.procs, p)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		p.exitErr = p.cmd.Wait()
		p.ended = time.Now()
		c.proxy.forget(name)
		close(p.done)
	}()
	return p, nil
}

// worker runs `confmedia worker` as base. With restart, it is started
// again a second after each exit (as systemd's Restart=always would) until
// the cluster stops.
func (c *cluster) worker(base string, restart bool) {
	p, err := c.start(base, nil, "worker", "--concurrency", "2")
	if err != nil {
		c.t.Errorf("start %s: %v", base, err)
		return
	}
	if !restart {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			<-p.done
			time.Sleep(time.Second)
			if p, err = c.start(base, nil, "worker", "--concurrency", "2"); err != nil {
				return // stopping
			}
		}
	}()
}

// current returns the live run of base, or nil.
func (c *cluster) current(base string) *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if strings.HasPrefix(p.name, base+"#") && !p.exited() {
			return p
		}
	}
	return nil
}

// byName returns the run called name, or nil.
func (c *cluster) byName(name string) *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		if p.name == name {
			return p
		}
	}
	return nil
}

// runs returns the runs of processes whose names start with prefix.
func (c *cluster) runs(prefix string) []*proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*proc
	for _, p := range c.procs {
		if strings.HasPrefix(p.name, prefix) {
			out = append(out, p)
		}
	}
	return out
}

// kill SIGKILLs p's process group, as the kernel's OOM killer or a crash
// would end it.
func (c *cluster) kill(p *proc) {
	c.mu.Lock()
	p.killed = true
	c.mu.Unlock()
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// stop ends every process (SIGTERM, SIGKILL after 15 s), the proxy and the
// servers. It runs at cleanup, whatever the test's outcome.
func (c *cluster) stop() {
	c.cancel()
	c.mu.Lock()
	c.stopping = true
	procs := append([]*proc(nil), c.procs...)
	c.mu.Unlock()
	for _, p := range procs {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
	c.wg.Wait()
	if c.proxy != nil {
		c.proxy.close()
	}
	if c.s3 != nil {
		_ = c.s3.Stop()
	}
	if c.redis != nil {
		_ = c.redis.Stop()
	}
}

// stopRedis stops redis-server (SIGTERM: it flushes its append-only file).
func (c *cluster) stopRedis() error { return c.redis.Stop() }

// startRedis starts redis-server again on its folder and append-only file.
func (c *cluster) startRedis() error {
	r, err := services.StartRedis(context.Background(), filepath.Join(c.dir, "redis"), "", nil)
	if err != nil {
		return err
	}
	c.redis = r
	return nil
}

// stopS3 takes the S3 server away: the proxy's ports close and versitygw
// stops.
func (c *cluster) stopS3() error {
	return errors.Join(c.proxy.setDown(true), c.s3.Stop())
}

// startS3 starts versitygw again on the same objects and opens the ports.
func (c *cluster) startS3() error {
	s, err := services.StartS3(context.Background(), filepath.Join(c.dir, "s3"), "", nil)
	if err != nil {
		return err
	}
	c.s3 = s
	if err := c.proxy.setTarget(s.Endpoint); err != nil {
		return err
	}
	return c.proxy.setDown(false)
}

// cli runs a confmedia command (for at most 20 minutes, and never past the
// cluster's end) and returns its exit code, stdout and stderr.
func (c *cluster) cli(ctx context.Context, args ...string) (int, string, string) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	defer context.AfterFunc(c.ctx, cancel)()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env("")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		code = -1
		errb.WriteString(err.Error())
	}
	return code, out.String(), errb.String()
}

// get decodes the JSON of an admin API path.
func (c *cluster) get(ctx context.Context, path string, v any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+faultsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(v)
}

// catalogMedia returns the catalog's media items by id.
func (c *cluster) catalogMedia(ctx context.Context) (map[string]catalog.DocMedia, int, error) {
	var doc catalog.Document
	if _, err := c.get(ctx, "/api/catalog", &doc); err != nil {
		return nil, 0, err
	}
	out := make(map[string]catalog.DocMedia, len(doc.Media))
	for _, m := range doc.Media {
		out[m.ID] = m
	}
	return out, len(doc.Media), nil
}

// directBlobs reads the bucket without the proxy, for the audit.
func (c *cluster) directBlobs(ctx context.Context) (*s3store.Store, error) {
	return s3store.New(ctx, s3store.Config{Endpoint: c.s3.Endpoint, Region: c.s3.Region, Bucket: "faults",
		AccessKeyID: c.s3.AccessKeyID, SecretAccessKey: c.s3.SecretAccessKey, PathStyle: true})
}

// logTail returns the end of a process's log.
func (c *cluster) logTail(name string) string {
	p := c.byName(name)
	if p == nil {
		return ""
	}
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// lastLogLine returns the last line of a process's log that says
// something, for the table's notes.
func lastLogLine(p *proc) string {
	b, _ := os.ReadFile(p.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	l := lines[len(lines)-1]
	if len(l) > 160 {
		l = l[:160] + "…"
	}
	return l
}
