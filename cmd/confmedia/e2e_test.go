package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/cmd/confmedia/internal/services"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/recording"
	goexif "github.com/rwcarlsen/goexif/exif"
)

// instance is a running `confmedia dev` with its own Redis, S3 server and
// SQLite catalog in a temporary data dir, driven through the CLI in-process.
type instance struct {
	t      *testing.T
	env    map[string]string
	url    string
	cancel context.CancelFunc
	done   chan int
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func requireServices(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed: run `make test`, which installs it")
	}
	if _, err := services.FindVersityGW(); err != nil {
		t.Skipf("versitygw not installed: run `make test`, which installs it (%v)", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startDev runs `confmedia dev` in a fresh data dir and waits until
// /healthz answers 200.
func startDev(t *testing.T) *instance {
	t.Helper()
	return startDevIn(t, t.TempDir())
}

// startDevIn is startDev on an existing data dir.
func startDevIn(t *testing.T, dataDir string) *instance {
	t.Helper()
	return startDevEnv(t, dataDir, nil)
}

// startDevEnv is startDevIn with more environment variables.
func startDevEnv(t *testing.T, dataDir string, extra map[string]string) *instance {
	t.Helper()
	requireServices(t)
	addr := freeAddr(t)
	in := &instance{
		t: t,
		env: map[string]string{
			"CONFMEDIA_DATA":        dataDir,
			"CONFMEDIA_ADDR":        addr,
			"CONFMEDIA_LOG_LEVEL":   "warn",
			"CONFMEDIA_CONCURRENCY": "2",
			// Faces are tested by the tests that turn them on: the nets
			// run at a twentieth of their speed under -race, and the
			// other end-to-end tests are about everything else.
			"CONFMEDIA_FACES": "false",
		},
		url:  "http://" + addr,
		done: make(chan int, 1),
		logs: &syncBuffer{},
	}
	in.env["CONFMEDIA_SERVER"] = in.url
	for k, v := range extra {
		in.env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel = cancel
	m := &Main{Stdin: strings.NewReader(""), Stdout: in.logs, Stderr: in.logs, Getenv: in.getenv}
	go func() { in.done <- m.Run(ctx, []string{"dev"}) }()
	t.Cleanup(in.stop)
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(in.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return in
			}
		}
		select {
		case code := <-in.done:
			t.Fatalf("confmedia dev exited with %d:\n%s", code, in.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("confmedia dev not healthy after 90s:\n%s", in.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (in *instance) getenv(k string) string { return in.env[k] }

func (in *instance) stop() {
	in.cancel()
	if in.done == nil {
		return
	}
	defer func() { in.done = nil }()
	select {
	case code := <-in.done:
		if code != 0 {
			in.t.Errorf("confmedia dev exited with %d:\n%s", code, in.logs)
		}
	case <-time.After(60 * time.Second):
		in.t.Errorf("confmedia dev did not stop within 60s")
	}
}

// cli runs one CLI command in-process and returns its exit code and output.
func (in *instance) cli(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: in.getenv}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func (in *instance) mustCLI(args ...string) string {
	in.t.Helper()
	code, out, errs := in.cli(args...)
	if code != 0 {
		in.t.Fatalf("confmedia %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	if len(args) >= 2 && args[0] == "catalog" && args[1] == "export" && !slices.Contains(args, "-o") {
		catalogtest.CheckDocument(in.t, []byte(out)) // every export follows catalog.schema.json
	}
	return out
}

func (in *instance) export() catalog.Document {
	in.t.Helper()
	var doc catalog.Document
	out := in.mustCLI("catalog", "export")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		in.t.Fatal(err)
	}
	if strings.Contains(out, "null") {
		in.t.Errorf("catalog export has a null value; absent values must be left out:\n%s", out)
	}
	return doc
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

const testSchedule = `id,title,room,start,end,speakers
t1,Opening Keynote,Ballroom A,2026-05-15 09:00,2026-05-15 09:45,Zoë Müller
t2,Packaging in Anger,Ballroom A,2026-05-15 10:00,2026-05-15 10:30,Jane Doe;Raj Patel
t3,Async All the Way,Ballroom B,2026-05-15 10:00,2026-05-15 10:30,Ana Lima
`

func mediaBySource(doc catalog.Document) map[string]catalog.DocMedia {
	out := map[string]catalog.DocMedia{}
	for _, m := range doc.Media {
		out[m.SourceName] = m
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()

	// Schedule.
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(testSchedule))
	if code, _, errs := in.cli("schedule", "import", filepath.Join(dir, "schedule.csv")); code != exitRejected || !strings.Contains(errs, "--timezone") {
		t.Errorf("import without a zone: exit %d, stderr %q; want 1 and a hint to pass --timezone", code, errs)
	}
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "TestConf", filepath.Join(dir, "schedule.csv"))

	// Photos with EXIF and XMP written in code.
	photos := filepath.Join(dir, "photos")
	gps := &exiftest.GPS{Lat: 53.34, Lon: -6.26, Alt: 10}
	writeFile(t, filepath.Join(photos, "keynote.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		Width: 640, Height: 480, DateTimeOriginal: "2026:05:15 09:10:00", Make: "Canon", Model: "EOS R6",
		Serial: "SN-123456", GPS: gps, Artist: "Pat Photographer", Copyright: "CC-BY 4.0"}))
	writeFile(t, filepath.Join(photos, "sub", "early.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 09:52:00", Make: "Canon", Model: "EOS R6", Serial: "SN-123456"}))
	writeFile(t, filepath.Join(photos, "sub", "copy-of-early.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 09:52:00", Make: "Canon", Model: "EOS R6", Serial: "SN-123456"}))
	writeFile(t, filepath.Join(photos, "notime.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTime: "2026:05:15 10:05:00", Make: "Canon", Model: "EOS R6", Serial: "SN-123456"}))
	writeFile(t, filepath.Join(photos, "rejected.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Rating: new(-1),
		DateTimeOriginal: "2026:05:15 09:11:00", Make: "Canon", Model: "EOS R6", Serial: "SN-123456"}))
	writeFile(t, filepath.Join(photos, "lunch.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 12:30:00", Make: "Canon", Model: "EOS R6", Serial: "SN-123456"}))
	portrait := exiftest.MustJPEG(t, exiftest.Spec{Width: 300, Height: 200, Orientation: 6,
		DateTimeOriginal: "2026:05:15 09:20:00", Make: "Canon", Model: "EOS R6", Serial: "SN-123456"})
	writeFile(t, filepath.Join(photos, "rotated.jpg"), portrait)
	good := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:30:00"})
	sos := bytes.Index(good, []byte{0xFF, 0xDA})
	writeFile(t, filepath.Join(photos, "broken.jpg"), good[:sos+20]) // header fine, image data cut short
	writeFile(t, filepath.Join(photos, "notes.txt"), []byte("shot list: keynote, hallway\n"))
	writeFile(t, filepath.Join(photos, "empty.jpg"), nil)

	if code, _, errs := in.cli("upload", "--room", "Ballroom Z", photos); code != exitUsage || !strings.Contains(errs, "Ballroom A") {
		t.Errorf("unknown room: exit %d, stderr %q; want 2 and the known rooms", code, errs)
	}
	code, out, errs := in.cli("upload", "--json", "--room", "ballroom a", "--photographer", "Pat", photos)
	if code != exitRejected {
		t.Fatalf("upload: exit %d, want 1 (two files rejected)\n%s\n%s", code, out, errs)
	}
	var sum uploadSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("upload --json output %q: %v", out, err)
	}
	if sum.Sent != 7 || sum.Skipped != 1 || len(sum.Rejected) != 2 {
		t.Errorf("upload summary = %+v, want 7 sent, 1 skipped (the copy), 2 rejected", sum)
	}
	for _, r := range sum.Rejected {
		base := filepath.Base(r.File)
		if !(base == "notes.txt" && strings.Contains(r.Reason, "not an image")) && !(base == "empty.jpg" && strings.Contains(r.Reason, "empty")) {
			t.Errorf("rejected %s: %q", r.File, r.Reason)
		}
	}

	// A camera whose clock is an hour behind, corrected at upload.
	late := filepath.Join(dir, "late")
	writeFile(t, filepath.Join(late, "b-cam.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 09:05:00", Make: "Nikon", Model: "Z6"}))
	in.mustCLI("upload", "--room", "Ballroom B", "--clock-offset", "+1h", late)

	// Headshots: by file name, and one that matches nobody.
	heads := filepath.Join(dir, "heads")
	writeFile(t, filepath.Join(heads, "Doe_Jane-headshot-final.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 200, Height: 300}))
	writeFile(t, filepath.Join(heads, "someone-else.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 210, Height: 300}))
	in.mustCLI("upload", "--kind", "headshot", heads)
	in.waitFailed("2m", "broken.jpg")

	doc := in.export()
	byName := mediaBySource(doc)
	check := func(name string, status catalog.Status, talks []string, reasonHas string) {
		t.Helper()
		m, ok := byName[name]
		if !ok {
			t.Errorf("%s missing from the catalog", name)
			return
		}
		if m.Status != status || !slices.Equal(m.TalkIDs, talks) || !strings.Contains(m.Reason, reasonHas) {
			t.Errorf("%s: status %s talks %v reason %q; want %s %v %q", name, m.Status, m.TalkIDs, m.Reason, status, talks, reasonHas)
		}
	}
	check("keynote.jpg", catalog.Tagged, []string{"t1"}, "")
	check("rotated.jpg", catalog.Tagged, []string{"t1"}, "")
	check("lunch.jpg", catalog.Untagged, []string{}, "")
	check("notime.jpg", catalog.NeedsReview, []string{}, "no capture time")
	check("rejected.jpg", catalog.Hidden, []string{}, "rejected by photographer")
	check("broken.jpg", catalog.Failed, []string{}, "")
	check("b-cam.jpg", catalog.Tagged, []string{"t3"}, "")
	check("Doe_Jane-headshot-final.jpg", catalog.Tagged, []string{"t2"}, "")
	check("someone-else.jpg", catalog.NeedsReview, []string{}, "")
	// early.jpg and its copy are one item, 8 minutes before t2 in an empty room.
	_, a := byName["early.jpg"]
	_, b := byName["copy-of-early.jpg"]
	if a == b {
		t.Errorf("early.jpg / copy-of-early.jpg (same bytes): present %v and %v, want exactly one item", a, b)
	}
	for _, name := range []string{"early.jpg", "copy-of-early.jpg"} {
		if m, ok := byName[name]; ok && (m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"t2"})) {
			t.Errorf("%s: %s %v, want tagged t2 (10 minutes before it starts)", name, m.Status, m.TalkIDs)
		}
	}
	if r := byName["broken.jpg"].Reason; r == "" {
		t.Errorf("broken.jpg failed without a reason")
	}
	if m := byName["keynote.jpg"]; m.TakenAt != "2026-05-15T09:10:00+01:00" || m.Photographer != "Pat" || !slices.Equal(m.SpeakerIDs, []string{"zoe-muller"}) {
		t.Errorf("keynote.jpg: taken_at %q photographer %q speakers %v", m.TakenAt, m.Photographer, m.SpeakerIDs)
	}
	if m := byName["b-cam.jpg"]; m.TakenAt != "2026-05-15T10:05:00+01:00" {
		t.Errorf("b-cam.jpg taken_at %q, want the camera clock plus one hour", m.TakenAt)
	}
	if m := byName["rotated.jpg"]; m.Width != 300 || m.Height != 200 {
		t.Errorf("rotated.jpg (stored 200x300, orientation 6) is %dx%d after orientation, want 300x200", m.Width, m.Height)
	}
	if m := byName["Doe_Jane-headshot-final.jpg"]; !slices.Equal(m.SpeakerIDs, []string{"jane-doe"}) {
		t.Errorf("headshot speakers %v, want jane-doe", m.SpeakerIDs)
	}
	var janeHeadshots []string
	for _, s := range doc.Speakers {
		if s.ID == "jane-doe" {
			janeHeadshots = s.HeadshotIDs
		}
	}
	if len(janeHeadshots) != 1 {
		t.Errorf("jane-doe headshot_ids = %v, want one", janeHeadshots)
	}

	// Renditions: fetchable at their stated size, no GPS and no serial;
	// those of an undecided item only by organizers.
	for _, m := range doc.Media {
		if m.Status == catalog.Failed || m.Status == catalog.Hidden {
			if len(m.Renditions) != 0 {
				t.Errorf("%s is %s but lists renditions", m.SourceName, m.Status)
			}
			continue
		}
		for _, name := range []string{"large", "medium", "square"} {
			r, ok := m.Renditions[name]
			if !ok {
				t.Errorf("%s: no %s rendition", m.SourceName, name)
				continue
			}
			if !m.Status.Public() {
				if code := httpStatus(t, r.URL); !strings.Contains(r.URL, "/api/media/") || code != http.StatusUnauthorized {
					t.Errorf("%s is %s: its %s rendition %s answers %d to anyone, want an organizers' URL answering 401", m.SourceName, m.Status, name, r.URL, code)
				}
				continue
			}
			checkRendition(t, m.SourceName+" "+name, r)
		}
	}

	// Re-running the same upload sends nothing.
	code, out, _ = in.cli("upload", "--json", "--room", "Ballroom A", photos)
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Sent != 0 || sum.Skipped != 8 || code != exitRejected {
		t.Errorf("second upload: exit %d, %+v (%v); want 0 sent, 8 skipped, the 2 bad files rejected again", code, sum, err)
	}

	// Publish writes only tagged and untagged items.
	pub := in.mustCLI("publish", "--json")
	var pr struct {
		Objects, Media int
		CatalogURL     string `json:"catalog_url"`
	}
	if err := json.Unmarshal([]byte(pub), &pr); err != nil || pr.Objects != 1+3+4 || pr.Media != 6 {
		t.Errorf("publish: %s (%v); want 8 objects (catalog, 3 talks, 4 speakers) and 6 public media", pub, err)
	}
	if resp, err := http.Get(pr.CatalogURL); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("published catalog at %s: %v %v", pr.CatalogURL, resp, err)
	} else {
		var published catalog.Document
		if err := json.NewDecoder(resp.Body).Decode(&published); err != nil || len(published.Media) != 6 {
			t.Errorf("published catalog: %v, %d media, want 6", err, len(published.Media))
		}
		resp.Body.Close()
	}
	var public catalog.Document
	if err := json.Unmarshal([]byte(in.mustCLI("catalog", "export", "--public")), &public); err != nil {
		t.Fatal(err)
	}
	for _, m := range public.Media {
		if !m.Status.Public() || m.Reason != "" {
			t.Errorf("public catalog has %s with status %s reason %q", m.SourceName, m.Status, m.Reason)
		}
	}

	// Failed items stay listed by wait, with their reasons, and make its
	// exit code 1.
	in.waitFailed("30s", "broken.jpg")

	// Recordings: one matches a talk by title and speakers, one matches nothing.
	recs := filepath.Join(dir, "recordings.csv")
	writeFile(t, recs, []byte("title,speakers,date,room,start,url,duration\n"+
		"Packaging in Anger,Jane Doe;Raj Patel,2026-05-15,,,https://video.example/v/1,1800\n"+
		"A Talk Nobody Gave,Nobody Known,2026-05-15,,,https://video.example/v/2,600\n"))
	in.mustCLI("videos", "import", recs)
	in.waitFailed("1m", "broken.jpg")
	if out := in.mustCLI("videos", "import", recs); !strings.Contains(out, "0 new or changed") {
		t.Errorf("re-import of the same recordings: %q, want nothing new", out)
	}
	doc = in.export()
	for _, tk := range doc.Talks {
		var urls []string
		for _, r := range tk.Recordings {
			urls = append(urls, r.URL)
		}
		want := []string(nil)
		if tk.ID == "t2" {
			want = []string{"https://video.example/v/1"}
		}
		if !slices.Equal(urls, want) {
			t.Errorf("talk %s recordings %v, want %v", tk.ID, urls, want)
		}
	}
	if len(doc.UnmatchedRecordings) != 1 || doc.UnmatchedRecordings[0].URL != "https://video.example/v/2" || doc.UnmatchedRecordings[0].Reason == "" {
		t.Errorf("unmatched recordings %+v, want the second one with a reason", doc.UnmatchedRecordings)
	}

	// Re-importing a schedule that moves the keynote to another room re-tags
	// the photos taken in its old room.
	moved := strings.Replace(testSchedule, "t1,Opening Keynote,Ballroom A", "t1,Opening Keynote,Ballroom B", 1)
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(moved))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", filepath.Join(dir, "schedule.csv"))
	in.waitFailed("1m", "broken.jpg")
	doc = in.export()
	byName = mediaBySource(doc)
	check("keynote.jpg", catalog.Untagged, []string{}, "")
	check("b-cam.jpg", catalog.Tagged, []string{"t3"}, "")

	// A restart on the same data dir resumes with everything in place.
	dataDir := in.env["CONFMEDIA_DATA"]
	in.stop()
	again := startDevIn(t, dataDir)
	if n := len(again.export().Media); n != len(doc.Media) {
		t.Errorf("after a restart the catalog has %d media, want %d", n, len(doc.Media))
	}
}

func checkRendition(t *testing.T, what string, r catalog.DocRendition) {
	t.Helper()
	resp, err := http.Get(r.URL)
	if err != nil {
		t.Errorf("%s: GET %s: %v", what, r.URL, err)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: GET %s: %s", what, r.URL, resp.Status)
		return
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != r.Width || cfg.Height != r.Height {
		t.Errorf("%s: %dx%d (%v), catalog says %dx%d", what, cfg.Width, cfg.Height, err, r.Width, r.Height)
	}
	x, err := goexif.Decode(bytes.NewReader(data))
	if err != nil {
		return // no EXIF at all: nothing to leak
	}
	for _, f := range []goexif.FieldName{goexif.GPSLatitude, goexif.GPSLongitude, goexif.GPSInfoIFDPointer, goexif.Make, goexif.Model, goexif.DateTimeOriginal} {
		if _, err := x.Get(f); err == nil {
			t.Errorf("%s: public rendition carries %s", what, f)
		}
	}
	if bytes.Contains(data, []byte("SN-123456")) {
		t.Errorf("%s: public rendition carries the camera serial", what)
	}
}

// TestRealCameraFiles uploads every real camera JPEG: every one is
// processed, and the corrupted one ends failed with a reason.
func TestRealCameraFiles(t *testing.T) {
	dir := catalogtest.SharedData(t, "photos", "cameras")
	in := startDev(t)
	sched := filepath.Join(t.TempDir(), "s.csv")
	writeFile(t, sched, []byte(testSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", sched)
	code, out, errs := in.cli("upload", "--json", dir)
	var sum uploadSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("upload exit %d: %q %s", code, out, errs)
	}
	in.waitFailed("3m", "corrupted.jpg")
	doc := in.export()
	if len(doc.Media) != sum.Sent {
		t.Errorf("%d media in the catalog, %d sent", len(doc.Media), sum.Sent)
	}
	for _, m := range doc.Media {
		switch {
		case m.Status == catalog.Pending:
			t.Errorf("%s still pending", m.SourceName)
		case m.SourceName == "corrupted.jpg":
			if m.Status != catalog.Failed || m.Reason == "" {
				t.Errorf("corrupted.jpg: %s %q, want failed with a reason", m.Status, m.Reason)
			}
		case m.Status == catalog.Failed:
			t.Errorf("%s failed: %s", m.SourceName, m.Reason)
		}
	}
	for _, r := range sum.Rejected {
		t.Logf("rejected at upload: %s: %s", r.File, r.Reason)
	}
	fmt.Fprintln(io.Discard, errs)
}

// TestRealRecordings imports the real EuroPython 2022 schedule and its 122
// pyvideo records through the CLI and the workers, and checks every attached
// recording against the answer key.
func TestRealRecordings(t *testing.T) {
	sched := catalogtest.SharedData(t, "derived", "europython-2022", "schedule.xml")
	answersFile := catalogtest.SharedData(t, "derived", "europython-2022", "recordings-answers.json")
	event := catalogtest.SharedData(t, "europython-2022", "pyvideo", "europython-2022")
	var key struct{ Answers map[string]string }
	b, err := os.ReadFile(answersFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &key); err != nil {
		t.Fatal(err)
	}
	in := startDev(t)
	in.mustCLI("schedule", "import", sched)
	// The pyvideo event folder as it is: category.json and videos/.
	if out := in.mustCLI("videos", "import", event); !strings.Contains(out, `event "EuroPython 2022"`) || !strings.Contains(out, "122 files, 122 recordings") {
		t.Errorf("videos import of the event folder: %s", out)
	}
	in.mustCLI("wait", "--timeout", "2m")
	doc := in.export()
	right, wrong := 0, 0
	for _, tk := range doc.Talks {
		for _, r := range tk.Recordings {
			if key.Answers[r.SourceID+".json"] == tk.ID {
				right++
			} else {
				wrong++
				t.Errorf("recording %s attached to %s, answer key says %s", r.SourceID, tk.ID, key.Answers[r.SourceID+".json"])
			}
		}
	}
	for _, u := range doc.UnmatchedRecordings {
		t.Logf("unmatched: %s: %s (candidates %v)", u.SourceID, u.Reason, u.CandidateTalkIDs)
	}
	t.Logf("EuroPython 2022 through the workers: %d right, %d wrong, %d unmatched", right, wrong, len(doc.UnmatchedRecordings))
	if right != len(key.Answers) || wrong > 0 || len(doc.UnmatchedRecordings) > 0 {
		t.Errorf("%d right, %d wrong, %d unmatched of %d; want all attached to the right session",
			right, wrong, len(doc.UnmatchedRecordings), len(key.Answers))
	}

	// Exported pyvideo records are valid against pyvideo's video schema.
	out := t.TempDir()
	in.mustCLI("videos", "export", out)
	files, _ := filepath.Glob(filepath.Join(out, "videos", "*.json"))
	if len(files) != right {
		t.Errorf("videos export wrote %d files, want %d", len(files), right)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := recording.ValidateVideo(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "category.json")); err != nil || string(b) != "{\n  \"title\": \"EuroPython 2022\"\n}\n" {
		t.Errorf("category.json %q, %v", b, err)
	}

	// Exported into a copy of the folder, only what the schedule corrects
	// changes: every other value keeps its bytes, the category is left.
	checkout := t.TempDir()
	copyTree(t, event, checkout)
	in.mustCLI("videos", "export", checkout)
	corrected := map[string]bool{"title": true, "recorded": true, "speakers": true, "related_urls": true}
	for name := range key.Answers {
		before, err := os.ReadFile(filepath.Join(event, "videos", name))
		if err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(filepath.Join(checkout, "videos", name))
		if err != nil {
			t.Fatal(err)
		}
		var a, b map[string]json.RawMessage
		if json.Unmarshal(before, &a) != nil || json.Unmarshal(after, &b) != nil {
			t.Fatalf("%s: not JSON objects", name)
		}
		for k, v := range a {
			if !corrected[k] && !bytes.Equal(v, b[k]) {
				t.Errorf("%s: %s changed", name, k)
			}
		}
		// Lines of values left alone are the file's, escapes included.
		for _, line := range strings.Split(string(before), "\n") {
			if strings.HasPrefix(line, `  "description": `) && !strings.Contains(string(after), line) {
				t.Errorf("%s: the description line changed", name)
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(checkout, "category.json")); !bytes.Equal(b, mustRead(t, filepath.Join(event, "category.json"))) {
		t.Errorf("category.json of the same event was rewritten")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyTree copies the files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecordingsWithoutSchedule imports PyCon US 2009's 100 records with no
// schedule: all stay unattached, with a reason, and none is lost.
func TestRecordingsWithoutSchedule(t *testing.T) {
	videos := catalogtest.SharedData(t, "pyvideo", "pycon-us-2009", "videos")
	in := startDev(t)
	in.mustCLI("videos", "import", videos)
	in.mustCLI("wait", "--timeout", "1m")
	doc := in.export()
	if len(doc.UnmatchedRecordings) != 100 {
		t.Errorf("%d unmatched recordings, want all 100", len(doc.UnmatchedRecordings))
	}
	for _, u := range doc.UnmatchedRecordings {
		if u.Reason == "" || u.URL == "" {
			t.Errorf("unmatched %s without a reason or URL: %+v", u.ID, u)
		}
	}
}

// TestScheduleImportGuard: another conference's schedule, or one removing
// most talks, is refused (exit 1) without --replace; --dry-run prints the
// diff and imports nothing.
func TestScheduleImportGuard(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first.csv")
	writeFile(t, first, []byte(testSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "TestConf", first)

	other := filepath.Join(dir, "other.csv")
	writeFile(t, other, []byte("id,title,room,start,end,speakers\nx1,Something Else,Main,2027-01-10 09:00,2027-01-10 10:00,Someone\n"))
	out := in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "OtherConf", "--dry-run", other)
	for _, want := range []string{`added    x1 "Something Else"`, `removed  t1 "Opening Keynote"`, "would add 1, change 0 (0 moved) and remove 3 talks",
		`needs --replace: the conference is "TestConf", the file's is "OtherConf"; it would remove 3 of the 3 talks`, "nothing imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	code, _, errs := in.cli("schedule", "import", "--timezone", "Europe/Dublin", "--title", "OtherConf", other)
	if code != exitRejected || !strings.Contains(errs, "--replace") || !strings.Contains(errs, "nothing imported") {
		t.Errorf("import of another conference: exit %d, %q; want 1 and a hint to --replace", code, errs)
	}
	if doc := in.export(); doc.Conference.Title != "TestConf" || len(doc.Talks) != 3 {
		t.Errorf("refused import changed the catalog: %q, %d talks", doc.Conference.Title, len(doc.Talks))
	}
	out = in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "OtherConf", "--replace", other)
	if !strings.Contains(out, `replaced the schedule of "TestConf"`) {
		t.Errorf("replace output: %s", out)
	}
	if doc := in.export(); doc.Conference.Title != "OtherConf" || len(doc.Talks) != 1 {
		t.Errorf("after --replace: %q, %d talks", doc.Conference.Title, len(doc.Talks))
	}
}

// TestScheduleImportRealGuard imports EuroPython 2022's schedule, then
// FOSDEM 2025's: refused without --replace, naming both conferences, and
// with --replace the conference is FOSDEM's.
func TestScheduleImportRealGuard(t *testing.T) {
	ep := catalogtest.SharedData(t, "derived", "europython-2022", "schedule.xml")
	fosdem := catalogtest.SharedData(t, "fosdem-2025", "schedule.xml")
	in := startDev(t)
	in.mustCLI("schedule", "import", ep)
	before := in.export()
	code, _, errs := in.cli("schedule", "import", fosdem)
	if code != exitRejected || !strings.Contains(errs, `the file's is "FOSDEM 2025"`) || !strings.Contains(errs, fmt.Sprintf("remove %d of the %d talks", len(before.Talks), len(before.Talks))) {
		t.Errorf("FOSDEM over EuroPython: exit %d, %q", code, errs)
	}
	out := in.mustCLI("schedule", "import", "--dry-run", fosdem)
	if !strings.Contains(out, "would add 1074,") || !strings.Contains(out, "needs --replace") {
		t.Errorf("dry run: %.400s", out)
	}
	if doc := in.export(); doc.Conference.Title != before.Conference.Title || len(doc.Talks) != len(before.Talks) {
		t.Errorf("refused import changed the catalog")
	}
	in.mustCLI("schedule", "import", "--replace", fosdem)
	var doc catalog.Document // FOSDEM's titles say "Nullness": not in.export's check
	if err := json.Unmarshal([]byte(in.mustCLI("catalog", "export")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Conference.Title != "FOSDEM 2025" || len(doc.Talks) != 1074 {
		t.Errorf("after --replace: %q, %d talks", doc.Conference.Title, len(doc.Talks))
	}
}
