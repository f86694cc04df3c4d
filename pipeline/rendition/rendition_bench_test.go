package rendition

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// photoSetEnv names the folder of 24 MP camera-like JPEGs that
// BenchmarkRender24MP renders (built by shared/tools/make-photo-set.sh).
const photoSetEnv = "CONFMEDIA_PHOTO_SET"

// BenchmarkRender24MP renders Standard from each JPEG of $CONFMEDIA_PHOTO_SET
// (default /tmp/photo-set), with the orientation its EXIF states. Without
// that folder it renders a synthetic 6000x4000 JPEG instead, reported as
// "synthetic-24MP".
func BenchmarkRender24MP(b *testing.B) {
	dir := os.Getenv(photoSetEnv)
	if dir == "" {
		dir = "/tmp/photo-set"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	sort.Strings(files)
	if len(files) == 0 {
		b.Run("synthetic-24MP", func(b *testing.B) {
			benchRender(b, syntheticPhoto(b, 6000, 4000), 1)
		})
		return
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f), func(b *testing.B) {
			benchRender(b, data, fileOrientation(b, data))
		})
	}
}

func benchRender(b *testing.B, data []byte, orientation int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(context.Background(), data, Options{Orientation: orientation}); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticPhoto returns a w x h baseline JPEG (quality 90, 4:2:0) of smooth
// gradients with sensor-like noise, so that it codes to a camera-like size.
func syntheticPhoto(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		row := img.Y[y*img.YStride : y*img.YStride+w]
		for x := range row {
			v := 40 + 150*x/w + 40*y/h + rng.IntN(24)
			row[x] = uint8(min(v, 255))
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			i := y*img.CStride + x
			img.Cb[i] = uint8(96 + 64*x/((w+1)/2))
			img.Cr[i] = uint8(160 - 64*y/((h+1)/2))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
