package nesting

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	deep := strings.Repeat("[", 9000) + strings.Repeat("]", 9000)
	tests := []struct {
		name, in string
		max      int
		wantOff  int
		wantOver bool
	}{
		{"flat", `{"a": 1, "b": [1, 2]}`, 2, 0, false},
		{"at the limit", `{"a": {"b": [1]}}`, 3, 0, false},
		{"over the limit", `{"a": {"b": [1]}}`, 2, 12, true},
		{"brackets in strings", `{"a": "[[[[{{{{", "b\"[[": 1}`, 1, 0, false},
		{"escaped backslash ends the string", `{"a": "\\", "b": [[1]]}`, 2, 18, true},
		{"siblings do not add up", `[[1], [2], [3], [4]]`, 2, 0, false},
		{"9000 deep", deep, 64, 64, true},
		{"unbalanced closers", `]]]]{[1]}`, 2, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotOff, gotOver := JSON([]byte(tt.in), tt.max)
			if gotOff != tt.wantOff || gotOver != tt.wantOver {
				t.Errorf("JSON(%.40q, %d) = %d, %v; want %d, %v", tt.in, tt.max, gotOff, gotOver, tt.wantOff, tt.wantOver)
			}
		})
	}
}
