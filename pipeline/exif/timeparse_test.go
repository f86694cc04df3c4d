package exif

import (
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

func TestParseEXIFDateTime(t *testing.T) {
	tests := []struct {
		in      string
		want    string // time.DateTime layout, UTC
		wantErr error
	}{
		{"2024:07:13 10:15:30", "2024-07-13 10:15:30", nil},
		{"2024:07:13 10:15:30\x00", "2024-07-13 10:15:30", nil},
		{" 2024:07:13 10:15:30 ", "2024-07-13 10:15:30", nil},
		{"2024-07-13 10:15:30", "2024-07-13 10:15:30", nil},
		{"2024-07-13T10:15:30", "2024-07-13 10:15:30", nil},
		{"0000:00:00 00:00:00", "", errBlank},
		{"    :  :     :  :  ", "", errBlank},
		{"", "", errBlank},
		{"2009:09:09 20:27:09.60:04:00", "", errMalformed},
		{"2024:07:13", "", errMalformed},
		{"2024:07-13 10:15:30", "", errMalformed},
		{"2024:07:13 10-15-30", "", errMalformed},
		{"2024:0a:13 10:15:30", "", errMalformed},
		{"2024:13:01 00:00:00", "", errInvalid},
		{"2023:02:29 00:00:00", "", errInvalid},
		{"2024:02:29 24:00:00", "", errInvalid},
		{"2024:02:29 23:59:60", "", errInvalid},
		{"2024:00:10 10:00:00", "", errInvalid},
		{"0001:01:01 00:00:00", "", errInvalid}, // the zero time.Time, which means "none"
		{"0001:01:01 00:00:01", "0001-01-01 00:00:01", nil},
	}
	for _, tt := range tests {
		got, err := parseEXIFDateTime(tt.in)
		if err != tt.wantErr {
			t.Errorf("parseEXIFDateTime(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && got.Format(time.DateTime) != tt.want {
			t.Errorf("parseEXIFDateTime(%q) = %v, want %s", tt.in, got, tt.want)
		}
		if err == nil && got.Location() != time.UTC {
			t.Errorf("parseEXIFDateTime(%q) location = %v, want UTC", tt.in, got.Location())
		}
	}
}

func TestParseSubSecAndOffset(t *testing.T) {
	subs := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 500 * time.Millisecond, true},
		{"25", 250 * time.Millisecond, true},
		{"123", 123 * time.Millisecond, true},
		{"000", 0, true},
		{"1234567891", 123456789, true},
		{" 60 ", 600 * time.Millisecond, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
	}
	for _, tt := range subs {
		got, err := parseSubSec(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSubSec(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	offs := []struct {
		in      string
		want    int
		present bool
		ok      bool
	}{
		{"+03:00", 3 * 3600, true, true},
		{"-05:00", -5 * 3600, true, true},
		{"+05:45", 5*3600 + 45*60, true, true},
		{"+00:00", 0, true, true},
		{"   :  ", 0, false, true},
		{"", 0, false, true},
		{"03:00", 0, false, false},
		{"+3:00", 0, false, false},
		{"+03:00x", 0, false, false},
		{"+25:00", 0, false, false},
		{"+03:75", 0, false, false},
	}
	for _, tt := range offs {
		got, present, err := parseEXIFOffset(tt.in)
		if (err == nil) != tt.ok || present != tt.present || got != tt.want {
			t.Errorf("parseEXIFOffset(%q) = %d, %v, %v; want %d, %v, ok %v", tt.in, got, present, err, tt.want, tt.present, tt.ok)
		}
	}
}

func TestParseISOTime(t *testing.T) {
	tests := []struct {
		in      string
		want    string // catalog.CameraTime.String()
		wantErr error
	}{
		{"2024-07-13T10:15:30", "2024-07-13T10:15:30.000", nil},
		{"2024-07-13T10:15:30Z", "2024-07-13T10:15:30.000+00:00", nil},
		{"2024-07-13T10:15:30.311+01:00", "2024-07-13T10:15:30.311+01:00", nil},
		{"2024-07-13T10:15:30,5-05:00", "2024-07-13T10:15:30.500-05:00", nil},
		{"2024-07-13T10:15+02:00", "2024-07-13T10:15:00.000+02:00", nil},
		{"2024-07-13T10:15:30-0430", "2024-07-13T10:15:30.000-04:30", nil},
		{"2024-07-13T10:15:30+09", "2024-07-13T10:15:30.000+09:00", nil},
		{"2024:07:13 10:15:30", "2024-07-13T10:15:30.000", nil},
		{"2024-07-13", "", errNoTime},
		{"2024-07", "", errNoTime},
		{"2024", "", errNoTime},
		{"", "", errBlank},
		{"0000-00-00T00:00:00", "", errBlank},
		{"2024-07-13T", "", errMalformed},
		{"2024-07-13T10", "", errMalformed},
		{"2024-07-13X10:15:30", "", errMalformed},
		{"2024-07-13T10:15:30 +01:00", "", errMalformed},
		{"2024-07-13T10:15:30+1", "", errMalformed},
		{"2024-07-13T10:15:30.", "", errMalformed},
		{"13/07/2024 10:15", "", errMalformed},
		{"2024-02-30T10:15:30", "", errInvalid},
		{"0001-01-01T00:00:00Z", "", errInvalid},
	}
	for _, tt := range tests {
		got, err := parseISOTime(tt.in)
		if err != tt.wantErr {
			t.Errorf("parseISOTime(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("parseISOTime(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseIPTCTime(t *testing.T) {
	tests := []struct {
		date, clock string
		want        string
		wantErr     error
	}{
		{"20100510", "100401-0500", "2010-05-10T10:04:01.000-05:00", nil},
		{"20100510", "100401+0000", "2010-05-10T10:04:01.000+00:00", nil},
		{"20100510", "100401", "2010-05-10T10:04:01.000", nil},
		{"2010-05-10", "10:04:01-05:00", "2010-05-10T10:04:01.000-05:00", nil},
		{"20100510", "", "", errNoTime},
		{"00000000", "000000+0000", "", errBlank},
		{"", "100401", "", errBlank},
		{"201005", "100401", "", errMalformed},
		{"20100510", "1004", "", errMalformed},
		{"20100510", "100401x", "", errMalformed},
		{"20100500", "100401", "", errInvalid},
		{"00010101", "000000Z", "", errInvalid},
	}
	for _, tt := range tests {
		got, err := parseIPTCTime(tt.date, tt.clock)
		if err != tt.wantErr {
			t.Errorf("parseIPTCTime(%q, %q) error = %v, want %v", tt.date, tt.clock, err, tt.wantErr)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("parseIPTCTime(%q, %q) = %s, want %s", tt.date, tt.clock, got, tt.want)
		}
	}
}

// TestCameraTimeRoundTrip checks that what the parsers build survives the
// catalog's text form.
func TestCameraTimeRoundTrip(t *testing.T) {
	ct, err := parseISOTime("2024-07-13T10:15:30.25-09:30")
	if err != nil {
		t.Fatal(err)
	}
	back, err := catalog.ParseCameraTime(ct.String())
	if err != nil {
		t.Fatal(err)
	}
	if !back.Wall.Equal(ct.Wall) || back.HasOffset != ct.HasOffset || back.Offset != ct.Offset {
		t.Errorf("round trip = %+v, want %+v", back, ct)
	}
}
