package exif_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// wall is a camera time without a stated offset.
func wall(s, source string) catalog.CameraTime {
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		panic(err)
	}
	return catalog.CameraTime{Wall: t, Source: source}
}

// zoned is a camera time with a stated offset in hours.
func zoned(s string, hours float64, source string) catalog.CameraTime {
	ct := wall(s, source)
	ct.HasOffset, ct.Offset = true, int(hours*3600)
	return ct
}

func TestReadRoundTrip(t *testing.T) {
	everything := exiftest.Spec{
		Orientation:         6,
		DateTimeOriginal:    "2024:07:13 10:15:30",
		SubSec:              "25",
		OffsetTimeOriginal:  "+01:00",
		DateTime:            "2025:01:02 03:04:05",
		Make:                " Canon ",
		Model:               "EOS R6",
		Serial:              "SN-0042",
		Artist:              "Ann Photographer",
		Copyright:           "© 2024 Ann",
		GPS:                 &exiftest.GPS{Lat: -33.8688, Lon: 151.2093, Alt: -12.5},
		People:              []string{"Ada Lovelace", "Grace <Hopper> & co", "Ada Lovelace", " "},
		Subjects:            []string{"keynote", "stage", "keynote"},
		XMPDateTimeOriginal: "2024-07-13T10:15:31+01:00",
		XMPDateCreated:      "2024-07-13T10:15:32",
		XMPCreator:          []string{"Ann"},
		XMPRights:           "CC BY 4.0",
		Rating:              new(-1),
		IPTCDateCreated:     "20240713",
		IPTCTimeCreated:     "101533+0100",
		IPTCKeywords:        []string{"python", "keynote"},
		IPTCByline:          "Ann P",
		IPTCCopyright:       "Ann 2024",
	}
	everythingWant := exif.Metadata{
		Taken:       zoned("2024-07-13T10:15:30.25", 1, "exif"),
		Orientation: 6,
		Make:        "Canon",
		Model:       "EOS R6",
		Serial:      "SN-0042",
		HasGPS:      true,
		Artist:      "Ann Photographer",
		Copyright:   "© 2024 Ann",
		People:      []string{"Ada Lovelace", "Grace <Hopper> & co"},
		Subjects:    []string{"keynote", "stage"}, // the IPTC digest is current: XMP wins
		Rating:      -1,
		HasRating:   true,
	}
	bigEndian := everything
	bigEndian.BigEndian = true
	noIPTC := everything
	noIPTC.IPTCDateCreated, noIPTC.IPTCTimeCreated, noIPTC.IPTCKeywords = "", "", nil
	noIPTC.IPTCByline, noIPTC.IPTCCopyright = "", ""

	tests := []struct {
		name string
		png  bool
		spec exiftest.Spec
		want exif.Metadata
	}{
		{name: "everything", spec: everything, want: everythingWant},
		{name: "everything big-endian", spec: bigEndian, want: everythingWant},
		{name: "everything in a PNG", png: true, spec: noIPTC, want: everythingWant},
		{name: "nothing", spec: exiftest.Spec{}, want: exif.Metadata{Orientation: 1}},
		{
			name: "IFD0 DateTime alone is no capture time",
			spec: exiftest.Spec{DateTime: "2024:07:13 10:15:30", Make: "Fuji"},
			want: exif.Metadata{Orientation: 1, Make: "Fuji"},
		},
		{
			name: "EXIF beats XMP and IPTC",
			spec: exiftest.Spec{
				DateTimeOriginal: "2024:07:13 10:15:30", XMPDateTimeOriginal: "2024-07-13T11:00:00Z",
				XMPDateCreated: "2024-07-13T12:00:00Z", IPTCDateCreated: "20240713", IPTCTimeCreated: "130000+0000",
			},
			want: exif.Metadata{Orientation: 1, Taken: wall("2024-07-13T10:15:30", "exif")},
		},
		{
			name: "XMP exif:DateTimeOriginal beats photoshop:DateCreated and IPTC",
			spec: exiftest.Spec{
				XMPDateTimeOriginal: "2024-07-13T11:00:00.5-04:00", XMPDateCreated: "2024-07-13T12:00:00Z",
				IPTCDateCreated: "20240713", IPTCTimeCreated: "130000+0000",
			},
			want: exif.Metadata{Orientation: 1, Taken: zoned("2024-07-13T11:00:00.5", -4, "xmp")},
		},
		{
			name: "photoshop:DateCreated beats IPTC",
			spec: exiftest.Spec{XMPDateCreated: "2024-07-13T12:00:00", IPTCDateCreated: "20240713", IPTCTimeCreated: "130000+0000"},
			want: exif.Metadata{Orientation: 1, Taken: wall("2024-07-13T12:00:00", "xmp")},
		},
		{
			name: "IPTC with a zone",
			spec: exiftest.Spec{IPTCDateCreated: "20100510", IPTCTimeCreated: "100401-0500"},
			want: exif.Metadata{Orientation: 1, Taken: zoned("2010-05-10T10:04:01", -5, "iptc")},
		},
		{
			name: "IPTC without a zone",
			spec: exiftest.Spec{IPTCDateCreated: "20100510", IPTCTimeCreated: "100401"},
			want: exif.Metadata{Orientation: 1, Taken: wall("2010-05-10T10:04:01", "iptc")},
		},
		{
			name: "XMP UTC",
			spec: exiftest.Spec{XMPDateTimeOriginal: "2013-07-05T03:18:27Z"},
			want: exif.Metadata{Orientation: 1, Taken: zoned("2013-07-05T03:18:27", 0, "xmp")},
		},
		{
			name: "all-zero EXIF falls through to XMP",
			spec: exiftest.Spec{DateTimeOriginal: "0000:00:00 00:00:00", XMPDateCreated: "2024-07-13T12:00:00+02:00"},
			want: exif.Metadata{
				Orientation: 1, Taken: zoned("2024-07-13T12:00:00", 2, "xmp"),
				Warnings: []string{`exif: DateTimeOriginal "0000:00:00 00:00:00" is blank; ignored`},
			},
		},
		{
			name: "blank EXIF falls through to IPTC",
			spec: exiftest.Spec{DateTimeOriginal: "    :  :     :  :  ", IPTCDateCreated: "20240713", IPTCTimeCreated: "130000+0000"},
			want: exif.Metadata{
				Orientation: 1, Taken: zoned("2024-07-13T13:00:00", 0, "iptc"),
				Warnings: []string{`exif: DateTimeOriginal ":  :     :  :" is blank; ignored`},
			},
		},
		{
			name: "malformed EXIF falls through to XMP",
			spec: exiftest.Spec{DateTimeOriginal: "2009:09:09 20:27:09.60:04:00", XMPDateCreated: "2009-09-09T12:18:46-05:00"},
			want: exif.Metadata{
				Orientation: 1, Taken: zoned("2009-09-09T12:18:46", -5, "xmp"),
				Warnings: []string{`exif: DateTimeOriginal "2009:09:09 20:27:09.60:04:00" is malformed; ignored`},
			},
		},
		{
			name: "impossible EXIF date",
			spec: exiftest.Spec{DateTimeOriginal: "2023:02:29 10:00:00"},
			want: exif.Metadata{
				Orientation: 1,
				Warnings:    []string{`exif: DateTimeOriginal "2023:02:29 10:00:00" is not a valid date and time; ignored`},
			},
		},
		{
			name: "date-only XMP falls through to IPTC",
			spec: exiftest.Spec{XMPDateCreated: "2006-10-29", IPTCDateCreated: "20061029", IPTCTimeCreated: "062751-0500"},
			want: exif.Metadata{
				Orientation: 1, Taken: zoned("2006-10-29T06:27:51", -5, "iptc"),
				Warnings: []string{`xmp: photoshop:DateCreated "2006-10-29" has no time of day; ignored`},
			},
		},
		{
			name: "IPTC date without time",
			spec: exiftest.Spec{IPTCDateCreated: "20040226"},
			want: exif.Metadata{
				Orientation: 1,
				Warnings:    []string{`iptc: DateCreated "20040226" TimeCreated "" has no time of day; ignored`},
			},
		},
		{
			name: "bad offset and sub-seconds are dropped, the time kept",
			spec: exiftest.Spec{DateTimeOriginal: "2024:07:13 10:15:30", SubSec: "1x", OffsetTimeOriginal: "+3h"},
			want: exif.Metadata{
				Orientation: 1, Taken: wall("2024-07-13T10:15:30", "exif"),
				Warnings: []string{
					`exif: SubSecTimeOriginal "1x" is malformed; ignored`,
					`exif: OffsetTimeOriginal "+3h" is malformed; ignored`,
				},
			},
		},
		{
			name: "blank offset means none",
			spec: exiftest.Spec{DateTimeOriginal: "2024:07:13 10:15:30", OffsetTimeOriginal: "   :  "},
			want: exif.Metadata{Orientation: 1, Taken: wall("2024-07-13T10:15:30", "exif")},
		},
		{
			name: "negative offset",
			spec: exiftest.Spec{DateTimeOriginal: "2024:07:13 10:15:30", OffsetTimeOriginal: "-09:30"},
			want: exif.Metadata{Orientation: 1, Taken: zoned("2024-07-13T10:15:30", -9.5, "exif")},
		},
		{
			name: "XMP credits when EXIF has none",
			spec: exiftest.Spec{XMPCreator: []string{"Ann", "Bob"}, XMPRights: "CC BY", IPTCByline: "Carl", IPTCCopyright: "Carl 2024"},
			want: exif.Metadata{Orientation: 1, Artist: "Ann; Bob", Copyright: "CC BY"},
		},
		{
			name: "IPTC credits when the IPTC block is newer than the XMP",
			spec: exiftest.Spec{XMPCreator: []string{"Ann"}, XMPRights: "CC BY", IPTCByline: "Carl", IPTCCopyright: "Carl 2024", IPTCStaleDigest: true},
			want: exif.Metadata{Orientation: 1, Artist: "Carl", Copyright: "Carl 2024"},
		},
		{
			name: "IPTC credits alone",
			spec: exiftest.Spec{IPTCByline: "Carl", IPTCCopyright: "Carl 2024"},
			want: exif.Metadata{Orientation: 1, Artist: "Carl", Copyright: "Carl 2024"},
		},
		{
			name: "IPTC keywords alone",
			spec: exiftest.Spec{IPTCKeywords: []string{"b", "c", "b"}},
			want: exif.Metadata{Orientation: 1, Subjects: []string{"b", "c"}},
		},
		{
			name: "IPTC keywords ignored when the XMP is current",
			spec: exiftest.Spec{Subjects: []string{"a", "b"}, IPTCKeywords: []string{"b", "c"}},
			want: exif.Metadata{Orientation: 1, Subjects: []string{"a", "b"}},
		},
		{
			name: "IPTC keywords added when the IPTC block is newer",
			spec: exiftest.Spec{Subjects: []string{"a", "b"}, IPTCKeywords: []string{"b", "c"}, IPTCStaleDigest: true},
			want: exif.Metadata{Orientation: 1, Subjects: []string{"a", "b", "c"}},
		},
		{
			name: "rating zero is a rating",
			spec: exiftest.Spec{Rating: new(0)},
			want: exif.Metadata{Orientation: 1, HasRating: true},
		},
		{
			name: "rating out of range",
			spec: exiftest.Spec{Rating: new(7)},
			want: exif.Metadata{Orientation: 1, Warnings: []string{`xmp: Rating "7" is not a number from -1 to 5; ignored`}},
		},
		{
			name: "GPS only",
			spec: exiftest.Spec{GPS: &exiftest.GPS{Lat: 1, Lon: 2}},
			want: exif.Metadata{Orientation: 1, HasGPS: true},
		},
		{
			name: "Latin-1 artist",
			spec: exiftest.Spec{Artist: "Jos\xe9 M\xfcller"},
			want: exif.Metadata{Orientation: 1, Artist: "José Müller"},
		},
	}
	for o := 1; o <= 8; o++ {
		tests = append(tests, struct {
			name string
			png  bool
			spec exiftest.Spec
			want exif.Metadata
		}{name: "orientation " + string(rune('0'+o)), spec: exiftest.Spec{Orientation: o}, want: exif.Metadata{Orientation: o}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b []byte
			if tt.png {
				b = exiftest.MustPNG(t, tt.spec)
			} else {
				b = exiftest.MustJPEG(t, tt.spec)
			}
			got, err := exif.Read(b)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Read =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

// TestOrientationOutOfRange patches the stored orientation to values a
// writer should not produce.
func TestOrientationOutOfRange(t *testing.T) {
	b := exiftest.MustJPEG(t, exiftest.Spec{Orientation: 3})
	// The little-endian entry: tag 0x0112, SHORT, count 1, value 3.
	entry := []byte{0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0}
	at := bytes.Index(b, entry)
	if at < 0 {
		t.Fatal("orientation entry not found")
	}
	for _, v := range []uint16{0, 9, 0xFFFF} {
		c := bytes.Clone(b)
		binary.LittleEndian.PutUint16(c[at+8:], v)
		m, err := exif.Read(c)
		if err != nil {
			t.Fatal(err)
		}
		if m.Orientation != 1 {
			t.Errorf("orientation %d read as %d, want 1", v, m.Orientation)
		}
	}
}

func TestReadNotAnImage(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("GIF89a"), []byte("II*\x00\x08\x00\x00\x00"), {0xFF}, []byte("\x89PNG")} {
		m, err := exif.Read(data)
		if !errors.Is(err, exif.ErrNotImage) {
			t.Errorf("Read(%q) error = %v, want ErrNotImage", data, err)
		}
		if catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("Read(%q) error kind = %v, want invalid", data, catalog.ErrorKind(err))
		}
		if !reflect.DeepEqual(m, exif.Metadata{}) {
			t.Errorf("Read(%q) = %+v, want zero", data, m)
		}
	}
}

// TestReadDamaged checks that damage is reported, not fatal.
func TestReadDamaged(t *testing.T) {
	good := exiftest.MustJPEG(t, exiftest.Spec{Make: "Canon", DateTimeOriginal: "2024:07:13 10:15:30", Subjects: []string{"a"}})
	tests := []struct {
		name     string
		data     []byte
		wantMake string
		warn     bool
	}{
		{"SOI only", []byte{0xFF, 0xD8}, "", true},
		{"truncated in the EXIF segment", good[:40], "", true},
		{"garbage after SOI", []byte{0xFF, 0xD8, 0x00, 0x01, 0x02}, "", true},
		{"segment length too short", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, "", true},
		{"fill bytes before a marker", append([]byte{0xFF, 0xD8, 0xFF, 0xFF}, good[3:]...), "Canon", false},
		{"PNG signature only", []byte("\x89PNG\r\n\x1a\n"), "", false},
		{"PNG truncated chunk", []byte("\x89PNG\r\n\x1a\n\x00\x00\x10\x00eXIf"), "", true},
	}
	for _, tt := range tests {
		m, err := exif.Read(tt.data)
		if err != nil {
			t.Errorf("%s: error %v", tt.name, err)
			continue
		}
		if m.Make != tt.wantMake {
			t.Errorf("%s: Make = %q, want %q", tt.name, m.Make, tt.wantMake)
		}
		if got := len(m.Warnings) > 0; got != tt.warn {
			t.Errorf("%s: warnings %q, want some = %v", tt.name, m.Warnings, tt.warn)
		}
	}
}
