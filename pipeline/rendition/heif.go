package rendition

import (
	"fmt"
	"io"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/internal/heif"
)

// HEIFNeedsCgo is why a build without libheif refuses HEIC/HEIF images.
const HEIFNeedsCgo = "HEIC needs the cgo build of confmedia (libheif); export as JPEG or use a cgo build"

// DecodesHEIF reports whether this build decodes HEIC/HEIF images: the
// default cgo build does, with libheif; the pure-Go build (CGO_ENABLED=0 or
// the purego tag) does not. It is the one place that decides whether HEIC
// uploads are taken (pipeline/filetype asks it).
func DecodesHEIF() bool { return heifSupported }

// readHEIFHeader reads the size of the primary image of the HEIF file in r
// from its boxes (see pipeline/internal/heif), before any rotation.
func readHEIFHeader(op string, r io.Reader) (Header, bool, error) {
	f, err := heif.Parse(r)
	if err != nil {
		return Header{}, false, catalog.E(catalog.Invalid, op, err, "cannot decode image: %s", decodeReason(err))
	}
	h := Header{Format: "heif", Width: f.Width, Height: f.Height, Channels: 3, BitDepth: 8}
	if f.BitDepth > 8 {
		h.BitDepth = f.BitDepth // libheif holds the planes at 16 bits before converting
	}
	return h, f.Transformed(), nil
}

// heifImage is a decoded HEIF image, turned as its container says: rows of
// interleaved 8-bit RGB, and the ICC profile it carries (nil when none).
type heifImage struct {
	w, h    int
	read    func(y int, dst []uint8) error
	profile []byte
	close   func()
}

// heifUnsupported is the error of a build that does not decode HEIF.
func heifUnsupported(op string) error {
	return catalog.E(catalog.Invalid, op, nil, "%s", HEIFNeedsCgo)
}

// heifTooLarge is the error of an image libheif finds over the limits.
type heifTooLarge struct{ w, h int }

func (e heifTooLarge) Error() string { return fmt.Sprintf("image is %dx%d", e.w, e.h) }
