package workers

import (
	"context"
	"testing"

	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// TestReservePixelsHEIC: a HEIC is charged by the size its container
// states (libheif decodes it to 8-bit RGB), read without decoding it.
func TestReservePixelsHEIC(t *testing.T) {
	heic := exiftest.MustHEIC(t, exiftest.Spec{Width: 40, Height: 30, Orientation: 6})
	b := NewRenderBudget(20_000)
	ctx := WithRenderBudget(context.Background(), b)
	release, err := reservePixels(ctx, heic, rendition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(40 * 30 * 3)
	if left := b.Limit() - want; !acquired(t, b, left) || acquired(t, b, left+1) {
		t.Errorf("the reservation is not %d bytes", want)
	}
	release()
	if !acquired(t, b, b.Limit()) {
		t.Error("budget not whole again")
	}
}
