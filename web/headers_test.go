package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// checkSecurityHeaders fails t unless an answer carries the headers every
// response must.
func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for _, c := range []struct{ name, want string }{
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
	} {
		if got := h.Get(c.name); got != c.want {
			t.Errorf("%s: %s = %q, want %q", what, c.name, got, c.want)
		}
	}
	if got := h.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" && got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q, want one that sends no path to other sites", what, got)
	}
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy %q does not deny framing", what, csp)
	}
}

// TestSecurityHeadersEveryRoute walks every route of the role table with
// every method, anonymously, with a bearer token and with a session (the
// routes' own answers, 404s, 405s, 401s and 403s alike), and checks the
// headers of each answer.
func TestSecurityHeadersEveryRoute(t *testing.T) {
	s, h := newAccessServer(t)
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}
	n := 0
	for _, rt := range roleTable(t) {
		for _, method := range methods {
			for _, w := range []who{asPublic, asAdmin, asPhotographer} {
				for _, cookie := range []bool{false, true} {
					row := rt
					row.method = method
					rec, _ := callAs(s, h, row, w, cookie, false)
					checkSecurityHeaders(t, method+" "+rt.path+" as "+string(w), rec.Header())
					n++
				}
			}
		}
	}
	for _, p := range []string{"/nope", "/static/nope.js", "/public/nope.json", "/api/nope"} {
		rec := do(t, h, "GET", p, "", nil)
		checkSecurityHeaders(t, "GET "+p, rec.Header())
		n++
	}
	if n < 500 {
		t.Errorf("walked %d requests: the role table looks empty", n)
	}
}

// TestPageCSP: the pages' policy runs scripts and styles from this site
// only (no inline code, no eval), lets the upload page's WebAssembly
// hasher compile, lets it send files to the bucket's origin, and no page
// template carries code the policy would block.
func TestPageCSP(t *testing.T) {
	s, q, h := newTestServer(t)
	_ = q
	s.Presigner = newFakePresigner(s.Blobs.(*catalogtest.MemBlobs))
	rec := do(t, h, "GET", "/upload", "", nil)
	csp := rec.Header().Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for _, c := range []struct{ directive, want string }{
		{"default-src", "'self'"},
		{"script-src", "'self' 'wasm-unsafe-eval'"},
		{"style-src", "'self'"},
		{"connect-src", "'self' https://bucket.test"},
		{"object-src", "'none'"},
		{"base-uri", "'none'"},
		{"form-action", "'self'"},
		{"frame-ancestors", "'none'"},
	} {
		if got := directives[c.directive]; got != c.want {
			t.Errorf("%s = %q, want %q (policy %q)", c.directive, got, c.want, csp)
		}
	}

	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>|\sstyle=|<style|\son[a-z]+=|javascript:`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range inline.FindAllString(string(b), -1) {
			if strings.HasPrefix(strings.ToLower(m), "<script") && strings.Contains(m, ` src="/static/`) {
				continue
			}
			t.Errorf("%s: %q: the pages' policy blocks inline code; move it to /static/", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRequestBodyBounded: a body over the limit is refused before any
// handler reads it.
func TestRequestBodyBounded(t *testing.T) {
	_, h := newAccessServer(t)
	req := httptest.NewRequest("POST", "/api/optouts", strings.NewReader(`{"name":"x"}`))
	req.ContentLength = maxBodyBytes + 1
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte JSON body: %d, want 413", req.ContentLength, rec.Code)
	}
	// Unannounced (chunked) bodies are cut at the limit too.
	big := strings.NewReader(`{"name":"` + strings.Repeat("x", maxBodyBytes+10) + `"}`)
	req = httptest.NewRequest("POST", "/api/optouts", big)
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code < 400 {
		t.Errorf("an endless JSON body: %d, want it refused", rec.Code)
	}
}
