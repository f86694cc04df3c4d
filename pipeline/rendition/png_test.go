package rendition

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"runtime"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/rendition/internal/pngrows"
)

// testPNG describes a PNG for writePNG.
type testPNG struct {
	w, h, depth, ctype int
	interlaced         bool
	palette            []byte // PLTE body
	trns               []byte // tRNS body
	// sample returns sample c of pixel (x, y), at the image's depth.
	sample func(x, y, c int) int
}

func (p testPNG) channels() int {
	return map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[p.ctype]
}

// writePNG writes p with every filter type in turn, streaming its rows
// into zlib, so that large images never exist whole.
func writePNG(t testing.TB, p testPNG) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		b = append(append(b, typ...), body...)
		out.Write(binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:])))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(p.w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(p.h))
	il := byte(0)
	if p.interlaced {
		il = 1
	}
	chunk("IHDR", append(ihdr, byte(p.depth), byte(p.ctype), 0, 0, il))
	if p.palette != nil {
		chunk("PLTE", p.palette)
	}
	if p.trns != nil {
		chunk("tRNS", p.trns)
	}
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	ch := p.channels()
	bpp := max(1, ch*p.depth/8)
	passes := [][4]int{{0, 0, 1, 1}}
	if p.interlaced {
		passes = [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	}
	n := 0
	for _, ps := range passes {
		pw, ph := (p.w-ps[0]+ps[2]-1)/ps[2], (p.h-ps[1]+ps[3]-1)/ps[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		rowLen := (pw*ch*p.depth + 7) / 8
		prev, cur, filtered := make([]byte, rowLen), make([]byte, rowLen), make([]byte, rowLen+1)
		for py := range ph {
			clear(cur)
			for x := range pw {
				for c := range ch {
					v := p.sample(ps[0]+x*ps[2], ps[1]+py*ps[3], c)
					i := x*ch + c
					switch p.depth {
					case 16:
						cur[2*i], cur[2*i+1] = byte(v>>8), byte(v)
					case 8:
						cur[i] = byte(v)
					default:
						per := 8 / p.depth
						cur[i/per] |= byte(v << (8 - p.depth*(i%per+1)))
					}
				}
			}
			f := n % 5
			n++
			filtered[0] = byte(f)
			for i := range cur {
				var a, b, c int
				if i >= bpp {
					a, c = int(cur[i-bpp]), int(prev[i-bpp])
				}
				b = int(prev[i])
				pred := 0
				switch f {
				case 1:
					pred = a
				case 2:
					pred = b
				case 3:
					pred = (a + b) / 2
				case 4:
					pred = int(paethTest(a, b, c))
				}
				filtered[i+1] = cur[i] - byte(pred)
			}
			z.Write(filtered)
			prev, cur = cur, prev
		}
	}
	z.Close()
	for b := idat.Bytes(); len(b) > 0; {
		n := min(len(b), 1<<16) // several IDAT chunks
		chunk("IDAT", b[:n])
		b = b[n:]
	}
	chunk("IEND", nil)
	return out.Bytes()
}

func paethTest(a, b, c int) int {
	p := a + b - c
	pa, pb, pc := p-a, p-b, p-c
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

// TestDecodePNGMatchesImagePNG: the row decoder gives exactly the pixels
// image/png's image does, for every colour type, bit depth, interlacing,
// transparency and shrink factor.
func TestDecodePNGMatchesImagePNG(t *testing.T) {
	noise := func(x, y, c int) int { return (x*7919 + y*104729 + c*31337 + x*y) * 2654435761 >> 7 }
	var cases []testPNG
	for _, ct := range []struct{ ctype, depths int }{{0, 5}, {2, 2}, {3, 4}, {4, 2}, {6, 2}} {
		depths := map[int][]int{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}[ct.ctype]
		for _, d := range depths {
			for _, il := range []bool{false, true} {
				p := testPNG{w: 37, h: 29, depth: d, ctype: ct.ctype, interlaced: il}
				top := 1<<d - 1
				p.sample = func(x, y, c int) int {
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
						p.palette = append(p.palette, byte(i*3), byte(i*5), byte(i*7))
					}
					for i := range n / 2 {
						p.trns = append(p.trns, byte(i*11))
					}
				case 0:
					p.trns = binary.BigEndian.AppendUint16(nil, uint16(top/2))
				case 2:
					k := uint16(top / 2)
					p.trns = binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, k), k), k)
				}
				cases = append(cases, p)
				if ct.ctype == 0 || ct.ctype == 2 {
					opaque := p
					opaque.trns = nil
					cases = append(cases, opaque)
				}
			}
		}
	}
	for _, p := range cases {
		name := fmt.Sprintf("type %d depth %d interlaced %v tRNS %v", p.ctype, p.depth, p.interlaced, p.trns != nil)
		t.Run(name, func(t *testing.T) {
			data := writePNG(t, p)
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("image/png: %v", err)
			}
			for _, need := range [][2]int{{37, 29}, {12, 9}} {
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
	good := writePNG(t, testPNG{w: 300, h: 200, depth: 16, ctype: 6, sample: func(x, y, c int) int { return x * y * (c + 1) }})
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
	data := writePNG(t, testPNG{w: side, h: side, depth: 16, ctype: 6, sample: func(x, y, c int) int { return (x + y) * 16 * (c + 1) }})
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
		{"progressive jpeg", progressiveJPEG(40, 30, 10), Header{"jpeg", 40, 30, 1, 8}},
		{"png grey", encodeTestPNG(t, grey), Header{"png", 40, 30, 1, 8}},
		{"png 16-bit RGBA", writePNG(t, testPNG{w: 40, h: 30, depth: 16, ctype: 6, sample: func(x, y, c int) int { return x }}), Header{"png", 40, 30, 4, 16}},
		{"png 1-bit palette", writePNG(t, testPNG{w: 40, h: 30, depth: 1, ctype: 3, palette: []byte{0, 0, 0, 9, 9, 9}, sample: func(x, y, c int) int { return x & 1 }}), Header{"png", 40, 30, 3, 8}},
		{"png 2-bit grey", writePNG(t, testPNG{w: 40, h: 30, depth: 2, ctype: 0, sample: func(x, y, c int) int { return x & 3 }}), Header{"png", 40, 30, 1, 2}},
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
