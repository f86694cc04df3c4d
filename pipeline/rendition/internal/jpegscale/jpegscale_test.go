package jpegscale

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// photo is a w x h image with smooth fields, edges and grain.
func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(5, 6))
	for y := range h {
		for x := range w {
			v := 120 + 70*math.Sin(float64(x)/23+float64(y)/41)
			if (x/37+y/29)%3 == 0 {
				v = 230 - float64(y%50)
			}
			n := rng.Float64()*20 - 10
			c := func(f float64) uint8 { return uint8(min(max(f+n, 0), 255)) }
			img.SetRGBA(x, y, color.RGBA{c(v), c(255 * float64(y) / float64(h)), c(255 - v), 255})
		}
	}
	return img
}

func encode(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// planes returns the sample planes of a decoded image, with their sizes.
type plane struct {
	pix    []byte
	stride int
	w, h   int
}

func planes(t testing.TB, img image.Image) []plane {
	t.Helper()
	switch m := img.(type) {
	case *image.Gray:
		return []plane{{m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy()}}
	case *image.YCbCr:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		cw, ch := w, h
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422:
			cw = (w + 1) / 2
		case image.YCbCrSubsampleRatio420:
			cw, ch = (w+1)/2, (h+1)/2
		case image.YCbCrSubsampleRatio440:
			ch = (h + 1) / 2
		}
		return []plane{{m.Y, m.YStride, w, h}, {m.Cb, m.CStride, cw, ch}, {m.Cr, m.CStride, cw, ch}}
	}
	t.Fatalf("decoded a %T", img)
	return nil
}

// diff returns the mean and largest absolute difference of two decodings.
func diff(t testing.TB, a, b image.Image) (mean float64, most int) {
	t.Helper()
	pa, pb := planes(t, a), planes(t, b)
	if len(pa) != len(pb) {
		t.Fatalf("%d planes against %d", len(pa), len(pb))
	}
	var sum, n float64
	for i := range pa {
		if pa[i].w != pb[i].w || pa[i].h != pb[i].h {
			t.Fatalf("plane %d: %dx%d against %dx%d", i, pa[i].w, pa[i].h, pb[i].w, pb[i].h)
		}
		for y := range pa[i].h {
			ra := pa[i].pix[y*pa[i].stride:][:pa[i].w]
			rb := pb[i].pix[y*pb[i].stride:][:pb[i].w]
			for x := range ra {
				d := int(ra[x]) - int(rb[x])
				d = max(d, -d)
				sum += float64(d)
				most = max(most, d)
				n++
			}
		}
	}
	return sum / n, most
}

// boxed shrinks the planes of a full-size decoding 8/m times by block means,
// the reference for DC-only (m = 1) decoding.
func boxed(t testing.TB, full image.Image, k int) []plane {
	var out []plane
	for _, p := range planes(t, full) {
		w, h := (p.w+k-1)/k, (p.h+k-1)/k
		q := plane{make([]byte, w*h), w, w, h}
		for y := range h {
			for x := range w {
				var s, n int
				for yy := y * k; yy < min(y*k+k, p.h); yy++ {
					for xx := x * k; xx < min(x*k+k, p.w); xx++ {
						s += int(p.pix[yy*p.stride+xx])
						n++
					}
				}
				q.pix[y*w+x] = byte((s + n/2) / n)
			}
		}
		out = append(out, q)
	}
	return out
}

func TestDecodeFullScale(t *testing.T) {
	// At 8/8 the decoder is a plain JPEG decoder: it must agree with
	// image/jpeg to rounding.
	gray := image.NewGray(image.Rect(0, 0, 131, 77))
	copy(gray.Pix, photo(131, 77).Pix)
	tests := []struct {
		name string
		img  image.Image
	}{
		{"colour", photo(203, 141)},
		{"gray", gray},
		{"one pixel", photo(1, 1)},
		{"thin", photo(300, 9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encode(t, tt.img, 90)
			want, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(data, 8)
			if err != nil {
				t.Fatal(err)
			}
			if mean, most := diff(t, got, want); mean > 0.5 || most > 3 {
				t.Errorf("differs from image/jpeg by %.3f on average, %d at most", mean, most)
			}
		})
	}
}

func TestDecodeScaled(t *testing.T) {
	data := encode(t, photo(203, 141), 90)
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for m := 1; m <= 7; m++ {
		img, err := Decode(data, m)
		if err != nil {
			t.Fatalf("%d/8: %v", m, err)
		}
		w, h := Size(203, 141, m)
		if got := img.Bounds(); got != image.Rect(0, 0, w, h) {
			t.Errorf("%d/8: bounds %v, want %dx%d", m, got, w, h)
		}
		if m != 1 {
			continue
		}
		// DC only: each sample is its block's mean.
		want := boxed(t, full, 8)
		for i, p := range planes(t, img) {
			var worst int
			for y := range p.h {
				for x := range p.w {
					d := int(p.pix[y*p.stride+x]) - int(want[i].pix[y*want[i].stride+x])
					worst = max(worst, d, -d)
				}
			}
			// Edge blocks also average the encoder's padding.
			if worst > 4 {
				t.Errorf("1/8 plane %d: a sample is %d from its block's mean", i, worst)
			}
		}
	}
}

