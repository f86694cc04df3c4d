package jpegscale

import (
	"bytes"
	"image/jpeg"
	"os"
	"testing"
)

// BenchmarkDecode decodes $CONFMEDIA_PHOTO_SET/p45_01.jpg (a 45 MP photo;
// default /tmp/photo-set) at 3/8, and with image/jpeg for comparison.
func BenchmarkDecode(b *testing.B) {
	dir := os.Getenv("CONFMEDIA_PHOTO_SET")
	if dir == "" {
		dir = "/tmp/photo-set"
	}
	data, err := os.ReadFile(dir + "/p45_01.jpg")
	if err != nil {
		data = encode(b, photo(3000, 2000), 90)
	}
	b.Run("jpegscale-3/8", func(b *testing.B) {
		for b.Loop() {
			if _, err := Decode(data, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("image-jpeg", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
