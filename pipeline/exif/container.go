package exif

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// Headers that identify metadata segments and chunks.
const (
	exifHeader    = "Exif\x00\x00"
	xmpHeader     = "http://ns.adobe.com/xap/1.0/\x00"
	xmpExtHeader  = "http://ns.adobe.com/xmp/extension/\x00"
	psHeader      = "Photoshop 3.0\x00"
	pngSignature  = "\x89PNG\r\n\x1a\n"
	pngXMPKeyword = "XML:com.adobe.xmp"
)

// JPEG markers.
const (
	markerSOI   = 0xD8
	markerEOI   = 0xD9
	markerSOS   = 0xDA
	markerAPP1  = 0xE1
	markerAPP13 = 0xED
	markerTEM   = 0x01
)

func isJPEG(data []byte) bool { return len(data) >= 2 && data[0] == 0xFF && data[1] == markerSOI }

func isPNG(data []byte) bool { return bytes.HasPrefix(data, []byte(pngSignature)) }

// scanJPEG walks the marker segments from SOI to SOS, collecting the first
// Exif APP1, the first standard XMP APP1 and every Photoshop APP13. It stops
// at the first thing that is not a well-formed segment.
func scanJPEG(data []byte, r *reader) blocks {
	var b blocks
	var irb []byte
	pos := 2
	for {
		if pos >= len(data) {
			r.warn("jpeg", "file ends before the image data")
			break
		}
		if data[pos] != 0xFF {
			r.warn("jpeg", "no marker at offset %d", pos)
			break
		}
		// Any number of 0xFF fill bytes may precede a marker.
		for pos < len(data) && data[pos] == 0xFF {
			pos++
		}
		if pos >= len(data) {
			r.warn("jpeg", "file ends before the image data")
			break
		}
		marker := data[pos]
		pos++
		if marker == markerSOS || marker == markerEOI {
			break
		}
		if marker == markerTEM || (marker >= 0xD0 && marker <= 0xD7) || marker == markerSOI {
			continue // markers without a length
		}
		if len(data)-pos < 2 {
			r.warn("jpeg", "segment 0x%02X at offset %d is truncated", marker, pos-2)
			break
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 || n > len(data)-pos {
			r.warn("jpeg", "segment 0x%02X at offset %d is truncated", marker, pos-2)
			break
		}
		seg := data[pos+2 : pos+n]
		pos += n
		switch marker {
		case markerAPP1:
			switch {
			case bytes.HasPrefix(seg, []byte(exifHeader)):
				if b.exif == nil {
					b.exif = seg[len(exifHeader):]
				}
			case bytes.HasPrefix(seg, []byte(xmpHeader)):
				if b.xmp == nil {
					b.xmp = seg[len(xmpHeader):]
				}
			case bytes.HasPrefix(seg, []byte(xmpExtHeader)):
				// Extended XMP holds overflow such as thumbnails and
				// history; everything read here lives in the main packet.
			}
		case markerAPP13:
			// A resource block list too long for one segment continues in
			// the next APP13, each with its own header.
			if bytes.HasPrefix(seg, []byte(psHeader)) {
				body := seg[len(psHeader):]
				if len(irb)+len(body) > maxIRB {
					r.warn("iptc", "Photoshop resources larger than %d bytes; the rest is ignored", maxIRB)
					continue
				}
				irb = append(irb, body...)
			}
		}
	}
	if irb != nil {
		b.irb = irb
	}
	return b
}

// scanPNG walks the chunks, collecting eXIf and the XMP iTXt chunk.
func scanPNG(data []byte, r *reader) blocks {
	var b blocks
	pos := len(pngSignature)
	for pos < len(data) {
		if len(data)-pos < 12 {
			r.warn("png", "chunk at offset %d is truncated", pos)
			break
		}
		n := binary.BigEndian.Uint32(data[pos:])
		typ := string(data[pos+4 : pos+8])
		if uint64(n) > uint64(len(data)-pos-12) {
			r.warn("png", "chunk %q at offset %d is truncated", typ, pos)
			break
		}
		body := data[pos+8 : pos+8+int(n)]
		pos += 12 + int(n)
		switch typ {
		case "eXIf":
			if b.exif != nil {
				continue
			}
			body = bytes.TrimPrefix(body, []byte(exifHeader)) // some writers keep the JPEG header
			if len(body) > maxEXIF {
				r.warn("exif", "EXIF block of %d bytes is too large; ignored", len(body))
				continue
			}
			b.exif = body
		case "iTXt":
			if b.xmp == nil {
				b.xmp = r.pngXMP(body)
			}
		case "IEND":
			return b
		}
	}
	return b
}

// pngXMP returns the text of an iTXt chunk whose keyword is the XMP one,
// inflating it if needed; nil for any other chunk.
func (r *reader) pngXMP(body []byte) []byte {
	// keyword\0 flag method language\0 translated keyword\0 text
	kw, rest, ok := bytes.Cut(body, []byte{0})
	if !ok || string(kw) != pngXMPKeyword || len(rest) < 2 {
		return nil
	}
	compressed := rest[0] == 1
	_, rest, ok = bytes.Cut(rest[2:], []byte{0})
	if ok {
		_, rest, ok = bytes.Cut(rest, []byte{0})
	}
	if !ok {
		r.warn("png", "XMP chunk is malformed")
		return nil
	}
	if !compressed {
		return rest
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		r.warn("png", "XMP chunk does not inflate: %v", err)
		return nil
	}
	defer zr.Close()
	text, err := io.ReadAll(io.LimitReader(zr, maxXMP+1))
	if err != nil {
		r.warn("png", "XMP chunk does not inflate: %v", err)
		return nil
	}
	if len(text) > maxXMP {
		r.warn("xmp", "XMP packet larger than %d bytes; ignored", maxXMP)
		return nil
	}
	return text
}
