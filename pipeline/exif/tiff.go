package exif

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"

	goexif "github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"
)

// Tags goexif does not name, read by id.
const (
	tagOffsetTimeOriginal = 0x9011 // Exif IFD, "+03:00"
	tagBodySerialNumber   = 0xA431 // Exif IFD
	tagSerialNumber       = 0xC62F // IFD0 or Exif IFD (DNG CameraSerialNumber)

	tagExifIFD    = 0x8769
	tagGPSIFD     = 0x8825
	tagInteropIFD = 0xA005
)

// exifData is what the EXIF block says, before reconciliation.
type exifData struct {
	make, model          string
	bodySerial, serial   string
	artist, copyright    string
	orientation          int
	hasGPS               bool
	dateTimeOriginal     field
	subSec, offsetOrigin field
	makerNote            []byte // Exif IFD MakerNote, for makerNoteTime
}

// field is a string tag that may be absent.
type field struct {
	present bool
	val     string
}

// readEXIF decodes a TIFF-structured EXIF block with goexif, keeping a
// partial result when goexif reports an error along with one.
func (r *reader) readEXIF(b []byte) exifData {
	var d exifData
	if len(b) > maxEXIF {
		r.warn("exif", "EXIF block of %d bytes is too large; ignored", len(b))
		return d
	}
	t := r.sanitizeTIFF(b)
	if t == nil {
		return d
	}
	x, err := goexif.Decode(bytes.NewReader(t))
	if x == nil {
		r.warn("exif", "EXIF unreadable by goexif: %v; read entry by entry", errText(err))
		r.fillFromIFDs(&d, t)
		return d
	}
	if err != nil {
		r.warn("exif", "EXIF partly unreadable: %v", errText(err))
	}

	get := func(name goexif.FieldName) field {
		tag, err := x.Get(name)
		if err != nil {
			return field{}
		}
		return field{present: true, val: tagText(tag)}
	}
	d.make = get(goexif.Make).val
	d.model = get(goexif.Model).val
	d.artist = get(goexif.Artist).val
	d.copyright = get(goexif.Copyright).val
	d.dateTimeOriginal = get(goexif.DateTimeOriginal)
	d.subSec = get(goexif.SubSecTimeOriginal)
	if tag, err := x.Get(goexif.Orientation); err == nil {
		if v, err := tag.Int(0); err == nil {
			d.orientation = v
		}
	}
	for _, name := range []goexif.FieldName{goexif.GPSLatitude, goexif.GPSLongitude} {
		if _, err := x.Get(name); err == nil {
			d.hasGPS = true
		}
	}

	// goexif keeps IFD0 but not the Exif sub-IFD; decode that once more
	// for the tags it has no name for.
	dirs := []*tiff.Dir{}
	if len(x.Tiff.Dirs) > 0 {
		dirs = append(dirs, x.Tiff.Dirs[0])
	}
	if sub := subIFD(x, goexif.ExifIFDPointer); sub != nil {
		dirs = append(dirs, sub)
	}
	for _, dir := range dirs {
		for _, tag := range dir.Tags {
			switch tag.Id {
			case tagOffsetTimeOriginal:
				d.offsetOrigin = field{present: true, val: tagText(tag)}
			case tagBodySerialNumber:
				d.bodySerial = tagText(tag)
			case tagSerialNumber:
				d.serial = first(d.serial, tagText(tag))
			}
		}
	}
	r.fillFromIFDs(&d, t)
	return d
}

// subIFD decodes the directory the pointer tag name points at, or returns
// nil.
func subIFD(x *goexif.Exif, name goexif.FieldName) *tiff.Dir {
	tag, err := x.Get(name)
	if err != nil {
		return nil
	}
	off, err := tag.Int64(0)
	if err != nil || off < 0 || off >= int64(len(x.Raw)) {
		return nil
	}
	rd := bytes.NewReader(x.Raw)
	if _, err := rd.Seek(off, 0); err != nil {
		return nil
	}
	dir, _, err := tiff.DecodeDir(rd, x.Tiff.Order)
	if err != nil {
		return nil
	}
	return dir
}

// tagText returns a tag's value as clean text, for ASCII tags and for the
// byte and undefined tags some writers use for strings instead.
func tagText(t *tiff.Tag) string {
	switch t.Type {
	case tiff.DTAscii, tiff.DTByte, tiff.DTUndefined:
		return text(t.Val)
	}
	return ""
}

