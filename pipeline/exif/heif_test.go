package exif

import (
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/internal/heif/heiftest"
)

// TestReadHEIF reads the Exif and XMP items of HEIF containers built in
// code: what a phone writes, with and without the container turning the
// image.
func TestReadHEIF(t *testing.T) {
	spec := exiftest.Spec{
		Make: "Apple", Model: "iPhone 15", Serial: "F17XYZ",
		DateTimeOriginal: "2026:05:15 09:10:11", OffsetTimeOriginal: "+02:00",
		Orientation: 6, GPS: &exiftest.GPS{Lat: 48.1, Lon: 11.5},
	}
	tiff, err := exiftest.TIFF(spec)
	if err != nil {
		t.Fatal(err)
	}
	xmp := []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4"/></rdf:RDF></x:xmpmeta>`)
	tests := []struct {
		name   string
		spec   heiftest.Spec
		orient int
		rating int
	}{
		// No irot/imir: nothing turns the pixels but EXIF.
		{"exif orientation only", heiftest.Spec{Width: 64, Height: 48, Exif: tiff}, 6, 0},
		// The container turns the image: EXIF must not turn it again.
		{"irot", heiftest.Spec{Width: 64, Height: 48, Rotation: 3, Exif: tiff}, 1, 0},
		{"imir", heiftest.Spec{Width: 64, Height: 48, Mirror: true, Exif: tiff}, 1, 0},
		{"Exif header in the item", heiftest.Spec{Width: 64, Height: 48, Exif: tiff, ExifPrefix: true}, 6, 0},
		{"with XMP", heiftest.Spec{Width: 64, Height: 48, Exif: tiff, XMP: xmp}, 6, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := Read(heiftest.Container(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			want := catalog.CameraTime{Wall: time.Date(2026, 5, 15, 9, 10, 11, 0, time.UTC), HasOffset: true, Offset: 7200, Source: "exif"}
			if md.Taken != want {
				t.Errorf("Taken = %+v, want %+v", md.Taken, want)
			}
			if md.Make != "Apple" || md.Model != "iPhone 15" || md.Serial != "F17XYZ" || !md.HasGPS {
				t.Errorf("camera %q %q %q GPS %v, want Apple iPhone 15 F17XYZ with GPS", md.Make, md.Model, md.Serial, md.HasGPS)
			}
			if md.Orientation != tt.orient {
				t.Errorf("Orientation = %d, want %d", md.Orientation, tt.orient)
			}
			if md.Rating != tt.rating {
				t.Errorf("Rating = %d, want %d", md.Rating, tt.rating)
			}
			if len(md.Warnings) > 0 {
				t.Errorf("warnings: %q", md.Warnings)
			}
		})
	}
}

func TestReadHEIFDamaged(t *testing.T) {
	tiff, _ := exiftest.TIFF(exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:11"})
	data := heiftest.Container(heiftest.Spec{Width: 64, Height: 48, Exif: tiff})
	for _, cut := range []int{30, len(data) - 10} {
		md, err := Read(data[:cut])
		if err != nil {
			t.Fatalf("cut at %d: %v, want metadata with warnings", cut, err)
		}
		if len(md.Warnings) == 0 || !md.Taken.Wall.IsZero() {
			t.Errorf("cut at %d: warnings %q, taken %+v; want a warning and no time", cut, md.Warnings, md.Taken)
		}
	}
}
