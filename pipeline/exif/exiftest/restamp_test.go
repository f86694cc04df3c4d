package exiftest_test

import (
	"bytes"
	"testing"

	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// TestRestamp: a restamped JPEG carries the new metadata alone (the old
// capture time, people and keywords are gone) and the same image data.
func TestRestamp(t *testing.T) {
	orig := exiftest.MustJPEG(t, exiftest.Spec{Width: 80, Height: 60, DateTimeOriginal: "2010:05:10 10:04:01",
		People: []string{"Someone Else"}, XMPDateTimeOriginal: "2010-05-10T10:04:01+02:00",
		IPTCDateCreated: "20100510", IPTCTimeCreated: "100401+0200", IPTCKeywords: []string{"old"}})
	got := exiftest.MustRestamp(t, orig, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:30:00"})
	md, err := exif.Read(got)
	if err != nil {
		t.Fatal(err)
	}
	if s := md.Taken.String(); s != "2026-05-15T09:30:00.000" {
		t.Errorf("taken %s, want the new time without an offset", s)
	}
	if len(md.People) != 0 || len(md.Subjects) != 0 {
		t.Errorf("people %v subjects %v kept", md.People, md.Subjects)
	}
	sos := []byte{0xFF, 0xDA}
	if a, b := orig[bytes.Index(orig, sos):], got[bytes.Index(got, sos):]; !bytes.Equal(a, b) {
		t.Error("the image data changed")
	}
	if _, err := exiftest.Restamp([]byte("GIF89a"), exiftest.Spec{}); err == nil {
		t.Error("restamped a GIF")
	}
	if _, err := exiftest.Restamp(orig[:30], exiftest.Spec{}); err == nil {
		t.Error("restamped a JPEG cut inside its first segment")
	}
}
