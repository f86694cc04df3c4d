package heif_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/pipeline/internal/heif"
	"github.com/confmedia/confmedia/pipeline/internal/heif/heiftest"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want heif.Kind
	}{
		{"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", heif.HEIC},
		{"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00", heif.HEIC},
		{"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", heif.HEIC},
		{"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif", heif.AVIF},
		{"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00", heif.AVIF},
		{"\x00\x00\x00\x18ftypqt  \x00\x00\x00\x00", heif.NotHEIF},
		{"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", heif.NotHEIF},
		{"\xFF\xD8\xFF\xE0", heif.NotHEIF},
		{"", heif.NotHEIF},
	}
	for _, tt := range tests {
		if got := heif.Sniff([]byte(tt.head)); got != tt.want {
			t.Errorf("Sniff(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tiff := []byte("MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00")
	xmp := []byte("<x:xmpmeta/>")
	tests := []struct {
		name string
		spec heiftest.Spec
		want heif.File
	}{
		{"plain", heiftest.Spec{Width: 4032, Height: 3024}, heif.File{Width: 4032, Height: 3024, Channels: 3, BitDepth: 8}},
		{"rotated", heiftest.Spec{Width: 4032, Height: 3024, Rotation: 3}, heif.File{Width: 4032, Height: 3024, Rotation: 3, Channels: 3, BitDepth: 8}},
		{"mirrored", heiftest.Spec{Width: 10, Height: 20, Mirror: true}, heif.File{Width: 10, Height: 20, Mirrored: true, Channels: 3, BitDepth: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := heif.Parse(bytes.NewReader(heiftest.Container(tt.spec)))
			if err != nil {
				t.Fatal(err)
			}
			if got.Width != tt.want.Width || got.Height != tt.want.Height || got.Rotation != tt.want.Rotation ||
				got.Mirrored != tt.want.Mirrored || got.Channels != tt.want.Channels || got.BitDepth != tt.want.BitDepth {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
			if got.Exif != nil || got.XMP != nil {
				t.Errorf("Parse found metadata items %v %v in a file without", got.Exif, got.XMP)
			}
			if got.Transformed() != (tt.want.Rotation != 0 || tt.want.Mirrored) {
				t.Errorf("Transformed = %v", got.Transformed())
			}
		})
	}

	t.Run("metadata", func(t *testing.T) {
		data := heiftest.Container(heiftest.Spec{Width: 8, Height: 8, Exif: tiff, XMP: xmp})
		f, err := heif.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		ex, err := heif.Bytes(data, f.Idat, f.Exif, f.ExifIdat, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if want := append([]byte{0, 0, 0, 0}, tiff...); !bytes.Equal(ex, want) {
			t.Errorf("Exif item = %q, want %q", ex, want)
		}
		x, err := heif.Bytes(data, f.Idat, f.XMP, f.XMPIdat, 1<<20)
		if err != nil || !bytes.Equal(x, xmp) {
			t.Errorf("XMP item = %q, %v; want %q", x, err, xmp)
		}
		if _, err := heif.Bytes(data, f.Idat, f.Exif, f.ExifIdat, 4); err == nil {
			t.Error("Bytes over its limit: no error")
		}
		if _, err := heif.Bytes(data[:len(data)-1], f.Idat, f.XMP, f.XMPIdat, 1<<20); err == nil {
			t.Error("Bytes of an extent past the end: no error")
		}
	})
}

func TestParseRefuses(t *testing.T) {
	good := heiftest.Container(heiftest.Spec{Width: 8, Height: 8})
	huge := append([]byte("\x00\x00\x00\x10ftypheic\x00\x00\x00\x00"), "\x7f\x00\x00\x00meta"...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not heif", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "not a HEIF file"},
		{"empty", nil, "EOF"},
		{"cut in ftyp", good[:20], "unexpected EOF"},
		{"cut in meta", good[:60], "unexpected EOF"},
		{"no size", heiftest.Container(heiftest.Spec{}), "no size"},
		{"meta too big", huge, "over the"},
		{"only ftyp", good[:24], "no meta box"},
	}
	for _, tt := range tests {
		_, err := heif.Parse(bytes.NewReader(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := heif.Parse(bytes.NewReader(good[:20])); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut file: %v, want io.ErrUnexpectedEOF", err)
	}
}
