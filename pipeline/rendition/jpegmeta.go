package rendition

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// JPEG markers used here.
const (
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerAPP1 = 0xE1
	markerAPP2 = 0xE2
)

// maxSegment is the largest payload a JPEG marker segment can carry (its
// 16-bit length counts itself).
const maxSegment = 0xFFFF - 2

var (
	exifHeader = []byte("Exif\x00\x00")
	iccHeader  = []byte("ICC_PROFILE\x00")
)

// appendSegment appends a marker segment with payload to dst.
func appendSegment(dst []byte, marker byte, payload []byte) ([]byte, error) {
	if len(payload) > maxSegment {
		return dst, fmt.Errorf("segment %#x: payload of %d bytes is over %d", marker, len(payload), maxSegment)
	}
	dst = append(dst, 0xFF, marker)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(payload)+2))
	return append(dst, payload...), nil
}

// insertAfterSOI returns a copy of the JPEG stream jpg with the encoded
// marker segments inserted right after its SOI marker. It fails when jpg does
// not start with SOI.
func insertAfterSOI(jpg, segments []byte) ([]byte, error) {
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != markerSOI {
		return nil, errors.New("insert segments: stream does not start with SOI")
	}
	out := make([]byte, 0, len(jpg)+len(segments))
	out = append(out, jpg[:2]...)
	out = append(out, segments...)
	return append(out, jpg[2:]...), nil
}

// walkHeader calls fn for every marker segment of the JPEG stream jpg
// before its first SOS (the metadata lives there), stopping early when fn
// returns false. It returns an error when the stream is malformed before
// SOS.
func walkHeader(jpg []byte, fn func(marker byte, payload []byte) bool) error {
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != markerSOI {
		return errors.New("no SOI marker")
	}
	i := 2
	for {
		if i >= len(jpg) || jpg[i] != 0xFF {
			return fmt.Errorf("no marker at offset %d", i)
		}
		for i < len(jpg) && jpg[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(jpg) {
			return errors.New("stream ends in a marker")
		}
		m := jpg[i]
		i++
		switch {
		case m == markerSOS || m == markerEOI:
			return nil
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7) || m == markerSOI: // no payload
			continue
		}
		if i+2 > len(jpg) {
			return fmt.Errorf("segment %#x: truncated length", m)
		}
		n := int(binary.BigEndian.Uint16(jpg[i:]))
		if n < 2 || i+n > len(jpg) {
			return fmt.Errorf("segment %#x: bad length %d", m, n)
		}
		if !fn(m, jpg[i+2:i+n]) {
			return nil
		}
		i += n
	}
}

// jpegICCProfile reassembles the ICC profile from the APP2 ICC_PROFILE
// segments of jpg. It returns nil when there is none or it is unusable
// (chunks missing or repeated, or not an RGB profile: the renditions are
// RGB).
func jpegICCProfile(jpg []byte) []byte {
	var (
		chunks [][]byte
		count  int
		bad    bool
	)
	err := walkHeader(jpg, func(m byte, p []byte) bool {
		if m != markerAPP2 || !bytes.HasPrefix(p, iccHeader) {
			return true
		}
		if len(p) < len(iccHeader)+2 {
			bad = true
			return false
		}
		seq, n := int(p[len(iccHeader)]), int(p[len(iccHeader)+1])
		if chunks == nil {
			count = n
			chunks = make([][]byte, n)
		}
		if n != count || seq < 1 || seq > count || chunks[seq-1] != nil {
			bad = true
			return false
		}
		chunks[seq-1] = p[len(iccHeader)+2:]
		return true
	})
	if err != nil || bad || count == 0 {
		return nil
	}
	var profile []byte
	for _, c := range chunks {
		if c == nil {
			return nil
		}
		profile = append(profile, c...)
	}
	if !usableProfile(profile) {
		return nil
	}
	return profile
}

// maxICC bounds a profile decompressed from PNG: real ones are far smaller.
const maxICC = 4 << 20

// pngICCProfile returns the ICC profile of the PNG stream data's iCCP chunk,
// or nil when there is none or it is unusable.
func pngICCProfile(data []byte) []byte {
	if !bytes.HasPrefix(data, pngMagic) {
		return nil
	}
	for i := len(pngMagic); i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if n < 0 || n > len(data)-i-12 {
			return nil
		}
		body := data[i+8 : i+8+n]
		switch typ {
		case "iCCP":
			// name (1-79 bytes), NUL, compression method 0, zlib stream
			z := bytes.IndexByte(body, 0)
			if z < 1 || z+2 > len(body) || body[z+1] != 0 {
				return nil
			}
			zr, err := zlib.NewReader(bytes.NewReader(body[z+2:]))
			if err != nil {
				return nil
			}
			profile, err := io.ReadAll(io.LimitReader(zr, maxICC+1))
			if err != nil || len(profile) > maxICC || !usableProfile(profile) {
				return nil
			}
			return profile
		case "IDAT", "IEND":
			return nil // iCCP must come before the image data
		}
		i += 12 + n
	}
	return nil
}

