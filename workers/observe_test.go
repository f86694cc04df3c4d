package workers

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

type taskReport struct {
	typ  string
	took time.Duration
	err  error
}

// recordingObserver keeps what it is told.
type recordingObserver struct {
	mu      sync.Mutex
	tasks   []taskReport
	renders map[catalog.MediaKind][]time.Duration
	faces   map[catalog.MediaKind][]int
}

func (o *recordingObserver) FacesFound(kind catalog.MediaKind, took time.Duration, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.faces == nil {
		o.faces = map[catalog.MediaKind][]int{}
	}
	o.faces[kind] = append(o.faces[kind], n)
}

func (o *recordingObserver) TaskDone(typ string, took time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tasks = append(o.tasks, taskReport{typ, took, err})
}

func (o *recordingObserver) Rendered(kind catalog.MediaKind, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.renders == nil {
		o.renders = map[catalog.MediaKind][]time.Duration{}
	}
	o.renders[kind] = append(o.renders[kind], took)
}

func TestOutcomes(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	obs := &recordingObserver{}
	out := &Outcomes{Store: f.store, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Observer: obs}
	h := out.Middleware(f.h.Mux())
	ctx := context.Background()

	good := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}), catalog.Media{SourceName: "good.jpg"})
	bad := f.upload(t, []byte("not a picture at all"), catalog.Media{SourceName: "bad.jpg"})

	for _, tt := range []struct {
		m          *catalog.Media
		wantErr    bool
		wantInLine []string
	}{
		{good, false, []string{"level=INFO", "media=" + good.ID, "file=good.jpg", "kind=photo", "status=needs_review", "reason=", "render=", "try=1"}},
		{bad, true, []string{"level=WARN", "media=" + bad.ID, "file=bad.jpg", "status=failed", "reason=", "error_kind=", "err="}},
	} {
		logs.Reset()
		task, _ := NewMediaProcessTask(tt.m)
		err := h.ProcessTask(ctx, task)
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: %v, want error %v", tt.m.SourceName, err, tt.wantErr)
		}
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		var line string
		for _, l := range lines {
			if strings.Contains(l, `msg="item processed"`) {
				if line != "" {
					t.Errorf("%s: two item lines:\n%s", tt.m.SourceName, logs.String())
				}
				line = l
			}
		}
		for _, want := range tt.wantInLine {
			if !strings.Contains(line, want) {
				t.Errorf("%s: item line %q lacks %q", tt.m.SourceName, line, want)
			}
		}
	}

	// A tag task is reported, and logs no item line.
	logs.Reset()
	tag, _ := NewMediaTagTask(good.ID, good.Generation)
	if err := h.ProcessTask(ctx, tag); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "item processed") {
		t.Errorf("a tag task logged an item line: %s", logs.String())
	}

	obs.mu.Lock()
	defer obs.mu.Unlock()
	var types []string
	for _, r := range obs.tasks {
		types = append(types, r.typ)
		if r.took <= 0 {
			t.Errorf("%s took %v", r.typ, r.took)
		}
	}
	if got, want := strings.Join(types, ","), TypeMediaProcess+","+TypeMediaProcess+","+TypeMediaTag; got != want {
		t.Errorf("tasks reported %s, want %s", got, want)
	}
	if len(obs.tasks) == 3 && (obs.tasks[0].err != nil || obs.tasks[1].err == nil) {
		t.Errorf("errors reported %v, %v; want none for the good photo, one for the bad", obs.tasks[0].err, obs.tasks[1].err)
	}
	if got := obs.renders[catalog.Photo]; len(got) != 1 || got[0] <= 0 {
		t.Errorf("render times of photos = %v, want the good photo's only (the bad file is refused before rendering)", got)
	}
}
