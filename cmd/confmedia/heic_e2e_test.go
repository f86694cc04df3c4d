package main

import (
	"encoding/json"
	"image"
	"image/jpeg"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// TestEndToEndHEIC uploads a phone's HEIC (turned by its container, with
// GPS and a serial in its EXIF) through the CLI: the cgo build tags it like
// a JPEG, upright, with renditions that carry neither GPS nor serial; the
// pure-Go build refuses it at upload, naming the file and why.
func TestEndToEndHEIC(t *testing.T) {
	spec := exiftest.Spec{Width: 300, Height: 200, Orientation: 6,
		DateTimeOriginal: "2026:05:15 09:20:00", Make: "Apple", Model: "iPhone 15", Serial: "SN-123456",
		GPS: &exiftest.GPS{Lat: 53.34, Lon: -6.26, Alt: 10}}
	var heic []byte
	if rendition.DecodesHEIF() {
		heic = exiftest.MustHEIC(t, spec)
	} else {
		// Any HEIC will do: this build refuses it by its first bytes.
		heic = []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x08free")
	}
	in := startDev(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(testSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", filepath.Join(dir, "schedule.csv"))
	photos := filepath.Join(dir, "phone")
	writeFile(t, filepath.Join(photos, "IMG_0042.HEIC"), heic)

	code, out, errs := in.cli("upload", "--json", "--room", "Ballroom A", photos)
	var sum uploadSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("upload exit %d: %q %s", code, out, errs)
	}
	if !rendition.DecodesHEIF() {
		if code != exitRejected || len(sum.Rejected) != 1 || filepath.Base(sum.Rejected[0].File) != "IMG_0042.HEIC" ||
			!strings.Contains(sum.Rejected[0].Reason, rendition.HEIFNeedsCgo) {
			t.Errorf("pure-Go build: upload exit %d, %+v; want the HEIC rejected with %q", code, sum, rendition.HEIFNeedsCgo)
		}
		return
	}
	if code != 0 || sum.Sent != 1 {
		t.Fatalf("upload: exit %d, %+v, %s; want 1 sent", code, sum, errs)
	}
	in.mustCLI("wait", "--timeout", "2m")
	m, ok := mediaBySource(in.export())["IMG_0042.HEIC"]
	if !ok {
		t.Fatal("IMG_0042.HEIC missing from the catalog")
	}
	if m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"t1"}) || m.TakenAt != "2026-05-15T09:20:00+01:00" {
		t.Errorf("IMG_0042.HEIC: %s %v taken %q (%s); want tagged t1 taken 2026-05-15T09:20:00+01:00", m.Status, m.TalkIDs, m.TakenAt, m.Reason)
	}
	if m.Width != 300 || m.Height != 200 {
		t.Errorf("IMG_0042.HEIC (stored 200x300, turned by irot) is %dx%d, want 300x200", m.Width, m.Height)
	}
	for _, name := range []string{"large", "medium", "square"} {
		r, ok := m.Renditions[name]
		if !ok {
			t.Errorf("no %s rendition", name)
			continue
		}
		checkRendition(t, "IMG_0042.HEIC "+name, r)
		if img := fetchJPEG(t, r.URL); img != nil && !exiftest.MarkerTopLeft(img) {
			t.Errorf("IMG_0042.HEIC %s rendition is not upright", name)
		}
	}
}

// fetchJPEG GETs and decodes a JPEG, or reports why it could not.
func fetchJPEG(t *testing.T, url string) image.Image {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return nil
	}
	defer resp.Body.Close()
	img, err := jpeg.Decode(resp.Body)
	if err != nil {
		t.Errorf("GET %s: %s: %v", url, resp.Status, err)
		return nil
	}
	return img
}
