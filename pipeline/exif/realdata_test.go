package exif_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif"
)

// TestRealPhotos reads camera files from the shared test data and checks
// what the data's README says each should give.
func TestRealPhotos(t *testing.T) {
	root := catalogtest.SharedData(t, "photos")
	type want struct {
		taken, source     string // CameraTime.String(); "" for none
		make, model       string
		orientation       int
		gps               bool
		serial            string
		artist, copyright string
		subjects, people  []string
		rating            *int
		warnsAbout        string // a warning must contain this
		checkCredits      bool   // compare artist, and copyright when given
	}
	tests := []struct {
		file string
		want want
	}{
		{"cameras/Canon_40D.jpg", want{taken: "2008-05-30T15:56:01.000", source: "exif", make: "Canon", model: "Canon EOS 40D", orientation: 1}},
		{"cameras/Kodak_CX7530.jpg", want{taken: "2005-08-13T09:47:23.000", source: "exif", make: "EASTMAN KODAK COMPANY", model: "KODAK CX7530 ZOOM DIGITAL CAMERA", orientation: 1, gps: true}},
		{"cameras/Samsung_Digimax_i50_MP3.jpg", want{taken: "2006-08-15T17:50:57.000", source: "exif", make: "Samsung Techwin", model: "<Digimax i50 MP3, Samsung #1 MP3>", orientation: 1}},
		{"cameras/Ricoh_Caplio_RR330.jpg", want{taken: "2004-08-31T19:52:58.000", source: "exif", make: "Caplio", model: "RR330", orientation: 1}},
		// Its time and serial are only in the Reconyx maker note.
		{"cameras/Reconyx_HC500_Hyperfire.jpg", want{taken: "2020-03-16T10:00:00.000", source: "makernote", orientation: 1, serial: "H500EE06130468"}},
		{"cameras/corrupted.jpg", want{taken: "2015-09-08T11:02:17.000", source: "exif", make: "OLYMPUS IMAGING CORP.", model: "u1020,S1020", orientation: 1}},
		{"cameras/exif-org/nikon-e950.jpg", want{taken: "2001-04-06T11:51:40.000", source: "exif", make: "NIKON", model: "E950", orientation: 1}},
		{"cameras/gps/DSCN0010.jpg", want{taken: "2008-10-22T16:28:39.000", source: "exif", make: "NIKON", model: "COOLPIX P6000", orientation: 1, gps: true}},
		{"cameras/gps/DSCN0021.jpg", want{taken: "2008-10-22T16:38:20.000", source: "exif", make: "NIKON", model: "COOLPIX P6000", orientation: 1, gps: true}},
		{"cameras/gps/DSCN0029.jpg", want{taken: "2008-10-22T16:46:53.000", source: "exif", make: "NIKON", model: "COOLPIX P6000", orientation: 1, gps: true}},
		{"cameras/gps/DSCN0042.jpg", want{taken: "2008-10-22T17:00:07.000", source: "exif", make: "NIKON", model: "COOLPIX P6000", orientation: 1, gps: true}},
		{"cameras/hdr/iphone_hdr_YES.jpg", want{taken: "2015-04-10T20:12:23.550", source: "exif", make: "Apple", model: "iPhone 6", orientation: 1, gps: true}},
		{"cameras/invalid/image00971.jpg", want{orientation: 1}},
		{"cameras/invalid/image01088.jpg", want{orientation: 1}},
		{"cameras/invalid/image01137.jpg", want{orientation: 1}},
		{"cameras/mobile/HMD_Nokia_8.3_5G.jpg", want{taken: "2022-08-14T14:12:31.000+03:00", source: "exif", make: "HMD Global", model: "Nokia 8.3 5G", orientation: 1, gps: true}},
		// The capture time is only in XMP; IFD0 DateTime (2013-07-07) must not be taken.
		{"cameras/tests/30-type_error.jpg", want{taken: "2013-07-05T03:18:27.000+00:00", source: "xmp", orientation: 1}},
		{"cameras/tests/35-empty.jpg", want{taken: "2005-07-19T18:25:29.000", source: "exif", make: "CASIO COMPUTER CO.,LTD", model: "EX-Z750", orientation: 1}},
		// goexif gives up on the whole block for its GPS IFD; the entries are read one by one.
		{"cameras/tests/45-gps_ifd.jpg", want{taken: "2012-06-23T06:55:49.000", source: "exif", make: "Polyphony Digital Inc.", model: "Gran Turismo 5", orientation: 1, warnsAbout: "read entry by entry"}},
		{"cameras/tests/67-0_length_string.jpg", want{make: "samsung", model: "SM-G930F", orientation: 1, gps: true}},
		{"cameras/xmp/BlueSquare.jpg", want{orientation: 1, subjects: []string{"XMP", "Blue Square", "test file", "Photoshop", ".jpg"}}},
		{"cameras/xmp/no_exif.jpg", want{orientation: 1, subjects: []string{"tag"}, artist: "CREDIT", checkCredits: true}},
		{"exif-orientation/Landscape_0.jpg", want{orientation: 1}},
		{"exif-orientation/Landscape_5.jpg", want{orientation: 5}},
		{"exif-orientation/Portrait_8.jpg", want{orientation: 8}},
		{"exiftool-t-images/Canon1DmkIII.jpg", want{taken: "2007-02-22T17:02:42.810", source: "exif", make: "Canon", model: "Canon EOS-1D Mark III", orientation: 1}},
		{"exiftool-t-images/GoPro.jpg", want{taken: "2017-10-03T10:58:29.000", source: "exif", make: "GoPro", model: "HERO6 Black", orientation: 1, gps: true, serial: "C3221324657219"}},
		{"exiftool-t-images/Pentax.jpg", want{taken: "2008-03-02T12:01:23.000", source: "exif", make: "PENTAX Corporation", model: "PENTAX K10D", orientation: 8}},
		{"exiftool-t-images/IPTC.jpg", want{orientation: 1, subjects: []string{"ExifTool", "Test", "IPTC"}, artist: "Phil Harvey", copyright: "Copyright 2004 Phil Harvey", checkCredits: true, warnsAbout: "no time of day"}},
		{"exiftool-t-images/PhotoMechanic.jpg", want{taken: "2006-10-29T06:27:51.000-05:00", source: "iptc", orientation: 1, subjects: []string{"Keywords", "one", "three", "two"}, artist: "Photographer", copyright: "Copyright", checkCredits: true}},
		// XMP in UTF-16; the IPTC block was edited after it (stale digest).
		{"exiftool-t-images/ExifTool.jpg", want{taken: "2001-05-19T18:36:41.000", source: "exif", make: "FUJIFILM", model: "FinePix2400Zoom", orientation: 1, subjects: []string{"ExifTool", "Test", "XMP", "jambalaya"}}},
		// The Metadata Working Group's reconciliation test: RIGHT- values must win.
		{"exiftool-t-images/MWG.jpg", want{
			taken: "2001-01-01T01:11:11.111", source: "exif", orientation: 6,
			artist: "RIGHT1of2-EXIF-Creator; RIGHT2of2-EXIF-Creator", copyright: "RIGHT-XMP-Copyright", checkCredits: true,
			subjects: []string{"RIGHT1of2-XMP-Keywords", "RIGHT2of2-XMP-Keywords"}, rating: new(3),
		}},
		{"faces/biden.jpg", want{taken: "2010-05-10T10:04:01.750", source: "exif", make: "Canon", model: "Canon EOS 5D Mark II", orientation: 1, serial: "720305332", rating: new(0)}},
		{"faces/obama.jpg", want{taken: "2012-12-06T15:46:01.000", source: "exif", make: "Canon", model: "Canon EOS 5D Mark III", orientation: 1, serial: "042033006980", rating: new(0)}},
		// Malformed DateTimeOriginal: the XMP DateCreated, with its zone, is used instead.
		{"faces/obama2.jpg", want{taken: "2009-09-09T12:18:46.000-05:00", source: "xmp", make: "Canon", model: "Canon EOS 5D Mark II", orientation: 1, serial: "720304987", rating: new(0), warnsAbout: "malformed"}},
		{"faces/obama3.jpg", want{taken: "2010-05-10T10:04:01.750", source: "exif", make: "Canon", model: "Canon EOS 5D Mark II", orientation: 1, serial: "720305332", artist: "Pete Souza", checkCredits: true, rating: new(0)}},
		{"faces/grace_hopper.jpg", want{orientation: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, tt.file))
			if err != nil {
				t.Skipf("not present: %v", err)
			}
			m, err := exif.Read(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			w := tt.want
			if got := m.Taken.String(); got != w.taken || m.Taken.Source != w.source {
				t.Errorf("Taken = %s from %q, want %s from %q", got, m.Taken.Source, w.taken, w.source)
			}
			if m.Make != w.make || m.Model != w.model {
				t.Errorf("Make, Model = %q, %q; want %q, %q", m.Make, m.Model, w.make, w.model)
			}
			if m.Orientation != w.orientation {
				t.Errorf("Orientation = %d, want %d", m.Orientation, w.orientation)
			}
			if m.HasGPS != w.gps {
				t.Errorf("HasGPS = %v, want %v", m.HasGPS, w.gps)
			}
			if m.Serial != w.serial {
				t.Errorf("Serial = %q, want %q", m.Serial, w.serial)
			}
			if w.checkCredits && m.Artist != w.artist {
				t.Errorf("Artist = %q, want %q", m.Artist, w.artist)
			}
			if w.checkCredits && w.copyright != "" && m.Copyright != w.copyright {
				t.Errorf("Copyright = %q, want %q", m.Copyright, w.copyright)
			}
			if !slices.Equal(m.Subjects, w.subjects) {
				t.Errorf("Subjects = %q, want %q", m.Subjects, w.subjects)
			}
			if !slices.Equal(m.People, w.people) {
				t.Errorf("People = %q, want %q", m.People, w.people)
			}
			if w.rating == nil && m.HasRating || w.rating != nil && (!m.HasRating || m.Rating != *w.rating) {
				t.Errorf("Rating = %d (%v), want %v", m.Rating, m.HasRating, w.rating)
			}
			if w.warnsAbout != "" && !strings.Contains(strings.Join(m.Warnings, "\n"), w.warnsAbout) {
				t.Errorf("Warnings = %q, want one about %q", m.Warnings, w.warnsAbout)
			}
			for _, s := range append(append([]string{m.Artist, m.Copyright}, m.Subjects...), m.People...) {
				if strings.Contains(s, "WRONG") {
					t.Errorf("a WRONG- value won: %q", s)
				}
			}
		})
	}
}

