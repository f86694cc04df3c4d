//go:build faults && linux

package main

// The fault suite (`make faults`, and its short version in `make test`):
// real redis-server, versitygw, `confmedia serve` and `confmedia worker`
// processes, a batch of photos made here and uploaded with the real CLI,
// then a fault — a worker killed, Redis or the S3 server stopped, a photo
// that kills the worker, damaged files — and an audit of where every photo
// ended. docs/RELIABILITY.md explains the table and keeps the latest one.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// faultsConfig sizes a run. The defaults are the short run; `make faults`
// sets CONFMEDIA_FAULTS=full.
type faultsConfig struct {
	full      bool
	rows      []string      // scenarios to run: kill, redis, s3, crash, corrupt
	photos    int           // photos per scenario
	kills     int           // worker SIGKILLs in the kill scenario
	redisAway time.Duration // how long Redis is stopped
	s3Away    time.Duration // how long the S3 server is away
	deadline  time.Duration // after the fault ends, for every photo to reach an honest end
	width     int           // pixels of the photos' long edge
	report    string        // file the table is written to
}

var (
	flagFaultRows     = flag.String("faults.rows", "", "scenarios to run, comma-separated: kill,redis,s3,crash,corrupt (CONFMEDIA_FAULTS_ROWS)")
	flagFaultPhotos   = flag.Int("faults.photos", 0, "photos per scenario (CONFMEDIA_FAULTS_PHOTOS; 40, full 300)")
	flagFaultKills    = flag.Int("faults.kills", 0, "worker SIGKILLs in the kill scenario (CONFMEDIA_FAULTS_KILLS; 3, full 8)")
	flagFaultRedis    = flag.Duration("faults.redis-away", 0, "how long Redis is stopped (CONFMEDIA_FAULTS_REDIS_AWAY; 8s, full 40s)")
	flagFaultS3       = flag.Duration("faults.s3-away", 0, "how long the S3 server is away (CONFMEDIA_FAULTS_S3_AWAY; 5s, full 2m)")
	flagFaultDeadline = flag.Duration("faults.deadline", 0, "after the fault, how long photos have to reach an honest end (CONFMEDIA_FAULTS_DEADLINE; 150s, full 10m)")
)

func loadFaultsConfig(t *testing.T) faultsConfig {
	t.Helper()
	full := os.Getenv("CONFMEDIA_FAULTS") == "full"
	cfg := faultsConfig{full: full, photos: 40, kills: 3, redisAway: 8 * time.Second, s3Away: 5 * time.Second,
		deadline: 150 * time.Second, width: 1024, rows: []string{"corrupt", "s3", "redis"}}
	if full {
		cfg = faultsConfig{full: true, photos: 300, kills: 8, redisAway: 40 * time.Second, s3Away: 2 * time.Minute,
			deadline: 10 * time.Minute, width: 2048, rows: []string{"kill", "redis", "s3", "crash", "corrupt"}}
	}
	envInt := func(flagV int, key string, dst *int) {
		if flagV > 0 {
			*dst = flagV
		} else if v := os.Getenv(key); v != "" {
			if _, err := fmt.Sscan(v, dst); err != nil {
				t.Fatalf("%s=%q: %v", key, v, err)
			}
		}
	}
	envDur := func(flagV time.Duration, key string, dst *time.Duration) {
		if flagV > 0 {
			*dst = flagV
		} else if v := os.Getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				t.Fatalf("%s=%q: %v", key, v, err)
			}
			*dst = d
		}
	}
	envInt(*flagFaultPhotos, "CONFMEDIA_FAULTS_PHOTOS", &cfg.photos)
	envInt(*flagFaultKills, "CONFMEDIA_FAULTS_KILLS", &cfg.kills)
	envDur(*flagFaultRedis, "CONFMEDIA_FAULTS_REDIS_AWAY", &cfg.redisAway)
	envDur(*flagFaultS3, "CONFMEDIA_FAULTS_S3_AWAY", &cfg.s3Away)
	envDur(*flagFaultDeadline, "CONFMEDIA_FAULTS_DEADLINE", &cfg.deadline)
	rows := *flagFaultRows
	if rows == "" {
		rows = os.Getenv("CONFMEDIA_FAULTS_ROWS")
	}
	if rows != "" {
		cfg.rows = strings.Split(rows, ",")
	}
	cfg.report = os.Getenv("CONFMEDIA_FAULTS_REPORT")
	return cfg
}

