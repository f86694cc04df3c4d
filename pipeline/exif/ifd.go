package exif

import (
	"bytes"
	"encoding/binary"
)

// Tags the fallback reader looks for, by id.
const (
	tagMake               = 0x010F
	tagModel              = 0x0110
	tagOrientation        = 0x0112
	tagArtist             = 0x013B
	tagCopyright          = 0x8298
	tagDateTimeOriginal   = 0x9003
	tagSubSecTimeOriginal = 0x9291
	tagMakerNote          = 0x927C
)

// rawEntry is one IFD entry as stored: its type, count and value bytes.
type rawEntry struct {
	typ   uint16
	count uint32
	val   []byte
}

// rawIFDs is the fallback reader's view of a TIFF block: the entries of
// IFD0 and of the Exif sub-IFD it points at, and whether IFD0 points at a
// GPS IFD.
type rawIFDs struct {
	bo         binary.ByteOrder
	ifd0, exif map[uint16]rawEntry
}

// maxEntries bounds the entries read from one directory.
const maxEntries = 512

// readIFDs reads IFD0 and the Exif sub-IFD of the TIFF block t entry by
// entry, skipping any entry whose value lies outside t instead of giving up
// on the directory as goexif does (a broken GPS or interop pointer, a value
// past the end of a truncated APP1). It never allocates from a count stated
// in the file: values are slices of t.
func readIFDs(t []byte) (rawIFDs, bool) {
	var d rawIFDs
	if len(t) < 8 {
		return d, false
	}
	switch string(t[:2]) {
	case "II":
		d.bo = binary.LittleEndian
	case "MM":
		d.bo = binary.BigEndian
	default:
		return d, false
	}
	if d.bo.Uint16(t[2:]) != 42 {
		return d, false
	}
	d.ifd0 = readDir(t, uint64(d.bo.Uint32(t[4:])), d.bo)
	if e, ok := d.ifd0[tagExifIFD]; ok {
		if off, ok := d.uint(e); ok && off > 0 {
			d.exif = readDir(t, off, d.bo)
		}
	}
	return d, len(d.ifd0) > 0
}

// readDir reads the directory at off in t; entries with an unknown type or
// a value outside t are left out.
func readDir(t []byte, off uint64, bo binary.ByteOrder) map[uint16]rawEntry {
	size := uint64(len(t))
	if off+2 > size {
		return nil
	}
	n := min(uint64(bo.Uint16(t[off:])), maxEntries)
	dir := make(map[uint16]rawEntry, n)
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > size {
			break
		}
		tag, typ, count := bo.Uint16(t[e:]), bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		total := typeSize(typ) * uint64(count)
		if total == 0 && typeSize(typ) == 0 {
			continue
		}
		at := e + 8
		if total > 4 {
			at = uint64(bo.Uint32(t[e+8:]))
		}
		if at+total > size {
			continue
		}
		if _, dup := dir[tag]; !dup {
			dir[tag] = rawEntry{typ: typ, count: count, val: t[at : at+total]}
		}
	}
	return dir
}

// uint reads the first value of an integer entry.
func (d rawIFDs) uint(e rawEntry) (uint64, bool) {
	switch {
	case e.typ == 1 && len(e.val) >= 1:
		return uint64(e.val[0]), true
	case e.typ == 3 && len(e.val) >= 2:
		return uint64(d.bo.Uint16(e.val)), true
	case (e.typ == 4 || e.typ == 13) && len(e.val) >= 4:
		return uint64(d.bo.Uint32(e.val)), true
	}
	return 0, false
}

// str returns a string entry of the directory as clean text, and whether
// the tag is there.
func str(dir map[uint16]rawEntry, tag uint16) field {
	e, ok := dir[tag]
	if !ok {
		return field{}
	}
	switch e.typ {
	case 1, 2, 7: // BYTE, ASCII, UNDEFINED: some writers store strings so
		return field{present: true, val: text(e.val)}
	}
	return field{}
}

