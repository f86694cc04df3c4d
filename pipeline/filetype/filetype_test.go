package filetype

import (
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

func TestSniff(t *testing.T) {
	// HEIC is taken by the build that decodes it, refused by the other.
	heic, heicErr := "image/heic", ""
	if !rendition.DecodesHEIF() {
		heic, heicErr = "", "HEIC needs the cgo build of confmedia (libheif); export as JPEG or use a cgo build"
	}
	tests := []struct {
		name   string
		head   string
		want   string
		errHas string
	}{
		{"a.jpg", "\xFF\xD8\xFF\xE0rest", "image/jpeg", ""},
		{"a.JPEG", "\xFF\xD8\xFF\xE1rest", "image/jpeg", ""},
		{"b.png", "\x89PNG\r\n\x1a\nrest", "image/png", ""},
		{"empty.jpg", "", "", "empty file"},
		{"IMG_1.HEIC", "\x00\x00\x00\x18ftypheic\x00\x00", heic, heicErr},
		{"x.jpg", "\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", heic, heicErr},
		{"y.heif", "\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif", "", "AVIF images are not supported"},
		{"z.avif", "\x00\x00\x00\x18ftypavif\x00\x00", "", "AVIF images are not supported"},
		{"IMG_2.CR3", "\x00\x00\x00\x18ftypcrx \x00\x00", "", "RAW"},
		{"DSC_3.NEF", "MM\x00*\x00\x00\x00\x08", "", "Nikon RAW"},
		{"scan.tif", "II*\x00\x08\x00\x00\x00", "", "TIFF"},
		{"notes.txt", "hello, world\n", "", "not an image (looks like text)"},
		{"doc.pdf", "%PDF-1.7\n", "", "not an image (looks like a PDF document)"},
		{"clip.mov", "\x00\x00\x00\x14ftypqt  \x00\x00", "", "not an image (looks like a video)"},
		{"blob.bin", "\x00\x01\x02\x03", "", "not an image (looks like binary data)"},
		{"anim.gif", "GIF89a\x01\x00", "", "GIF images are not supported"},
		{"pic.webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", "", "WebP images are not supported"},
	}
	for _, tt := range tests {
		got, err := Sniff("/some/dir/"+tt.name, []byte(tt.head))
		if tt.errHas == "" {
			if err != nil || got != tt.want {
				t.Errorf("Sniff(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("Sniff(%q) = %q, want an error", tt.name, got)
			continue
		}
		msg := catalog.ErrorMessage(err)
		if !strings.Contains(msg, tt.errHas) || !strings.HasPrefix(msg, tt.name+": ") {
			t.Errorf("Sniff(%q) error %q: want the file name and %q", tt.name, msg, tt.errHas)
		}
		if k := catalog.ErrorKind(err); k != catalog.Invalid {
			t.Errorf("Sniff(%q) kind %v, want invalid", tt.name, k)
		}
	}
}
