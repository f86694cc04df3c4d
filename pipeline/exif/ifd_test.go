package exif

import (
	"strings"
	"testing"
)

// brokenTIFF is an EXIF block goexif refuses as a whole (a zero-length tag
// in IFD0) whose Exif IFD holds DateTimeOriginal, OffsetTimeOriginal and
// the maker note mn (none when nil).
func brokenTIFF(mn []byte) le {
	const exifAt = 8 + 2 + 4*12 + 4 // right after IFD0
	var b le = le("II*\x00").u32(8).u16(4)
	b = b.u16(tagMake).u16(2).u32(4).append("ABC\x00")
	b = b.u16(0x010E).u16(2).u32(0).u32(0) // ImageDescription of no length
	b = b.u16(tagOrientation).u16(3).u32(1).u16(6).u16(0)
	b = b.u16(tagExifIFD).u16(4).u32(1).u32(exifAt)
	b = b.u32(0)
	n := uint16(2)
	if mn != nil {
		n = 3
	}
	values := uint32(exifAt + 2 + int(n)*12 + 4)
	b = b.u16(n)
	b = b.u16(tagDateTimeOriginal).u16(2).u32(20).u32(values)
	b = b.u16(tagOffsetTimeOriginal).u16(2).u32(7).u32(values + 20)
	if mn != nil {
		b = b.u16(tagMakerNote).u16(7).u32(uint32(len(mn))).u32(values + 28)
	}
	b = b.u32(0)
	b = b.append("2024:07:13 10:15:30\x00").append("+02:00\x00\x00")
	return append(b, mn...)
}

func TestReadEXIFFallback(t *testing.T) {
	r := &reader{}
	m := r.metadata(blocks{exif: brokenTIFF(nil)})
	if got := m.Taken.String(); got != "2024-07-13T10:15:30.000+02:00" || m.Taken.Source != "exif" {
		t.Errorf("Taken = %s from %q; want 2024-07-13T10:15:30.000+02:00 from exif", got, m.Taken.Source)
	}
	if m.Make != "ABC" || m.Orientation != 6 {
		t.Errorf("Make %q Orientation %d; want ABC, 6", m.Make, m.Orientation)
	}
	if w := strings.Join(m.Warnings, "\n"); !strings.Contains(w, "unreadable by goexif") || !strings.Contains(w, "read without goexif") {
		t.Errorf("warnings %q do not say goexif failed", m.Warnings)
	}
}

// hyperFire builds a Reconyx HyperFire maker note (little-endian 16-bit
// words) for the reading y-mo-d h:mi:s, with serial.
func hyperFire(y, mo, d, h, mi, s int, serial string) []byte {
	w := make([]uint16, 0x40)
	w[0], w[1] = 0xF101, 3
	copy(w[0x0b:], []uint16{uint16(s), uint16(mi), uint16(h), uint16(mo), uint16(d), uint16(y)})
	for i, c := range serial {
		w[0x15+i] = uint16(c)
	}
	var b le
	for _, v := range w {
		b = b.u16(v)
	}
	return b
}

func TestMakerNoteTime(t *testing.T) {
	tests := []struct {
		name         string
		mn           []byte
		taken        string // "" for none
		serial       string
		warnsAboutIt bool
	}{
		{"HyperFire", hyperFire(2020, 3, 16, 10, 0, 0, "H500X1"), "2020-03-16T10:00:00.000", "H500X1", false},
		{"HyperFire 2", append(append([]byte("RECONYXH2\x00"), make([]byte, 0x3e-10)...),
			le(nil).u16(5).u16(4).u16(3).u16(2).u16(1).u16(2019)...), "2019-01-02T03:04:05.000", "", false},
		{"UltraFire", append(append([]byte("RECONYXUF\x00"), make([]byte, 0x3b-10)...), 5, 4, 3, 2, 1, 2019%256, 2019/256),
			"2019-01-02T03:04:05.000", "", false},
		{"impossible date", hyperFire(2020, 13, 40, 10, 0, 0, ""), "", "", true},
		{"another maker's note", append([]byte("Nikon\x00\x02\x10\x00\x00"), make([]byte, 64)...), "", "", false},
		{"short", []byte{0x01, 0xF1, 0x03, 0x00}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The EXIF block has no DateTimeOriginal: build one without it.
			var b le = le("II*\x00").u32(8).u16(1)
			b = b.u16(tagExifIFD).u16(4).u32(1).u32(8 + 2 + 12 + 4)
			b = b.u32(0)
			b = b.u16(1).u16(tagMakerNote).u16(7).u32(uint32(len(tt.mn))).u32(8 + 2 + 12 + 4 + 2 + 12 + 4)
			b = b.u32(0)
			b = append(b, tt.mn...)
			r := &reader{}
			m := r.metadata(blocks{exif: b})
			got := ""
			if !m.Taken.IsZero() {
				got = m.Taken.String()
				if m.Taken.Source != "makernote" {
					t.Errorf("source %q, want makernote", m.Taken.Source)
				}
			}
			if got != tt.taken || m.Serial != tt.serial {
				t.Errorf("Taken %q, Serial %q; want %q, %q", got, m.Serial, tt.taken, tt.serial)
			}
			if w := strings.Join(m.Warnings, "\n"); strings.Contains(w, "maker note") != tt.warnsAboutIt {
				t.Errorf("warnings %q", m.Warnings)
			}
		})
	}
	// EXIF DateTimeOriginal wins over a maker note.
	m := (&reader{}).metadata(blocks{exif: brokenTIFF(hyperFire(2020, 3, 16, 10, 0, 0, ""))})
	if got := m.Taken.String(); got != "2024-07-13T10:15:30.000+02:00" {
		t.Errorf("with both: Taken %s, want EXIF's", got)
	}
}
