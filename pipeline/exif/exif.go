// Package exif reads what confmedia needs from a photo's embedded metadata:
// the capture time as the camera recorded it, the orientation, the camera's
// identity, GPS presence, credits, and the people, keywords and rating a
// photographer tagged.
//
// It understands JPEG (APP1 Exif, APP1 XMP, APP13 Photoshop IPTC), PNG
// (eXIf and iTXt XMP) and HEIC/HEIF (the Exif and XMP items of the primary
// image). EXIF is decoded with github.com/rwcarlsen/goexif
// (without maker-note parsers); XMP and IPTC are parsed here. The package is
// pure: it takes bytes and never consults the clock or the local zone.
//
// When sources disagree about credits and keywords, the Metadata Working
// Group's rules apply: EXIF beats XMP, and XMP beats IPTC unless the IPTC
// block was changed after the XMP was written (its stored digest no longer
// matches). Capture times follow the fixed order given on Metadata.Taken.
package exif

import (
	"fmt"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

// Metadata is what a photo's EXIF, XMP and IPTC say.
type Metadata struct {
	// Taken is the capture time; zero when no source states a usable one.
	// Sources in order: EXIF DateTimeOriginal (with SubSecTimeOriginal and
	// OffsetTimeOriginal), XMP exif:DateTimeOriginal, XMP
	// photoshop:DateCreated, IPTC DateCreated+TimeCreated, and last the
	// maker notes of the cameras that keep it only there (Reconyx). EXIF
	// tags goexif cannot reach (it gives up on a whole directory for one
	// bad entry) are read entry by entry. A value without a time of day is
	// not a capture time.
	Taken catalog.CameraTime
	// Orientation is the EXIF orientation, 1..8; 1 when missing or invalid,
	// and 1 for a HEIF file whose container rotates or mirrors the image
	// (irot, imir): its decoder applies those, which supersede EXIF.
	Orientation int
	// Make, Model and Serial identify the camera. Serial comes from EXIF
	// BodySerialNumber, else EXIF SerialNumber (0xC62F), else XMP
	// exifEX:BodySerialNumber or aux:SerialNumber, else the serial a Reconyx
	// camera keeps in its maker note; other maker notes are never read.
	Make, Model, Serial string
	// HasGPS reports whether the file carries a GPS latitude or longitude
	// (EXIF GPS IFD or XMP exif:GPSLatitude/GPSLongitude).
	HasGPS bool
	// Artist and Copyright: EXIF, else XMP dc:creator / dc:rights, else IPTC
	// By-line / CopyrightNotice.
	Artist, Copyright string
	// People is XMP Iptc4xmpExt:PersonInImage, deduplicated in order.
	People []string
	// Subjects is XMP dc:subject, deduplicated in order, with IPTC Keywords
	// when there is no XMP subject or the IPTC block was edited after it.
	Subjects []string
	// Rating is xmp:Rating, -1 (rejected) to 5; 0 when absent.
	Rating    int
	HasRating bool
	// Warnings lists non-fatal problems met while reading, each prefixed by
	// the part that had it ("jpeg:", "png:", "exif:", "xmp:", "iptc:").
	Warnings []string
}

// ErrNotImage is returned by Read for data that is not a JPEG, PNG or HEIF.
var ErrNotImage = catalog.E(catalog.Invalid, "exif.Read", nil, "not a JPEG, PNG or HEIC image")

// Size limits. Nothing is allocated from a length stated in the file before
// it is checked against the data actually present and against these.
const (
	maxEXIF     = 1 << 20 // an EXIF block (a JPEG APP1 holds at most 64 KiB)
	maxXMP      = 4 << 20 // an XMP packet, also after inflating a PNG iTXt
	maxIRB      = 4 << 20 // all Photoshop APP13 segments together
	maxWarnings = 32
)

// Read reads the metadata of a JPEG, PNG or HEIC/HEIF from data.
//
// Broken or missing metadata is not an error: Read returns what it could
// read and notes the rest in Metadata.Warnings. The only error is
// ErrNotImage (kind catalog.Invalid), when data is not a JPEG, PNG or HEIF at all.
func Read(data []byte) (Metadata, error) {
	r := &reader{}
	var blocks blocks
	switch {
	case isJPEG(data):
		blocks = scanJPEG(data, r)
	case isPNG(data):
		blocks = scanPNG(data, r)
	case isHEIF(data):
		blocks = scanHEIF(data, r)
	default:
		return Metadata{}, ErrNotImage
	}
	return r.metadata(blocks), nil
}

// reader collects warnings while one file is read.
type reader struct {
	warnings []string
}

func (r *reader) warn(part, format string, args ...any) {
	if len(r.warnings) >= maxWarnings {
		return
	}
	if len(r.warnings) == maxWarnings-1 {
		r.warnings = append(r.warnings, "exif: further warnings omitted")
		return
	}
	r.warnings = append(r.warnings, part+": "+bounded(fmt.Sprintf(format, args...)))
}

// blocks are the raw metadata blocks found in a file.
type blocks struct {
	exif []byte // TIFF structure (after the "Exif\0\0" header)
	xmp  []byte // XMP packet
	irb  []byte // Photoshop image resource blocks (after "Photoshop 3.0\0")
	// turned: a HEIF container rotates or mirrors the image itself.
	turned bool
}

func (r *reader) metadata(b blocks) Metadata {
	var (
		e exifData
		x xmpData
		i iptcData
	)
	if b.exif != nil {
		e = r.readEXIF(b.exif)
	}
	if b.xmp != nil {
		x = r.readXMP(b.xmp)
	}
	if b.irb != nil {
		i = r.readIRB(b.irb)
	}

	m := Metadata{
		Orientation: 1,
		Make:        e.make,
		Model:       e.model,
		HasGPS:      e.hasGPS || x.hasGPS,
		People:      dedupe(nil, x.people),
		Rating:      x.rating,
		HasRating:   x.hasRating,
	}
	if e.orientation >= 1 && e.orientation <= 8 && !b.turned {
		m.Orientation = e.orientation
	}
	m.Serial = first(e.bodySerial, e.serial, x.bodySerial, x.auxSerial, makerNoteSerial(e.makerNote, e.make))

	// IPTC counts where XMP is silent, and also where the IPTC block was
	// changed after the XMP was written (its stored digest is stale).
	iptcWins := i.present && i.stale
	m.Artist = first(e.artist, reconcile(strings.Join(x.creators, "; "), strings.Join(i.bylines, "; "), iptcWins))
	m.Copyright = first(e.copyright, reconcile(x.rights, i.copyright, iptcWins))
	m.Subjects = dedupe(nil, x.subjects)
	if len(x.subjects) == 0 || iptcWins {
		m.Subjects = dedupe(m.Subjects, i.keywords)
	}

	m.Taken = r.captureTime(e, x, i)
	m.Warnings = r.warnings
	return m
}

// captureTime applies the source precedence, warning about every examined
// source that is present but unusable.
func (r *reader) captureTime(e exifData, x xmpData, i iptcData) catalog.CameraTime {
	if e.dateTimeOriginal.present {
		if ct, ok := r.exifTime(e); ok {
			return ct
		}
	}
	for _, v := range []struct{ name, val string }{
		{"exif:DateTimeOriginal", x.dateTimeOriginal},
		{"photoshop:DateCreated", x.dateCreated},
	} {
		if v.val == "" {
			continue
		}
		ct, err := parseISOTime(v.val)
		if err != nil {
			r.warn("xmp", "%s %q %s; ignored", v.name, v.val, err)
			continue
		}
		ct.Source = "xmp"
		return ct
	}
	if i.date != "" || i.time != "" {
		ct, err := parseIPTCTime(i.date, i.time)
		if err != nil {
			r.warn("iptc", "DateCreated %q TimeCreated %q %s; ignored", i.date, i.time, err)
			return catalog.CameraTime{}
		}
		ct.Source = "iptc"
		return ct
	}
	if y, mo, d, h, mi, s, ok := makerNoteTime(e.makerNote, e.make); ok {
		wall, err := civil(y, mo, d, h, mi, s, 0)
		if err != nil || y < 1900 {
			r.warn("exif", "maker note date %04d-%02d-%02d %02d:%02d:%02d is not a valid date and time; ignored", y, mo, d, h, mi, s)
			return catalog.CameraTime{}
		}
		return catalog.CameraTime{Wall: wall, Source: "makernote"}
	}
	return catalog.CameraTime{}
}

// reconcile picks between an XMP and an IPTC value: XMP unless it is empty
// or iptcWins.
func reconcile(xmp, iptc string, iptcWins bool) string {
	if iptcWins && iptc != "" {
		return iptc
	}
	return first(xmp, iptc)
}

// first returns the first non-empty string.
func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// dedupe appends to dst the items of add that are not empty and not already
// in dst, in order.
func dedupe(dst, add []string) []string {
	for _, s := range add {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}
