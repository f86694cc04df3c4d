//go:build loadtest

package main

// The load figures of docs/BENCHMARKS.md: `make bench-load` runs this with
// real Redis and S3 (through `confmedia services`), the built binary as
// separate serve and worker processes, and byte-distinct copies of the
// camera-like photo set (make-photo-set.sh).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
)

const loadToken = "load-test-admin-token"

type loadEnv struct {
	t       *testing.T
	bin     string
	env     []string
	url     string
	procs   []*exec.Cmd
	workDir string
}

func photoSet(t *testing.T) []string {
	dir := os.Getenv("CONFMEDIA_PHOTO_SET")
	if dir == "" {
		dir = "/tmp/photo-set"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p24_*.jpg"))
	if len(files) == 0 {
		t.Skipf("no photo set in %s: run ../shared/tools/make-photo-set.sh %s", dir, dir)
	}
	return files
}

// startProcesses runs serve as a process of its own on its own Redis
// database, bucket and SQLite catalog; the caller starts the worker.
func startProcesses(t *testing.T, name string, redisDB int) *loadEnv {
	t.Helper()
	bin := os.Getenv("CONFMEDIA_BIN")
	if bin == "" {
		t.Skip("run through `make bench-load`")
	}
	redisURL := os.Getenv(services.EnvRedisURL)
	if redisURL == "" {
		t.Skip("run through `make bench-load`, which starts Redis and S3")
	}
	work := t.TempDir()
	addr := freeAddr(t)
	e := &loadEnv{t: t, bin: bin, url: "http://" + addr, workDir: work}
	e.env = append(os.Environ(),
		"CONFMEDIA_ADDR="+addr,
		"CONFMEDIA_DATA="+work,
		"CONFMEDIA_TOKEN="+loadToken,
		"CONFMEDIA_SERVER="+e.url,
		"CONFMEDIA_REDIS_URL="+redisURL+fmt.Sprintf("?db=%d", redisDB),
		"CONFMEDIA_S3_ENDPOINT="+os.Getenv(services.EnvS3Endpoint),
		"CONFMEDIA_S3_ACCESS_KEY="+os.Getenv(services.EnvS3AccessKey),
		"CONFMEDIA_S3_SECRET_KEY="+os.Getenv(services.EnvS3SecretKey),
		"CONFMEDIA_S3_REGION="+os.Getenv(services.EnvS3Region),
		"CONFMEDIA_S3_BUCKET=load-"+name+fmt.Sprint(time.Now().Unix()),
		"CONFMEDIA_LOG_LEVEL=warn",
	)
	e.start("serve")
	t.Cleanup(e.stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(e.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("serve not healthy after 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return e
}

// start runs one confmedia process (serve, or worker with --concurrency 2).
func (e *loadEnv) start(args ...string) {
	e.t.Helper()
	if args[0] == "worker" {
		args = append(args, "--concurrency", "2")
	}
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.procs = append(e.procs, cmd)
}

func (e *loadEnv) stop() {
	for _, p := range e.procs {
		_ = p.Process.Signal(os.Interrupt)
	}
	for _, p := range e.procs {
		_ = p.Wait()
	}
	e.procs = nil
}

func (e *loadEnv) run(args ...string) string {
	e.t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("confmedia %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// loadSchedule is a day of four rooms of half-hour talks on the photo set's
// date, so that the photos are tagged as they would be at a conference.
func (e *loadEnv) importSchedule() {
	var b strings.Builder
	b.WriteString("id,title,room,start,end,speakers\n")
	n := 0
	for room := 1; room <= 4; room++ {
		for h := 9; h < 18; h++ {
			for _, m := range []int{0, 30} {
				n++
				fmt.Fprintf(&b, "t%d,Talk %d,Room %d,2025-09-11 %02d:%02d,2025-09-11 %02d:%02d,Speaker %d;Speaker %d\n",
					n, n, room, h, m, h, m+29, n, n+1000)
			}
		}
	}
	path := filepath.Join(e.workDir, "schedule.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.run("schedule", "import", "--timezone", "Europe/Dublin", path)
}

var softwareTag = []byte("perf-testset")

// distinctCopy returns src with its EXIF Software field rewritten to a
// same-length unique value, so that every copy has its own id.
func distinctCopy(src []byte, n int) []byte {
	i := bytes.Index(src, softwareTag)
	out := slices.Clone(src)
	if i < 0 {
		// No such field: append a unique comment after the end of image.
		return append(out, []byte(fmt.Sprintf("copy-%08d", n))...)
	}
	copy(out[i:], fmt.Sprintf("cp-%09d", n))
	return out
}

// writeBatch writes copies from..to of the set into dir.
func writeBatch(t *testing.T, set [][]byte, dir string, from, to int) (bytesWritten int64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n := from; n < to; n++ {
		data := distinctCopy(set[n%len(set)], n)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IMG_%06d.jpg", n)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		bytesWritten += int64(len(data))
	}
	return bytesWritten
}

func readSet(t *testing.T) [][]byte {
	var set [][]byte
	for _, f := range photoSet(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		set = append(set, b)
	}
	return set
}

// uploadBatches uploads n copies, batch by batch, deleting each batch after.
func (e *loadEnv) uploadBatches(set [][]byte, first, n, batch int, extra ...string) (sent int64, d time.Duration) {
	start := time.Now()
	for from := first; from < first+n; from += batch {
		dir := filepath.Join(e.workDir, "batch")
		sent += writeBatch(e.t, set, dir, from, min(from+batch, first+n))
		e.run(append(append([]string{"upload", "--json"}, extra...), dir)...)
		if err := os.RemoveAll(dir); err != nil {
			e.t.Fatal(err)
		}
	}
	return sent, time.Since(start)
}

func (e *loadEnv) get(path string, v any) error {
	req, _ := http.NewRequest("GET", e.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+loadToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (e *loadEnv) put(id, name string, data []byte, q string) error {
	req, _ := http.NewRequest("PUT", e.url+"/api/media/"+id+"?name="+name+"&"+q, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+loadToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("PUT %s: %s", name, resp.Status)
	}
	return nil
}

func report(t *testing.T, lines ...string) {
	t.Helper()
	for _, l := range lines {
		t.Log(l)
	}
	if f := os.Getenv("CONFMEDIA_LOAD_REPORT"); f != "" {
		fh, err := os.OpenFile(f, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(fh, strings.Join(lines, "\n"))
			fh.Close()
		}
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// TestLoadHeadshotLatency queues 2,000 event photos (uploaded before the
// worker starts, so that all of them are queued), starts the worker, then
// uploads 20 headshots one by one and measures how long each takes to have
// its renditions in the catalog.
func TestLoadHeadshotLatency(t *testing.T) {
	set := readSet(t)
	e := startProcesses(t, "headshots", 1)
	e.importSchedule()
	queued := 2000
	if v := os.Getenv("CONFMEDIA_LOAD_QUEUED"); v != "" {
		fmt.Sscan(v, &queued)
	}
	e.uploadBatches(set, 0, queued, 250, "--room", "Room 1")
	e.start("worker")
	time.Sleep(2 * time.Second) // the worker is up and busy with the backlog
	var st catalog.QueueStats
	if err := e.get("/api/queue", &st); err != nil {
		t.Fatal(err)
	}
	backlog := st.Pending + st.Active
	var lat []time.Duration
	for i := range 20 {
		data := distinctCopy(set[i%len(set)], 900000+i)
		sum := sha256.Sum256(data)
		id := hex.EncodeToString(sum[:])
		if err := e.put(id, fmt.Sprintf("speaker-%d-headshot.jpg", i), data, "kind=headshot"); err != nil {
			t.Fatal(err)
		}
		sent := time.Now()
		for {
			var m catalog.Media
			if err := e.get("/api/media/"+id, &m); err != nil {
				t.Fatal(err)
			}
			if m.Status != catalog.Pending && len(m.Renditions) > 0 {
				lat = append(lat, time.Since(sent))
				break
			}
			if time.Since(sent) > 2*time.Minute {
				t.Fatalf("headshot %d not processed after 2 minutes", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := e.get("/api/queue", &st); err != nil {
		t.Fatal(err)
	}
	p95 := percentile(lat, 0.95)
	report(t,
		fmt.Sprintf("headshot latency with %d event photos queued (%d still queued after): p50 %s, p95 %s, max %s over %d headshots",
			backlog, st.Pending+st.Active, percentile(lat, 0.5).Round(time.Millisecond), p95.Round(time.Millisecond),
			percentile(lat, 1).Round(time.Millisecond), len(lat)))
	if p95 > 3*time.Second {
		t.Errorf("headshot p95 %s, target under 3s", p95)
	}
}

var wrkRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
var wrkP99 = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)

// TestLoadEndToEnd uploads 1,000 photos, waits for every one to be
// processed and exports the catalog; while workers render it reads talk
// and speaker JSON with wrk.
func TestLoadEndToEnd(t *testing.T) {
	set := readSet(t)
	e := startProcesses(t, "e2e", 2)
	e.start("worker")
	e.importSchedule()
	n := 1000
	if v := os.Getenv("CONFMEDIA_LOAD_PHOTOS"); v != "" {
		fmt.Sscan(v, &n)
	}
	start := time.Now()
	var wrkOut string
	var wg sync.WaitGroup
	var uploaded atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Wait for some photos to be tagged, then read while workers render.
		for uploaded.Load() < int64(min(100, n/2)) {
			time.Sleep(time.Second)
		}
		wrkOut = runWrk(t, e)
	}()
	var sent int64
	var upDur time.Duration
	for from := 0; from < n; from += 100 {
		s, d := e.uploadBatches(set, from, min(100, n-from), 100, "--room", fmt.Sprintf("Room %d", 1+from/100%4))
		sent += s
		upDur += d
		uploaded.Add(int64(min(100, n-from)))
	}
	e.run("wait", "--timeout", "30m")
	var doc catalog.Document
	if err := json.Unmarshal([]byte(e.run("catalog", "export")), &doc); err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	wg.Wait()
	var renditionBytes int64
	processed := 0
	for _, dm := range doc.Media {
		if dm.Status == catalog.Pending || dm.Status == catalog.Failed {
			continue
		}
		processed++
		var m catalog.Media
		if err := e.get("/api/media/"+dm.ID, &m); err == nil {
			for _, r := range m.Renditions {
				renditionBytes += r.Bytes
			}
		}
	}
	report(t,
		fmt.Sprintf("end to end: %d photos (%s) uploaded, processed and exported in %s (target 8m); %d processed",
			n, humanBytes(sent), total.Round(time.Second), processed),
		fmt.Sprintf("uploads %.1f photos/s (%s/s) over %s; renders %.2f photos/s over the whole run; S3 writes %s/s (originals %s + renditions %s)",
			float64(n)/upDur.Seconds(), humanBytes(int64(float64(sent)/upDur.Seconds())), upDur.Round(time.Second),
			float64(processed)/total.Seconds(), humanBytes(int64(float64(sent+renditionBytes)/total.Seconds())),
			humanBytes(sent), humanBytes(renditionBytes)),
		"web reads while rendering: "+wrkOut)
	if processed != n {
		t.Errorf("%d of %d photos processed", processed, n)
	}
	if total > 8*time.Minute {
		t.Errorf("end to end took %s, target under 8 minutes", total)
	}
}

// runWrk reads talk and speaker JSON for 20 s with 16 connections.
func runWrk(t *testing.T, e *loadEnv) string {
	if _, err := exec.LookPath("wrk"); err != nil {
		return "wrk not installed"
	}
	script := filepath.Join(e.workDir, "paths.lua")
	lua := `local paths = {}
for i = 1, 200 do paths[#paths+1] = "/api/talks/t" .. i; paths[#paths+1] = "/api/speakers/speaker-" .. i end
local n = 0
request = function() n = n + 1; return wrk.format("GET", paths[(n % #paths) + 1]) end
`
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		return err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "wrk", "-t2", "-c16", "-d20s", "--latency", "-s", script, e.url).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("wrk failed: %v", err)
	}
	rps, p99 := "?", "?"
	if m := wrkRPS.FindSubmatch(out); m != nil {
		rps = string(m[1])
	}
	if m := wrkP99.FindSubmatch(out); m != nil {
		p99 = string(m[1]) + string(m[2])
	}
	return fmt.Sprintf("%s requests/s, p99 %s (wrk -t2 -c16 -d20s, talk and speaker JSON)", rps, p99)
}
