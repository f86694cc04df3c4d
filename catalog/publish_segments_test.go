package catalog

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// TestSegments: the body catalog.json is put from reads, seeks and reads
// again as the bytes of its pieces put together.
func TestSegments(t *testing.T) {
	for _, pieces := range [][]string{
		nil,
		{"{"},
		{"{", "", "\n  \"a\": ", "[1,\n 2]", ",", "\n}"},
	} {
		var s segments
		var want bytes.Buffer
		for _, p := range pieces {
			s.add([]byte(p))
			want.WriteString(p)
		}
		if got := s.Size(); got != int64(want.Len()) {
			t.Errorf("Size of %q = %d, want %d", pieces, got, want.Len())
		}
		if err := iotest.TestReader(&s, want.Bytes()); err != nil {
			t.Errorf("segments of %q: %v", pieces, err)
		}
	}
}
