package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
)

// TestImportLimits: schedule and recordings imports over their parser's
// MaxBytes or nested deeper than its MaxDepth are refused, naming the file.
func TestImportLimits(t *testing.T) {
	_, _, h := newTestServer(t)
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	tests := []struct {
		name, path string
		body       []byte
		want       int
		msg        string
	}{
		{"schedule too large", "/api/schedule?name=big.json", make([]byte, schedule.MaxBytes+1), http.StatusRequestEntityTooLarge, "big.json"},
		{"schedule too deep", "/api/schedule?name=deep.json", deep(9000), http.StatusBadRequest, "deep.json"},
		{"recordings too large", "/api/recordings?name=big.csv", make([]byte, recording.MaxBytes+1), http.StatusRequestEntityTooLarge, "big.csv"},
		{"recordings too deep", "/api/recordings?name=deep.json", deep(9000), http.StatusBadRequest, "deep.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "POST", tt.path, adminToken, tt.body)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.msg) {
				t.Errorf("body %q does not name %s", rec.Body, tt.msg)
			}
		})
	}
}
