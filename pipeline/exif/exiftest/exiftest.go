// Package exiftest writes small JPEG and PNG fixtures carrying chosen EXIF,
// XMP and IPTC metadata, so that tests build the photos they need in code.
//
// The pixels show a known picture (see Upright) stored so that applying the
// EXIF orientation yields it upright; MarkerTopLeft checks that a decoded,
// oriented or resized copy is upright.
//
// The EXIF, XMP and IPTC encoders are written here, from the specifications,
// and checked against exiftool in this package's tests.
package exiftest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/jpeg"
	"image/png"
	"testing"
)

// Spec says what to write into a generated image. Zero values write nothing.
// Strings are written verbatim, so malformed values can be written too.
type Spec struct {
	// Width and Height are the size of the upright picture in pixels
	// (defaults 64 and 48). For orientations 5 to 8 the stored image is Height
	// pixels wide and Width high.
	Width, Height int
	// Orientation is the EXIF orientation to store (0: none). The pixels are
	// stored so that applying it yields the upright picture.
	Orientation int

	// EXIF. DateTimeOriginal is "2006:01:02 15:04:05"; SubSec its
	// SubSecTimeOriginal ("123"), OffsetTimeOriginal "+03:00". DateTime is
	// IFD0 DateTime (0x0132), the time of the last edit. Serial is written
	// as BodySerialNumber (0xA431).
	DateTimeOriginal                       string
	SubSec, OffsetTimeOriginal             string
	DateTime                               string
	Make, Model, Serial, Artist, Copyright string
	GPS                                    *GPS
	// BigEndian writes the EXIF TIFF structure in Motorola byte order.
	BigEndian bool

	// XMP. People go to Iptc4xmpExt:PersonInImage, Subjects to dc:subject,
	// XMPCreator to dc:creator, XMPRights to dc:rights, Rating to
	// xmp:Rating; the dates are ISO 8601 ("2006-01-02T15:04:05+01:00").
	People, Subjects    []string
	XMPDateTimeOriginal string
	XMPDateCreated      string
	XMPCreator          []string
	XMPRights           string
	Rating              *int

	// IPTC-IIM, in a Photoshop APP13 segment (JPEG only). DateCreated is
	// "20060102", TimeCreated "150405+0100". The block carries the digest
	// MWG-aware writers store (0x0425); IPTCStaleDigest stores one that does
	// not match, as after an edit by a tool unaware of XMP.
	IPTCDateCreated, IPTCTimeCreated string
	IPTCKeywords                     []string
	IPTCByline, IPTCCopyright        string
	IPTCStaleDigest                  bool

	// Quality is the JPEG quality, 1 to 100 (default 90).
	Quality int
}

// GPS is a position: latitude and longitude in degrees (negative south and
// west), altitude in metres (negative below sea level).
type GPS struct{ Lat, Lon, Alt float64 }

const (
	defaultWidth   = 64
	defaultHeight  = 48
	defaultQuality = 90
	maxSide        = 8192
	maxSegment     = 65533 // payload of one JPEG marker segment
)

// JPEG encodes the picture s describes with image/jpeg and inserts, after
// SOI, an APP1 Exif segment (IFD0, and an Exif and a GPS IFD as needed), an
// APP1 XMP segment and an APP13 IPTC segment, each only when s sets one of
// its fields. It returns an error for an impossible size or orientation or
// for metadata too large for one segment.
func JPEG(s Spec) ([]byte, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	var img bytes.Buffer
	if err := jpeg.Encode(&img, stored(s), &jpeg.Options{Quality: s.Quality}); err != nil {
		return nil, fmt.Errorf("exiftest: encode: %w", err)
	}
	segs, err := jpegSegments(s)
	if err != nil {
		return nil, err
	}
	b := img.Bytes()
	out := make([]byte, 0, len(b)+len(segs))
	out = append(out, b[:2]...) // SOI
	out = append(out, segs...)
	return append(out, b[2:]...), nil
}

