package exiftest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// full sets every field the writer knows.
var full = exiftest.Spec{
	Orientation:         6,
	DateTimeOriginal:    "2024:07:13 10:15:30",
	SubSec:              "250",
	OffsetTimeOriginal:  "+01:00",
	DateTime:            "2025:01:02 03:04:05",
	Make:                "Canon",
	Model:               "EOS R6",
	Serial:              "SN-0042",
	Artist:              "Ann Photographer",
	Copyright:           "© 2024 Ann",
	GPS:                 &exiftest.GPS{Lat: -33.8688, Lon: 151.2093, Alt: -12.5},
	People:              []string{"Ada Lovelace", "Grace <Hopper> & co"},
	Subjects:            []string{"keynote", "stage"},
	XMPDateTimeOriginal: "2024-07-13T10:15:31+01:00",
	XMPDateCreated:      "2024-07-13T10:15:32",
	XMPCreator:          []string{"Ann", "Bob"},
	XMPRights:           "CC BY 4.0",
	Rating:              new(-1),
	IPTCDateCreated:     "20240713",
	IPTCTimeCreated:     "101533+0100",
	IPTCKeywords:        []string{"python", "keynote"},
	IPTCByline:          "Ann P",
	IPTCCopyright:       "Ann 2024",
}

// fullWant is what exiftool reports for full (-n -G1; lists joined by "|").
var fullWant = map[string]string{
	"IFD0:Make":                  "Canon",
	"IFD0:Model":                 "EOS R6",
	"IFD0:Orientation":           "6",
	"IFD0:ModifyDate":            "2025:01:02 03:04:05",
	"IFD0:Artist":                "Ann Photographer",
	"IFD0:Copyright":             "© 2024 Ann",
	"ExifIFD:DateTimeOriginal":   "2024:07:13 10:15:30",
	"ExifIFD:SubSecTimeOriginal": "250",
	"ExifIFD:OffsetTimeOriginal": "+01:00",
	"ExifIFD:SerialNumber":       "SN-0042",
	"Composite:GPSLatitude":      "-33.8688",
	"Composite:GPSLongitude":     "151.2093",
	"Composite:GPSAltitude":      "-12.5",
	"XMP-iptcExt:PersonInImage":  "Ada Lovelace|Grace <Hopper> & co",
	"XMP-dc:Subject":             "keynote|stage",
	"XMP-dc:Creator":             "Ann|Bob",
	"XMP-dc:Rights":              "CC BY 4.0",
	"XMP-xmp:Rating":             "-1",
	"XMP-exif:DateTimeOriginal":  "2024:07:13 10:15:31+01:00",
	"XMP-photoshop:DateCreated":  "2024:07:13 10:15:32",
	"IPTC:DateCreated":           "2024:07:13",
	"IPTC:TimeCreated":           "10:15:33+01:00",
	"IPTC:Keywords":              "python|keynote",
	"IPTC:By-line":               "Ann P",
	"IPTC:CopyrightNotice":       "Ann 2024",
	"Composite:ImageSize":        "48 64", // stored size: orientation 6 turns it
}