// TestAllRealPhotos runs every shared photo through Read: none may fail or
// panic, and every result must be in range.
func TestAllRealPhotos(t *testing.T) {
	root := catalogtest.SharedData(t, "photos")
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		m, err := exif.Read(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if m.Orientation < 1 || m.Orientation > 8 {
			t.Errorf("%s: Orientation %d", p, m.Orientation)
		}
		if !m.Taken.IsZero() && m.Taken.Source == "" {
			t.Errorf("%s: capture time without a source", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no photos found")
	}
}

// TestCaptureTimesAgreeWithExiftool reads every shared photo and compares
// its capture time with what `exiftool -DateTimeOriginal` prints (to the
// second, as a wall-clock reading). A file exiftool finds no time in must
// yield none either. The few files where confmedia deliberately reads
// another tag are listed with the reason.
func TestCaptureTimesAgreeWithExiftool(t *testing.T) {
	root := catalogtest.SharedData(t, "photos")
	exe, err := exec.LookPath("exiftool")
	if err != nil {
		t.Skip("exiftool not installed (apt-get install libimage-exiftool-perl)")
	}
	out, err := exec.Command(exe, "-json", "-q", "-q", "-DateTimeOriginal", "-r", root).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var rows []struct {
		SourceFile       string
		DateTimeOriginal any // exiftool prints a number for some malformed values
	}
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("exiftool output: %v", err)
	}
	// file → the capture time confmedia reads instead, and why.
	justified := map[string]struct{ taken, why string }{
		"exiftool-t-images/ExifTool.jpg": {"2001:05:19 18:36:41",
			"exiftool shows the embedded Canon CIFF block's date; the file's EXIF block, which confmedia reads, says 2001-05-19"},
		"faces/obama2.jpg": {"2009:09:09 12:18:46",
			"EXIF DateTimeOriginal is malformed (\"20:27:09.60:04:00\"); XMP photoshop:DateCreated is used"},
	}
	var checked, with int
	for _, row := range rows {
		rel, err := filepath.Rel(root, row.SourceFile)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(row.SourceFile)
		if err != nil {
			t.Fatal(err)
		}
		m, err := exif.Read(data)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		checked++
		want := ""
		if s, ok := row.DateTimeOriginal.(string); ok && len(s) >= 19 {
			want = s[:19]
		} else if row.DateTimeOriginal != nil {
			want = fmt.Sprint(row.DateTimeOriginal)
		}
		if j, ok := justified[rel]; ok {
			if want == j.taken {
				t.Errorf("%s: exiftool now agrees (%s); drop the exception", rel, want)
			}
			want = j.taken
		}
		got := ""
		if !m.Taken.IsZero() {
			got = m.Taken.Wall.Format("2006:01:02 15:04:05")
			with++
		}
		if got != want {
			t.Errorf("%s: capture time %q from %q, exiftool -DateTimeOriginal %q (warnings %q)", rel, got, m.Taken.Source, want, m.Warnings)
		}
	}
	if checked != len(rows) || checked < 80 {
		t.Errorf("checked %d of %d files", checked, len(rows))
	}
	t.Logf("%d files checked against exiftool, %d with a capture time", checked, with)
}
