package workers

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// acquired reports whether Acquire(pixels) gets room within a short wait,
// releasing it at once if so.
func acquired(t *testing.T, b *PixelBudget, pixels int64) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	release, err := b.Acquire(ctx, pixels)
	if err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Acquire(%d): %v", pixels, err)
		}
		return false
	}
	release()
	return true
}

func TestPixelBudget(t *testing.T) {
	b := NewPixelBudget(100)
	if got := b.Limit(); got != 100 {
		t.Fatalf("limit %d", got)
	}
	hold, err := b.Acquire(context.Background(), 60)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pixels int64
		want   bool
	}{
		{40, true},   // fits beside the 60 held
		{41, false},  // does not
		{500, false}, // over the whole budget: waits to run alone
		{0, true},    // nothing to reserve
	}
	for _, tt := range tests {
		if got := acquired(t, b, tt.pixels); got != tt.want {
			t.Errorf("with 60 of 100 held, Acquire(%d) = %v, want %v", tt.pixels, got, tt.want)
		}
	}
	hold()
	if !acquired(t, b, 500) {
		t.Error("an image over the budget does not run alone")
	}

	var none *PixelBudget
	if release, err := none.Acquire(context.Background(), 1<<40); err != nil {
		t.Errorf("nil budget: %v", err)
	} else {
		release()
	}
	if got := NewPixelBudget(0).Limit(); got != PixelsPerSlot {
		t.Errorf("default limit %d, want %d", got, PixelsPerSlot)
	}
}

func TestReservePixels(t *testing.T) {
	data := exiftest.MustJPEG(t, exiftest.Spec{Width: 40, Height: 30})
	b := NewPixelBudget(2000)
	ctx := WithPixelBudget(context.Background(), b)
	if PixelBudgetFrom(ctx) != b || PixelBudgetFrom(context.Background()) != nil {
		t.Fatal("budget not carried by the context")
	}
	release, err := reservePixels(ctx, data, rendition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 1200 of 2000 held: 800 more fit, 801 do not.
	if !acquired(t, b, 800) || acquired(t, b, 801) {
		t.Error("the reservation is not the image's 40x30 pixels")
	}
	release()
	// An unreadable header reserves nothing: Develop reports it.
	release, err = reservePixels(ctx, []byte("not an image"), rendition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	release()
	if !acquired(t, b, 2000) {
		t.Error("budget not whole again")
	}
}

func TestProcessMediaWaitsForBudget(t *testing.T) {
	f := newFixture(t)
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}), catalog.Media{SourceName: "a.jpg"})
	b := NewPixelBudget(1000)
	hold, err := b.Acquire(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := NewMediaProcessTask(m)
	ctx, cancel := context.WithTimeout(WithPixelBudget(context.Background(), b), 50*time.Millisecond)
	defer cancel()
	if err := f.h.ProcessMedia(ctx, task); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with the budget held: %v, want the context's deadline", err)
	}
	got, err := f.store.Media(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Pending {
		t.Errorf("status %s, want still pending (retried later)", got.Status)
	}
	hold()
	// Larger than the whole budget, it runs alone once the budget is free.
	if err := f.h.ProcessMedia(WithPixelBudget(context.Background(), b), task); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Media(context.Background(), m.ID); got.Status == catalog.Pending {
		t.Error("not processed")
	}
}
