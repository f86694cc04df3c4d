package rendition

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/disintegration/imaging"
	"github.com/rwcarlsen/goexif/exif"
)

// fileOrientation reads the EXIF orientation of data with goexif; a file
// without one is 1. Out-of-spec values (0) are returned as they are.
func fileOrientation(t testing.TB, data []byte) int {
	t.Helper()
	x, err := exif.Decode(bytes.NewReader(data))
	if err != nil {
		return 1
	}
	tag, err := x.Get(exif.Orientation)
	if err != nil {
		return 1
	}
	o, err := tag.Int(0)
	if err != nil {
		t.Fatalf("orientation: %v", err)
	}
	return o
}

func TestSharedOrientation(t *testing.T) {
	dir := catalogtest.SharedData(t, "photos", "exif-orientation")
	// Smaller than Standard (large would be the 1800x1200 original
	// itself) to keep the test quick under -race; the cascade and
	// orientation paths are the same.
	specs := []Spec{{"large", 900, false}, {"medium", 450, false}, {"square", 200, true}}
	render := func(t *testing.T, name string) (Result, int) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		o := fileOrientation(t, data)
		res, err := Render(context.Background(), data, Options{Orientation: o, Specs: specs})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res, o
	}
	for _, series := range []struct {
		name string
		w, h int
	}{{"Landscape", 1800, 1200}, {"Portrait", 1200, 1800}} {
		t.Run(series.name, func(t *testing.T) {
			ref, _ := render(t, series.name+"_1.jpg")
			refImgs := make([]image.Image, len(ref.Renditions))
			for i, o := range ref.Renditions {
				refImgs[i] = decodeTestJPEG(t, o.Data)
			}
			// A mirrored picture must be far from upright, or the
			// tolerance below proves nothing.
			if d := meanAbsDiff(t, refImgs[0], imaging.FlipH(refImgs[0])); d < 20 {
				t.Fatalf("mirror of %s_1 differs by only %.1f", series.name, d)
			}
			for n := 0; n <= 8; n++ {
				name := fmt.Sprintf("%s_%d.jpg", series.name, n)
				t.Run(name, func(t *testing.T) {
					res, o := render(t, name)
					if o != n {
						t.Errorf("goexif orientation = %d, want %d", o, n)
					}
					if res.Width != series.w || res.Height != series.h {
						t.Errorf("original = %dx%d, want %dx%d", res.Width, res.Height, series.w, series.h)
					}
					for i, out := range res.Renditions {
						img := decodeTestJPEG(t, out.Data)
						// Measured: at most 1.7 upright, over 40 mirrored.
						if d := meanAbsDiff(t, img, refImgs[i]); d > 5 {
							t.Errorf("%s differs from %s_1 by %.2f (mean, 0..255): not upright", out.Name, series.name, d)
						}
					}
				})
			}
		})
	}
}

func TestSharedNoUpscale(t *testing.T) {
	path := catalogtest.SharedData(t, "photos", "faces", "obama_small.jpg")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Render(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(outputSizes(t, res)), fmt.Sprint([]size{{320, 240}, {320, 240}, {240, 240}}); got != want {
		t.Errorf("sizes = %s, want %s", got, want)
	}
	if res.Width != 320 || res.Height != 240 {
		t.Errorf("original = %dx%d, want 320x240", res.Width, res.Height)
	}
}

// TestSharedPrivacy renders the real files that carry GPS and checks that
// no rendition does. corrupted.jpg must fail as Invalid.
func TestSharedPrivacy(t *testing.T) {
	root := catalogtest.SharedData(t, "photos")
	files := []string{
		"cameras/gps/DSCN0010.jpg", "cameras/gps/DSCN0021.jpg",
		"cameras/gps/DSCN0029.jpg", "cameras/gps/DSCN0042.jpg",
		"cameras/hdr/iphone_hdr_YES.jpg", "cameras/mobile/HMD_Nokia_8.3_5G.jpg",
		"cameras/tests/67-0_length_string.jpg",
		"exiftool-t-images/Apple.jpg", "exiftool-t-images/GoPro.jpg",
		"exiftool-t-images/GPS.jpg", "exiftool-t-images/Ricoh2.jpg",
		"cameras/corrupted.jpg",
	}
	specs := []Spec{{"medium", 1024, false}, {"square", 400, true}}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, f))
			if os.IsNotExist(err) {
				t.Skipf("%s not present", f)
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := Render(context.Background(), data, Options{Orientation: fileOrientation(t, data), Specs: specs, Artist: "Test"})
			if strings.HasSuffix(f, "corrupted.jpg") {
				if k := catalog.ErrorKind(err); k != catalog.Invalid {
					t.Fatalf("kind = %v (%v), want invalid", k, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range res.Renditions {
				x, err := exif.Decode(bytes.NewReader(out.Data))
				if err != nil {
					t.Fatalf("%s: EXIF: %v", out.Name, err)
				}
				if _, _, err := x.LatLong(); err == nil {
					t.Errorf("%s has GPS", out.Name)
				}
				for _, fn := range []exif.FieldName{exif.GPSInfoIFDPointer, exif.Make, exif.Model, exif.ExifIFDPointer} {
					if _, err := x.Get(fn); err == nil {
						t.Errorf("%s: %s present", out.Name, fn)
					}
				}
			}
		})
	}
}
