package recording

import (
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// deepVideo is the video fixture with a field nested depth levels deep
// inside the record (line 2).
func deepVideo(depth int) string {
	field := `"x": ` + strings.Repeat(`[`, depth) + `1` + strings.Repeat(`]`, depth) + ",\n"
	return strings.Replace(videoFixture, "{\n", "{\n"+field, 1)
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name, file, doc string
		kind            catalog.Kind
		want            []string
	}{
		{"json 9000 deep", "deep.json", deepVideo(9000), catalog.Invalid,
			[]string{"deep.json", "line 2", "JSON nested more than 64 levels deep"}},
		{"array over MaxDepth", "deep.json", "[" + deepVideo(MaxDepth-1) + "]", catalog.Invalid,
			[]string{"deep.json", "line 2", "more than 64 levels"}},
		{"over MaxBytes", "big.csv", csvFixture + strings.Repeat("\n", MaxBytes), catalog.TooLarge,
			[]string{"big.csv", "over the 16 MiB limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.doc))
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

// TestParseWithinLimits: a record nested just within MaxDepth, and a CSV of
// just MaxBytes, still parse.
func TestParseWithinLimits(t *testing.T) {
	// The field's arrays sit inside the record's object.
	if _, err := Parse("ok.json", []byte(deepVideo(MaxDepth-1))); err != nil {
		t.Errorf("JSON %d deep: %v", MaxDepth, err)
	}
	doc := csvFixture + strings.Repeat("\n", MaxBytes-len(csvFixture))
	if _, err := Parse("ok.csv", []byte(doc)); err != nil {
		t.Errorf("CSV of MaxBytes: %v", err)
	}
}