func TestDecodeScaledSmooth(t *testing.T) {
	// A smooth image looks the same at any scale: every scaled decoding is
	// close to the full one shrunk by block means.
	img := image.NewRGBA(image.Rect(0, 0, 256, 192))
	for y := range 192 {
		for x := range 256 {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), uint8((x + y) / 2), 255})
		}
	}
	data := encode(t, img, 95)
	for _, m := range []int{2, 4} {
		got, err := Decode(data, m)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := Decode(data, 8)
		if err != nil {
			t.Fatal(err)
		}
		want := boxed(t, ref, 8/m)
		for i, p := range planes(t, got) {
			var sum float64
			for y := range p.h {
				for x := range p.w {
					d := float64(p.pix[y*p.stride+x]) - float64(want[i].pix[y*want[i].stride+x])
					sum += math.Abs(d)
				}
			}
			if mean := sum / float64(p.w*p.h); mean > 1 {
				t.Errorf("%d/8 plane %d: %.2f from the block means on average", m, i, mean)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	data := encode(t, photo(120, 80), 90)
	sos := bytes.Index(data, []byte{0xFF, sos})
	sof := bytes.Index(data, []byte{0xFF, sof0})
	with := func(at int, b ...byte) []byte {
		out := append([]byte(nil), data...)
		copy(out[at:], b)
		return out
	}
	tests := []struct {
		name string
		data []byte
		want error // nil: any FormatError
	}{
		{"empty", nil, nil},
		{"not a JPEG", []byte("hello"), nil},
		{"header only", data[:sos], io.ErrUnexpectedEOF},
		{"half", data[:len(data)/2], io.ErrUnexpectedEOF},
		{"no EOI", data[:len(data)-2], io.ErrUnexpectedEOF},
		{"progressive", with(sof+1, 0xC2), ErrUnsupported},
		{"12-bit", with(sof+4, 12), ErrUnsupported},
		{"marker in the scan", with(len(data)-40, 0xFF, 0xD9), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, 4)
			if err == nil {
				t.Fatal("no error")
			}
			var fe FormatError
			if tt.want == nil && !errors.As(err, &fe) {
				t.Errorf("error %v (%T), want a FormatError", err, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestDecodeCameras decodes the real camera files at full scale and checks
// them against image/jpeg: restart intervals, 4:2:2 and odd sizes.
func TestDecodeCameras(t *testing.T) {
	dir := catalogtest.SharedData(t, "photos", "cameras")
	var files []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".jpg") {
			files = append(files, p)
		}
		return nil
	})
	for _, f := range files {
		name, _ := filepath.Rel(dir, f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if cfg, err := jpeg.DecodeConfig(bytes.NewReader(data)); err == nil && raceEnabled && cfg.Width*cfg.Height > 1<<20 {
				t.Skip("over a megapixel: slow under -race, runs without it")
			}
			want, werr := jpeg.Decode(bytes.NewReader(data))
			got, err := Decode(data, 8)
			switch {
			case errors.Is(err, ErrUnsupported):
				t.Skipf("unsupported: %v", werr)
			case werr != nil && err == nil:
				t.Fatalf("image/jpeg fails (%v), jpegscale does not", werr)
			case werr == nil && err != nil:
				t.Fatalf("jpegscale fails (%v), image/jpeg does not", err)
			case err != nil:
				return
			}
			if _, ok := want.(*image.YCbCr); !ok {
				if _, ok := want.(*image.Gray); !ok {
					t.Skipf("image/jpeg decodes a %T", want)
				}
			}
			if mean, most := diff(t, got, want); mean > 0.5 || most > 3 {
				t.Errorf("differs from image/jpeg by %.3f on average, %d at most", mean, most)
			}
			if _, err := Decode(data, 3); err != nil {
				t.Errorf("3/8: %v", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(f, photo(40, 24), 80), 3)
	g := image.NewGray(image.Rect(0, 0, 17, 9))
	f.Add(encode(f, g, 50), 1)
	f.Fuzz(func(t *testing.T, data []byte, m int) {
		img, err := Decode(data, m%8+1)
		if err != nil {
			return
		}
		b := img.Bounds()
		if b.Dx() <= 0 || b.Dy() <= 0 {
			t.Fatalf("empty image %v", b)
		}
		planes(t, img)
	})
}