// TestFaults runs each scenario on a deployment of its own and prints the
// table. It fails when any photo is lost, stuck or processed twice, or when
// a scenario's own expectation does not hold (a good photo failed, a
// damaged one not failed with its name, a worker that did not wait).
func TestFaults(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed: run `make faults`, which installs it")
	}
	if _, err := services.FindVersityGW(); err != nil {
		t.Skipf("versitygw not installed: run `make faults`, which installs it (%v)", err)
	}
	cfg := loadFaultsConfig(t)
	bin := faultsBinary(t)
	scenarios := map[string]func(*testing.T, faultsConfig, string) *faultRow{
		"kill":    scenarioKill,
		"redis":   scenarioRedis,
		"s3":      scenarioS3,
		"crash":   scenarioCrash,
		"corrupt": scenarioCorrupt,
	}
	var rows []*faultRow
	for _, name := range cfg.rows {
		run := scenarios[strings.TrimSpace(name)]
		if run == nil {
			t.Fatalf("unknown scenario %q (want kill, redis, s3, crash or corrupt)", name)
		}
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			r := run(t, cfg, bin)
			r.took = time.Since(start)
			rows = append(rows, r)
			for _, p := range r.problems() {
				t.Error(p)
			}
		})
	}
	table := faultsTable(cfg, rows)
	fmt.Println(table)
	t.Log("\n" + table)
	if cfg.report != "" {
		if err := os.WriteFile(cfg.report, []byte(table), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// faultsBinary is CONFMEDIA_BIN, or the binary built here from this tree.
func faultsBinary(t *testing.T) string {
	if bin := os.Getenv("CONFMEDIA_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "confmedia")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// faultRow is one line of the table.
type faultRow struct {
	scenario string
	fault    string // what was done, for the table's notes
	in       int    // photos given to the CLI and not rejected by it
	tagged   int    // tagged, untagged or needs_review (hidden too): honest ends
	failed   int    // failed with a reason
	dups     int
	lost     int
	stuck    int
	// recovery is from the fault's end until the queue was empty and every
	// photo had an honest end; negative when that never happened before
	// the deadline.
	recovery time.Duration
	deadline time.Duration
	took     time.Duration
	notes    []string
	// unexpected are failures of the scenario's own expectation.
	unexpected []string
}

func (r *faultRow) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func (r *faultRow) wrong(format string, args ...any) {
	r.unexpected = append(r.unexpected, fmt.Sprintf(format, args...))
}

func (r *faultRow) problems() []string {
	var out []string
	if r.lost > 0 {
		out = append(out, fmt.Sprintf("%s: %d photos lost", r.scenario, r.lost))
	}
	if r.stuck > 0 {
		out = append(out, fmt.Sprintf("%s: %d photos stuck without an honest end %s after the fault", r.scenario, r.stuck, r.deadline))
	}
	if r.dups > 0 {
		out = append(out, fmt.Sprintf("%s: %d duplicates", r.scenario, r.dups))
	}
	if r.recovery < 0 && r.lost+r.stuck == 0 {
		out = append(out, fmt.Sprintf("%s: the queue did not empty within %s of the fault", r.scenario, r.deadline))
	}
	for _, u := range r.unexpected {
		out = append(out, r.scenario+": "+u)
	}
	return out
}

func faultsTable(cfg faultsConfig, rows []*faultRow) string {
	var b strings.Builder
	mode := "short"
	if cfg.full {
		mode = "full"
	}
	fmt.Fprintf(&b, "fault suite (%s): %d photos per scenario, deadline %s after each fault\n\n", mode, cfg.photos, cfg.deadline)
	b.WriteString("| scenario | photos in | tagged | failed with reason | duplicates | lost | stuck | recovery time |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rows {
		rec := r.recovery.Round(100 * time.Millisecond).String()
		if r.recovery < 0 {
			rec = "not within " + r.deadline.String()
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", r.scenario, r.in, r.tagged, r.failed, r.dups, r.lost, r.stuck, rec)
	}
	b.WriteString("\n")
	for _, r := range rows {
		verdict := "PASS"
		if len(r.problems()) > 0 {
			verdict = "FAIL"
		}
		fmt.Fprintf(&b, "- **%s** %s (%s, scenario took %s): %s\n", r.scenario, verdict, r.fault, r.took.Round(time.Second), strings.Join(r.notes, "; "))
		for _, u := range r.unexpected {
			fmt.Fprintf(&b, "  - unexpected: %s\n", u)
		}
	}
	return b.String()
}

// faultFile is one file of a batch.
type faultFile struct {
	name, path, id string
	kind           string // "photo", "corrupt", "poison"
}

const faultsSchedule = "2026-05-15"

// importSchedule loads a day of half-hour talks in Room 1; the photos are
// taken during them, so that a photo processed ends tagged.
func importSchedule(t *testing.T, c *cluster) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,title,room,start,end,speakers\n")
	for k := range 17 {
		start := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC).Add(time.Duration(k) * 30 * time.Minute)
		fmt.Fprintf(&b, "t%d,Talk %d,Room 1,%s %s,%s %s,Speaker %d\n", k+1, k+1,
			faultsSchedule, start.Format("15:04"), faultsSchedule, start.Add(25*time.Minute).Format("15:04"), k+1)
	}
	path := filepath.Join(c.dir, "schedule.csv")
	writeFile(t, path, []byte(b.String()))
	if code, out, errs := c.cli(context.Background(), "schedule", "import", "--timezone", "Europe/Dublin", path); code != 0 {
		t.Fatalf("schedule import: exit %d\n%s%s", code, out, errs)
	}
}

// makeBatch writes n photos into a new folder: each a JPEG with its own
// capture time inside a talk, plus the special files the scenario asks for
// (kinds maps a photo's index to "corrupt" or "poison").
func makeBatch(t *testing.T, c *cluster, folder string, n, width int, kinds map[int]string) []faultFile {
	t.Helper()
	dir := filepath.Join(c.dir, folder)
	files := make([]faultFile, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			taken := time.Date(2026, 5, 15, 9, 5, 0, 0, time.UTC).Add(time.Duration(i%17)*30*time.Minute + time.Duration(i/17)*time.Second)
			data, err := exiftest.JPEG(exiftest.Spec{Width: width, Height: width * 3 / 4, Quality: 85,
				DateTimeOriginal: taken.Format("2006:01:02 15:04:05"), Make: "Canon", Model: "EOS R6", Serial: "FAULTS-1"})
			if err != nil {
				t.Error(err)
				return
			}
			f := faultFile{name: fmt.Sprintf("IMG_%04d.jpg", i), kind: "photo"}
			switch kinds[i] {
			case "poison":
				f.name, f.kind = fmt.Sprintf("IMG_%04d-crash.jpg", i), "poison"
			case "truncated":
				f.name, f.kind = fmt.Sprintf("IMG_%04d-truncated.jpg", i), "corrupt"
				data = data[:len(data)/2]
			case "garbage":
				f.name, f.kind = fmt.Sprintf("IMG_%04d-garbage.jpg", i), "corrupt"
				data = garbageScan(data, uint64(i))
			case "noheader":
				f.name, f.kind = fmt.Sprintf("IMG_%04d-noheader.jpg", i), "corrupt"
				data = append([]byte{0xFF, 0xD8, 0xFF}, garbageScan(data, uint64(i))[len(data)/3:]...)
			}
			f.path = filepath.Join(dir, f.name)
			sum := sha256.Sum256(data)
			f.id = hex.EncodeToString(sum[:])
			writeFile(t, f.path, data)
			files[i] = f
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return files
}

// garbageScan keeps a JPEG's headers up to its scan and replaces the
// compressed data after them with random bytes (no markers, no end).
func garbageScan(data []byte, seed uint64) []byte {
	sos := bytes.Index(data, []byte{0xFF, 0xDA})
	if sos < 0 {
		return data[:len(data)/2]
	}
	start := sos + 2 + (int(data[sos+2])<<8 | int(data[sos+3]))
	out := slices.Clone(data[:start])
	rng := rand.New(rand.NewPCG(seed, 7))
	for range len(data) - start {
		b := byte(rng.UintN(255)) // never 0xFF: no marker
		out = append(out, b)
	}
	return out
}

// upload runs `confmedia upload --json` on a folder and returns its
// summary, exit code and stderr.
type uploadRun struct {
	sum   uploadSummary
	code  int
	err   string
	start time.Time
	end   time.Time
}

func upload(ctx context.Context, c *cluster, folder string) uploadRun {
	u := uploadRun{start: time.Now()}
	code, out, errs := c.cli(ctx, "upload", "--json", "--room", "Room 1", "--photographer", "Fault Suite", filepath.Join(c.dir, folder))
	u.end, u.code, u.err = time.Now(), code, errs
	if err := json.Unmarshal([]byte(out), &u.sum); err != nil {
		u.err += fmt.Sprintf("\n(no JSON summary: %v: %q)", err, out)
	}
	return u
}

// noteUpload records what the CLI said.
func noteUpload(r *faultRow, u uploadRun) {
	r.note("upload exit %d: sent %d, skipped %d, rejected %d", u.code, u.sum.Sent, u.sum.Skipped, len(u.sum.Rejected))
	if u.sum.Skipped > 0 {
		r.wrong("the CLI counted %d new photos as duplicates (every photo of the batch is new)", u.sum.Skipped)
	}
	if u.code != 0 && u.code != exitRejected {
		r.note("upload stderr: %s", lastLine(u.err))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := lines[len(lines)-1]
	if len(l) > 200 {
		l = l[:200] + "…"
	}
	return l
}

// awaitHonest polls until every photo in ids is in the catalog, every
// catalog item has an honest end and no task is queued, running or waiting
// to retry, or until the deadline. It returns when that happened, or the zero time.
func awaitHonest(c *cluster, ids []string, deadline time.Time) time.Time {
	ctx := context.Background()
	for time.Now().Before(deadline) {
		if honestEnds(ctx, c, ids) {
			return time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
	return time.Time{}
}

func honestEnds(ctx context.Context, c *cluster, ids []string) bool {
	media, _, err := c.catalogMedia(ctx)
	if err != nil {
		return false
	}
	for _, id := range ids {
		if _, ok := media[id]; !ok {
			return false
		}
	}
	// Every item counts, those the CLI said it rejected included.
	for _, m := range media {
		if m.Status == catalog.Pending || (m.Status == catalog.Failed && m.Reason == "") {
			return false
		}
	}
	var st catalog.QueueStats
	if _, err := c.get(ctx, "/api/queue", &st); err != nil {
		return false
	}
	return !st.Busy()
}

// accepted returns the files the CLI did not reject.
func accepted(files []faultFile, uploads ...uploadRun) ([]faultFile, map[string]string) {
	rejected := map[string]string{}
	for _, u := range uploads {
		for _, r := range u.sum.Rejected {
			rejected[filepath.Base(r.File)] = r.Reason
		}
	}
	var in []faultFile
	for _, f := range files {
		if _, ok := rejected[f.name]; !ok {
			in = append(in, f)
		}
	}
	return in, rejected
}

func ids(files []faultFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.id
	}
	return out
}

// finish waits for honest ends (from faultEnd, until the deadline) and
// audits the scenario.
func finish(t *testing.T, c *cluster, cfg faultsConfig, r *faultRow, files []faultFile, faultEnd time.Time, uploads ...uploadRun) {
	t.Helper()
	in, rejected := accepted(files, uploads...)
	r.deadline = cfg.deadline
	done := awaitHonest(c, ids(in), faultEnd.Add(cfg.deadline))
	r.recovery = -1
	if !done.IsZero() {
		r.recovery = done.Sub(faultEnd)
	}
	audit(t, c, r, files, in, rejected)
}

// audit counts where every file ended. Lost: accepted by the CLI but not in
// the catalog, or its original or a rendition the catalog names missing
// from the bucket. Stuck: in the catalog but pending, or failed without a
// reason. Duplicates: a rendition written twice in one worker run or by two
// runs neither of which had died (a rewrite after the first run was killed
// is the retry doing its job, counted in the notes), or two catalog rows
// for the same bytes.
func audit(t *testing.T, c *cluster, r *faultRow, files, in []faultFile, rejected map[string]string) {
	t.Helper()
	ctx := context.Background()
	r.in = len(in)
	blobs, err := c.directBlobs(ctx)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	// `wait` lists failed tasks with their reasons.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	waitCode, _, waitErr := c.cli(wctx, "wait", "--timeout", "20s")
	cancel()
	r.note("wait exit %d", waitCode)

	var storedRejected []string
	itemKeys := map[string]string{} // rendition key → media id
	for _, f := range files {
		if reason, ok := rejected[f.name]; ok {
			switch {
			case f.kind == "corrupt" && reason != "":
				r.note("%s refused by the CLI: %s", f.name, reason)
			case f.kind == "corrupt":
				r.wrong("%s refused by the CLI without a reason", f.name)
			default:
				r.wrong("%s rejected by the CLI: %s", f.name, reason)
			}
			// Refused, yet stored: it must still reach an honest end.
			var m catalog.Media
			if _, err := c.get(ctx, "/api/media/"+f.id, &m); err == nil {
				storedRejected = append(storedRejected, fmt.Sprintf("%s (%s)", f.name, m.Status))
				for _, rd := range m.Renditions {
					itemKeys[rd.Key] = m.ID
				}
				if m.Status == catalog.Pending || (m.Status == catalog.Failed && m.Reason == "") {
					r.stuck++
				}
			}
		}
	}
	if len(storedRejected) > 0 {
		r.note("stored although the CLI rejected them: %s", firstFew(storedRejected))
	}
	var lostNames, stuckNames []string
	for _, f := range in {
		var m catalog.Media
		code, err := c.get(ctx, "/api/media/"+f.id, &m)
		if code == 404 {
			r.lost++
			lostNames = append(lostNames, f.name+" (not in the catalog)")
			continue
		}
		if err != nil {
			t.Errorf("audit %s: %v", f.name, err)
			continue
		}
		if _, err := blobs.Stat(ctx, m.OriginalKey); err != nil {
			r.lost++
			lostNames = append(lostNames, fmt.Sprintf("%s (original: %v)", f.name, catalog.ErrorMessage(err)))
			continue
		}
		missing := ""
		for _, rd := range m.Renditions {
			itemKeys[rd.Key] = m.ID
			if _, err := blobs.Stat(ctx, rd.Key); err != nil && missing == "" {
				missing = rd.Key
			}
		}
		if missing != "" {
			r.lost++
			lostNames = append(lostNames, f.name+" (rendition "+missing+" missing)")
			continue
		}
		switch {
		case m.Status == catalog.Pending:
			r.stuck++
			stuckNames = append(stuckNames, f.name)
		case m.Status == catalog.Failed && m.Reason == "":
			r.stuck++
			stuckNames = append(stuckNames, f.name+" (failed without a reason)")
		case m.Status == catalog.Failed:
			r.failed++
			switch f.kind {
			case "photo":
				r.wrong("%s failed: %s", f.name, m.Reason)
			case "corrupt":
				if !strings.Contains(m.Reason, f.name) && !strings.Contains(waitErr, f.name) {
					r.wrong("%s failed (%q) but neither its reason nor `wait` names the file", f.name, m.Reason)
				} else {
					r.note("%s failed: %s", f.name, m.Reason)
				}
			case "poison":
				r.note("%s failed: %s", f.name, m.Reason)
			}
		default:
			r.tagged++
			if f.kind != "photo" {
				r.wrong("%s ended %s, want failed", f.name, m.Status)
			}
			if len(m.Renditions) == 0 && m.Status != catalog.Hidden {
				r.wrong("%s ended %s with no renditions", f.name, m.Status)
			}
		}
	}
	if r.failed > 0 && waitCode != exitRejected {
		r.note("`wait` exited %d with %d items failed (cli.md: 1)", waitCode, r.failed)
	}
	if len(lostNames) > 0 {
		r.note("lost: %s", firstFew(lostNames))
	}
	if len(stuckNames) > 0 {
		r.note("stuck: %s", firstFew(stuckNames))
	}

	// A process that ended by itself gave up on something it needed.
	for _, p := range c.runs("") {
		if p.exited() && !p.killed {
			r.wrong("%s exited by itself (%v) %s after it started: %s", p.name, p.exitErr, p.ended.Sub(p.started).Round(100*time.Millisecond), lastLogLine(p))
		}
	}

	// Two catalog rows for the same bytes, or rows for bytes never sent.
	if media, rows, err := c.catalogMedia(ctx); err == nil {
		if rows > len(media) {
			r.dups += rows - len(media)
			r.note("%d catalog rows repeat an id", rows-len(media))
		}
		known := map[string]bool{}
		for _, f := range files {
			known[f.id] = true
		}
		for id, m := range media {
			if !known[id] {
				r.wrong("catalog row %s (%s) matches no file sent", id, m.SourceName)
			}
		}
	}

	// Renditions written twice.
	dupItems, rewrites := repeatedWrites(c.proxy.allWrites(), itemKeys, func(process string, at time.Time) bool {
		p := c.byName(process)
		return p != nil && p.exited() && !p.ended.After(at) && (p.killed || p.exitErr != nil)
	})
	// Objects workers wrote that no catalog item names: orphans. Every
	// rendition also has a staff copy (catalog.StaffRenditionKey).
	staffKeys := map[string]bool{}
	for key, id := range itemKeys {
		staffKeys[catalog.StaffRenditionKey(id, strings.TrimSuffix(path.Base(key), ".jpg"))] = true
	}
	orphans := map[string]bool{}
	for _, w := range c.proxy.allWrites() {
		if _, ok := itemKeys[w.Key]; ok || !strings.HasPrefix(w.Process, "worker-") || strings.Contains(w.Key, "catalog.json") {
			continue
		}
		if staffKeys[w.Key] {
			continue // the staff copy of a rendition an item names
		}
		if _, err := blobs.Stat(ctx, w.Key); err == nil {
			orphans[w.Key] = true
		}
	}
	if len(orphans) > 0 {
		r.note("%d objects written by workers that no catalog item names", len(orphans))
	}
	r.dups += len(dupItems)
	if rewrites > 0 {
		r.note("%d renditions rewritten after the worker that wrote them died", rewrites)
	}
	if len(dupItems) > 0 {
		r.note("renditions written twice by live workers for %d items", len(dupItems))
	}
}

// repeatedWrites looks at the writes of the keys in itemKeys (key → item
// id), in order. A key written again after the process that last wrote it
// died (diedBefore) is a retry of an interrupted task: counted in retries.
// Any other repeat — by the same process, or by a process while the earlier
// writer still ran — makes its item a duplicate.
func repeatedWrites(writes []blobWrite, itemKeys map[string]string, diedBefore func(process string, at time.Time) bool) (dupItems map[string]bool, retries int) {
	last := map[string]blobWrite{}
	dupItems = map[string]bool{}
	for _, w := range writes {
		item, ok := itemKeys[w.Key]
		if !ok {
			continue
		}
		prev, seen := last[w.Key]
		last[w.Key] = w
		if !seen {
			continue
		}
		if prev.Process != w.Process && diedBefore(prev.Process, w.At) {
			retries++
			continue
		}
		dupItems[item] = true
	}
	return dupItems, retries
}

func firstFew(s []string) string {
	slices.Sort(s)
	if len(s) > 4 {
		return strings.Join(s[:4], ", ") + fmt.Sprintf(" and %d more", len(s)-4)
	}
	return strings.Join(s, ", ")
}

// processed counts catalog items that are no longer pending.
func processed(c *cluster) int {
	media, _, err := c.catalogMedia(context.Background())
	if err != nil {
		return -1
	}
	n := 0
	for _, m := range media {
		if m.Status != catalog.Pending {
			n++
		}
	}
	return n
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	return poll(timeout, 50*time.Millisecond, cond)
}

// waitFor5ms is waitFor for cheap conditions that must be seen at once.
func waitFor5ms(timeout time.Duration, cond func() bool) bool {
	return poll(timeout, 5*time.Millisecond, cond)
}

func poll(timeout, every time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(every)
	}
	return false
}

// a. The worker is SIGKILLed N times while it works through a batch, and
// started again each time.
func scenarioKill(t *testing.T, cfg faultsConfig, bin string) *faultRow {
	r := &faultRow{scenario: "worker SIGKILL", fault: fmt.Sprintf("worker SIGKILLed up to %d times mid-batch, restarted each time", cfg.kills)}
	c := newCluster(t, cfg, bin)
	importSchedule(t, c)
	files := makeBatch(t, c, "batch", cfg.photos, cfg.width, nil)
	c.worker("worker-1", true)
	var up uploadRun
	uploaded := make(chan struct{})
	go func() { defer close(uploaded); up = upload(context.Background(), c, "batch") }()
	kills := 0
	faultEnd := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	for kills < cfg.kills {
		// Kill only a worker that is at work: it has processed something
		// since it started, and there is work left.
		var p *proc
		base := processed(c)
		if !waitFor(2*time.Minute, func() bool {
			p = c.current("worker-1")
			n := processed(c)
			return p != nil && time.Since(p.started) > 500*time.Millisecond && n > base && n < len(files)
		}) {
			break
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		if processed(c) >= len(files) {
			break
		}
		c.kill(p)
		kills++
		faultEnd = time.Now()
	}
	<-uploaded
	r.note("%d SIGKILLs landed while photos were being processed", kills)
	if kills < cfg.kills {
		r.wrong("only %d of %d kills landed before the batch was done: use more or larger photos", kills, cfg.kills)
	}
	noteUpload(r, up)
	finish(t, c, cfg, r, files, faultEnd, up)
	return r
}

// b. Redis stops for a while during an upload, and comes back on its
// append-only file.
func scenarioRedis(t *testing.T, cfg faultsConfig, bin string) *faultRow {
	r := &faultRow{scenario: "Redis restart mid-upload", fault: fmt.Sprintf("redis-server stopped for %s during the upload, restarted on its AOF", cfg.redisAway)}
	c := newCluster(t, cfg, bin)
	importSchedule(t, c)
	// A short run's batch uploads in a moment: three times the photos, so
	// that Redis stops while the upload is still going.
	n := cfg.photos
	if n < 100 {
		n *= 3
	}
	files := makeBatch(t, c, "batch", n, cfg.width, nil)
	c.worker("worker-1", true)
	var up uploadRun
	uploaded := make(chan struct{})
	go func() { defer close(uploaded); up = upload(context.Background(), c, "batch") }()
	// Stop Redis once the first original is stored (the proxy sees the
	// originals arrive as serve writes them), so that most of the batch
	// arrives while it is away.
	stored := func() int { return c.proxy.writesBy("serve") }
	waitFor5ms(2*time.Minute, func() bool { return stored() >= 1 })
	if err := c.stopRedis(); err != nil {
		t.Fatalf("stop redis: %v", err)
	}
	stopped := time.Now()
	n = stored()
	select {
	case <-uploaded:
		r.wrong("the upload had finished before Redis stopped: use more photos")
	default:
		r.note("Redis stopped with %d of %d originals stored", n, len(files))
	}
	time.Sleep(cfg.redisAway - time.Since(stopped))
	if err := c.startRedis(); err != nil {
		t.Fatalf("start redis: %v", err)
	}
	faultEnd := time.Now()
	<-uploaded
	noteUpload(r, up)
	finish(t, c, cfg, r, files, faultEnd, up)
	return r
}

// c. The S3 server goes away for a while with a queue in front of the
// worker; a second worker is started while it is away.
func scenarioS3(t *testing.T, cfg faultsConfig, bin string) *faultRow {
	r := &faultRow{scenario: "S3 away", fault: fmt.Sprintf("S3 server away %s with a queue; a second worker started meanwhile", cfg.s3Away)}
	c := newCluster(t, cfg, bin)
	importSchedule(t, c)
	files := makeBatch(t, c, "batch", cfg.photos, cfg.width, nil)
	up := upload(context.Background(), c, "batch") // queued: no worker yet
	noteUpload(r, up)
	c.worker("worker-1", false)
	waitFor(2*time.Minute, func() bool { return processed(c) >= max(len(files)/10, 1) })
	if err := c.stopS3(); err != nil {
		t.Fatalf("stop S3: %v", err)
	}
	stopped := time.Now()
	r.note("S3 stopped with %d of %d photos processed", processed(c), len(files))
	time.Sleep(cfg.s3Away / 2)
	c.worker("worker-2", false)
	time.Sleep(cfg.s3Away - time.Since(stopped))
	if err := c.startS3(); err != nil {
		t.Fatalf("start S3: %v", err)
	}
	faultEnd := time.Now()
	finish(t, c, cfg, r, files, faultEnd, up)
	return r
}

// d. One photo kills the worker every time it is processed (the process is
// SIGKILLed when it reads that photo's original, as an out-of-memory kill or
// a decoder crash would end it); the worker is restarted after each exit.
func scenarioCrash(t *testing.T, cfg faultsConfig, bin string) *faultRow {
	r := &faultRow{scenario: "crash-loop photo", fault: "one photo SIGKILLs the worker whenever it reads it; worker restarted after each exit"}
	c := newCluster(t, cfg, bin)
	importSchedule(t, c)
	files := makeBatch(t, c, "batch", cfg.photos, cfg.width, map[int]string{cfg.photos / 3: "poison"})
	poisonID := files[cfg.photos/3].id
	var mu sync.Mutex
	crashes := 0
	c.proxy.onRead = func(process, path string) bool {
		if !strings.HasPrefix(process, "worker-") || !strings.Contains(path, poisonID) {
			return false
		}
		if p := c.byName(process); p != nil && !p.exited() {
			mu.Lock()
			crashes++
			mu.Unlock()
			c.kill(p)
			return true
		}
		return false
	}
	c.worker("worker-1", true)
	up := upload(context.Background(), c, "batch")
	noteUpload(r, up)
	finish(t, c, cfg, r, files, up.end, up)
	mu.Lock()
	r.note("the photo killed the worker %d times (recovery counted from the upload's end)", crashes)
	if crashes > 3 {
		r.wrong("the photo killed the worker %d times, want at most 3", crashes)
	}
	mu.Unlock()
	return r
}

// e. About 1% of the batch is damaged: truncated, or garbage after valid
// headers.
func scenarioCorrupt(t *testing.T, cfg faultsConfig, bin string) *faultRow {
	r := &faultRow{scenario: "1% corrupt files", fault: "truncated and garbage JPEGs in the batch"}
	c := newCluster(t, cfg, bin)
	importSchedule(t, c)
	n := max(cfg.photos/100, 2)
	kinds := map[int]string{}
	order := []string{"truncated", "garbage", "noheader"}
	for k := range n {
		kinds[(k+1)*cfg.photos/(n+1)] = order[k%len(order)]
	}
	files := makeBatch(t, c, "batch", cfg.photos, cfg.width, kinds)
	c.worker("worker-1", true)
	up := upload(context.Background(), c, "batch")
	noteUpload(r, up)
	finish(t, c, cfg, r, files, up.end, up)
	r.note("recovery counted from the upload's end")
	return r
}