// usableProfile reports whether p looks like a whole ICC profile for RGB
// data: its header's size matches, it has the "acsp" signature and the RGB
// data colour space.
func usableProfile(p []byte) bool {
	return len(p) >= 128 &&
		int(binary.BigEndian.Uint32(p)) == len(p) &&
		string(p[36:40]) == "acsp" &&
		string(p[16:20]) == "RGB "
}

// iccChunk is the most profile data one APP2 segment carries.
const iccChunk = maxSegment - 14

// appendICC appends profile as APP2 ICC_PROFILE segments.
func appendICC(dst, profile []byte) ([]byte, error) {
	n := (len(profile) + iccChunk - 1) / iccChunk
	if n > 255 {
		return dst, fmt.Errorf("ICC profile of %d bytes needs more than 255 segments", len(profile))
	}
	for seq := 1; seq <= n; seq++ {
		part := profile[(seq-1)*iccChunk : min(seq*iccChunk, len(profile))]
		payload := make([]byte, 0, 14+len(part))
		payload = append(payload, iccHeader...)
		payload = append(payload, byte(seq), byte(n))
		payload = append(payload, part...)
		var err error
		if dst, err = appendSegment(dst, markerAPP2, payload); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// maxText bounds Artist and Copyright in bytes, so that both always fit in
// one APP1 segment. Longer values are cut at a character boundary.
const maxText = 16 << 10

// EXIF tags written to IFD0.
const (
	tagArtist    = 0x013B
	tagCopyright = 0x8298
	typeASCII    = 2
)

// exifPayload returns an APP1 Exif payload (big-endian TIFF) whose IFD0
// holds only Artist and Copyright, or nil when both are empty. NUL bytes
// are dropped (they end an EXIF string) and values are trimmed.
func exifPayload(artist, copyright string) []byte {
	type entry struct {
		tag uint16
		val []byte
	}
	var entries []entry // in ascending tag order, as TIFF requires
	for _, e := range []struct {
		tag uint16
		s   string
	}{{tagArtist, artist}, {tagCopyright, copyright}} {
		s := strings.TrimSpace(strings.ReplaceAll(e.s, "\x00", ""))
		if s == "" {
			continue
		}
		s = truncate(s, maxText)
		entries = append(entries, entry{e.tag, append([]byte(s), 0)})
	}
	if len(entries) == 0 {
		return nil
	}
	const tiffHeader = 8
	ifdSize := 2 + 12*len(entries) + 4
	data := tiffHeader + ifdSize // offset of the first out-of-line value

	p := append([]byte(nil), exifHeader...)
	p = append(p, 'M', 'M', 0, 42, 0, 0, 0, tiffHeader)
	p = binary.BigEndian.AppendUint16(p, uint16(len(entries)))
	var values []byte
	for _, e := range entries {
		p = binary.BigEndian.AppendUint16(p, e.tag)
		p = binary.BigEndian.AppendUint16(p, typeASCII)
		p = binary.BigEndian.AppendUint32(p, uint32(len(e.val)))
		if len(e.val) <= 4 {
			var inline [4]byte
			copy(inline[:], e.val)
			p = append(p, inline[:]...)
			continue
		}
		p = binary.BigEndian.AppendUint32(p, uint32(data+len(values)))
		values = append(values, e.val...)
		if len(values)%2 == 1 { // values start on a word boundary
			values = append(values, 0)
		}
	}
	p = append(p, 0, 0, 0, 0) // no IFD1
	p = append(p, values...)
	return p
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// metadataSegments returns the encoded segments every rendition carries:
// APP1 Exif with Artist and Copyright (when either is set), then the ICC
// profile as APP2 segments (when there is one).
func metadataSegments(artist, copyright string, profile []byte) ([]byte, error) {
	var out []byte
	var err error
	if p := exifPayload(artist, copyright); p != nil {
		if out, err = appendSegment(out, markerAPP1, p); err != nil {
			return nil, err
		}
	}
	if len(profile) > 0 {
		if out, err = appendICC(out, profile); err != nil {
			return nil, err
		}
	}
	return out, nil
}
