package rendition

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/rendition/renditiontest"
)

// TestProgressiveFixture: the fixture is a JPEG both decoders read, with
// the scans it claims.
func TestProgressiveFixture(t *testing.T) {
	data := renditiontest.ProgressiveJPEG(100, 60, renditiontest.MaxScans)
	if got := countScans(data, 1000); got != 896 {
		t.Errorf("countScans = %d, want 896", got)
	}
	img := decodeTestJPEG(t, data) // image/jpeg
	r, g, b := meanColor(img, img.Bounds())
	if r != 128 || g != 128 || b != 128 {
		t.Errorf("image/jpeg: mean %.1f,%.1f,%.1f, want flat 128", r, g, b)
	}
	px, err := decodeJPEG(context.Background(), data, 100, 60, 1000)
	if err != nil {
		t.Fatalf("decodeJPEG: %v", err)
	}
	defer releaseAll(px)
	for y := range px.h {
		for x, v := range px.row(y) {
			if r, g, b := unpack(v); r != 128 || g != 128 || b != 128 {
				t.Fatalf("decodeJPEG: pixel (%d, %d) is %d,%d,%d, want 128", x, y, r, g, b)
			}
		}
	}
}

func TestCountScans(t *testing.T) {
	baseline := encodeTestJPEG(t, gradient(64, 48))
	// An EXIF thumbnail is a whole JPEG, SOS and all, inside APP1.
	thumb := withSegments(t, baseline, segment(t, markerAPP1, append([]byte("Exif\x00\x00"), baseline...)))
	five := renditiontest.ProgressiveJPEG(64, 64, 5)
	tests := []struct {
		name  string
		data  []byte
		limit int
		want  int
	}{
		{"baseline", baseline, 500, 1},
		{"thumbnail in APP1 not counted", thumb, 500, 1},
		{"progressive", renditiontest.ProgressiveJPEG(64, 64, 10), 500, 10},
		{"stops past the limit", renditiontest.ProgressiveJPEG(64, 64, 700), 500, 501},
		{"ends after five scans", renditiontest.ProgressiveJPEG(64, 64, 10)[:len(five)-2], 500, 5},
	}
	for _, tt := range tests {
		if got := countScans(tt.data, tt.limit); got != tt.want {
			t.Errorf("%s: countScans = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestDecodeJPEGScanLimit: the decoder of this build (libjpeg-turbo with
// cgo, image/jpeg without) refuses a JPEG of more scans than allowed, and
// decodes one of exactly that many.
func TestDecodeJPEGScanLimit(t *testing.T) {
	ctx := context.Background()
	_, err := decodeJPEG(ctx, renditiontest.ProgressiveJPEG(256, 256, 101), 256, 256, 100)
	var sl scanLimitError
	if !errors.As(err, &sl) || sl.limit != 100 {
		t.Errorf("101 scans, limit 100: %v, want a scanLimitError of 100", err)
	}
	px, err := decodeJPEG(ctx, renditiontest.ProgressiveJPEG(256, 256, 100), 256, 256, 100)
	if err != nil {
		t.Errorf("100 scans, limit 100: %v", err)
	}
	releaseAll(px)
}

// TestRenderManyScans: a progressive JPEG of more scans than the default
// limit is refused at once, as too large, saying why.
func TestRenderManyScans(t *testing.T) {
	data := renditiontest.ProgressiveJPEG(2048, 2048, renditiontest.MaxScans)
	start := time.Now()
	_, err := Render(context.Background(), data, Options{})
	took := time.Since(start)
	if err == nil {
		t.Fatal("Render succeeded")
	}
	if got := catalog.ErrorKind(err); got != catalog.TooLarge {
		t.Errorf("kind %v, want TooLarge (%v)", got, err)
	}
	if msg, want := catalog.ErrorMessage(err), "the JPEG has more than 500 scans"; !strings.Contains(msg, want) {
		t.Errorf("message %q does not contain %q", msg, want)
	}
	t.Logf("refused after %v", took)
	if took > 2*time.Second { // counted before decoding: microseconds
		t.Errorf("refused after %v", took)
	}
	// Within a higher limit it renders.
	if _, err := Render(context.Background(), renditiontest.ProgressiveJPEG(512, 512, renditiontest.MaxScans), Options{MaxScans: 896}); err != nil {
		t.Errorf("896 scans, MaxScans 896: %v", err)
	}
}

// TestRenderCancelledDecode: a long JPEG decode (896 scans over 262,144
// blocks: seconds in either decoder) stops soon after its context ends.
func TestRenderCancelledDecode(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 4096 x 4096 progressive JPEG")
	}
	data := renditiontest.ProgressiveJPEG(4096, 4096, renditiontest.MaxScans)
	opts := Options{MaxScans: 1000, Specs: []Spec{{Name: "full", Size: 4096}}}
	const after = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), after)
	defer cancel()
	start := time.Now()
	_, err := Render(ctx, data, opts)
	took := time.Since(start)
	t.Logf("cancelled after %v, returned after %v", after, took)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled render: %v, want context.DeadlineExceeded", err)
	}
	if msg := catalog.ErrorMessage(err); !strings.Contains(msg, "rendering was interrupted") {
		t.Errorf("message %q", msg)
	}
	// Not a speed check: a guard against the decode running to its end
	// (14 s on a quiet machine), generous for a loaded one.
	if took > after+10*time.Second {
		t.Errorf("returned %v after the context ended", took-after)
	}
}
