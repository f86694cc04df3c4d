package web

import (
	"strings"
	"testing"
)

// TestOneErrorWriter: an error on a page route is an HTML page, on a JSON
// route an ErrorBody, whichever writer the handler called.
func TestOneErrorWriter(t *testing.T) {
	s, _ := newAccessServer(t)
	s.Store = failingStore{s.Store.(*listingStore)}
	h := s.Handler()
	for _, tt := range []struct{ path, ctype string }{
		{"/upload", "text/html; charset=utf-8"},
		{"/api/schedule", "application/json"},
	} {
		rec := do(t, h, "GET", tt.path, "", nil)
		if rec.Code != 503 || rec.Header().Get("Content-Type") != tt.ctype || !strings.Contains(rec.Body.String(), "does not answer") {
			t.Errorf("GET %s with the store down: %d %q %.200s; want 503 %s", tt.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body, tt.ctype)
		}
	}
}
