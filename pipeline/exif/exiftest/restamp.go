package exiftest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

// Restamp returns a copy of JPEG data whose metadata is s's alone: its APP1
// (EXIF, XMP) and APP13 (IPTC) segments are dropped and s's written after
// SOI, as JPEG writes them; the other segments and the image data are kept
// byte for byte, so a real photo can be given a chosen capture time. The
// pixels are data's: s's size and quality are ignored, and its Orientation
// is written as it is, the pixels not turned.
func Restamp(data []byte, s Spec) ([]byte, error) {
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errors.New("exiftest: restamp: not a JPEG")
	}
	segs, err := jpegSegments(s)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(segs))
	out = append(append(out, data[:2]...), segs...)
	rest := data[2:]
	// The segments before the first scan; the scan and what follows are
	// copied as they are.
	for len(rest) >= 4 && rest[0] == 0xFF && rest[1] != 0xDA {
		n := 2 + int(binary.BigEndian.Uint16(rest[2:4]))
		if n < 4 || n > len(rest) {
			return nil, fmt.Errorf("exiftest: restamp: the segment of marker %#02x runs past the end", rest[1])
		}
		if m := rest[1]; m != 0xE1 && m != 0xED {
			out = append(out, rest[:n]...)
		}
		rest = rest[n:]
	}
	return append(out, rest...), nil
}

// MustRestamp is Restamp for tests: it fails tb on error.
func MustRestamp(tb testing.TB, data []byte, s Spec) []byte {
	tb.Helper()
	b, err := Restamp(data, s)
	if err != nil {
		tb.Fatalf("exiftest.Restamp: %v", err)
	}
	return b
}
