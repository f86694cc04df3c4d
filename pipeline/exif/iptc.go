package exif

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
)

// Photoshop image resources of interest.
const (
	resIPTC       = 0x0404 // IPTC-IIM records
	resIPTCDigest = 0x0425 // MD5 of the IPTC-IIM records when last written with the XMP
)

// IPTC-IIM application record (2) datasets.
const (
	iimKeywords    = 25
	iimDateCreated = 55
	iimTimeCreated = 60
	iimByline      = 80
	iimCopyright   = 116
)

// iptcData is what the IPTC-IIM block says, before reconciliation.
type iptcData struct {
	present    bool // there is an IPTC block
	stale      bool // its stored digest does not match: edited after the XMP
	keywords   []string
	bylines    []string
	copyright  string
	date, time string // raw DateCreated ("CCYYMMDD") and TimeCreated ("HHMMSS±HHMM")
}

// readIRB reads the Photoshop image resource blocks of APP13 and the IPTC
// records in them.
func (r *reader) readIRB(b []byte) iptcData {
	var (
		iim, digest []byte
		foundIIM    bool
	)
	for pos := 0; len(b)-pos >= 12; {
		sig := string(b[pos : pos+4])
		if sig != "8BIM" && sig != "PHUT" && sig != "AgHg" && sig != "DCSR" && sig != "MeSa" {
			if !allZero(b[pos:]) {
				r.warn("iptc", "Photoshop resource at offset %d is malformed; the rest is ignored", pos)
			}
			break
		}
		id := binary.BigEndian.Uint16(b[pos+4:])
		nameField := 1 + int(b[pos+6]) // Pascal string, padded to even length
		nameField += nameField & 1
		at := pos + 6 + nameField
		if len(b)-at < 4 {
			r.warn("iptc", "Photoshop resource 0x%04X is truncated", id)
			break
		}
		size := uint64(binary.BigEndian.Uint32(b[at:]))
		at += 4
		if size > uint64(len(b)-at) {
			r.warn("iptc", "Photoshop resource 0x%04X is truncated", id)
			break
		}
		data := b[at : at+int(size)]
		pos = at + int(size) + int(size&1)
		switch {
		case id == resIPTC && !foundIIM:
			iim, foundIIM = data, true
		case id == resIPTCDigest && len(data) == md5.Size:
			digest = data
		}
	}
	if !foundIIM {
		return iptcData{}
	}
	d := r.readIIM(iim)
	d.present = true
	if digest != nil {
		sum := md5.Sum(iim)
		d.stale = !bytes.Equal(sum[:], digest)
	}
	return d
}

// readIIM reads IPTC-IIM datasets: 0x1C, record, dataset, length, value.
func (r *reader) readIIM(b []byte) iptcData {
	var d iptcData
	for pos := 0; pos < len(b); {
		if len(b)-pos < 5 || b[pos] != 0x1C {
			if !allZero(b[pos:]) {
				r.warn("iptc", "IPTC record at offset %d is malformed; the rest is ignored", pos)
			}
			break
		}
		rec, set := b[pos+1], b[pos+2]
		n := uint64(binary.BigEndian.Uint16(b[pos+3:]))
		pos += 5
		if n&0x8000 != 0 { // extended dataset: the low bits give the size of the length
			k := int(n & 0x7FFF)
			if k > 4 || len(b)-pos < k {
				r.warn("iptc", "IPTC record %d:%d has a bad length", rec, set)
				break
			}
			n = 0
			for _, c := range b[pos : pos+k] {
				n = n<<8 | uint64(c)
			}
			pos += k
		}
		if n > uint64(len(b)-pos) {
			r.warn("iptc", "IPTC record %d:%d is truncated", rec, set)
			break
		}
		val := b[pos : pos+int(n)]
		pos += int(n)
		if rec != 2 {
			continue
		}
		switch set {
		case iimKeywords:
			d.keywords = append(d.keywords, text(val))
		case iimByline:
			d.bylines = append(d.bylines, text(val))
		case iimCopyright:
			d.copyright = first(d.copyright, text(val))
		case iimDateCreated:
			d.date = first(d.date, text(val))
		case iimTimeCreated:
			d.time = first(d.time, text(val))
		}
	}
	d.bylines = dedupe(nil, d.bylines)
	return d
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