// without returns m minus the keys that start with one of prefixes, plus
// extra.
func without(m map[string]string, prefixes []string, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		drop := false
		for _, p := range prefixes {
			drop = drop || strings.HasPrefix(k, p)
		}
		if !drop {
			out[k] = v
		}
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func TestExiftoolReadsWhatWasWritten(t *testing.T) {
	exe, err := exec.LookPath("exiftool")
	if err != nil {
		t.Skip("exiftool is not on PATH; install libimage-exiftool-perl to check the writer against it")
	}
	bigEndian := full
	bigEndian.BigEndian = true
	noIPTC := full
	noIPTC.IPTCDateCreated, noIPTC.IPTCTimeCreated, noIPTC.IPTCKeywords = "", "", nil
	noIPTC.IPTCByline, noIPTC.IPTCCopyright = "", ""
	stale := exiftest.Spec{IPTCKeywords: []string{"solo"}, IPTCStaleDigest: true}

	tests := []struct {
		name        string
		png         bool
		spec        exiftest.Spec
		want        map[string]string
		absent      []string
		digestAgree *bool  // IPTCDigest equals CurrentIPTCDigest
		warning     string // the one warning exiftool should give
	}{
		{name: "full little-endian JPEG", spec: full, want: fullWant, digestAgree: new(true)},
		{name: "full big-endian JPEG", spec: bigEndian, want: fullWant, digestAgree: new(true)},
		{name: "full PNG", png: true, spec: noIPTC, want: without(fullWant, []string{"IPTC:"}, nil)},
		{
			name: "north-west, above sea level, single items",
			spec: exiftest.Spec{
				Orientation: 3, GPS: &exiftest.GPS{Lat: 53.3498, Lon: -6.2603, Alt: 20},
				People: []string{"Solo Speaker"}, Subjects: []string{"talk"}, Rating: new(5),
				IPTCDateCreated: "20220714", IPTCTimeCreated: "093000-0500",
			},
			want: map[string]string{
				"IFD0:Orientation":          "3",
				"Composite:GPSLatitude":     "53.3498",
				"Composite:GPSLongitude":    "-6.2603",
				"Composite:GPSAltitude":     "20",
				"XMP-iptcExt:PersonInImage": "Solo Speaker",
				"XMP-dc:Subject":            "talk",
				"XMP-xmp:Rating":            "5",
				"IPTC:DateCreated":          "2022:07:14",
				"IPTC:TimeCreated":          "09:30:00-05:00",
				"Composite:ImageSize":       "64 48",
			},
			absent:      []string{"IFD0:Make", "ExifIFD:DateTimeOriginal", "ExifIFD:OffsetTimeOriginal"},
			digestAgree: new(true),
		},
		{
			name:   "XMP only",
			spec:   exiftest.Spec{Subjects: []string{"a"}, XMPDateCreated: "2024-07-13T10:00:00Z"},
			want:   map[string]string{"XMP-dc:Subject": "a", "XMP-photoshop:DateCreated": "2024:07:13 10:00:00Z"},
			absent: []string{"IFD0:Orientation", "ExifIFD:ExifVersion", "IPTC:Keywords", "GPS:GPSLatitude"},
		},
		{
			name:        "stale IPTC digest",
			spec:        stale,
			want:        map[string]string{"IPTC:Keywords": "solo"},
			digestAgree: new(false),
			warning:     "IPTCDigest is not current. XMP may be out of sync",
		},
	}

	dir := t.TempDir()
	var files []string
	for i, tt := range tests {
		name := filepath.Join(dir, fmt.Sprintf("%d.jpg", i))
		var b []byte
		if tt.png {
			name = filepath.Join(dir, fmt.Sprintf("%d.png", i))
			b = exiftest.MustPNG(t, tt.spec)
		} else {
			b = exiftest.MustJPEG(t, tt.spec)
		}
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	// One run for all files: exiftool's start-up dominates.
	out, err := exec.Command(exe, append([]string{"-j", "-n", "-G1", "-a", "-CurrentIPTCDigest", "-all"}, files...)...).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var got []map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("exiftool output: %v\n%s", err, out)
	}
	if len(got) != len(tests) {
		t.Fatalf("exiftool reported %d files, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := got[i]
			for k, v := range g {
				if strings.HasSuffix(k, ":Error") || strings.HasSuffix(k, ":Warning") && render(v) != tt.warning {
					t.Errorf("exiftool %s: %v", k, v)
				}
			}
			if tt.warning != "" && render(g["ExifTool:Warning"]) != tt.warning {
				t.Errorf("exiftool warning = %q, want %q", render(g["ExifTool:Warning"]), tt.warning)
			}
			for k, want := range tt.want {
				v, ok := g[k]
				if !ok {
					t.Errorf("%s missing", k)
					continue
				}
				gotS := render(v)
				if strings.HasPrefix(k, "Composite:GPS") {
					gf, _ := strconv.ParseFloat(gotS, 64)
					wf, _ := strconv.ParseFloat(want, 64)
					if math.Abs(gf-wf) > 1e-6 {
						t.Errorf("%s = %s, want %s", k, gotS, want)
					}
					continue
				}
				if gotS != want {
					t.Errorf("%s = %q, want %q", k, gotS, want)
				}
			}
			for _, k := range tt.absent {
				if v, ok := g[k]; ok {
					t.Errorf("%s = %v, want absent", k, v)
				}
			}
			if tt.digestAgree != nil {
				stored, current := render(g["Photoshop:IPTCDigest"]), render(g["File:CurrentIPTCDigest"])
				if stored == "" || current == "" {
					t.Fatalf("IPTC digests missing: stored %q, current %q", stored, current)
				}
				if agree := stored == current; agree != *tt.digestAgree {
					t.Errorf("digest stored %s, current %s: agree = %v, want %v", stored, current, agree, *tt.digestAgree)
				}
			}
		})
	}
}