// fillFromIFDs completes d with what the fallback reader finds in the TIFF
// block t where goexif found nothing: every field when goexif could not
// decode the block at all, else the fields it left empty.
func (r *reader) fillFromIFDs(d *exifData, t []byte) {
	raw, ok := readIFDs(t)
	if !ok {
		return
	}
	set := func(dst *string, dir map[uint16]rawEntry, tag uint16) {
		if *dst == "" {
			*dst = str(dir, tag).val
		}
	}
	set(&d.make, raw.ifd0, tagMake)
	set(&d.model, raw.ifd0, tagModel)
	set(&d.artist, raw.ifd0, tagArtist)
	set(&d.copyright, raw.ifd0, tagCopyright)
	set(&d.serial, raw.ifd0, tagSerialNumber)
	set(&d.serial, raw.exif, tagSerialNumber)
	set(&d.bodySerial, raw.exif, tagBodySerialNumber)
	if d.orientation == 0 {
		if e, ok := raw.ifd0[tagOrientation]; ok {
			if v, ok := raw.uint(e); ok {
				d.orientation = int(v)
			}
		}
	}
	if e, ok := raw.ifd0[tagGPSIFD]; ok && !d.hasGPS {
		if off, ok := raw.uint(e); ok && off > 0 {
			gps := readDir(t, off, raw.bo)
			_, lat := gps[2] // GPSLatitude
			_, lon := gps[4] // GPSLongitude
			d.hasGPS = lat || lon
		}
	}
	if !d.dateTimeOriginal.present {
		if f := str(raw.exif, tagDateTimeOriginal); f.present {
			d.dateTimeOriginal = f
			d.subSec = str(raw.exif, tagSubSecTimeOriginal)
			d.offsetOrigin = str(raw.exif, tagOffsetTimeOriginal)
			r.warn("exif", "DateTimeOriginal read without goexif")
		}
	}
	if mn, ok := raw.exif[tagMakerNote]; ok {
		d.makerNote = mn.val
	}
}

// makerNoteTime reads the capture time from the maker notes that keep it
// there rather than in EXIF DateTimeOriginal: Reconyx trail cameras
// (HyperFire, UltraFire, HyperFire 2), whose notes are little-endian
// binary records with the date and time at a fixed place. It reports
// false for any other maker note.
func makerNoteTime(mn []byte, camMake string) (y, mo, d, h, mi, s int, ok bool) {
	le := binary.LittleEndian
	u16 := func(at int) int { return int(le.Uint16(mn[at:])) }
	switch {
	case bytes.HasPrefix(mn, []byte("RECONYXUF\x00")) && len(mn) >= 0x3b+7:
		b := mn[0x3b:]
		return int(b[5]) + 256*int(b[6]), int(b[4]), int(b[3]), int(b[2]), int(b[1]), int(b[0]), true
	case bytes.HasPrefix(mn, []byte("RECONYXH2\x00")) && len(mn) >= 0x3e+12:
		return u16(0x3e + 10), u16(0x3e + 8), u16(0x3e + 6), u16(0x3e + 4), u16(0x3e + 2), u16(0x3e), true
	case len(mn) >= 0x0b*2+12 && mn[0] == 0x01 && mn[1] == 0xF1 &&
		((mn[2] == 2 || mn[2] == 3) && mn[3] == 0 || camMake == "RECONYX"):
		at := 0x0b * 2
		v := make6(mn[at:], le)
		// Some firmware writes these values big-endian.
		if v[0]&0xFF00 != 0 && v[0]&0xFF == 0 {
			for i := range v {
				v[i] = v[i]>>8 | (v[i]&0xFF)<<8
			}
		}
		return v[5], v[3], v[4], v[2], v[1], v[0], true
	}
	return 0, 0, 0, 0, 0, 0, false
}

// makerNoteSerial reads the serial number a Reconyx HyperFire keeps in its
// maker note (UCS-2, at most 15 characters); "" for any other maker note.
func makerNoteSerial(mn []byte, camMake string) string {
	if _, _, _, _, _, _, ok := makerNoteTime(mn, camMake); !ok || len(mn) < 0x15*2+30 || mn[0] != 0x01 {
		return ""
	}
	var out []rune
	for i := 0x15 * 2; i+1 < 0x15*2+30; i += 2 {
		c := rune(binary.LittleEndian.Uint16(mn[i:]))
		if c == 0 {
			break
		}
		out = append(out, c)
	}
	return cleanText(string(out))
}

// make6 reads six 16-bit values.
func make6(b []byte, bo binary.ByteOrder) [6]int {
	var v [6]int
	for i := range v {
		v[i] = int(bo.Uint16(b[2*i:]))
	}
	return v
}
