// Package heiftest makes HEIF files for tests: Container builds the box
// structure alone (no image data), enough for header and metadata readers
// in any build; Encode (cgo build only) encodes a picture with libheif.
package heiftest

import (
	"encoding/binary"
	"errors"
)

// Spec describes a container.
type Spec struct {
	Width, Height int
	Rotation      int    // irot: anticlockwise quarter turns; 0 writes none
	Mirror        bool   // write an imir (vertical axis)
	Exif          []byte // TIFF structure for an Exif item; nil writes none
	ExifPrefix    bool   // put "Exif\0\0" before the TIFF header, as some writers do
	XMP           []byte // XMP packet for a mime item; nil writes none
	Brand         string // major brand; default "heic"
}

func box(typ string, body ...[]byte) []byte {
	n := 8
	for _, b := range body {
		n += len(b)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(n))
	out = append(out, typ...)
	for _, b := range body {
		out = append(out, b...)
	}
	return out
}

func full(typ string, version byte, body ...[]byte) []byte {
	return box(typ, append([]byte{version, 0, 0, 0}, concat(body...)...))
}

func concat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func infe(id int, typ, contentType string) []byte {
	b := concat(u16(id), u16(0), []byte(typ), []byte{0})
	if typ == "mime" {
		b = append(b, contentType...)
		b = append(b, 0)
	}
	return full("infe", 2, b)
}

// Container returns a HEIF file of s: ftyp, a meta box whose primary item
// 1 (hvc1) has ispe and the transformations s asks for, item 2 the Exif and
// item 3 the XMP (each described by a cdsc reference to item 1), then an
// mdat holding the metadata items and no image data.
func Container(s Spec) []byte {
	brand := s.Brand
	if brand == "" {
		brand = "heic"
	}
	ftyp := box("ftyp", []byte(brand), u32(0), []byte("mif1"), []byte(brand))

	var exifItem []byte
	if s.Exif != nil {
		off := 0
		if s.ExifPrefix {
			off = 6
		}
		exifItem = concat(u32(off))
		if s.ExifPrefix {
			exifItem = append(exifItem, "Exif\x00\x00"...)
		}
		exifItem = append(exifItem, s.Exif...)
	}
	items := [][]byte{infe(1, "hvc1", "")}
	type loc struct {
		id   int
		data []byte
	}
	var locs []loc
	var refs []byte
	if exifItem != nil {
		items = append(items, infe(2, "Exif", ""))
		locs = append(locs, loc{2, exifItem})
		refs = append(refs, box("cdsc", u16(2), u16(1), u16(1))...)
	}
	if s.XMP != nil {
		items = append(items, infe(3, "mime", "application/rdf+xml"))
		locs = append(locs, loc{3, s.XMP})
		refs = append(refs, box("cdsc", u16(3), u16(1), u16(1))...)
	}
	props := [][]byte{full("ispe", 0, u32(s.Width), u32(s.Height))}
	assoc := []byte{0x81} // essential, property 1
	if s.Rotation != 0 {
		props = append(props, box("irot", []byte{byte(s.Rotation & 3)}))
		assoc = append(assoc, byte(0x80|len(props)))
	}
	if s.Mirror {
		props = append(props, box("imir", []byte{0}))
		assoc = append(assoc, byte(0x80|len(props)))
	}
	ipma := full("ipma", 0, u32(1), u16(1), []byte{byte(len(assoc))}, assoc)
	iprp := box("iprp", box("ipco", concat(props...)), ipma)

	// iloc, with offsets into the mdat that follows the meta box: its size
	// does not depend on the offsets, so build it twice.
	build := func(base int) []byte {
		b := concat([]byte{0x44, 0x00}, u16(1+len(locs)))
		b = append(b, concat(u16(1), u16(0), u16(1), u32(base), u32(0))...) // the image: an empty extent
		off := base
		for _, l := range locs {
			b = append(b, concat(u16(l.id), u16(0), u16(1), u32(off), u32(len(l.data)))...)
			off += len(l.data)
		}
		return full("iloc", 0, b)
	}
	meta := func(base int) []byte {
		parts := [][]byte{
			full("hdlr", 0, u32(0), []byte("pict"), make([]byte, 12), []byte{0}),
			full("pitm", 0, u16(1)),
			full("iinf", 0, u16(len(items)), concat(items...)),
			build(base),
			iprp,
		}
		if refs != nil {
			parts = append(parts, full("iref", 0, refs))
		}
		return full("meta", 0, concat(parts...))
	}
	head := len(ftyp) + len(meta(0)) + 8
	var mdat []byte
	for _, l := range locs {
		mdat = append(mdat, l.data...)
	}
	return concat(ftyp, meta(head), box("mdat", mdat))
}

// ErrNoEncoder is Encode's error in a build without libheif or with a
// libheif without an HEVC encoder.
var ErrNoEncoder = errors.New("heiftest: encoding HEIC needs the cgo build with libheif and its x265 encoder (Debian libheif-dev, libheif1; make deps-build)")