// errText renders a goexif error on one line. goexif reports failed
// sub-IFDs from a map, one per line in random order; they are sorted so
// that the same file always gives the same warning.
func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = oneLine(l); l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return bounded(strings.Join(lines, "; "))
}

// typeSize is the size in bytes of one value of a TIFF type; 0 for unknown
// types.
func typeSize(typ uint16) uint64 {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11: // LONG, SLONG, FLOAT
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}

// sanitizeTIFF returns a copy of the TIFF structure b that goexif decodes in
// bounded time and memory, or nil (with a warning) when b is not TIFF at
// all. In the copy:
//   - IFD0 has no successor, so no chain of directories (possibly a cycle)
//     is followed; the thumbnail directory is of no use here;
//   - entries whose size overflows 32 bits (goexif would allocate from the
//     wrapped count) are replaced by an inert entry;
//   - once the directories goexif reads have claimed twice the block's size
//     in values (real files never overlap values), further large entries are
//     replaced too.
//
// Anything else goexif reports itself, as it would on the original.
func (r *reader) sanitizeTIFF(b []byte) []byte {
	if len(b) < 8 {
		r.warn("exif", "EXIF block is too short")
		return nil
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		r.warn("exif", "EXIF block has no TIFF byte order")
		return nil
	}
	if bo.Uint16(b[2:]) != 42 {
		r.warn("exif", "EXIF block has no TIFF marker")
		return nil
	}
	t := bytes.Clone(b)
	size := uint64(len(t))
	budget := 2 * size
	queue := []uint64{uint64(bo.Uint32(t[4:]))}
	seen := map[uint64]bool{}
	for i := 0; len(queue) > 0 && i < 8; i++ {
		off := queue[0]
		queue = queue[1:]
		if seen[off] || off+2 > size {
			continue
		}
		seen[off] = true
		n := uint64(max(int16(bo.Uint16(t[off:])), 0)) // goexif reads a signed count
		for k := range n {
			e := off + 2 + 12*k
			if e+12 > size {
				break
			}
			tag, typ, count := bo.Uint16(t[e:]), bo.Uint16(t[e+2:]), uint64(bo.Uint32(t[e+4:]))
			total := typeSize(typ) * count
			switch {
			case total > 0xFFFFFFFF:
				r.warn("exif", "tag 0x%04X has an impossible size; ignored", tag)
				neutralize(t[e:e+12], bo)
				continue
			case total > 4 && total <= size:
				if total > budget {
					r.warn("exif", "tag 0x%04X overlaps other values; ignored", tag)
					neutralize(t[e:e+12], bo)
					continue
				}
				budget -= total
			}
			if tag == tagExifIFD || tag == tagGPSIFD || tag == tagInteropIFD {
				if p, ok := pointer(t, e, typ, total, bo); ok {
					queue = append(queue, p)
				}
			}
		}
		if i == 0 {
			if next := off + 2 + 12*n; next+4 <= size {
				bo.PutUint32(t[next:], 0)
			}
		}
	}
	return t
}

// neutralize turns a 12-byte IFD entry into one goexif ignores: an unknown
// tag holding one inline byte.
func neutralize(e []byte, bo binary.ByteOrder) {
	bo.PutUint16(e[0:], 0xFFFF)
	bo.PutUint16(e[2:], 7)
	bo.PutUint32(e[4:], 1)
	bo.PutUint32(e[8:], 0)
}

// pointer reads the first value of an integer entry at e, as goexif would
// when following a sub-IFD pointer.
func pointer(t []byte, e uint64, typ uint16, total uint64, bo binary.ByteOrder) (uint64, bool) {
	size := uint64(len(t))
	at := e + 8
	if total > 4 {
		at = uint64(bo.Uint32(t[e+8:]))
	}
	switch typ {
	case 1:
		if at+1 <= size {
			return uint64(t[at]), true
		}
	case 3:
		if at+2 <= size {
			return uint64(bo.Uint16(t[at:])), true
		}
	case 4, 9:
		if at+4 <= size {
			return uint64(bo.Uint32(t[at:])), true
		}
	}
	return 0, false
}
