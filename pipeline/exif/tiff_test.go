package exif

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// fixtureTIFF returns the EXIF TIFF structure of a generated JPEG.
func fixtureTIFF(t *testing.T, s exiftest.Spec) []byte {
	t.Helper()
	b := exiftest.MustJPEG(t, s)
	bl := scanJPEG(b, &reader{})
	if bl.exif == nil {
		t.Fatal("fixture has no EXIF")
	}
	return bytes.Clone(bl.exif)
}

// le builds little-endian TIFF bytes from 16- and 32-bit words.
type le []byte

func (b le) u16(v uint16) le { return binary.LittleEndian.AppendUint16(b, v) }
func (b le) u32(v uint32) le { return binary.LittleEndian.AppendUint32(b, v) }

func TestSanitizeTIFF(t *testing.T) {
	spec := exiftest.Spec{Make: "Canon", Model: "R6", DateTimeOriginal: "2024:07:13 10:15:30", GPS: &exiftest.GPS{Lat: 1, Lon: 2}}
	base := fixtureTIFF(t, spec)
	bo := binary.LittleEndian
	n := int(bo.Uint16(base[8:]))
	nextAt := 8 + 2 + 12*n
	exifAt := 0 // offset of the Exif IFD, from IFD0's pointer entry
	for k := range n {
		e := 8 + 2 + 12*k
		if bo.Uint16(base[e:]) == tagExifIFD {
			exifAt = int(bo.Uint32(base[e+8:]))
		}
	}
	if exifAt == 0 {
		t.Fatal("no Exif IFD pointer")
	}
	exifNextAt := exifAt + 2 + 12*int(bo.Uint16(base[exifAt:]))

	// A cycle of two directories: goexif alone would never return.
	cycle := bytes.Clone(base)
	bo.PutUint32(cycle[nextAt:], uint32(exifAt))
	bo.PutUint32(cycle[exifNextAt:], 8)

	// Make as 0x20000001 rationals: 8 times that wraps to 8 in 32 bits,
	// which makes goexif allocate half a billion values.
	overflow := bytes.Clone(base)
	for k := range n {
		e := 8 + 2 + 12*k
		if bo.Uint16(overflow[e:]) == 0x010F {
			bo.PutUint16(overflow[e+2:], 5)
			bo.PutUint32(overflow[e+4:], 0x20000001)
		}
	}

	// Five hundred entries all claiming the whole block as their value.
	var overlap le = le("II*\x00").u32(8).u16(500)
	for range 500 {
		overlap = overlap.u16(0x9999).u16(7).u32(6020).u32(0)
	}
	overlap = overlap.u32(0)
	overlap = append(overlap, make([]byte, 6020-len(overlap))...)

	tests := []struct {
		name      string
		tiff      []byte
		wantMake  string
		wantTaken bool
		wantWarn  string
	}{
		{"intact", base, "Canon", true, ""},
		{"directory cycle", cycle, "Canon", true, ""},
		{"size overflow", overflow, "", true, "tag 0x010F has an impossible size"},
		{"overlapping values", overlap, "", false, "overlaps other values"},
		{"not TIFF", []byte("XX*\x00\x08\x00\x00\x00"), "", false, "no TIFF byte order"},
		{"no marker", []byte("II+\x00\x08\x00\x00\x00"), "", false, "no TIFF marker"},
		{"too short", []byte("II*\x00"), "", false, "too short"},
		{"IFD0 beyond the end", []byte("II*\x00\xff\x00\x00\x00"), "", false, "EXIF unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &reader{}
			d := r.readEXIF(tt.tiff)
			if d.make != tt.wantMake {
				t.Errorf("make = %q, want %q", d.make, tt.wantMake)
			}
			if d.dateTimeOriginal.present != tt.wantTaken {
				t.Errorf("DateTimeOriginal present = %v, want %v", d.dateTimeOriginal.present, tt.wantTaken)
			}
			joined := strings.Join(r.warnings, "\n")
			if tt.wantWarn == "" && joined != "" || !strings.Contains(joined, tt.wantWarn) {
				t.Errorf("warnings %q, want one containing %q", r.warnings, tt.wantWarn)
			}
			if len(r.warnings) > maxWarnings {
				t.Errorf("%d warnings, more than %d", len(r.warnings), maxWarnings)
			}
		})
	}
}

