package workers

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// acquired reports whether Acquire(n) gets room within a short wait,
// releasing it at once if so.
func acquired(t *testing.T, b *RenderBudget, n int64) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	release, err := b.Acquire(ctx, n)
	if err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Acquire(%d): %v", n, err)
		}
		return false
	}
	release()
	return true
}

func TestRenderBudget(t *testing.T) {
	b := NewRenderBudget(100)
	if got := b.Limit(); got != 100 {
		t.Fatalf("limit %d", got)
	}
	hold, err := b.Acquire(context.Background(), 60)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		n    int64
		want bool
	}{
		{40, true},   // fits beside the 60 held
		{41, false},  // does not
		{500, false}, // over the whole budget: waits to run alone
		{0, true},    // nothing to reserve
	}
	for _, tt := range tests {
		if got := acquired(t, b, tt.n); got != tt.want {
			t.Errorf("with 60 of 100 held, Acquire(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	hold()
	if !acquired(t, b, 500) {
		t.Error("an image over the budget does not run alone")
	}

	var none *RenderBudget
	if release, err := none.Acquire(context.Background(), 1<<40); err != nil {
		t.Errorf("nil budget: %v", err)
	} else {
		release()
	}
	if got := NewRenderBudget(0).Limit(); got != BytesPerSlot {
		t.Errorf("default limit %d, want %d", got, BytesPerSlot)
	}
}

// pngHeader is a PNG signature and IHDR of a w x h image of the colour type
// and bit depth, with no image data: enough for the budget, which reads
// headers only.
func pngHeader(w, h int, depth, ctype byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, 13)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, ctype, 0, 0, 0)
	ihdr = binary.BigEndian.AppendUint32(ihdr, crc32.ChecksumIEEE(ihdr[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), ihdr...)
}

func TestReservePixels(t *testing.T) {
	b := NewRenderBudget(20_000)
	ctx := WithRenderBudget(context.Background(), b)
	if RenderBudgetFrom(ctx) != b || RenderBudgetFrom(context.Background()) != nil {
		t.Fatal("budget not carried by the context")
	}
	tests := []struct {
		name string
		data []byte
		want int64 // bytes reserved
	}{
		{"8-bit RGB JPEG", exiftest.MustJPEG(t, exiftest.Spec{Width: 40, Height: 30}), 40 * 30 * 3},
		{"16-bit RGBA PNG", pngHeader(40, 30, 16, 6), 40 * 30 * 8},
		{"8-bit grey PNG", pngHeader(40, 30, 8, 0), 40 * 30},
		{"unreadable header: Develop reports it", []byte("not an image"), 0},
	}
	for _, tt := range tests {
		release, err := reservePixels(ctx, tt.data, rendition.Options{})
		if err != nil {
			t.Fatal(err)
		}
		left := b.Limit() - tt.want
		if !acquired(t, b, left) || (tt.want > 0 && acquired(t, b, left+1)) { // over the whole budget is clamped to it
			t.Errorf("%s: the reservation is not %d bytes", tt.name, tt.want)
		}
		release()
	}
	if !acquired(t, b, b.Limit()) {
		t.Error("budget not whole again")
	}
}

// TestBudgetSixteenBitPNGs: at concurrency 4, a 16-bit RGBA PNG of 10000 x
// 10000 (800 MB decoded at its depth) takes the whole budget, so a second
// one, or any other photo, waits for it.
func TestBudgetSixteenBitPNGs(t *testing.T) {
	b := NewRenderBudget(4 * BytesPerSlot)
	ctx := WithRenderBudget(context.Background(), b)
	big := pngHeader(10000, 10000, 16, 6)
	release, err := reservePixels(ctx, big, rendition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{big, exiftest.MustJPEG(t, exiftest.Spec{Width: 40, Height: 30})} {
		wait, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		if _, err := reservePixels(wait, data, rendition.Options{}); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("beside a 16-bit 100 MP PNG: %v, want to wait", err)
		}
		cancel()
	}
	release()
	// 8-bit RGB photos of 50 MP still render four at a time.
	photo := pngHeader(10000, 5000, 8, 2)
	for i := range 4 {
		r, err := reservePixels(ctx, photo, rendition.Options{})
		if err != nil {
			t.Fatalf("photo %d: %v", i, err)
		}
		defer r()
	}
}

func TestProcessMediaWaitsForBudget(t *testing.T) {
	f := newFixture(t)
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}), catalog.Media{SourceName: "a.jpg"})
	b := NewRenderBudget(1000)
	hold, err := b.Acquire(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := NewMediaProcessTask(m)
	ctx, cancel := context.WithTimeout(WithRenderBudget(context.Background(), b), 50*time.Millisecond)
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
	if err := f.h.ProcessMedia(WithRenderBudget(context.Background(), b), task); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Media(context.Background(), m.ID); got.Status == catalog.Pending {
		t.Error("not processed")
	}
}
