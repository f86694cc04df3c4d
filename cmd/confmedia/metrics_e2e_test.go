package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// scrape GETs a /metrics URL (with token, when given) and returns the
// body.
func scrape(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metricValue returns the value of the sample of name whose labels
// include every one of labels (`key="value"`), summed over the samples
// that match, and whether there was one.
func metricValue(body, name string, labels ...string) (float64, bool) {
	var sum float64
	found := false
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ') // label values may hold spaces
		if i < 0 {
			continue
		}
		series, value := line[:i], line[i+1:]
		metric, lbls, _ := strings.Cut(series, "{")
		if metric != name {
			continue
		}
		match := true
		for _, l := range labels {
			if !strings.Contains(lbls, l) {
				match = false
			}
		}
		if !match {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		sum += v
		found = true
	}
	return sum, found
}

// TestMetricsServeAndWorker runs serve and worker as two processes (in
// this one) on a real Redis and S3 server, uploads a photo and a file that
// is no picture, and scrapes the web app's /metrics (organizers only) and
// the worker's metrics listener: the counters moved.
func TestMetricsServeAndWorker(t *testing.T) {
	redisURL, s3Endpoint := os.Getenv(services.EnvRedisURL), os.Getenv(services.EnvS3Endpoint)
	if redisURL == "" || s3Endpoint == "" {
		t.Skipf("set %s and %s (bin/confmedia services -- go test … does) to run against a real Redis and S3 server", services.EnvRedisURL, services.EnvS3Endpoint)
	}
	addr, workerMetrics, serveMetrics := freeAddr(t), freeAddr(t), freeAddr(t)
	const token = "cm_metrics-test-admin"
	data := t.TempDir()
	env := map[string]string{
		"CONFMEDIA_DATA":   data,
		"CONFMEDIA_ADDR":   addr,
		"CONFMEDIA_SERVER": "http://" + addr,
		"CONFMEDIA_TOKEN":  token,
		// Database 15, as TestAwaitServeAndWorker: the workers package's
		// tests use 1 to 14.
		"CONFMEDIA_REDIS_URL":          redisURL + "?db=15",
		"CONFMEDIA_S3_ENDPOINT":        s3Endpoint,
		"CONFMEDIA_S3_ACCESS_KEY":      os.Getenv(services.EnvS3AccessKey),
		"CONFMEDIA_S3_SECRET_KEY":      os.Getenv(services.EnvS3SecretKey),
		"CONFMEDIA_S3_REGION":          os.Getenv(services.EnvS3Region),
		"CONFMEDIA_S3_BUCKET":          fmt.Sprintf("metrics-%d", rand.Uint32()),
		"CONFMEDIA_CONCURRENCY":        "2",
		"CONFMEDIA_RECONCILE_INTERVAL": "1s",
		"CONFMEDIA_LOG_LEVEL":          "info",
	}
	ctx, cancel := context.WithCancel(context.Background())
	type proc struct {
		name string
		logs *syncBuffer
		done chan int
	}
	var procs []*proc
	for _, p := range []struct{ cmd, metricsAddr string }{{"serve", serveMetrics}, {"worker", workerMetrics}} {
		penv := map[string]string{"CONFMEDIA_METRICS_ADDR": p.metricsAddr}
		for k, v := range env {
			penv[k] = v
		}
		pr := &proc{name: p.cmd, logs: &syncBuffer{}, done: make(chan int, 1)}
		m := &Main{Stdin: strings.NewReader(""), Stdout: pr.logs, Stderr: pr.logs, Getenv: func(k string) string { return penv[k] }}
		go func() { pr.done <- m.Run(ctx, []string{p.cmd}) }()
		procs = append(procs, pr)
	}
	t.Cleanup(func() {
		cancel()
		for _, p := range procs {
			select {
			case code := <-p.done:
				if code != 0 {
					t.Errorf("%s exited with %d:\n%s", p.name, code, p.logs)
				}
			case <-time.After(60 * time.Second):
				t.Errorf("%s did not stop within 60s", p.name)
			}
		}
	})
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 60s\nserve:\n%s\nworker:\n%s", what, procs[0].logs, procs[1].logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("serve healthy", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	// The worker's listener answers once the worker runs.
	waitFor("worker metrics", func() bool {
		resp, err := http.Get("http://" + workerMetrics + "/metrics")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.jpg"), exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}))
	cli := func(args ...string) (int, string) {
		var out syncBuffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(k string) string { return env[k] }}
		return m.Run(context.Background(), args), out.String()
	}
	if code, out := cli("upload", dir); code != 0 {
		t.Fatalf("upload: exit %d\n%s", code, out)
	}
	if code, out := cli("wait", "--timeout", "60s"); code != 0 {
		t.Fatalf("wait: exit %d\n%s", code, out)
	}

	// The web app's /metrics is the organizers'.
	if code, _ := scrape(t, "http://"+addr+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d, want 401", code)
	}
	code, web := scrape(t, "http://"+addr+"/metrics", token)
	if code != 200 {
		t.Fatalf("/metrics as an organizer: %d\n%s", code, web)
	}
	_, serveListener := scrape(t, "http://"+serveMetrics+"/metrics", "")
	for _, body := range []string{web, serveListener} {
		for _, c := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"confmedia_uploads_total", []string{`outcome="created"`}, 1},
			{"confmedia_items", []string{`kind="photo"`}, 1},
			{"confmedia_http_request_duration_seconds_count", []string{`route="PUT /api/media/{id}"`, `code="201"`}, 1},
		} {
			if got, ok := metricValue(body, c.name, c.labels...); !ok || got != c.want {
				t.Errorf("%s%v = %v (found %v), want %v\n%s", c.name, c.labels, got, ok, c.want, grepLines(body, c.name))
			}
		}
		if _, ok := metricValue(body, "asynq_queue_size"); !ok {
			t.Errorf("no asynq_queue_size: asynq's queue collector is not registered")
		}
	}

	// The reconciler sweeps every second, the first a second after start.
	var worker string
	waitFor("a sweep", func() bool {
		_, worker = scrape(t, "http://"+workerMetrics+"/metrics", "")
		n, _ := metricValue(worker, "confmedia_reconciler_actions_total", `action="sweep"`)
		return n >= 1
	})
	for _, c := range []struct {
		name   string
		labels []string
	}{
		{"confmedia_task_duration_seconds_count", []string{`type="media:process"`, `outcome="ok"`}},
		{"confmedia_render_duration_seconds_count", []string{`kind="photo"`}},
	} {
		if got, ok := metricValue(worker, c.name, c.labels...); !ok || got < 1 {
			t.Errorf("worker: %s%v = %v (found %v), want at least 1", c.name, c.labels, got, ok)
		}
	}
	if _, ok := metricValue(worker, "confmedia_uploads_total"); ok {
		t.Errorf("the worker counts uploads it never receives")
	}

	// One line per processed item, in the worker's log; an access line
	// with a request id per request, in the web app's.
	if wl := procs[1].logs.String(); !strings.Contains(wl, `msg="item processed"`) || !strings.Contains(wl, "file=a.jpg") {
		t.Errorf("no item line in the worker's log:\n%s", wl)
	}
	if sl := procs[0].logs.String(); !strings.Contains(sl, `route="PUT /api/media/{id}" status=201`) || !strings.Contains(sl, "request_id=") {
		t.Errorf("no access line with a request id in the web app's log:\n%s", sl)
	}
}

func grepLines(body, name string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, name) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
