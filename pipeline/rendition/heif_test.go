package rendition

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/internal/heif/heiftest"
)

func TestHEIFHeader(t *testing.T) {
	data := heiftest.Container(heiftest.Spec{Width: 4032, Height: 3024, Rotation: 3})
	h, err := ReadHeader(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Header{Format: "heif", Width: 4032, Height: 3024, Channels: 3, BitDepth: 8}); h != want {
		t.Errorf("ReadHeader = %+v, want %+v", h, want)
	}
	if got, want := h.Bytes(), int64(4032*3024*3); got != want {
		t.Errorf("Bytes = %d, want %d", got, want)
	}
	format, w, hh, err := CheckConfig(bytes.NewReader(data), 0)
	if format != "heif" || w != 4032 || hh != 3024 || err != nil {
		t.Errorf("CheckConfig = %q %d %d %v", format, w, hh, err)
	}

	tests := []struct {
		name      string
		data      []byte
		maxPixels int64
		kind      catalog.Kind
		msg       string
	}{
		{"over the pixel limit", data, 12_000_000, catalog.TooLarge, "image is 4032x3024 (12 MP), over the 12 MP limit"},
		{"over the side limit", heiftest.Container(heiftest.Spec{Width: 70000, Height: 10}), 0, catalog.TooLarge, "over the limit of 65535 pixels a side"},
		{"no size", heiftest.Container(heiftest.Spec{}), 0, catalog.Invalid, "cannot decode image: the primary image has no size"},
		{"cut", data[:40], 0, catalog.Invalid, "cannot decode image: the file is truncated"},
	}
	for _, tt := range tests {
		_, err := ReadHeader(bytes.NewReader(tt.data), tt.maxPixels)
		if catalog.ErrorKind(err) != tt.kind || !strings.Contains(catalog.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: ReadHeader error %v, want %v saying %q", tt.name, err, tt.kind, tt.msg)
		}
	}
}

// TestHEIFPureBuild: the build without libheif refuses HEIC by saying why.
func TestHEIFPureBuild(t *testing.T) {
	if DecodesHEIF() {
		t.Skip("this build decodes HEIC (TestRenderHEIC); CGO_ENABLED=0 go test runs this one")
	}
	_, err := Render(context.Background(), heiftest.Container(heiftest.Spec{Width: 64, Height: 48}), Options{})
	if catalog.ErrorKind(err) != catalog.Invalid || catalog.ErrorMessage(err) != HEIFNeedsCgo {
		t.Errorf("Render = %v, want invalid %q", err, HEIFNeedsCgo)
	}
}

// heicFixture encodes the test picture of s as a HEIC whose container
// turns it by orient (libheif writes irot/imir), with the EXIF of s.
func heicFixture(t *testing.T, s exiftest.Spec, orient int) []byte {
	t.Helper()
	if !DecodesHEIF() {
		t.Skip("HEIC needs the cgo build with libheif (Debian libheif-dev: make deps-build)")
	}
	img, err := exiftest.Stored(s)
	if err != nil {
		t.Fatal(err)
	}
	tiff, err := exiftest.TIFF(s)
	if err != nil {
		t.Fatal(err)
	}
	data, err := heiftest.Encode(img, 90, orient, tiff)
	if errors.Is(err, heiftest.ErrNoEncoder) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRenderHEIC renders HEICs of all eight orientations, turned by the
// container (with the same EXIF orientation, which must not be applied
// twice) and by EXIF alone (as heif-enc 1.15 writes them): every rendition
// must come out upright.
func TestRenderHEIC(t *testing.T) {
	for o := 1; o <= 8; o++ {
		for _, byContainer := range []bool{true, false} {
			s := exiftest.Spec{Width: 96, Height: 64, Orientation: o}
			orient, exifOrient := o, 1
			if !byContainer {
				orient, exifOrient = 1, o
			}
			if byContainer && o > 1 {
				// What exif.Read reports for it.
				exifOrient = 1
			}
			data := heicFixture(t, s, orient)
			// A turning container overrides the EXIF orientation given.
			opts := Options{Orientation: exifOrient}
			if byContainer {
				opts.Orientation = o
			}
			res, err := Render(context.Background(), data, opts)
			if err != nil {
				t.Fatalf("orientation %d (container %v): %v", o, byContainer, err)
			}
			if res.Width != 96 || res.Height != 64 {
				t.Errorf("orientation %d (container %v): %dx%d, want 96x64", o, byContainer, res.Width, res.Height)
			}
			for _, r := range res.Renditions {
				img, err := jpeg.Decode(bytes.NewReader(r.Data))
				if err != nil {
					t.Fatalf("%s: %v", r.Name, err)
				}
				if !exiftest.MarkerTopLeft(img) {
					t.Errorf("orientation %d (container %v): %s rendition is not upright", o, byContainer, r.Name)
				}
			}
		}
	}
}

func TestRenderHEICRefuses(t *testing.T) {
	data := heicFixture(t, exiftest.Spec{Width: 96, Height: 64}, 1)
	tests := []struct {
		name string
		data []byte
		opts Options
		kind catalog.Kind
		msg  string
	}{
		{"over the pixel limit", data, Options{MaxPixels: 5000}, catalog.TooLarge, "image is 96x64 (0 MP), over the 5000 pixel limit"},
		{"cut in the image data", data[:len(data)-200], Options{}, catalog.Invalid, "cannot decode image"},
		{"no image data", heiftest.Container(heiftest.Spec{Width: 96, Height: 64}), Options{}, catalog.Invalid, "cannot decode image: libheif"},
	}
	for _, tt := range tests {
		_, err := Render(context.Background(), tt.data, tt.opts)
		if catalog.ErrorKind(err) != tt.kind || !strings.Contains(catalog.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: Render error %v, want %v saying %q", tt.name, err, tt.kind, tt.msg)
		}
	}
}