// jpegSegments returns the APP1 Exif, APP1 XMP and APP13 IPTC segments of
// s, each only when s sets one of its fields.
func jpegSegments(s Spec) ([]byte, error) {
	var segs bytes.Buffer
	add := func(marker byte, payload []byte) error {
		if len(payload) > maxSegment {
			return fmt.Errorf("exiftest: metadata segment of %d bytes exceeds %d", len(payload), maxSegment)
		}
		segs.Write([]byte{0xFF, marker})
		binary.Write(&segs, binary.BigEndian, uint16(len(payload)+2))
		segs.Write(payload)
		return nil
	}
	if t := exifTIFF(s); t != nil {
		if err := add(0xE1, append([]byte("Exif\x00\x00"), t...)); err != nil {
			return nil, err
		}
	}
	if x := xmpPacket(s); x != nil {
		if err := add(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), x...)); err != nil {
			return nil, err
		}
	}
	irb, err := photoshopIRB(s)
	if err != nil {
		return nil, err
	}
	if irb != nil {
		if err := add(0xED, append([]byte("Photoshop 3.0\x00"), irb...)); err != nil {
			return nil, err
		}
	}
	return segs.Bytes(), nil
}

// PNG encodes the picture s describes with image/png and inserts, after
// IHDR, an eXIf chunk and an iTXt XMP chunk as needed. Quality is ignored.
// PNG carries no IPTC: setting an IPTC field is an error.
func PNG(s Spec) ([]byte, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	if s.IPTCDateCreated != "" || s.IPTCTimeCreated != "" || len(s.IPTCKeywords) > 0 ||
		s.IPTCByline != "" || s.IPTCCopyright != "" {
		return nil, errors.New("exiftest: PNG carries no IPTC")
	}
	var img bytes.Buffer
	if err := png.Encode(&img, stored(s)); err != nil {
		return nil, fmt.Errorf("exiftest: encode: %w", err)
	}
	const afterIHDR = 8 + 12 + 13
	b := img.Bytes()
	var chunks bytes.Buffer
	if t := exifTIFF(s); t != nil {
		writeChunk(&chunks, "eXIf", t)
	}
	if x := xmpPacket(s); x != nil {
		// keyword, NUL, uncompressed, method, empty language and
		// translated keyword, text
		body := append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), x...)
		writeChunk(&chunks, "iTXt", body)
	}
	out := make([]byte, 0, len(b)+chunks.Len())
	out = append(out, b[:afterIHDR]...)
	out = append(out, chunks.Bytes()...)
	return append(out, b[afterIHDR:]...), nil
}

func writeChunk(w *bytes.Buffer, typ string, body []byte) {
	binary.Write(w, binary.BigEndian, uint32(len(body)))
	w.WriteString(typ)
	w.Write(body)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(body)
	binary.Write(w, binary.BigEndian, crc.Sum32())
}

// MustJPEG is JPEG for tests: it fails tb on error.
func MustJPEG(tb testing.TB, s Spec) []byte {
	tb.Helper()
	b, err := JPEG(s)
	if err != nil {
		tb.Fatalf("exiftest.JPEG: %v", err)
	}
	return b
}

// MustPNG is PNG for tests: it fails tb on error.
func MustPNG(tb testing.TB, s Spec) []byte {
	tb.Helper()
	b, err := PNG(s)
	if err != nil {
		tb.Fatalf("exiftest.PNG: %v", err)
	}
	return b
}

func (s Spec) withDefaults() (Spec, error) {
	if s.Width == 0 {
		s.Width = defaultWidth
	}
	if s.Height == 0 {
		s.Height = defaultHeight
	}
	if s.Width < 1 || s.Height < 1 || s.Width > maxSide || s.Height > maxSide {
		return s, fmt.Errorf("exiftest: size %dx%d out of range 1..%d", s.Width, s.Height, maxSide)
	}
	if s.Orientation < 0 || s.Orientation > 8 {
		return s, fmt.Errorf("exiftest: orientation %d out of range 0..8", s.Orientation)
	}
	if s.Quality == 0 {
		s.Quality = defaultQuality
	}
	if s.Quality < 1 || s.Quality > 100 {
		return s, fmt.Errorf("exiftest: quality %d out of range 1..100", s.Quality)
	}
	return s, nil
}
