package schedule

import (
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// deepJSON is a pretalx schedule.json with a field nested depth levels
// deep inside its conference object.
func deepJSON(depth int) string {
	field := `"x": ` + strings.Repeat(`{"x": `, depth) + `1` + strings.Repeat(`}`, depth) + ",\n"
	return strings.Replace(pretalxFixture, `"conference": {`, `"conference": {`+"\n"+field, 1)
}

// deepXML is the frab fixture with an element nested depth levels deep in
// its conference.
func deepXML(depth int) string {
	el := strings.Repeat("<x>", depth) + strings.Repeat("</x>", depth)
	return strings.Replace(frabFixture, "<title>TinyConf</title>", "<title>TinyConf</title>\n"+el, 1)
}

func TestParseLimits(t *testing.T) {
	big := csvFixture + strings.Repeat("\n", MaxBytes) // blank lines: a CSV reader skips them
	tests := []struct {
		name, file, doc string
		kind            catalog.Kind
		want            []string
	}{
		{"json 9000 deep", "deep.json", deepJSON(9000), catalog.Invalid,
			[]string{"deep.json", "line 7", "nested more than 64 levels deep"}},
		{"json over MaxDepth", "deep.json", deepJSON(MaxDepth), catalog.Invalid, []string{"deep.json", "more than 64 levels"}},
		{"xml 9000 deep", "deep.xml", deepXML(9000), catalog.Invalid,
			[]string{"deep.xml", "line 6", "XML elements nested more than 64 levels deep"}},
		{"over MaxBytes", "big.csv", big, catalog.TooLarge, []string{"big.csv", "over the 16 MiB limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.doc), "")
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if got := catalog.ErrorKind(err); got != tt.kind {
				t.Errorf("kind %v, want %v (%v)", got, tt.kind, err)
			}
			msg := catalog.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if _, err := Sniff([]byte(tt.doc)); catalog.ErrorKind(err) != tt.kind {
				t.Errorf("Sniff: %v, want kind %v", err, tt.kind)
			}
		})
	}
}

// TestParseWithinLimits: a file nested just within MaxDepth, and one of
// just MaxBytes, still parse.
func TestParseWithinLimits(t *testing.T) {
	// The fixture's field sits at depth 3 (root, schedule, conference).
	if _, err := Parse("ok.json", []byte(deepJSON(MaxDepth-3)), ""); err != nil {
		t.Errorf("JSON %d deep: %v", MaxDepth, err)
	}
	if _, err := Parse("ok.xml", []byte(deepXML(MaxDepth-2)), ""); err != nil {
		t.Errorf("XML %d deep: %v", MaxDepth, err)
	}
	doc := csvFixture
	doc += strings.Repeat("\n", MaxBytes-len(doc))
	if _, err := Parse("ok.csv", []byte(doc), "Europe/Brussels"); err != nil {
		t.Errorf("CSV of MaxBytes: %v", err)
	}
}
