package rendition

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/confmedia/confmedia/pipeline/rendition/internal/quality"
	"github.com/disintegration/imaging"
)

// minSSIM is the least structural similarity a rendition's pixels (before
// JPEG encoding) may have with a Lanczos3 reference resized straight from
// the upright full-size original.
const minSSIM = 0.98

// renditionSSIM develops data with opts and returns, for each spec, the SSIM
// of its pixels and of its encoded JPEG against the Lanczos3 reference made
// from orig (the upright original).
func renditionSSIM(t testing.TB, data []byte, orig image.Image, opts Options, resize resizeFunc) (pix, enc []float64) {
	t.Helper()
	d, err := develop(context.Background(), data, opts, resize)
	defer releaseAll(d.made...)
	if err != nil {
		t.Fatal(err)
	}
	ob := orig.Bounds()
	for i, s := range d.specs {
		m := d.imgs[i]
		var crop image.Rectangle
		if s.Square {
			fw, fh := squareSource(d, m.w)
			crop = quality.SquareCrop(ob.Dx(), ob.Dy(), fw, fh)
		}
		ref := quality.Reference(orig, crop, m.w, m.h)
		pix = append(pix, quality.SSIM(m.rgba(), ref))
		jpg, err := encodeJPEG(m, d.quality, d.header)
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, quality.SSIM(decodeTestJPEG(t, jpg), ref))
	}
	return pix, enc
}

// squareSource returns the size of the frame a square of the given side was
// cut from: the smallest full-frame rendition it fits in, or the original
// scaled until its short edge is the side.
func squareSource(d developed, side int) (int, int) {
	fw, fh := 0, 0
	for i, s := range d.specs {
		m := d.imgs[i]
		if !s.Square && min(m.w, m.h) >= side && (fw == 0 || m.w*m.h < fw*fh) {
			fw, fh = m.w, m.h
		}
	}
	if fw == 0 {
		return fitShort(d.w, d.h, side)
	}
	return fw, fh
}

// texture is a w x h photo-like image: smooth colour fields, edges at
// several angles, fine stripes and grain.
func texture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(3, 4))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			v := 128 + 60*math.Sin(9*fx+4*fy) + 30*math.Sin(float64(x+2*y)/7)
			if (x-w/3)*(x-w/3)+(y-h/2)*(y-h/2) < h*h/16 {
				v = 230 - 40*fx
			}
			n := rng.Float64()*16 - 8
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(min(max(v+n, 0), 255))
			img.Pix[i+1] = uint8(min(max(255*fy+n, 0), 255))
			img.Pix[i+2] = uint8(min(max(255-v+n, 0), 255))
			img.Pix[i+3] = 255
		}
	}
	return img
}

func TestRenditionSSIM(t *testing.T) {
	w, h := 1800, 1200
	if raceEnabled {
		w, h = 900, 600
	}
	src := texture(w, h)
	data := encodeTestJPEG(t, src)
	orig := decodeTestJPEG(t, data)
	tests := []struct {
		name   string
		orient int
		specs  []Spec
	}{
		{"landscape", 1, []Spec{{"large", w / 3, false}, {"medium", w / 6, false}, {"square", w / 12, true}}},
		{"sideways", 6, []Spec{{"large", w / 4, false}, {"square", w / 9, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upright := orig
			if tt.orient == 6 {
				upright = imaging.Rotate270(orig)
			}
			pix, _ := renditionSSIM(t, data, upright, Options{Orientation: tt.orient, Specs: tt.specs}, resizeDefault)
			for i, v := range pix {
				if v < minSSIM {
					t.Errorf("%s: SSIM %.4f against Lanczos3, want at least %.2f", tt.specs[i].Name, v, minSSIM)
				}
			}
		})
	}
}

// TestPhotoSetQuality measures Standard on every JPEG of the folder
// $CONFMEDIA_QUALITY_SET (make-photo-set.sh output): the SSIM of each
// rendition's pixels against the Lanczos3 reference must be at least
// minSSIM; the SSIM of the encoded JPEG is logged beside it. It takes about
// two seconds a photo, so it runs only when that variable is set.
func TestPhotoSetQuality(t *testing.T) {
	dir := os.Getenv("CONFMEDIA_QUALITY_SET")
	if dir == "" {
		t.Skip("set CONFMEDIA_QUALITY_SET to a folder of photos (make-photo-set.sh) to measure rendition quality")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		orig, err := imaging.Open(f, imaging.AutoOrientation(true))
		if err != nil {
			t.Fatal(err)
		}
		rf := resizeDefault
		pix, enc := renditionSSIM(t, data, orig, Options{Orientation: fileOrientation(t, data)}, rf)
		for i, s := range Standard {
			t.Logf("%s %-6s SSIM pixels %.4f  jpeg %.4f", filepath.Base(f), s.Name, pix[i], enc[i])
			if pix[i] < minSSIM {
				t.Errorf("%s %s: SSIM %.4f against Lanczos3, want at least %.2f", filepath.Base(f), s.Name, pix[i], minSSIM)
			}
		}
	}
}