// render turns an exiftool JSON value into a string; lists are joined by
// "|".
func render(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = render(p)
		}
		return strings.Join(parts, "|")
	}
	return fmt.Sprint(v)
}

// TestOrientationUpright decodes the fixtures with an independent reader of
// EXIF orientation (imaging's auto-orientation): every orientation, in both
// byte orders, must come out upright at the requested size, and without
// applying the orientation only 0 and 1 may look upright.
func TestOrientationUpright(t *testing.T) {
	for _, bigEndian := range []bool{false, true} {
		for o := 0; o <= 8; o++ {
			t.Run(fmt.Sprintf("orientation %d big-endian %v", o, bigEndian), func(t *testing.T) {
				b := exiftest.MustJPEG(t, exiftest.Spec{Width: 80, Height: 48, Orientation: o, BigEndian: bigEndian})
				img, err := imaging.Decode(bytes.NewReader(b), imaging.AutoOrientation(true))
				if err != nil {
					t.Fatal(err)
				}
				if got := img.Bounds().Size(); got != image.Pt(80, 48) {
					t.Errorf("oriented size = %v, want 80x48", got)
				}
				if !exiftest.MarkerTopLeft(img) {
					t.Error("oriented image is not upright")
				}
				raw, err := jpeg.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := exiftest.MarkerTopLeft(raw), o <= 1; got != want {
					t.Errorf("stored pixels look upright = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestPNGPixels(t *testing.T) {
	b := exiftest.MustPNG(t, exiftest.Spec{Width: 30, Height: 20, Orientation: 8})
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != image.Pt(20, 30) {
		t.Errorf("stored size = %v, want 20x30", got)
	}
	if !exiftest.MarkerTopLeft(imaging.Rotate90(img)) { // orientation 8 shows it turned 90° anticlockwise
		t.Error("PNG pixels are not stored for orientation 8")
	}
}

func TestMarkerTopLeft(t *testing.T) {
	up := exiftest.Upright(64, 48)
	tests := []struct {
		name string
		img  image.Image
		want bool
	}{
		{"upright", up, true},
		{"enlarged", imaging.Resize(up, 640, 480, imaging.Lanczos), true},
		{"shrunk", imaging.Resize(up, 16, 12, imaging.Box), true},
		{"flipped horizontally", imaging.FlipH(up), false},
		{"flipped vertically", imaging.FlipV(up), false},
		{"turned 180", imaging.Rotate180(up), false},
		{"turned 90", imaging.Rotate90(up), false},
		{"turned 270", imaging.Rotate270(up), false},
		{"transposed", imaging.Transpose(up), false},
		{"transversed", imaging.Transverse(up), false},
		{"grey", imaging.Grayscale(up), false},
		{"empty", image.NewRGBA(image.Rect(0, 0, 0, 0)), false},
	}
	for _, tt := range tests {
		if got := exiftest.MarkerTopLeft(tt.img); got != tt.want {
			t.Errorf("%s: MarkerTopLeft = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSpecErrors(t *testing.T) {
	long := strings.Repeat("x", 70_000)
	tests := []struct {
		name string
		spec exiftest.Spec
		png  bool
	}{
		{"negative width", exiftest.Spec{Width: -1}, false},
		{"huge height", exiftest.Spec{Height: 100_000}, false},
		{"orientation 9", exiftest.Spec{Orientation: 9}, false},
		{"quality 101", exiftest.Spec{Quality: 101}, false},
		{"EXIF too large for a segment", exiftest.Spec{Artist: long}, false},
		{"XMP too large for a segment", exiftest.Spec{Subjects: []string{long}}, false},
		{"IPTC dataset too long", exiftest.Spec{IPTCByline: long[:40_000]}, false},
		{"IPTC in a PNG", exiftest.Spec{IPTCKeywords: []string{"k"}}, true},
	}
	for _, tt := range tests {
		var err error
		if tt.png {
			_, err = exiftest.PNG(tt.spec)
		} else {
			_, err = exiftest.JPEG(tt.spec)
		}
		if err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestNoMetadataByDefault(t *testing.T) {
	b := exiftest.MustJPEG(t, exiftest.Spec{})
	for _, marker := range []string{"Exif\x00\x00", "http://ns.adobe.com/xap/1.0/", "Photoshop 3.0"} {
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("default JPEG contains %q", marker)
		}
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 64 || cfg.Height != 48 {
		t.Errorf("default size = %dx%d, want 64x48", cfg.Width, cfg.Height)
	}
}
