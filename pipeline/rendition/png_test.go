package rendition

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"runtime"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/rendition/internal/pngrows"
	"github.com/confmedia/confmedia/pipeline/rendition/renditiontest"
)

// TestDecodePNGMatchesImagePNG: the row decoder gives exactly the pixels
// image/png's image does, for every colour type, bit depth, interlacing,
// transparency and shrink factor.
func TestDecodePNGMatchesImagePNG(t *testing.T) {
	noise := func(x, y, c int) int { return (x*7919 + y*104729 + c*31337 + x*y) * 2654435761 >> 7 }
	var cases []renditiontest.PNGSpec
	for _, ct := range []struct{ ctype, depths int }{{0, 5}, {2, 2}, {3, 4}, {4, 2}, {6, 2}} {
		depths := map[int][]int{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}[ct.ctype]
		for _, d := range depths {
			for _, il := range []bool{false, true} {
				// Sizes whose Adam7 passes differ in width, and whose
				// rows get every filter in turn.
				size := [2]int{37, 29}
				if d == 8 || ct.ctype == 3 {
					size = [2]int{35, 23}
				}
				p := renditiontest.PNGSpec{W: size[0], H: size[1], Depth: d, ColorType: ct.ctype, Interlaced: il}
				top := 1<<d - 1
				p.Sample = func(x, y, c int) int {
					if ct.ctype == 3 {
						return noise(x, y, 0) % (1 << d) // some indices past the palette
					}
					if (ct.ctype == 4 && c == 1) || (ct.ctype == 6 && c == 3) {
						return []int{0, top, top / 3, noise(x, y, c) & top}[(x+y)%4] // alpha
					}
					if x%5 == 0 {
						return top / 2 // the colour key, below
					}
					return noise(x, y, c) & top
				}
				switch ct.ctype {
				case 3:
					n := min(1<<d, 200) - 1
					for i := range n {
						p.Palette = append(p.Palette, byte(i*3), byte(i*5), byte(i*7))
					}
					for i := range n / 2 {
						p.TRNS = append(p.TRNS, byte(i*11))
					}
				case 0:
					p.TRNS = binary.BigEndian.AppendUint16(nil, uint16(top/2))
				case 2:
					k := uint16(top / 2)
					p.TRNS = binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, k), k), k)
				}
				cases = append(cases, p)
				if ct.ctype == 0 || ct.ctype == 2 {
					opaque := p
					opaque.TRNS = nil
					cases = append(cases, opaque)
				}
			}
		}
	}
	for _, p := range cases {
		name := fmt.Sprintf("type %d depth %d interlaced %v tRNS %v", p.ColorType, p.Depth, p.Interlaced, p.TRNS != nil)
		t.Run(name, func(t *testing.T) {
			data := renditiontest.PNG(p)
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("image/png: %v", err)
			}
			for _, need := range [][2]int{{p.W, p.H}, {12, 9}} {
				want := fromImage(img, need[0], need[1])
				got, err := decodePNG(context.Background(), data, need[0], need[1])
				if err != nil {
					t.Fatal(err)
				}
				if got.w != want.w || got.h != want.h {
					t.Fatalf("size %dx%d, want %dx%d", got.w, got.h, want.w, want.h)
				}
				for y := range got.h {
					for x, v := range got.row(y) {
						if w := want.row(y)[x]; v != w {
							r, g, b := unpack(v)
							wr, wg, wb := unpack(w)
							t.Fatalf("need %v: pixel (%d, %d) is %d,%d,%d, want %d,%d,%d", need, x, y, r, g, b, wr, wg, wb)
						}
					}
				}
				releaseAll(got, want)
			}
		})
	}
}

