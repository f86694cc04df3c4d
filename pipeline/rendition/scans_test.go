package rendition

import (
	"context"
	"errors"
	"math/bits"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// progressiveScript is a valid progression of 896 scans for one component:
// the DC coefficient and each AC coefficient in a band of its own, first at
// point transform 13, then refined bit by bit down to 0.
func progressiveScript() [][4]int {
	var s [][4]int // Ss, Se, Ah, Al
	s = append(s, [4]int{0, 0, 0, 13})
	for k := 1; k < 64; k++ {
		s = append(s, [4]int{k, k, 0, 13})
	}
	for al := 12; al >= 0; al-- {
		s = append(s, [4]int{0, 0, al + 1, al})
		for k := 1; k < 64; k++ {
			s = append(s, [4]int{k, k, al + 1, al})
		}
	}
	return s
}

// bitWriter writes entropy-coded data, stuffing a zero after each 0xFF.
type bitWriter struct {
	out   []byte
	acc   uint32
	nbits int
}

func (w *bitWriter) put(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | v>>i&1
		if w.nbits++; w.nbits == 8 {
			w.out = append(w.out, byte(w.acc))
			if byte(w.acc) == 0xFF {
				w.out = append(w.out, 0)
			}
			w.acc, w.nbits = 0, 0
		}
	}
}

func (w *bitWriter) flush() []byte {
	if w.nbits > 0 {
		w.put(1<<(8-w.nbits)-1, 8-w.nbits) // pad with ones
	}
	return w.out
}

// progressiveJPEG writes a w x h grey progressive JPEG of the first n scans
// of progressiveScript (n <= 896), every coefficient zero: it decodes to
// flat grey 128, and each scan takes a few bytes but a pass over every
// block.
func progressiveJPEG(w, h, n int) []byte {
	script := progressiveScript()[:n]
	b := []byte{0xFF, 0xD8}
	b = append(b, 0xFF, 0xDB, 0, 67, 0)
	for range 64 {
		b = append(b, 1)
	}
	b = append(b, 0xFF, 0xC2, 0, 11, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 1, 1, 0x11, 0)
	// DC table 0: category 0 only, code 0. AC table 0: the end-of-band
	// runs r<<4 (r = 0..14), codes of 4 bits in that order.
	b = append(b, 0xFF, 0xC4, 0, 2+17+1+17+15, 0x00, 1)
	b = append(b, make([]byte, 15)...)
	b = append(b, 0, 0x10, 0, 0, 0, 15)
	b = append(b, make([]byte, 12)...)
	for r := range 15 {
		b = append(b, byte(r<<4))
	}
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	for _, s := range script {
		b = append(b, 0xFF, 0xDA, 0, 8, 1, 1, 0x00, byte(s[0]), byte(s[1]), byte(s[2]<<4|s[3]))
		var bw bitWriter
		switch {
		case s[0] == 0: // DC: a zero difference (first) or a zero bit (refinement) a block
			for range blocks {
				bw.put(0, 1)
			}
		default: // AC: every block in end-of-band runs of at most 32767
			for left := blocks; left > 0; {
				run := min(left, 32767)
				r := bits.Len(uint(run)) - 1
				bw.put(uint32(r), 4)
				bw.put(uint32(run-1<<r), r)
				left -= run
			}
		}
		b = append(b, bw.flush()...)
	}
	return append(b, 0xFF, 0xD9)
}

// TestProgressiveFixture: the fixture is a JPEG both decoders read, with
// the scans it claims.
func TestProgressiveFixture(t *testing.T) {
	data := progressiveJPEG(100, 60, 896)
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
	five := progressiveJPEG(64, 64, 5)
	tests := []struct {
		name  string
		data  []byte
		limit int
		want  int
	}{
		{"baseline", baseline, 500, 1},
		{"thumbnail in APP1 not counted", thumb, 500, 1},
		{"progressive", progressiveJPEG(64, 64, 10), 500, 10},
		{"stops past the limit", progressiveJPEG(64, 64, 700), 500, 501},
		{"ends after five scans", progressiveJPEG(64, 64, 10)[:len(five)-2], 500, 5},
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
	_, err := decodeJPEG(ctx, progressiveJPEG(256, 256, 101), 256, 256, 100)
	var sl scanLimitError
	if !errors.As(err, &sl) || sl.limit != 100 {
		t.Errorf("101 scans, limit 100: %v, want a scanLimitError of 100", err)
	}
	px, err := decodeJPEG(ctx, progressiveJPEG(256, 256, 100), 256, 256, 100)
	if err != nil {
		t.Errorf("100 scans, limit 100: %v", err)
	}
	releaseAll(px)
}

// TestRenderManyScans: a progressive JPEG of more scans than the default
// limit is refused at once, as too large, saying why.
func TestRenderManyScans(t *testing.T) {
	data := progressiveJPEG(2048, 2048, 896)
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
	if _, err := Render(context.Background(), progressiveJPEG(512, 512, 896), Options{MaxScans: 896}); err != nil {
		t.Errorf("896 scans, MaxScans 896: %v", err)
	}
}

// TestRenderCancelledDecode: a long JPEG decode (896 scans over 262,144
// blocks: seconds in either decoder) stops soon after its context ends.
func TestRenderCancelledDecode(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 4096 x 4096 progressive JPEG")
	}
	data := progressiveJPEG(4096, 4096, 896)
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
	if took > after+time.Second {
		t.Errorf("returned %v after the context ended", took-after)
	}
}
