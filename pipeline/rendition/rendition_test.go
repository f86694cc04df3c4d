package rendition

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/rwcarlsen/goexif/exif"
)

type size struct{ w, h int }

func outputSizes(t *testing.T, res Result) []size {
	t.Helper()
	var got []size
	for _, o := range res.Renditions {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(o.Data))
		if err != nil {
			t.Fatalf("%s: output is not a JPEG: %v", o.Name, err)
		}
		if cfg.Width != o.Width || cfg.Height != o.Height {
			t.Errorf("%s: Output says %dx%d, JPEG is %dx%d", o.Name, o.Width, o.Height, cfg.Width, cfg.Height)
		}
		got = append(got, size{o.Width, o.Height})
	}
	return got
}

// small is a scaled-down table of renditions for tests that need not pay
// for Standard's sizes.
var small = []Spec{{"large", 256, false}, {"medium", 128, false}, {"square", 50, true}}

func TestRenderSizes(t *testing.T) {
	tests := []struct {
		name        string
		w, h        int
		orientation int
		specs       []Spec
		want        []size // large, medium, square
		wantOrig    size
	}{
		// Medium is too short for the square, which comes from large.
		{"standard", 2100, 420, 1, nil, []size{{2048, 410}, {1024, 205}, {400, 400}}, size{2100, 420}},
		{"standard, small original", 320, 240, 1, nil, []size{{320, 240}, {320, 240}, {240, 240}}, size{320, 240}},
		{"landscape", 300, 200, 1, small, []size{{256, 171}, {128, 85}, {50, 50}}, size{300, 200}},
		{"portrait", 200, 300, 1, small, []size{{171, 256}, {85, 128}, {50, 50}}, size{200, 300}},
		{"stored sideways", 200, 300, 6, small, []size{{256, 171}, {128, 85}, {50, 50}}, size{300, 200}},
		{"orientation 0 is 1", 200, 300, 0, small, []size{{171, 256}, {85, 128}, {50, 50}}, size{200, 300}},
		{"out of range is 1", 200, 300, 9, small, []size{{171, 256}, {85, 128}, {50, 50}}, size{200, 300}},
		{"never upscaled", 40, 30, 1, small, []size{{40, 30}, {40, 30}, {30, 30}}, size{40, 30}},
		{"never upscaled, sideways", 40, 30, 8, small, []size{{30, 40}, {30, 40}, {30, 30}}, size{30, 40}},
		{"between medium and large", 180, 120, 1, small, []size{{180, 120}, {128, 85}, {50, 50}}, size{180, 120}},
		{"square original", 70, 70, 1, small, []size{{70, 70}, {70, 70}, {50, 50}}, size{70, 70}},
		{"panorama", 1000, 20, 1, small, []size{{256, 5}, {128, 3}, {20, 20}}, size{1000, 20}},
		{"one pixel", 1, 1, 1, small, []size{{1, 1}, {1, 1}, {1, 1}}, size{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encodeTestJPEG(t, gradient(tt.w, tt.h))
			res, err := Render(context.Background(), data, Options{Orientation: tt.orientation, Specs: tt.specs})
			if err != nil {
				t.Fatal(err)
			}
			if got := (size{res.Width, res.Height}); got != tt.wantOrig {
				t.Errorf("original size = %v, want %v", got, tt.wantOrig)
			}
			var names []string
			for _, o := range res.Renditions {
				names = append(names, o.Name)
			}
			if got, want := strings.Join(names, ","), "large,medium,square"; got != want {
				t.Errorf("renditions = %s, want %s", got, want)
			}
			if got := outputSizes(t, res); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("sizes = %v, want %v", got, tt.want)
			}
		})
	}
}

// recorder returns a resizeFunc that resizes with resizeDefault and appends
// to calls "src>WxH" for every resize of the decoded original (whose size
// depends on how far the decoder scaled it down), and "WxH>WxH" for every
// other resize that changes the size. A resize of the original always
// returns a new image, so that the frames made from it show as such even
// when the decoder already gave their size. It fails t when a resize would
// upscale.
func recorder(t *testing.T, calls *[]string) resizeFunc {
	var src *pixels
	return func(img *pixels, w, h int) *pixels {
		if src == nil {
			src = img // the first resize is always of the decoded original
		}
		if w > img.w || h > img.h {
			t.Errorf("resize %dx%d up to %dx%d", img.w, img.h, w, h)
		}
		switch {
		case img == src:
			*calls = append(*calls, fmt.Sprintf("src>%dx%d", w, h))
			if img.w == w && img.h == h {
				c := newPixels(w, h)
				for y := range h {
					copy(c.row(y), img.row(y))
				}
				return c
			}
		case img.w != w || img.h != h:
			*calls = append(*calls, fmt.Sprintf("%dx%d>%dx%d", img.w, img.h, w, h))
		}
		return resizeDefault(img, w, h)
	}
}