// TestDecodePNGErrors: damaged PNGs are refused with the reason, and a
// cancelled context stops a decode.
func TestDecodePNGErrors(t *testing.T) {
	good := renditiontest.PNG(renditiontest.PNGSpec{W: 300, H: 200, Depth: 16, ColorType: 6, Sample: func(x, y, c int) int { return x * y * (c + 1) }})
	idat := bytes.Index(good, []byte("IDAT"))
	badCRC := bytes.Clone(good)
	badCRC[idat+10] ^= 0xFF
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		data []byte
		kind catalog.Kind
		want string
	}{
		{"truncated", context.Background(), good[:len(good)/2], catalog.Invalid, "cannot decode image: the file is truncated"},
		{"bad checksum", context.Background(), badCRC, catalog.Invalid, "cannot decode image: png: invalid format: invalid checksum"},
		{"cancelled", cancelled, good, catalog.Other, "rendering was interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.ctx, tt.data, Options{})
			if err == nil {
				t.Fatal("Render succeeded")
			}
			if got := catalog.ErrorKind(err); got != tt.kind {
				t.Errorf("kind %v, want %v (%v)", got, tt.kind, err)
			}
			if msg := catalog.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
	// Cancelled between rows, not only before the decode starts.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := pngrows.New(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ; err == nil && n < 200; n++ {
		if n == 20 {
			cancel()
		}
		err = d.Next(make([]uint8, 900))
	}
	if !errors.Is(err, context.Canceled) || n > 40 {
		t.Errorf("after cancelling at row 20: stopped at row %d with %v; want context.Canceled within 16 rows", n, err)
	}
}

// TestDecodePNG16BitMemory: a 16-bit RGBA PNG of 3000 x 3000 (72 MB at its
// depth) decodes without ever being held whole: the decoder's allocations
// are a few rows (the decoded pixels are mapped outside the Go heap, and
// are 8-bit).
func TestDecodePNG16BitMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a 3000 x 3000 PNG: slow under -race or -short")
	}
	const side = 3000
	data := renditiontest.PNG(renditiontest.PNGSpec{W: side, H: side, Depth: 16, ColorType: 6, Sample: func(x, y, c int) int { return (x + y) * 16 * (c + 1) }})
	h, err := ReadHeader(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Bytes(), int64(side*side*8); got != want {
		t.Errorf("Bytes() = %d, want %d", got, want)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	px, err := decodePNG(context.Background(), data, 2048, 2048)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if px.w != side || px.h != side {
		t.Errorf("decoded %dx%d", px.w, px.h)
	}
	releaseAll(px)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Go heap allocations: %.1f MiB for an image of %d MiB at its depth", float64(alloc)/(1<<20), h.Bytes()>>20)
	if alloc > 8<<20 {
		t.Errorf("allocated %d MiB on the Go heap decoding it, want under 8", alloc>>20)
	}
}

func TestReadHeader(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 40, 30))
	tests := []struct {
		name string
		data []byte
		want Header
	}{
		{"jpeg colour", encodeTestJPEG(t, gradient(40, 30)), Header{"jpeg", 40, 30, 3, 8}},
		{"jpeg grey", encodeTestJPEG(t, grey), Header{"jpeg", 40, 30, 1, 8}},
		{"progressive jpeg", renditiontest.ProgressiveJPEG(40, 30, 10), Header{"jpeg", 40, 30, 1, 8}},
		{"png grey", encodeTestPNG(t, grey), Header{"png", 40, 30, 1, 8}},
		{"png 16-bit RGBA", renditiontest.PNG(renditiontest.PNGSpec{W: 40, H: 30, Depth: 16, ColorType: 6, Sample: func(x, y, c int) int { return x }}), Header{"png", 40, 30, 4, 16}},
		{"png 1-bit palette", renditiontest.PNG(renditiontest.PNGSpec{W: 40, H: 30, Depth: 1, ColorType: 3, Palette: []byte{0, 0, 0, 9, 9, 9}, Sample: func(x, y, c int) int { return x & 1 }}), Header{"png", 40, 30, 3, 8}},
		{"png 2-bit grey", renditiontest.PNG(renditiontest.PNGSpec{W: 40, H: 30, Depth: 2, ColorType: 0, Sample: func(x, y, c int) int { return x & 3 }}), Header{"png", 40, 30, 1, 2}},
	}
	for _, tt := range tests {
		got, err := ReadHeader(bytes.NewReader(tt.data), 0)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got, want := (Header{"png", 10000, 10000, 4, 16}).Bytes(), int64(800_000_000); got != want {
		t.Errorf("Bytes of a 16-bit RGBA 10000 x 10000 = %d, want %d", got, want)
	}
	if got, want := (Header{"png", 100, 10, 1, 1}).Bytes(), int64(1000); got != want {
		t.Errorf("Bytes of a 1-bit grey 100 x 10 = %d, want %d", got, want)
	}
}
