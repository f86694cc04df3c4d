package web

import (
	"archive/zip"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// TestPhotosZipDates: zip entries carry the photo's local capture time as
// their (MS-DOS, wall-clock) date; a photo with no capture time gets its
// talk's start, never the zip format's zero date.
func TestPhotosZipDates(t *testing.T) {
	s, h := newPublicServer(t)
	if err := s.Store.UpdateMedia(context.Background(), pubPhotoB, func(m *catalog.Media) error {
		m.TakenAt = time.Time{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	code, _, body := get(t, h, "/talks/"+url.PathEscape(pubWeird)+"/photos.zip")
	if code != 200 {
		t.Fatalf("zip: %d %s", code, body)
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	// The wall clock in the entry's MS-DOS date and time fields.
	dos := func(f *zip.File) string {
		d, tm := f.ModifiedDate, f.ModifiedTime
		return time.Date(int(d>>9)+1980, time.Month(d>>5&0xf), int(d&0x1f), int(tm>>11), int(tm>>5&0x3f), int(tm&0x1f)*2, 0, time.UTC).Format("2006-01-02 15:04:05")
	}
	want := map[string]string{
		"opening-keynote-001.jpg": "2026-05-15 09:10:00", // taken at 09:10 Dublin time (08:10 UTC)
		"opening-keynote-002.jpg": "2026-05-15 09:00:00", // no capture time: the talk's start
	}
	if len(zr.File) != len(want) {
		t.Fatalf("%d entries, want %d", len(zr.File), len(want))
	}
	for _, f := range zr.File {
		if got := dos(f); got != want[f.Name] {
			t.Errorf("%s dated %s, want %s", f.Name, got, want[f.Name])
		}
		if !f.Modified.Equal(mustDocTime(t, want[f.Name])) {
			t.Errorf("%s: extended time %v, want %s Dublin time", f.Name, f.Modified, want[f.Name])
		}
	}
}

func mustDocTime(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
