package exiftest

import (
	"errors"
	"image"
	"testing"

	"github.com/confmedia/confmedia/pipeline/internal/heif/heiftest"
)

// Stored returns the picture of s as a camera would store it for
// s.Orientation: Upright(s.Width, s.Height) turned so that applying the
// orientation shows it upright. It lets other containers (HEIF) carry the
// same picture as JPEG and PNG.
func Stored(s Spec) (*image.RGBA, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	return stored(s), nil
}

// TIFF returns the EXIF TIFF structure (without the "Exif\0\0" header) the
// JPEG of s carries, or nil when s sets no EXIF field.
func TIFF(s Spec) ([]byte, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	return exifTIFF(s), nil
}

// HEIC encodes the picture of s as a phone writes it (cgo build, libheif's
// HEVC encoder): the stored pixels with s.Orientation written twice, as
// the container's irot/imir and as the EXIF orientation, and the EXIF of s
// as the Exif item. In the pure-Go build, or without an HEVC encoder, it
// fails saying what is missing.
func HEIC(s Spec) ([]byte, error) {
	img, err := Stored(s)
	if err != nil {
		return nil, err
	}
	tiff, err := TIFF(s)
	if err != nil {
		return nil, err
	}
	q := s.Quality
	if q == 0 {
		q = 90
	}
	return heiftest.Encode(img, q, s.Orientation, tiff)
}

// MustHEIC is HEIC for tests: it skips the test (saying how to enable it)
// when HEIC cannot be encoded here, and fails it on other errors.
func MustHEIC(tb testing.TB, s Spec) []byte {
	tb.Helper()
	b, err := HEIC(s)
	if errors.Is(err, heiftest.ErrNoEncoder) {
		tb.Skipf("cannot make a HEIC fixture: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
