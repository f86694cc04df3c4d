//go:build cgo && !purego

package rendition

import (
	"context"
	"errors"
	"github.com/confmedia/confmedia/pipeline/rendition/renditiontest"
	"testing"
)

// TestLibjpegScanLimit: libjpeg itself stops at the first scan over the
// limit, for a file that the count before decoding would miss.
func TestLibjpegScanLimit(t *testing.T) {
	ctx := context.Background()
	_, err := decodeLibjpeg(ctx, renditiontest.ProgressiveJPEG(256, 256, 101), 256, 256, 100)
	var sl scanLimitError
	if !errors.As(err, &sl) || sl.limit != 100 {
		t.Errorf("101 scans, limit 100: %v, want a scanLimitError of 100", err)
	}
	px, err := decodeLibjpeg(ctx, renditiontest.ProgressiveJPEG(256, 256, 100), 256, 256, 100)
	if err != nil {
		t.Errorf("100 scans, limit 100: %v", err)
	}
	releaseAll(px)
}
