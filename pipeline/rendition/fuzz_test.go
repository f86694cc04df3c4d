package rendition

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// FuzzRender feeds Render small inputs: it must never panic, fail only as
// Invalid or TooLarge, and every rendition it returns must be a JPEG of the
// size it states, no larger than the original.
func FuzzRender(f *testing.F) {
	profile := testProfile(300, "RGB ")
	jpg := encodeTestJPEG(f, gradient(24, 16))
	var icc []byte
	icc, _ = appendICC(icc, profile)
	exifSeg, _ := metadataSegments("Artist", "Copyright", nil)
	withMeta, _ := insertAfterSOI(jpg, append(exifSeg, icc...))

	alpha := image.NewNRGBA(image.Rect(0, 0, 12, 20))
	alpha.SetNRGBA(3, 3, color.NRGBA{255, 0, 0, 100})
	pngICC := withICCChunk(f, encodeTestPNG(f, alpha), profile)

	for _, seed := range []struct {
		data   []byte
		orient int
	}{
		{jpg, 1},
		{withMeta, 6},
		{jpg[:len(jpg)/2], 1},
		{encodeTestPNG(f, gradient(10, 30)), 8},
		{encodeTestPNG(f, alpha), 3},
		{pngICC, 5},
		{headerOnlyJPEG(20000, 20000), 1},
		{headerOnlyJPEG(8, 8), 1},
		{headerOnlyPNG(100, 100), 1},
		{[]byte("\xff\xd8\xff"), 1},
		{nil, 0},
	} {
		f.Add(seed.data, seed.orient)
	}

	specs := []Spec{{"large", 32, false}, {"medium", 16, false}, {"square", 8, true}}
	f.Fuzz(func(t *testing.T, data []byte, orient int) {
		res, err := Render(context.Background(), data, Options{Specs: specs, MaxPixels: 1 << 16, Orientation: orient})
		if err != nil {
			if k := catalog.ErrorKind(err); k != catalog.Invalid && k != catalog.TooLarge {
				t.Fatalf("kind %v: %v", k, err)
			}
			return
		}
		if len(res.Renditions) != len(specs) {
			t.Fatalf("%d renditions, want %d", len(res.Renditions), len(specs))
		}
		for _, o := range res.Renditions {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(o.Data))
			if err != nil {
				t.Fatalf("%s: %v", o.Name, err)
			}
			if cfg.Width != o.Width || cfg.Height != o.Height || o.Width > res.Width || o.Height > res.Height {
				t.Fatalf("%s: stated %dx%d, JPEG %dx%d, original %dx%d", o.Name, o.Width, o.Height, cfg.Width, cfg.Height, res.Width, res.Height)
			}
		}
	})
}

// FuzzMetadata checks that the header parsers never panic and return only
// whole RGB profiles.
func FuzzMetadata(f *testing.F) {
	profile := testProfile(200, "RGB ")
	var icc []byte
	icc, _ = appendICC(icc, profile)
	jpg, _ := insertAfterSOI(encodeTestJPEG(f, gradient(8, 8)), icc)
	f.Add(jpg)
	f.Add(withICCChunk(f, encodeTestPNG(f, gradient(8, 8)), profile))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x05iCCP"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range [][]byte{jpegICCProfile(data), pngICCProfile(data)} {
			if p != nil && !usableProfile(p) {
				t.Fatalf("unusable profile of %d bytes returned", len(p))
			}
		}
	})
}
