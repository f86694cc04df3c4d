package workers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/rendition/renditiontest"
)

// TestProcessMediaManyScans: a progressive JPEG of hundreds of scans ends
// failed at once, with a reason, and the task's error names the file.
func TestProcessMediaManyScans(t *testing.T) {
	f := newFixture(t)
	data := renditiontest.ProgressiveJPEG(2048, 2048, renditiontest.MaxScans)
	m := f.upload(t, data, catalog.Media{SourceName: "scans.jpg"})
	task, _ := NewMediaProcessTask(m)
	start := time.Now()
	err := f.h.ProcessMedia(WithRenderBudget(context.Background(), NewRenderBudget(0)), task)
	took := time.Since(start)
	if err == nil {
		t.Fatal("processed")
	}
	if msg := err.Error(); !strings.Contains(msg, "scans.jpg") || !strings.Contains(msg, "more than 500 scans") {
		t.Errorf("error %q does not name the file and the reason", msg)
	}
	if took > 2*time.Second {
		t.Errorf("refused after %v", took)
	}
	got, err := f.store.Media(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Failed || !strings.Contains(got.Reason, "more than 500 scans") {
		t.Errorf("status %s, reason %q; want failed, saying why", got.Status, got.Reason)
	}
}
