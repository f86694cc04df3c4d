package schedule

import (
	"reflect"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		frabFixture,
		pretalxFixture,
		csvFixture,
		`{"schedule": {"conference": {"time_zone_name": "UTC"}, "events": [{"code": "AB1", "start": "2024-12-27T10:30:00+01:00", "end": "2024-12-27T11:00:00+01:00", "room": {"name": "S"}, "title": "T"}]}}`,
		`[{"code": "39YWUH", "title": "Audio", "speakers": [{"code": "XSUHP3", "name": "Peter"}], "room": "B", "start": "2022-07-13T16:05:00+01:00", "end": "2022-07-13T16:35:00+01:00"}]`,
		"id\ttitle\tstart\tduration\n1\tA\t2024-06-01 10:00\t30\n",
		"<schedule><day date=\"2024-01-01\" start=\"2024-01-01T09:00:00Z\"><room name=\"R\"><event id=\"1\"><start>08:00</start><duration>1:00:00:00</duration></event></room></day></schedule>",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "UTC")
		f.Add([]byte(s), "")
	}
	f.Fuzz(func(t *testing.T, data []byte, zone string) {
		s, err := Parse("fuzz.in", data, zone)
		if err != nil {
			if catalog.ErrorKind(err) != catalog.Invalid {
				t.Fatalf("error of kind %v: %v", catalog.ErrorKind(err), err)
			}
			if !strings.Contains(catalog.ErrorMessage(err), "fuzz.in") {
				t.Fatalf("error message %q does not name the file", catalog.ErrorMessage(err))
			}
			if !reflect.DeepEqual(s, catalog.Schedule{}) {
				t.Fatalf("partial schedule returned with error %v", err)
			}
			return
		}
		if len(s.Talks) == 0 || s.Conference.Timezone == "" {
			t.Fatalf("no talks or no zone without an error: %+v", s)
		}
		checkInvariants(t, s)
		again, err := Parse("fuzz.in", data, zone)
		if err != nil || !reflect.DeepEqual(s, again) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}
