package heif_test

import (
	"bytes"
	"testing"

	"github.com/confmedia/confmedia/pipeline/internal/heif"
	"github.com/confmedia/confmedia/pipeline/internal/heif/heiftest"
)

// FuzzParse: Parse and Bytes never panic, and Bytes keeps to its limit,
// whatever the boxes say.
func FuzzParse(f *testing.F) {
	f.Add(heiftest.Container(heiftest.Spec{Width: 64, Height: 48}))
	f.Add(heiftest.Container(heiftest.Spec{Width: 64, Height: 48, Rotation: 1, Mirror: true,
		Exif: []byte("MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"), XMP: []byte("<x/>")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		heif.Sniff(data)
		file, err := heif.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		if file.Width <= 0 || file.Height <= 0 {
			t.Fatalf("Parse accepted a size of %dx%d", file.Width, file.Height)
		}
		for _, x := range []struct {
			ext  []heif.Extent
			idat bool
		}{{file.Exif, file.ExifIdat}, {file.XMP, file.XMPIdat}} {
			b, err := heif.Bytes(data, file.Idat, x.ext, x.idat, 1<<20)
			if err == nil && len(b) > 1<<20 {
				t.Fatalf("Bytes returned %d bytes, over its limit", len(b))
			}
		}
	})
}
