package exif_test

import (
	"testing"

	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// BenchmarkRead reads a 1024x768 JPEG carrying EXIF, GPS, XMP and IPTC.
func BenchmarkRead(b *testing.B) {
	data := exiftest.MustJPEG(b, exiftest.Spec{
		Width: 1024, Height: 768, Orientation: 6,
		DateTimeOriginal: "2024:07:13 10:15:30", SubSec: "25", OffsetTimeOriginal: "+01:00",
		Make: "Canon", Model: "EOS R6", Serial: "S1", Artist: "Ann", Copyright: "CC BY",
		GPS: &exiftest.GPS{Lat: 53.3, Lon: -6.2}, People: []string{"Ada", "Grace"}, Subjects: []string{"keynote"},
		Rating: new(4), IPTCKeywords: []string{"keynote"}, IPTCByline: "Ann",
	})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := exif.Read(data); err != nil {
			b.Fatal(err)
		}
	}
}