func TestRenderSpecOrder(t *testing.T) {
	// Specs in any order come out in that order, still cascaded.
	specs := []Spec{{"sq", 100, true}, {"small", 300, false}, {"big", 900, false}, {"sq2", 250, true}}
	data := encodeTestJPEG(t, gradient(1200, 800))
	var calls []string
	res, err := render(context.Background(), data, Options{Specs: specs}, recorder(t, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(outputSizes(t, res)), fmt.Sprint([]size{{100, 100}, {300, 200}, {900, 600}, {250, 250}}); got != want {
		t.Errorf("sizes = %s, want %s", got, want)
	}
	// big from the original, small from big, sq2 from big (small is too
	// short), sq from small.
	if got, want := strings.Join(calls, " "), "src>900x600 900x600>300x200 600x600>250x250 200x200>100x100"; got != want {
		t.Errorf("resizes = %s, want %s", got, want)
	}
}

func TestRenderCascade(t *testing.T) {
	tests := []struct {
		name        string
		w, h        int
		orientation int
		square      bool   // render only a 50x50 square
		want        string // resizes, in order
	}{
		{"landscape", 600, 400, 1, false, "src>256x171 256x171>128x85 85x85>50x50"},
		// Stored sideways: the original is resized in its stored
		// orientation, and only the result is turned upright.
		{"orientation 6", 400, 600, 6, false, "src>171x256 256x171>128x85 85x85>50x50"},
		{"portrait", 400, 600, 1, false, "src>171x256 171x256>85x128 85x85>50x50"},
		{"small", 40, 30, 1, false, "src>40x30"},
		// Only a square: the original is scaled until its short edge is
		// the square's side, then cropped.
		{"square only", 600, 400, 1, true, "src>75x50"},
		{"square only, sideways", 400, 600, 6, true, "src>50x75"},
	}
	squareOnly := []Spec{{"square", 50, true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encodeTestJPEG(t, gradient(tt.w, tt.h))
			var calls []string
			specs := small
			if tt.square {
				specs = squareOnly
			}
			if _, err := render(context.Background(), data, Options{Orientation: tt.orientation, Specs: specs}, recorder(t, &calls)); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(calls, " "); got != tt.want {
				t.Errorf("resizes = %q, want %q", got, tt.want)
			}
		})
	}
}

// quadrants is a 300x200 image with four flat colours, so that each of the
// eight orientations gives a different picture.
func quadrants() (*image.RGBA, [4]color.RGBA) {
	cs := [4]color.RGBA{
		{220, 30, 30, 255},   // top left
		{30, 200, 30, 255},   // top right
		{30, 30, 220, 255},   // bottom left
		{240, 240, 240, 255}, // bottom right
	}
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	fill(img, image.Rect(0, 0, 150, 100), cs[0])
	fill(img, image.Rect(150, 0, 300, 100), cs[1])
	fill(img, image.Rect(0, 100, 150, 200), cs[2])
	fill(img, image.Rect(150, 100, 300, 200), cs[3])
	return img, cs
}

// storedPoint maps display pixel (x, y) of an image stored as sw x sh with
// EXIF orientation o to the stored pixel shown there, straight from the EXIF
// definitions of where the stored first row and column end up.
func storedPoint(o, x, y, sw, sh int) (int, int) {
	switch o {
	case 2:
		return sw - 1 - x, y
	case 3:
		return sw - 1 - x, sh - 1 - y
	case 4:
		return x, sh - 1 - y
	case 5:
		return y, x
	case 6:
		return y, sh - 1 - x
	case 7:
		return sw - 1 - y, sh - 1 - x
	case 8:
		return sw - 1 - y, x
	}
	return x, y
}

func TestRenderOrientations(t *testing.T) {
	src, _ := quadrants()
	data := encodeTestJPEG(t, src)
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			res, err := Render(context.Background(), data, Options{
				Orientation: o,
				Specs:       []Spec{{"half", 150, false}, {"full", 300, false}},
			})
			if err != nil {
				t.Fatal(err)
			}
			dw, dh := 300, 200
			if o >= 5 {
				dw, dh = 200, 300
			}
			if res.Width != dw || res.Height != dh {
				t.Fatalf("original = %dx%d, want %dx%d", res.Width, res.Height, dw, dh)
			}
			for _, out := range res.Renditions {
				img := decodeTestJPEG(t, out.Data)
				b := img.Bounds()
				if b.Dx()*dh != b.Dy()*dw {
					t.Fatalf("%s is %dx%d, not the shape of %dx%d", out.Name, b.Dx(), b.Dy(), dw, dh)
				}
				// Sample the centre of each display quadrant.
				for _, f := range [][2]float64{{.25, .25}, {.75, .25}, {.25, .75}, {.75, .75}} {
					x, y := int(f[0]*float64(b.Dx())), int(f[1]*float64(b.Dy()))
					sx, sy := storedPoint(o, int(f[0]*float64(dw)), int(f[1]*float64(dh)), 300, 200)
					want := src.RGBAAt(sx, sy)
					r, g, bl := meanColor(img, image.Rect(x-3, y-3, x+3, y+3))
					if d := max(abs(r-float64(want.R)), abs(g-float64(want.G)), abs(bl-float64(want.B))); d > 12 {
						t.Errorf("%s at %.2f,%.2f = %.0f,%.0f,%.0f, want %v", out.Name, f[0], f[1], r, g, bl, want)
					}
				}
			}
		})
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestSquareCrop(t *testing.T) {
	// The square (200) is cut from medium (512 long edge), itself resized
	// from the original.
	specs := []Spec{{"medium", 512, false}, {"square", 200, true}}

	// Portrait 300x900: medium is 171x512, the window's top is at
	// (512-171)/6 = 56, about y = 98 in the original, so the window spans
	// y 98..398. A "face" at y 125..175 must be in the square; a block at
	// y 425..475, which a centre crop (300..600) would show, must not.
	portrait := gradient(300, 900)
	fill(portrait, image.Rect(125, 125, 175, 175), color.RGBA{255, 0, 0, 255})
	fill(portrait, image.Rect(125, 425, 175, 475), color.RGBA{0, 0, 0, 255})

	// Landscape 900x300: medium is 512x171, centred window from x = 170.
	landscape := gradient(900, 300)
	fill(landscape, image.Rect(425, 125, 475, 175), color.RGBA{255, 0, 0, 255})

	tests := []struct {
		name           string
		img            image.Image
		face           image.Point // expected face centre in the 200x200 square
		topG, bottomG  float64     // green (y) at the square's top and bottom rows
		leftR, rightR  float64     // red (x) at its left and right columns
		absentBlackBox bool
	}{
		{"portrait", portrait, image.Pt(100, 34), 255 * 56.0 / 512, 255 * 227.0 / 512, 0, 255, true},
		{"landscape", landscape, image.Pt(100, 100), 0, 255, 255 * 170.0 / 512, 255 * 341.0 / 512, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Render(context.Background(), encodeTestJPEG(t, tt.img), Options{Specs: specs})
			if err != nil {
				t.Fatal(err)
			}
			sq := decodeTestJPEG(t, res.Renditions[1].Data)
			if b := sq.Bounds(); b.Dx() != 200 || b.Dy() != 200 {
				t.Fatalf("square is %v", b.Size())
			}
			r, g, b := meanColor(sq, image.Rectangle{tt.face.Sub(image.Pt(4, 4)), tt.face.Add(image.Pt(4, 4))})
			if r < 200 || g > 60 || b > 60 {
				t.Errorf("face at %v is %.0f,%.0f,%.0f, want red", tt.face, r, g, b)
			}
			if tt.absentBlackBox {
				for y := 0; y < 200; y += 2 {
					if r, g, b := meanColor(sq, image.Rect(100, y, 101, y+1)); r+g+b < 60 {
						t.Fatalf("square shows the block below the window at y=%d", y)
					}
				}
			}
			// Read the gradient away from the marker.
			_, top, _ := meanColor(sq, image.Rect(10, 1, 30, 3))
			_, bottom, _ := meanColor(sq, image.Rect(10, 197, 30, 199))
			left, _, _ := meanColor(sq, image.Rect(1, 10, 3, 30))
			right, _, _ := meanColor(sq, image.Rect(197, 10, 199, 30))
			for _, c := range []struct {
				what      string
				got, want float64
			}{{"top", top, tt.topG}, {"bottom", bottom, tt.bottomG}, {"left", left, tt.leftR}, {"right", right, tt.rightR}} {
				if abs(c.got-c.want) > 6 {
					t.Errorf("%s edge = %.1f, want %.1f", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestSquareCropWindow(t *testing.T) {
	tests := []struct {
		w, h int
		want image.Rectangle
	}{
		{600, 400, image.Rect(100, 0, 500, 400)},
		{400, 600, image.Rect(0, 33, 400, 433)},
		{400, 400, image.Rect(0, 0, 400, 400)},
		{341, 1024, image.Rect(0, 113, 341, 454)},
	}
	for _, tt := range tests {
		if got := SquareWindow(tt.w, tt.h, nil); got != tt.want {
			t.Errorf("SquareWindow(%dx%d, no faces) = %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
}

// sourceWithMetadata is a 640x480 JPEG carrying what must never be
// published: EXIF with camera, serial number and GPS, XMP, IPTC, and an RGB
// ICC profile split over two APP2 segments.
func sourceWithMetadata(t *testing.T, profile []byte) []byte {
	t.Helper()
	ex := buildExif([][]tiffEntry{
		{
			asciiEntry(0x010F, "SecretCam"),
			asciiEntry(0x0110, "X100"),
			asciiEntry(0x013B, "Original Artist"),
			{tag: 0x8769, sub: 1},
			{tag: 0x8825, sub: 2},
		},
		{
			asciiEntry(0x9003, "2024:05:17 10:11:12"),
			asciiEntry(0xA431, "SN-SECRET-12345"),
		},
		{
			asciiEntry(0x0001, "N"),
			rationalEntry(0x0002, 53, 20, 58),
			asciiEntry(0x0003, "W"),
			rationalEntry(0x0004, 6, 15, 34),
		},
	})
	xmp := append([]byte("http://ns.adobe.com/xap/1.0/\x00"),
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="53,20.9N" dc:title="XMP-SECRET"/></rdf:RDF></x:xmpmeta>`...)
	iptc := append([]byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10"), "\x1c\x02\x78\x00\x0bIPTC-SECRET"...)
	segs := [][]byte{segment(t, markerAPP1, ex), segment(t, markerAPP1, xmp), segment(t, 0xED, iptc)}
	var icc []byte
	icc, err := appendICC(icc, profile)
	if err != nil {
		t.Fatal(err)
	}
	segs = append(segs, icc)
	return withSegments(t, encodeTestJPEG(t, gradient(640, 480)), segs...)
}

func TestRenderStripsMetadata(t *testing.T) {
	profile := testProfile(70_000, "RGB ") // two APP2 segments
	src := sourceWithMetadata(t, profile)

	// The fixture really carries what the renditions must drop.
	x, err := exif.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("fixture EXIF: %v", err)
	}
	if _, _, err := x.LatLong(); err != nil {
		t.Fatalf("fixture has no GPS: %v", err)
	}
	if got := jpegICCProfile(src); !bytes.Equal(got, profile) {
		t.Fatalf("fixture ICC profile not read back (%d bytes)", len(got))
	}

	secrets := []string{"SecretCam", "X100", "Original Artist", "SN-SECRET", "XMP-SECRET", "IPTC-SECRET",
		"ns.adobe.com/xap", "Photoshop 3.0", "2024:05:17"}
	tests := []struct {
		name              string
		artist, copyright string
		wantMarkers       string
	}{
		{"artist and copyright", "Ada Lovelace", "© 2024 PyCon Test, CC BY 4.0", "e1 e2 e2"},
		{"copyright only", "", "CC0", "e1 e2 e2"},
		{"short artist inline", "Al", "", "e1 e2 e2"},
		{"none", "", "", "e2 e2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Render(context.Background(), src, Options{Artist: tt.artist, Copyright: tt.copyright})
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range res.Renditions {
				for _, s := range secrets {
					if bytes.Contains(out.Data, []byte(s)) {
						t.Errorf("%s carries %q", out.Name, s)
					}
				}
				// Only APP1 Exif and APP2 ICC among the APPn and COM
				// segments; SOF0 means baseline.
				var app []string
				baseline := false
				for _, m := range markers(t, out.Data) {
					if m >= 0xE0 && m <= 0xEF || m == 0xFE {
						app = append(app, fmt.Sprintf("%x", m))
					}
					baseline = baseline || m == 0xC0
				}
				if got := strings.Join(app, " "); got != tt.wantMarkers {
					t.Errorf("%s: metadata segments %q, want %q", out.Name, got, tt.wantMarkers)
				}
				if !baseline {
					t.Errorf("%s is not a baseline JPEG", out.Name)
				}
				if got := jpegICCProfile(out.Data); !bytes.Equal(got, profile) {
					t.Errorf("%s: ICC profile of %d bytes, want the source's %d", out.Name, len(got), len(profile))
				}
				decodeTestJPEG(t, out.Data)

				x, err := exif.Decode(bytes.NewReader(out.Data))
				if tt.artist == "" && tt.copyright == "" {
					if err == nil {
						t.Errorf("%s has EXIF", out.Name)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: EXIF: %v", out.Name, err)
				}
				for field, want := range map[exif.FieldName]string{exif.Artist: tt.artist, exif.Copyright: tt.copyright} {
					tag, err := x.Get(field)
					if want == "" {
						if err == nil {
							t.Errorf("%s: %s present", out.Name, field)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s: %s: %v", out.Name, field, err)
						continue
					}
					if got, _ := tag.StringVal(); got != want {
						t.Errorf("%s: %s = %q, want %q", out.Name, field, got, want)
					}
				}
				for _, f := range []exif.FieldName{exif.Make, exif.Model, exif.GPSLatitude, exif.GPSInfoIFDPointer, exif.ExifIFDPointer, exif.DateTimeOriginal} {
					if _, err := x.Get(f); err == nil {
						t.Errorf("%s: %s present", out.Name, f)
					}
				}
				if _, _, err := x.LatLong(); err == nil {
					t.Errorf("%s has GPS", out.Name)
				}
			}
		})
	}
}

func TestExifPayload(t *testing.T) {
	long := strings.Repeat("é", maxText) // 2 bytes each: cut at a rune boundary
	tests := []struct {
		name              string
		artist, copyright string
		wantA, wantC      string
	}{
		{"plain", "Grace Hopper", "CC BY 4.0", "Grace Hopper", "CC BY 4.0"},
		{"nul and spaces", "  Gra\x00ce  ", "", "Grace", ""},
		{"inline", "abc", "x", "abc", "x"},
		{"long", long, long, long[:maxText], long[:maxText]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := metadataSegments(tt.artist, tt.copyright, nil)
			if err != nil {
				t.Fatal(err)
			}
			jpg := withSegments(t, encodeTestJPEG(t, gradient(8, 8)), segs)
			x, err := exif.Decode(bytes.NewReader(jpg))
			if err != nil {
				t.Fatal(err)
			}
			for field, want := range map[exif.FieldName]string{exif.Artist: tt.wantA, exif.Copyright: tt.wantC} {
				tag, err := x.Get(field)
				if want == "" {
					if err == nil {
						t.Errorf("%s present", field)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", field, err)
				}
				if got, _ := tag.StringVal(); got != want {
					t.Errorf("%s = %.20q… (%d bytes), want %.20q… (%d bytes)", field, got, len(got), want, len(want))
				}
			}
		})
	}
}

func TestJPEGICCProfile(t *testing.T) {
	rgb := testProfile(1000, "RGB ")
	base := encodeTestJPEG(t, gradient(16, 16))
	chunk := func(seq, n byte, p []byte) []byte {
		return segment(t, markerAPP2, append(append(append([]byte(nil), iccHeader...), seq, n), p...))
	}
	tests := []struct {
		name string
		segs [][]byte
		want []byte
	}{
		{"none", nil, nil},
		{"one chunk", [][]byte{chunk(1, 1, rgb)}, rgb},
		{"two chunks out of order", [][]byte{chunk(2, 2, rgb[500:]), chunk(1, 2, rgb[:500])}, rgb},
		{"missing chunk", [][]byte{chunk(1, 2, rgb[:500])}, nil},
		{"repeated chunk", [][]byte{chunk(1, 2, rgb[:500]), chunk(1, 2, rgb[:500])}, nil},
		{"sequence zero", [][]byte{chunk(0, 1, rgb)}, nil},
		{"size mismatch", [][]byte{chunk(1, 1, rgb[:999])}, nil},
		{"CMYK profile", [][]byte{chunk(1, 1, testProfile(1000, "CMYK"))}, nil},
		{"gray profile", [][]byte{chunk(1, 1, testProfile(1000, "GRAY"))}, nil},
		{"short header", [][]byte{segment(t, markerAPP2, append(append([]byte(nil), iccHeader...), 1))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jpegICCProfile(withSegments(t, base, tt.segs...))
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

func TestInsertAfterSOI(t *testing.T) {
	if _, err := insertAfterSOI([]byte("nope"), nil); err == nil {
		t.Error("no error for a stream without SOI")
	}
	got, err := insertAfterSOI([]byte{0xFF, 0xD8, 0xFF, 0xD9}, []byte{0xFF, 0xFE, 0, 3, 'x'})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xFF, 0xD8, 0xFF, 0xFE, 0, 3, 'x', 0xFF, 0xD9}; !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
	if _, err := appendSegment(nil, markerAPP1, make([]byte, maxSegment+1)); err == nil {
		t.Error("no error for an oversized segment")
	}
}

func TestRenderPNG(t *testing.T) {
	profile := testProfile(3000, "RGB ")

	alpha := image.NewNRGBA(image.Rect(0, 0, 600, 400))
	for y := range 400 {
		for x := range 600 {
			if x < 300 {
				alpha.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 0}) // transparent red: white
			} else {
				alpha.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 255})
			}
		}
	}
	half := image.NewNRGBA(image.Rect(0, 0, 600, 400))
	for i := range half.Pix {
		half.Pix[i] = []byte{0, 0, 0, 128}[i%4] // half-transparent black: mid grey
	}
	pal := image.NewPaletted(image.Rect(0, 0, 60, 40), color.Palette{color.Transparent, color.RGBA{0, 0, 255, 255}})
	for y := range 40 {
		for x := 30; x < 60; x++ {
			pal.SetColorIndex(x, y, 1)
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 600, 400))
	for i := range gray.Pix {
		gray.Pix[i] = 200
	}

	tests := []struct {
		name        string
		img         image.Image
		icc         bool
		left, right color.RGBA
	}{
		{"alpha", alpha, true, color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 255, 255}},
		{"half transparent", half, false, color.RGBA{127, 127, 127, 255}, color.RGBA{127, 127, 127, 255}},
		{"paletted, not resized", pal, false, color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 255, 255}},
		{"gray", gray, true, color.RGBA{200, 200, 200, 255}, color.RGBA{200, 200, 200, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encodeTestPNG(t, tt.img)
			if tt.icc {
				data = withICCChunk(t, data, profile)
			}
			res, err := Render(context.Background(), data, Options{Specs: []Spec{{"a", 300, false}, {"s", 40, true}}})
			if err != nil {
				t.Fatal(err)
			}
			b := tt.img.Bounds()
			if res.Width != b.Dx() || res.Height != b.Dy() {
				t.Errorf("original = %dx%d, want %v", res.Width, res.Height, b.Size())
			}
			out := decodeTestJPEG(t, res.Renditions[0].Data)
			ob := out.Bounds()
			for _, c := range []struct {
				x    int
				want color.RGBA
			}{{ob.Dx() / 8, tt.left}, {ob.Dx() * 7 / 8, tt.right}} {
				r, g, bl := meanColor(out, image.Rect(c.x-2, ob.Dy()/2-2, c.x+2, ob.Dy()/2+2))
				if max(abs(r-float64(c.want.R)), abs(g-float64(c.want.G)), abs(bl-float64(c.want.B))) > 10 {
					t.Errorf("pixel at x=%d is %.0f,%.0f,%.0f, want %v", c.x, r, g, bl, c.want)
				}
			}
			for _, o := range res.Renditions {
				got := jpegICCProfile(o.Data)
				if tt.icc && !bytes.Equal(got, profile) {
					t.Errorf("%s: ICC profile of %d bytes, want %d", o.Name, len(got), len(profile))
				}
				if !tt.icc && got != nil {
					t.Errorf("%s: unexpected ICC profile", o.Name)
				}
			}
		})
	}
}

// headerOnlyJPEG is SOI, a JFIF APP0 and a baseline SOF0 declaring w x h and three
// components, with no tables and no scan.
func headerOnlyJPEG(w, h int) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xC0, 0, 17, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	return b
}

// headerOnlyPNG is a PNG signature and IHDR declaring w x h (8-bit RGB),
// with no image data.
func headerOnlyPNG(w, h int) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, 13)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	ihdr = binary.BigEndian.AppendUint32(ihdr, crc32.ChecksumIEEE(ihdr[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), ihdr...)
}

func TestCheckConfig(t *testing.T) {
	small := encodeTestJPEG(t, gradient(64, 48))
	var gifBuf bytes.Buffer
	gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black}), nil)

	tests := []struct {
		name      string
		data      []byte
		max       int64
		wantKind  catalog.Kind
		wantFmt   string
		wantW     int
		wantH     int
		wantInMsg string
	}{
		{"jpeg", small, 0, catalog.Other, "jpeg", 64, 48, ""},
		{"png", encodeTestPNG(t, gradient(30, 20)), 0, catalog.Other, "png", 30, 20, ""},
		{"huge jpeg header", headerOnlyJPEG(20000, 20000), 0, catalog.TooLarge, "", 0, 0, "image is 20000x20000 (400 MP), over the 100 MP limit"},
		{"huge png header", headerOnlyPNG(30000, 10000), 0, catalog.TooLarge, "", 0, 0, "image is 30000x10000 (300 MP), over the 100 MP limit"},
		{"one row of 100 MP", headerOnlyPNG(100_000_000, 1), 0, catalog.TooLarge, "", 0, 0, "image is 100000000x1, over the limit of 65535 pixels a side"},
		{"over a small limit", small, 3000, catalog.TooLarge, "", 0, 0, "image is 64x48 (0 MP), over the 3000 pixel limit"},
		{"at the limit", small, 64 * 48, catalog.Other, "jpeg", 64, 48, ""},
		{"garbage", []byte("definitely not an image"), 0, catalog.Invalid, "", 0, 0, "not a JPEG"},
		{"empty", nil, 0, catalog.Invalid, "", 0, 0, "not a JPEG"},
		{"gif", gifBuf.Bytes(), 0, catalog.Invalid, "", 0, 0, "not a JPEG"},
		{"truncated header", small[:10], 0, catalog.Invalid, "", 0, 0, "cannot decode image: the file is truncated"},
		{"zero width", headerOnlyJPEG(0, 10), 0, catalog.Invalid, "", 0, 0, "cannot decode image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, w, h, err := CheckConfig(bytes.NewReader(tt.data), tt.max)
			if got := catalog.ErrorKind(err); got != tt.wantKind {
				t.Fatalf("kind = %v (%v), want %v", got, err, tt.wantKind)
			}
			if err != nil {
				if msg := catalog.ErrorMessage(err); !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("message %q does not contain %q", msg, tt.wantInMsg)
				}
				return
			}
			if f != tt.wantFmt || w != tt.wantW || h != tt.wantH {
				t.Errorf("got %s %dx%d, want %s %dx%d", f, w, h, tt.wantFmt, tt.wantW, tt.wantH)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	good := encodeTestJPEG(t, gradient(200, 100))
	goodPNG := encodeTestPNG(t, gradient(200, 100))
	cancelledCtx, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name      string
		ctx       context.Context
		data      []byte
		opts      Options
		wantKind  catalog.Kind
		wantInMsg string
	}{
		// The header alone is refused: decoding it would fail as Invalid.
		{"huge header, no body", context.Background(), headerOnlyJPEG(20000, 20000), Options{}, catalog.TooLarge, "image is 20000x20000 (400 MP), over the 100 MP limit"},
		{"over MaxPixels", context.Background(), good, Options{MaxPixels: 10_000}, catalog.TooLarge, "over the 10000 pixel limit"},
		{"truncated jpeg", context.Background(), good[:len(good)/2], Options{}, catalog.Invalid, "truncated"},
		{"truncated png", context.Background(), goodPNG[:len(goodPNG)/2], Options{}, catalog.Invalid, "cannot decode image"},
		{"header only, small", context.Background(), headerOnlyJPEG(20, 20), Options{}, catalog.Invalid, "cannot decode image"},
		{"garbage", context.Background(), bytes.Repeat([]byte{0xFF, 0xD8, 0x12}, 50), Options{}, catalog.Invalid, "cannot decode image"},
		{"text", context.Background(), []byte("hello"), Options{}, catalog.Invalid, "cannot decode image: not a JPEG"},
		{"bad spec", context.Background(), good, Options{Specs: []Spec{{"x", 0, false}}}, catalog.Invalid, "needs a name and a positive size"},
		{"cancelled", cancelledCtx, good, Options{}, catalog.Other, "interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.ctx, tt.data, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if got := catalog.ErrorKind(err); got != tt.wantKind {
				t.Errorf("kind = %v, want %v (%v)", got, tt.wantKind, err)
			}
			if msg := catalog.ErrorMessage(err); !strings.Contains(msg, tt.wantInMsg) {
				t.Errorf("message %q does not contain %q", msg, tt.wantInMsg)
			}
			var e *catalog.Error
			if !errors.As(err, &e) || e.Op != "rendition.Render" {
				t.Errorf("error %v is not a rendition.Render *catalog.Error", err)
			}
		})
	}
	if _, err := Render(cancelledCtx, good, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v does not wrap context.Canceled", err)
	}
}

func TestRenderQuality(t *testing.T) {
	data := encodeTestJPEG(t, gradient(800, 600))
	sizes := map[int]int{}
	for _, q := range []int{30, 0, 95} {
		res, err := Render(context.Background(), data, Options{Quality: q, Specs: []Spec{{"m", 800, false}}})
		if err != nil {
			t.Fatal(err)
		}
		sizes[q] = len(res.Renditions[0].Data)
	}
	if !(sizes[30] < sizes[0] && sizes[0] < sizes[95]) {
		t.Errorf("sizes by quality %v: want q30 < default (85) < q95", sizes)
	}
}

func TestRenderReleasesBuffers(t *testing.T) {
	good := encodeTestJPEG(t, gradient(600, 400))
	cancelledCtx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		data []byte
		opts Options
	}{
		{"jpeg", context.Background(), good, Options{Specs: small}},
		{"sideways", context.Background(), good, Options{Specs: small, Orientation: 6}},
		{"square only", context.Background(), good, Options{Specs: []Spec{{"s", 50, true}}}},
		{"not resized", context.Background(), good, Options{Specs: []Spec{{"a", 900, false}, {"s", 900, true}}}},
		{"png", context.Background(), encodeTestPNG(t, gradient(300, 200)), Options{Specs: small}},
		{"truncated", context.Background(), good[:len(good)/2], Options{Specs: small}},
		{"cancelled", cancelledCtx, good, Options{Specs: small}},
	}
	for _, tt := range tests {
		before := outstanding.Load()
		Render(tt.ctx, tt.data, tt.opts)
		if got := outstanding.Load() - before; got != 0 {
			t.Errorf("%s: %d pixel buffers left after Render", tt.name, got)
		}
	}
}

func TestRenderTruncated(t *testing.T) {
	data := syntheticPhoto(t, 600, 400)
	for _, keep := range []float64{0.1, 0.5, 0.9, 0.99} {
		n := int(float64(len(data)) * keep)
		_, err := Render(context.Background(), data[:n], Options{Specs: small})
		if k := catalog.ErrorKind(err); k != catalog.Invalid {
			t.Errorf("%.0f%% of the file: kind %v (%v), want invalid", 100*keep, k, err)
			continue
		}
		if msg := catalog.ErrorMessage(err); !strings.Contains(msg, "truncated") {
			t.Errorf("%.0f%% of the file: message %q does not say truncated", 100*keep, msg)
		}
	}
	// Only the EOI marker missing: every pixel is there, and the file is
	// still refused, as image/jpeg refuses it.
	if _, err := Render(context.Background(), data[:len(data)-2], Options{Specs: small}); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("no EOI: %v, want invalid", err)
	}
}

func TestRenderGray(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i % 300 * 255 / 299)
	}
	res, err := Render(context.Background(), encodeTestJPEG(t, gray), Options{Specs: []Spec{{"m", 150, false}}})
	if err != nil {
		t.Fatal(err)
	}
	img := decodeTestJPEG(t, res.Renditions[0].Data)
	for _, x := range []int{10, 75, 140} {
		r, g, b := meanColor(img, image.Rect(x-2, 48, x+2, 52))
		want := float64(x) * 2 * 255 / 299
		if abs(r-want) > 6 || abs(g-want) > 6 || abs(b-want) > 6 {
			t.Errorf("x=%d: %.0f,%.0f,%.0f, want grey %.0f", x, r, g, b, want)
		}
	}
}
