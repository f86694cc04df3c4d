// Package filetype tells what kind of file an upload is from its first
// bytes, so that files confmedia cannot process are refused at upload with a
// clear reason instead of failing later.
package filetype

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/internal/heif"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// HeadSize is how many leading bytes Sniff looks at.
const HeadSize = 512

var rawExt = map[string]string{
	".cr2": "Canon RAW", ".cr3": "Canon RAW", ".crw": "Canon RAW", ".nef": "Nikon RAW", ".nrw": "Nikon RAW",
	".arw": "Sony RAW", ".srf": "Sony RAW", ".sr2": "Sony RAW", ".raf": "Fujifilm RAW", ".orf": "Olympus RAW",
	".rw2": "Panasonic RAW", ".pef": "Pentax RAW", ".dng": "DNG RAW", ".srw": "Samsung RAW", ".x3f": "Sigma RAW",
	".3fr": "Hasselblad RAW", ".iiq": "Phase One RAW", ".rwl": "Leica RAW",
}

// Sniff returns the content type of a supported image ("image/jpeg",
// "image/png", or "image/heic" in a build that decodes HEIF, as
// rendition.DecodesHEIF says) from head, the file's first bytes, and name,
// its file name. Anything else is an Invalid error whose message says what
// the file is and why it is refused: empty, HEIC in a build without libheif,
// AVIF, camera RAW (not supported yet), or not an image at all.
func Sniff(name string, head []byte) (string, error) {
	const op = "filetype.Sniff"
	base := filepath.Base(name)
	if len(head) == 0 {
		return "", catalog.E(catalog.Invalid, op, nil, "%s: empty file", base)
	}
	switch heif.Sniff(head) {
	case heif.HEIC:
		if !rendition.DecodesHEIF() {
			return "", catalog.E(catalog.Invalid, op, nil, "%s: %s", base, rendition.HEIFNeedsCgo)
		}
		return "image/heic", nil
	case heif.AVIF:
		return "", catalog.E(catalog.Invalid, op, nil, "%s: AVIF images are not supported; export as JPEG", base)
	}
	if len(head) >= 12 && string(head[4:12]) == "ftypcrx " {
		return "", catalog.E(catalog.Invalid, op, nil, "%s: camera RAW files (Canon RAW) are not supported yet; export as JPEG", base)
	}
	if kind, ok := rawExt[strings.ToLower(filepath.Ext(name))]; ok {
		return "", catalog.E(catalog.Invalid, op, nil, "%s: camera RAW files (%s) are not supported yet; export as JPEG", base, kind)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	case bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*")):
		return "", catalog.E(catalog.Invalid, op, nil, "%s: TIFF or camera RAW files are not supported yet; export as JPEG", base)
	}
	if kind := otherImage(head); kind != "" {
		return "", catalog.E(catalog.Invalid, op, nil, "%s: %s images are not supported; upload JPEG or PNG", base, kind)
	}
	return "", catalog.E(catalog.Invalid, op, nil, "%s: not an image (looks like %s)", base, describe(head))
}

// otherImage names an image format confmedia does not take, or "".
func otherImage(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		return "GIF"
	case bytes.HasPrefix(head, []byte("BM")) && len(head) > 14:
		return "BMP"
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return "WebP"
	}
	return ""
}

// describe says roughly what a non-image file is, for the error message.
func describe(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a zip archive"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return "a video"
	case utf8.Valid(head) && printable(head):
		return "text"
	}
	return "binary data"
}

func printable(b []byte) bool {
	for _, r := range string(b) {
		if r < ' ' && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
