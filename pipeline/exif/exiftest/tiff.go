package exiftest

import (
	"encoding/binary"
	"math"
	"slices"
)

// TIFF field types.
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeUndefined = 7
)

// entry is one IFD entry with its value already encoded.
type entry struct {
	tag   uint16
	typ   uint16
	count uint32
	data  []byte
}

// tiffWriter builds the entries of a TIFF structure in one byte order.
type tiffWriter struct{ bo binary.AppendByteOrder }

func (w tiffWriter) ascii(tag uint16, s string) entry {
	d := append([]byte(s), 0)
	return entry{tag, typeASCII, uint32(len(d)), d}
}

func (w tiffWriter) short(tag uint16, v uint16) entry {
	return entry{tag, typeShort, 1, w.bo.AppendUint16(nil, v)}
}

func (w tiffWriter) long(tag uint16, v uint32) entry {
	return entry{tag, typeLong, 1, w.bo.AppendUint32(nil, v)}
}

func (w tiffWriter) bytes(tag, typ uint16, d []byte) entry {
	return entry{tag, typ, uint32(len(d)), d}
}

// rationals encodes numerator/denominator pairs.
func (w tiffWriter) rationals(tag uint16, pairs ...uint32) entry {
	var d []byte
	for _, v := range pairs {
		d = w.bo.AppendUint32(d, v)
	}
	return entry{tag, typeRational, uint32(len(pairs) / 2), d}
}

// exifTIFF returns the TIFF structure of the EXIF s asks for, or nil when it
// asks for none: IFD0, then the Exif IFD and the GPS IFD when needed.
func exifTIFF(s Spec) []byte {
	w := tiffWriter{bo: binary.LittleEndian}
	if s.BigEndian {
		w.bo = binary.BigEndian
	}
	var ifd0, exif, gps []entry
	str := func(dst *[]entry, tag uint16, v string) {
		if v != "" {
			*dst = append(*dst, w.ascii(tag, v))
		}
	}
	str(&ifd0, 0x010F, s.Make)
	str(&ifd0, 0x0110, s.Model)
	if s.Orientation != 0 {
		ifd0 = append(ifd0, w.short(0x0112, uint16(s.Orientation)))
	}
	str(&ifd0, 0x0132, s.DateTime)
	str(&ifd0, 0x013B, s.Artist)
	str(&ifd0, 0x8298, s.Copyright)

	str(&exif, 0x9003, s.DateTimeOriginal)
	str(&exif, 0x9011, s.OffsetTimeOriginal)
	str(&exif, 0x9291, s.SubSec)
	str(&exif, 0xA431, s.Serial)
	if len(exif) > 0 {
		exif = append(exif, w.bytes(0x9000, typeUndefined, []byte("0232")))
	}

	if g := s.GPS; g != nil {
		latRef, lonRef, altRef := "N", "E", byte(0)
		if g.Lat < 0 {
			latRef = "S"
		}
		if g.Lon < 0 {
			lonRef = "W"
		}
		if g.Alt < 0 {
			altRef = 1
		}
		gps = []entry{
			w.bytes(0x0000, typeByte, []byte{2, 3, 0, 0}),
			w.ascii(0x0001, latRef),
			w.rationals(0x0002, dms(g.Lat)...),
			w.ascii(0x0003, lonRef),
			w.rationals(0x0004, dms(g.Lon)...),
			w.bytes(0x0005, typeByte, []byte{altRef}),
			w.rationals(0x0006, uint32(math.Round(math.Abs(g.Alt)*100)), 100),
		}
	}

	if len(ifd0) == 0 && len(exif) == 0 && len(gps) == 0 {
		return nil
	}
	// Pointers first with a placeholder: an IFD's size does not depend on
	// the values of its entries.
	if len(exif) > 0 {
		ifd0 = append(ifd0, w.long(0x8769, 0))
	}
	if len(gps) > 0 {
		ifd0 = append(ifd0, w.long(0x8825, 0))
	}
	off := uint32(8)
	offExif := off + ifdSize(ifd0)
	offGPS := offExif + ifdSize(exif)
	for i := range ifd0 {
		switch ifd0[i].tag {
		case 0x8769:
			ifd0[i] = w.long(0x8769, offExif)
		case 0x8825:
			ifd0[i] = w.long(0x8825, offGPS)
		}
	}

	out := []byte("II*\x00")
	if s.BigEndian {
		out = []byte("MM\x00*")
	}
	out = w.bo.AppendUint32(out, off)
	out = w.ifd(out, ifd0)
	if len(exif) > 0 {
		out = w.ifd(out, exif)
	}
	if len(gps) > 0 {
		out = w.ifd(out, gps)
	}
	return out
}

// ifdSize is the size of an IFD with its value area.
func ifdSize(es []entry) uint32 {
	if len(es) == 0 {
		return 0
	}
	n := uint32(2 + 12*len(es) + 4)
	for _, e := range es {
		if len(e.data) > 4 {
			n += uint32(len(e.data)+1) &^ 1
		}
	}
	return n
}

// ifd appends an IFD (entries sorted by tag, no next IFD) and its value area
// to out, which ends where the IFD starts.
func (w tiffWriter) ifd(out []byte, es []entry) []byte {
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b entry) int { return int(a.tag) - int(b.tag) })
	base := uint32(len(out))
	values := base + uint32(2+12*len(es)+4)
	var area []byte
	out = w.bo.AppendUint16(out, uint16(len(es)))
	for _, e := range es {
		out = w.bo.AppendUint16(out, e.tag)
		out = w.bo.AppendUint16(out, e.typ)
		out = w.bo.AppendUint32(out, e.count)
		if len(e.data) <= 4 {
			var inline [4]byte
			copy(inline[:], e.data)
			out = append(out, inline[:]...)
			continue
		}
		out = w.bo.AppendUint32(out, values+uint32(len(area)))
		area = append(area, e.data...)
		if len(area)%2 == 1 {
			area = append(area, 0)
		}
	}
	out = w.bo.AppendUint32(out, 0)
	return append(out, area...)
}

// dms splits degrees into degrees, minutes and seconds as rationals.
func dms(deg float64) []uint32 {
	v := math.Abs(deg)
	d := math.Floor(v)
	m := math.Floor((v - d) * 60)
	sec := ((v-d)*60 - m) * 60
	return []uint32{uint32(d), 1, uint32(m), 1, uint32(math.Round(sec * 1e6)), 1e6}
}
