package match

import (
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

func TestResolveTime(t *testing.T) {
	zone := func(name string) *time.Location {
		t.Helper()
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		return loc
	}
	chicago, dublin, lordHowe := zone("America/Chicago"), zone("Europe/Dublin"), zone("Australia/Lord_Howe")
	wall := func(s string) catalog.CameraTime {
		t.Helper()
		w, err := time.Parse("2006-01-02T15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return catalog.CameraTime{Wall: w}
	}
	withOffset := func(s string, off int) catalog.CameraTime {
		ct := wall(s)
		ct.HasOffset, ct.Offset = true, off
		return ct
	}
	tests := []struct {
		name   string
		ct     catalog.CameraTime
		offset time.Duration
		zone   *time.Location
		want   string // RFC 3339 in UTC
	}{
		{"chicago summer", wall("2024-07-01T12:00:00"), 0, chicago, "2024-07-01T17:00:00Z"},
		{"chicago winter", wall("2024-01-15T12:00:00"), 0, chicago, "2024-01-15T18:00:00Z"},
		{"chicago gap moves forward", wall("2024-03-10T02:30:00"), 0, chicago, "2024-03-10T08:30:00Z"}, // 03:30 CDT
		{"chicago gap start", wall("2024-03-10T02:00:00"), 0, chicago, "2024-03-10T08:00:00Z"},         // 03:00 CDT
		{"chicago just before gap", wall("2024-03-10T01:59:59"), 0, chicago, "2024-03-10T07:59:59Z"},
		{"chicago fold takes earlier", wall("2024-11-03T01:30:00"), 0, chicago, "2024-11-03T06:30:00Z"}, // CDT
		{"chicago after fold", wall("2024-11-03T02:00:00"), 0, chicago, "2024-11-03T08:00:00Z"},
		{"offset added before resolving", wall("2024-03-10T02:00:00"), 30 * time.Minute, chicago, "2024-03-10T08:30:00Z"},
		{"offset moves out of gap", wall("2024-03-10T02:30:00"), -time.Hour, chicago, "2024-03-10T07:30:00Z"},
		{"offset moves into fold", wall("2024-11-03T00:50:00"), 40 * time.Minute, chicago, "2024-11-03T06:30:00Z"},
		{"offset crosses midnight", wall("2024-07-01T23:30:00"), time.Hour, chicago, "2024-07-02T05:30:00Z"},
		{"dublin summer", wall("2022-07-14T10:00:00"), 0, dublin, "2022-07-14T09:00:00Z"},
		{"dublin winter", wall("2022-01-14T10:00:00"), 0, dublin, "2022-01-14T10:00:00Z"},
		{"dublin gap", wall("2024-03-31T01:30:00"), 0, dublin, "2024-03-31T01:30:00Z"},                // 02:30 IST
		{"dublin fold takes earlier", wall("2024-10-27T01:30:00"), 0, dublin, "2024-10-27T00:30:00Z"}, // IST
		{"dublin after fold", wall("2024-10-27T02:00:00"), 0, dublin, "2024-10-27T02:00:00Z"},
		{"lord howe summer", wall("2024-01-10T12:00:00"), 0, lordHowe, "2024-01-10T01:00:00Z"},
		{"lord howe winter", wall("2024-07-10T12:00:00"), 0, lordHowe, "2024-07-10T01:30:00Z"},
		{"lord howe half-hour gap", wall("2024-10-06T02:15:00"), 0, lordHowe, "2024-10-05T15:45:00Z"},  // 02:45 +11
		{"lord howe half-hour fold", wall("2024-04-07T01:45:00"), 0, lordHowe, "2024-04-06T14:45:00Z"}, // +11
		{"stated offset wins over zone", withOffset("2024-03-10T02:30:00", -6*3600), 0, chicago, "2024-03-10T08:30:00Z"},
		{"stated offset with clock offset", withOffset("2022-07-14T12:00:00", 3*3600), -time.Hour, dublin, "2022-07-14T08:00:00Z"},
		{"nil zone is UTC", wall("2022-07-14T12:00:00"), 0, nil, "2022-07-14T12:00:00Z"},
		{"milliseconds kept", wall("2022-07-14T12:00:00.250"), 0, dublin, "2022-07-14T11:00:00.25Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ResolveTime(tt.ct, tt.offset, tt.zone)
			if s := got.UTC().Format(time.RFC3339Nano); s != tt.want {
				t.Errorf("ResolveTime(%s, %v) = %s, want %s", tt.ct, tt.offset, s, tt.want)
			}
			want := tt.zone
			if want == nil {
				want = time.UTC
			}
			if got.Location() != want {
				t.Errorf("location = %v, want %v", got.Location(), want)
			}
		})
	}
	if got := ResolveTime(catalog.CameraTime{}, time.Hour, dublin); !got.IsZero() {
		t.Errorf("zero camera time resolved to %v", got)
	}
}

// TestResolveTimeSweep checks ResolveTime's contract every quarter hour
// around every 2024 transition of three zones: a reading that occurs
// resolves to the earliest instant showing it; one that does not is moved
// forward by exactly the gap.
func TestResolveTimeSweep(t *testing.T) {
	for _, name := range []string{"America/Chicago", "Europe/Dublin", "Australia/Lord_Howe"} {
		zone, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		transitions := 0
		for day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == 2024; day = day.AddDate(0, 0, 1) {
			_, a := day.Add(-12 * time.Hour).In(zone).Zone()
			_, b := day.Add(36 * time.Hour).In(zone).Zone()
			if a == b {
				continue
			}
			transitions++
			for m := 0; m < 48*60; m += 15 {
				w := day.Add(time.Duration(m) * time.Minute)
				got := ResolveTime(catalog.CameraTime{Wall: w}, 0, zone)
				shown := time.Date(got.Year(), got.Month(), got.Day(), got.Hour(), got.Minute(), got.Second(), 0, time.UTC)
				// The instants that show w are within a day of w-as-UTC.
				var showing []time.Time
				for u := w.Add(-15 * time.Hour); u.Before(w.Add(15 * time.Hour)); u = u.Add(5 * time.Minute) {
					v := u.In(zone)
					if time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), 0, time.UTC).Equal(w) {
						showing = append(showing, u)
					}
				}
				switch {
				case len(showing) > 0 && !got.Equal(showing[0]):
					t.Errorf("%s %s: got %s, want the earliest instant %s", name, w.Format(time.DateTime), got, showing[0].In(zone))
				case len(showing) == 0:
					_, before := got.Add(-3 * time.Hour).Zone()
					_, after := got.Zone()
					if gap := time.Duration(after-before) * time.Second; shown.Sub(w) != gap || gap <= 0 {
						t.Errorf("%s %s is in a gap of %v: got %s", name, w.Format(time.DateTime), gap, got)
					}
				}
			}
			day = day.AddDate(0, 0, 1) // the sweep covered it too
		}
		if transitions != 2 {
			t.Errorf("%s: %d transitions in 2024, want 2", name, transitions)
		}
	}
}