func TestReadEXIFTags(t *testing.T) {
	// SerialNumber (0xC62F) in IFD0 when there is no BodySerialNumber.
	var b le = le("II*\x00").u32(8).u16(2)
	b = b.u16(0x010F).u16(2).u32(4).append("ABC\x00")
	b = b.u16(tagSerialNumber).u16(2).u32(4).append("S-9\x00")
	b = b.u32(0)
	d := (&reader{}).readEXIF(b)
	if d.make != "ABC" || d.serial != "S-9" || d.bodySerial != "" {
		t.Errorf("got make %q serial %q body serial %q", d.make, d.serial, d.bodySerial)
	}
	m := (&reader{}).metadata(blocks{exif: b})
	if m.Serial != "S-9" {
		t.Errorf("Serial = %q, want S-9", m.Serial)
	}
}

func (b le) append(s string) le { return append(b, s...) }

// irb builds Photoshop resources: id, name, data.
func irb(res ...any) []byte {
	var out []byte
	for i := 0; i+2 < len(res); i += 3 {
		id, name, data := res[i].(int), res[i+1].(string), res[i+2].([]byte)
		out = append(out, "8BIM"...)
		out = binary.BigEndian.AppendUint16(out, uint16(id))
		out = append(out, byte(len(name)))
		out = append(out, name...)
		if (1+len(name))%2 == 1 {
			out = append(out, 0)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
	}
	return out
}

// iim builds IPTC record 2 datasets: number, value.
func iim(sets ...any) []byte {
	var out []byte
	for i := 0; i+1 < len(sets); i += 2 {
		v := sets[i+1].(string)
		out = append(out, 0x1C, 2, byte(sets[i].(int)))
		out = binary.BigEndian.AppendUint16(out, uint16(len(v)))
		out = append(out, v...)
	}
	return out
}

func TestReadIRB(t *testing.T) {
	records := iim(25, "a", 25, "b", 80, "Ann", 80, "Ann", 80, "Bob", 116, "\xa9 Ann", 55, "20240713", 60, "101530+0200")
	// An extended dataset: length 0x8004, then a 4-byte length of 3.
	extended := append([]byte{0x1C, 2, 25, 0x80, 0x04, 0, 0, 0, 3}, "ext"...)
	tests := []struct {
		name      string
		data      []byte
		want      iptcData
		wantWarns int
	}{
		{
			name: "records after other resources with odd names and sizes",
			data: irb(0x03ED, "ab", []byte{1, 2, 3}, 0x0404, "", records, 0x0425, "x", make([]byte, 16)),
			want: iptcData{present: true, stale: true, keywords: []string{"a", "b"}, bylines: []string{"Ann", "Bob"},
				copyright: "© Ann", date: "20240713", time: "101530+0200"},
		},
		{
			name: "no digest",
			data: irb(0x0404, "", iim(25, "k")),
			want: iptcData{present: true, keywords: []string{"k"}},
		},
		{
			name: "extended dataset and zero padding",
			data: irb(0x0404, "", append(append(iim(25, "k"), extended...), 0, 0, 0)),
			want: iptcData{present: true, keywords: []string{"k", "ext"}},
		},
		{
			name:      "garbage after a record",
			data:      irb(0x0404, "", append(iim(25, "k"), 0x42, 1, 2, 3, 4, 5)),
			want:      iptcData{present: true, keywords: []string{"k"}},
			wantWarns: 1,
		},
		{
			name:      "record longer than its block",
			data:      irb(0x0404, "", []byte{0x1C, 2, 25, 0x00, 0x40, 'x'}),
			want:      iptcData{present: true},
			wantWarns: 1,
		},
		{
			name:      "resource longer than the segment",
			data:      append([]byte("8BIM\x04\x04\x00\x00"), 0, 1, 0, 0, 'x'),
			wantWarns: 1,
		},
		{
			name:      "unknown signature",
			data:      []byte("XXXX\x04\x04\x00\x00\x00\x00\x00\x00"),
			wantWarns: 1,
		},
		{name: "no IPTC resource", data: irb(0x03ED, "", []byte{1, 2})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &reader{}
			got := r.readIRB(tt.data)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("readIRB =\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(r.warnings) != tt.wantWarns {
				t.Errorf("warnings %q, want %d", r.warnings, tt.wantWarns)
			}
		})
	}
}

func TestWarningsBounded(t *testing.T) {
	r := &reader{}
	for range 1000 {
		r.warn("exif", "again")
	}
	if len(r.warnings) != maxWarnings || r.warnings[maxWarnings-1] != "exif: further warnings omitted" {
		t.Errorf("%d warnings, last %q", len(r.warnings), r.warnings[len(r.warnings)-1])
	}
}
