package accept

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// pngHeader is a PNG with only a signature and an IHDR chunk: enough for a
// header check, nothing to decode.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestCheck(t *testing.T) {
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	other := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:20:00"})
	heic := append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 64)...)
	// A HEIC without its boxes: the cgo build reads its header and finds
	// it damaged, the pure-Go build refuses HEIC.
	heicWant := "cannot decode image: no meta box"
	if !rendition.DecodesHEIF() {
		heicWant = "IMG_1.jpg: HEIC needs the cgo build"
	}
	huge := pngHeader(20000, 20000)
	lim := Limits{MaxBytes: 1 << 20}
	tests := []struct {
		name string
		f    File
		data []byte
		lim  Limits
		kind catalog.Kind // 0: accepted
		has  string
	}{
		{"honest", File{Name: "a.jpg", Size: int64(len(photo)), ID: sum(photo)}, photo, lim, 0, ""},
		{"size and id unknown", File{Name: "a.jpg", Size: -1}, photo, lim, 0, ""},
		{"empty", File{Name: "e.jpg", Size: -1}, nil, lim, catalog.Invalid, "e.jpg: empty file"},
		{"announced empty", File{Name: "e.jpg", Size: 0}, photo, lim, catalog.Invalid, "e.jpg: empty file"},
		{"over the byte limit", File{Name: "a.jpg", Size: -1}, photo, Limits{MaxBytes: 100}, catalog.TooLarge, "a.jpg: " + "over the 100 byte limit"},
		{"announced over the limit", File{Name: "a.jpg", Size: 5000}, photo, Limits{MaxBytes: 100}, catalog.TooLarge, "5000 bytes is over the 100 byte limit"},
		{"lying id", File{Name: "a.jpg", Size: -1, ID: sum(photo)}, other, lim, catalog.Invalid, "a.jpg: content does not match its id (sha256 " + sum(other)},
		{"other size", File{Name: "a.jpg", Size: int64(len(photo)) + 1}, photo, lim, catalog.Invalid, "a.jpg arrived with"},
		{"text", File{Name: "notes.jpg", Size: -1}, []byte("just some text, no pixels"), lim, catalog.Invalid, "notes.jpg: not an image"},
		{"HEIC named .jpg", File{Name: "IMG_1.jpg", Size: -1}, heic, lim, catalog.Invalid, heicWant},
		{"RAW by name", File{Name: "IMG_1.CR2", Size: -1}, photo, lim, catalog.Invalid, "camera RAW"},
		{"pixel bomb", File{Name: "bomb.png", Size: -1}, huge, lim, catalog.TooLarge, "bomb.png: image is 20000x20000"},
		{"cut header", File{Name: "cut.jpg", Size: -1}, photo[:20], lim, catalog.Invalid, "cut.jpg"},
		{"stored, vouched", File{Name: "a.jpg", Size: int64(len(photo)), ID: sum(photo), Stored: &Stored{Size: int64(len(photo)), SHA256: mustHex(sum(photo))}}, photo, lim, 0, ""},
		{"stored, other hash", File{Name: "a.jpg", Size: int64(len(photo)), ID: sum(photo), Stored: &Stored{Size: int64(len(photo)), SHA256: mustHex(sum(other))}}, photo, lim, catalog.Invalid, "content does not match its id"},
		{"stored, other size", File{Name: "a.jpg", Size: 10, ID: sum(photo), Stored: &Stored{Size: int64(len(photo))}}, photo, lim, catalog.Invalid, "a.jpg arrived with"},
		{"stored, no hash: read back", File{Name: "a.jpg", Size: int64(len(other)), ID: sum(photo), Stored: &Stored{Size: int64(len(other))}}, other, lim, catalog.Invalid, "content does not match its id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Check(tt.f, bytes.NewReader(tt.data), tt.lim)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("Check = %v, want it accepted", err)
				}
				if res.ContentType != "image/jpeg" || res.Width == 0 || res.Size != int64(len(tt.data)) {
					t.Errorf("Check = %+v", res)
				}
				if tt.f.Stored == nil && res.SHA256 != sum(tt.data) {
					t.Errorf("sha256 %s, want %s", res.SHA256, sum(tt.data))
				}
				return
			}
			if got := catalog.ErrorKind(err); got != tt.kind || !strings.Contains(catalog.ErrorMessage(err), tt.has) {
				t.Errorf("Check = %v (%v), want %v containing %q", err, got, tt.kind, tt.has)
			}
		})
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestHead(t *testing.T) {
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	tests := []struct {
		name string
		size int64
		head []byte
		want string
		has  string
	}{
		{"a.jpg", int64(len(photo)), photo, "image/jpeg", ""},
		{"b.png", 100, pngHeader(10, 10), "image/png", ""},
		{"e.jpg", 0, nil, "", "e.jpg: empty file"},
		{"big.jpg", 20000, photo, "", "over the 10000 byte limit"},
		{"notes.txt", 10, []byte("hello there"), "", "not an image"},
	}
	for _, tt := range tests {
		got, err := Head(tt.name, tt.size, tt.head, Limits{MaxBytes: 10000})
		if got != tt.want || (tt.has == "") != (err == nil) || (err != nil && !strings.Contains(catalog.ErrorMessage(err), tt.has)) {
			t.Errorf("Head(%s) = %q, %v; want %q, %q", tt.name, got, err, tt.want, tt.has)
		}
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(b []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(b, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestCheckReadError: a reader that fails is not mistaken for a bad file.
func TestCheckReadError(t *testing.T) {
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	broken := errors.New("connection reset")
	for _, n := range []int{0, 10, len(photo) - 10} {
		_, err := Check(File{Name: "a.jpg", Size: -1}, &failingReader{data: photo[:n], err: broken}, Limits{})
		var re *ReadError
		if !errors.As(err, &re) || !errors.Is(err, broken) {
			t.Errorf("after %d bytes: %v, want a ReadError wrapping the reader's", n, err)
		}
	}
	if _, err := Check(File{Name: "a.jpg", Size: -1}, io.MultiReader(bytes.NewReader(photo)), Limits{}); err != nil {
		t.Errorf("a reader ending in io.EOF: %v", err)
	}
}
