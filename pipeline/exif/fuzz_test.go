package exif_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// FuzzRead feeds Read generated fixtures and their mutations: it must never
// panic, hang or fail on a JPEG or PNG, and its results must be in range and
// repeatable.
func FuzzRead(f *testing.F) {
	full := exiftest.Spec{
		Width: 8, Height: 8, Quality: 10,
		Orientation: 6, DateTimeOriginal: "2024:07:13 10:15:30", SubSec: "25", OffsetTimeOriginal: "+01:00",
		DateTime: "2025:01:02 03:04:05", Make: "Canon", Model: "R6", Serial: "S1", Artist: "Ann", Copyright: "CC",
		GPS: &exiftest.GPS{Lat: 1, Lon: 2, Alt: 3}, People: []string{"Ada"}, Subjects: []string{"k"},
		XMPDateTimeOriginal: "2024-07-13T10:15:30Z", XMPDateCreated: "2024-07-13", XMPCreator: []string{"Ann"},
		XMPRights: "CC", Rating: new(4), IPTCDateCreated: "20240713", IPTCTimeCreated: "101530+0100",
		IPTCKeywords: []string{"k"}, IPTCByline: "Ann", IPTCCopyright: "CC",
	}
	bigEndian := full
	bigEndian.BigEndian = true
	stale := full
	stale.IPTCStaleDigest = true
	for _, s := range []exiftest.Spec{full, bigEndian, stale, {Width: 8, Height: 8}} {
		f.Add(exiftest.MustJPEG(f, s))
	}
	png := full
	png.IPTCDateCreated, png.IPTCTimeCreated, png.IPTCKeywords, png.IPTCByline, png.IPTCCopyright = "", "", nil, "", ""
	f.Add(exiftest.MustPNG(f, png))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', '*', 0, 8, 0, 0, 0})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := exif.Read(data)
		if err != nil {
			if !errors.Is(err, exif.ErrNotImage) {
				t.Fatalf("unexpected error %v", err)
			}
			if len(data) >= 2 && data[0] == 0xFF && data[1] == 0xD8 {
				t.Fatalf("a JPEG refused: %v", err)
			}
			return
		}
		if m.Orientation < 1 || m.Orientation > 8 {
			t.Errorf("Orientation %d", m.Orientation)
		}
		if m.HasRating && (m.Rating < -1 || m.Rating > 5) || !m.HasRating && m.Rating != 0 {
			t.Errorf("Rating %d, HasRating %v", m.Rating, m.HasRating)
		}
		if m.Taken.IsZero() != (m.Taken.Source == "") {
			t.Errorf("Taken %v from %q", m.Taken, m.Taken.Source)
		}
		if !m.Taken.HasOffset && m.Taken.Offset != 0 {
			t.Errorf("offset %d without HasOffset", m.Taken.Offset)
		}
		again, _ := exif.Read(data)
		if !reflect.DeepEqual(m, again) {
			t.Errorf("second Read differs:\n%+v\n%+v", m, again)
		}
	})
}
