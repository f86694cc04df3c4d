package develop_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/develop"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// heifEnc converts the JPEG src to a HEIC in dir with heif-enc, which
// copies its EXIF into the container (and, in libheif 1.15, leaves its
// orientation to EXIF alone).
func heifEnc(t *testing.T, src, dir string) []byte {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(src)+".heic")
	if b, err := exec.Command("heif-enc", "-q", "90", "-p", "preset=ultrafast", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("heif-enc %s: %v\n%s", src, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRealCameraHEIC makes HEICs of real camera JPEGs with heif-enc and
// develops both: capture time, camera, serial and GPS presence come from
// the HEIC's container as from the JPEG, the orientation comes out upright
// (Landscape_6 and Portrait_8 are stored turned, with an EXIF orientation),
// and the renditions have the same sizes and nearly the same pixels.
func TestRealCameraHEIC(t *testing.T) {
	if !rendition.DecodesHEIF() {
		t.Skip("this build does not decode HEIC: run the cgo build (libheif-dev)")
	}
	if _, err := exec.LookPath("heif-enc"); err != nil {
		t.Skip("heif-enc not installed: apt-get install libheif-examples (make deps-test installs it)")
	}
	root := catalogtest.SharedData(t, "photos")
	files := []string{
		"cameras/Canon_40D.jpg",
		"cameras/Kodak_CX7530.jpg", // GPS
		"cameras/Nikon_D70.jpg",
		"cameras/gps/DSCN0010.jpg", // GPS
		"faces/obama.jpg",          // serial
		"exif-orientation/Landscape_6.jpg",
		"exif-orientation/Portrait_8.jpg",
	}
	dir := t.TempDir()
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(root, name)
			jpg, err := os.ReadFile(src)
			if err != nil {
				t.Skipf("not present: %v", err)
			}
			heic := heifEnc(t, src, dir)
			ctx := context.Background()
			want, err := develop.Develop(ctx, jpg, rendition.Options{})
			if err != nil {
				t.Fatalf("Develop(JPEG): %v", err)
			}
			got, err := develop.Develop(ctx, heic, rendition.Options{})
			if err != nil {
				t.Fatalf("Develop(HEIC): %v", err)
			}
			gm, wm := got.Metadata, want.Metadata
			if gm.Taken != wm.Taken {
				t.Errorf("Taken = %+v, want %+v", gm.Taken, wm.Taken)
			}
			if gm.Make != wm.Make || gm.Model != wm.Model || gm.Serial != wm.Serial || gm.HasGPS != wm.HasGPS {
				t.Errorf("camera %q %q %q GPS %v, want %q %q %q GPS %v", gm.Make, gm.Model, gm.Serial, gm.HasGPS, wm.Make, wm.Model, wm.Serial, wm.HasGPS)
			}
			if wm.Taken.Wall.IsZero() && name != "exif-orientation/Landscape_6.jpg" && name != "exif-orientation/Portrait_8.jpg" {
				t.Errorf("the JPEG has no capture time: the test compares nothing")
			}
			if got.Result.Width != want.Result.Width || got.Result.Height != want.Result.Height {
				t.Errorf("size %dx%d, want %dx%d", got.Result.Width, got.Result.Height, want.Result.Width, want.Result.Height)
			}
			if len(got.Result.Renditions) != len(want.Result.Renditions) {
				t.Fatalf("%d renditions, want %d", len(got.Result.Renditions), len(want.Result.Renditions))
			}
			for i, g := range got.Result.Renditions {
				w := want.Result.Renditions[i]
				if g.Name != w.Name || g.Width != w.Width || g.Height != w.Height {
					t.Errorf("rendition %s %dx%d, want %s %dx%d", g.Name, g.Width, g.Height, w.Name, w.Width, w.Height)
					continue
				}
				// Upright and the same picture: a sideways or mirrored
				// rendition differs by far more.
				if d := meanAbsDiff(t, g.Data, w.Data); d > 6 {
					t.Errorf("rendition %s differs from the JPEG's by %.1f per sample, want <= 6", g.Name, d)
				}
				if bytes.Contains(g.Data, []byte("GPS")) {
					t.Errorf("rendition %s carries GPS", g.Name)
				}
				if gm.Serial != "" && bytes.Contains(g.Data, []byte(gm.Serial)) {
					t.Errorf("rendition %s carries the camera serial", g.Name)
				}
			}
		})
	}
}

// meanAbsDiff decodes two JPEGs of the same size and returns the mean
// absolute difference of their RGB samples.
func meanAbsDiff(t *testing.T, a, b []byte) float64 {
	t.Helper()
	ia, err := jpeg.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := ia.Bounds()
	if r.Size() != ib.Bounds().Size() {
		t.Fatalf("sizes %v and %v", r.Size(), ib.Bounds().Size())
	}
	var sum, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := ia.At(x, y).RGBA()
			br, bg, bb, _ := ib.At(x-r.Min.X+ib.Bounds().Min.X, y-r.Min.Y+ib.Bounds().Min.Y).RGBA()
			sum += absDiff(ar, br) + absDiff(ag, bg) + absDiff(ab, bb)
			n += 3
		}
	}
	return sum / n / 257
}

func absDiff(a, b uint32) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}
