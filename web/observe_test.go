package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// recordingMetrics keeps every Observation and answers the scrape.
type recordingMetrics struct {
	mu  sync.Mutex
	obs []Observation
}

func (m *recordingMetrics) Observe(o Observation) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.obs = append(m.obs, o)
}

func (m *recordingMetrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "confmedia_test 1\n")
}

func (m *recordingMetrics) last() Observation {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.obs) == 0 {
		return Observation{}
	}
	return m.obs[len(m.obs)-1]
}

// unavailableBlobs answers every Put as a storage server that is down.
type unavailableBlobs struct{ catalog.Blobs }

func (unavailableBlobs) Put(context.Context, string, io.ReadSeeker, int64, string) error {
	return catalog.E(catalog.Unavailable, "s3store.Put", errors.New("connection refused"), "cannot reach the storage server")
}

func TestRequestIDFrom(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", ""},
		{"abc-123_x.y:z", "abc-123_x.y:z"},
		{strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{strings.Repeat("a", 65), ""},
		{"has space", ""},
		{"new\nline", ""},
		{"ünïcode", ""},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set(RequestIDHeader, tt.header)
		if got := requestIDFrom(h); got != tt.want {
			t.Errorf("requestIDFrom(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestObserve(t *testing.T) {
	s, q, _ := newTestServer(t)
	var logs bytes.Buffer
	s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	m := &recordingMetrics{}
	s.Metrics = m
	h := s.Handler()
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	other := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:11:00"})

	tests := []struct {
		name           string
		method, path   string
		token          string
		body           []byte
		enqueErr       error
		status         int
		event, outcome string
	}{
		{"created", "PUT", "/api/media/" + id(photo) + "?name=a.jpg", "photo-secret", photo, nil, 201, "upload", OutcomeCreated},
		{"duplicate", "PUT", "/api/media/" + id(photo) + "?name=a.jpg", "photo-secret", photo, nil, 200, "upload", OutcomeDup},
		{"rejected", "PUT", "/api/media/" + id([]byte("x")) + "?name=b.jpg", "photo-secret", photo, nil, 400, "upload", OutcomeRejected},
		{"stored awaiting the queue", "PUT", "/api/media/" + id(other) + "?name=c.jpg", "photo-secret", other,
			catalog.E(catalog.Unavailable, "workers.Enqueue", nil, "redis does not answer"), 202, "upload", OutcomeStored},
		{"refused is no upload", "PUT", "/api/media/" + id(photo) + "?name=a.jpg", "wrong", photo, nil, 401, "", ""},
		{"publish", "POST", "/api/publish", adminToken, nil, nil, 200, "publish", "ok"},
		{"other route", "GET", "/api/schedule", "", nil, nil, 200, "", ""},
	}
	for _, tt := range tests {
		q.enqueErr = tt.enqueErr
		rec := do(t, h, tt.method, tt.path, tt.token, tt.body)
		got := m.last()
		if rec.Code != tt.status || got.Status != tt.status || got.Event != tt.event || got.Outcome != tt.outcome {
			t.Errorf("%s: answered %d, observed %+v; want %d, event %q, outcome %q", tt.name, rec.Code, got, tt.status, tt.event, tt.outcome)
		}
		if got.Took <= 0 {
			t.Errorf("%s: observed duration %v", tt.name, got.Took)
		}
	}
	q.enqueErr = nil
	if got := m.last().Route; got != "GET /api/schedule" {
		t.Errorf("route = %q, want the route table's pattern", got)
	}

	// Only organizers scrape.
	for _, tt := range []struct {
		token string
		want  int
	}{{"", 401}, {"photo-secret", 403}, {adminToken, 200}} {
		if rec := do(t, h, "GET", "/metrics", tt.token, nil); rec.Code != tt.want || tt.want == 200 && rec.Body.String() != "confmedia_test 1\n" {
			t.Errorf("GET /metrics with %q: %d %q, want %d", tt.token, rec.Code, rec.Body, tt.want)
		}
	}

	// A request id from the proxy is echoed and logged, on the access
	// line and on the error lines of the request.
	s, _, _ = newTestServer(t)
	s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s.Blobs = unavailableBlobs{s.Blobs}
	s.Metrics = m
	h = s.Handler()
	logs.Reset()
	req, _ := http.NewRequest("POST", "/api/publish", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set(RequestIDHeader, "proxy-42")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 503 || rec.Header().Get(RequestIDHeader) != "proxy-42" {
		t.Fatalf("publish with the bucket down: %d, id %q; want 503 and the proxy's id", rec.Code, rec.Header().Get(RequestIDHeader))
	}
	if got := m.last(); got.Event != "publish" || got.Outcome != "failed" || catalog.ErrorKind(got.Err) != catalog.Unavailable {
		t.Errorf("observed %+v, want a failed publish with the Unavailable error", got)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var access, warn bool
	for _, l := range lines {
		if !strings.Contains(l, "request_id=proxy-42") {
			t.Errorf("log line without the request id: %s", l)
		}
		access = access || strings.Contains(l, "msg=http ") && strings.Contains(l, `route="POST /api/publish"`) && strings.Contains(l, "status=503") && strings.Contains(l, "kind=unavailable")
		warn = warn || strings.Contains(l, `msg="dependency unavailable"`)
	}
	if !access || !warn {
		t.Errorf("want an access line and a warning, both with the request id; got\n%s", logs.String())
	}

	// A request the request checks refuse before routing is logged and
	// observed too.
	logs.Reset()
	big := httptest.NewRequest("POST", "/api/publish", strings.NewReader("{}"))
	big.ContentLength = 1 << 40
	big.Header.Set("Authorization", "Bearer "+adminToken)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, big)
	if got := m.last(); rec.Code != 413 || got.Status != 413 || got.Route != "" || catalog.ErrorKind(got.Err) != catalog.TooLarge {
		t.Errorf("an oversized body: %d, observed %+v; want 413 observed with its error", rec.Code, got)
	}
	if !strings.Contains(logs.String(), "status=413") || !strings.Contains(logs.String(), "kind=too_large") {
		t.Errorf("no access line for the oversized body:\n%s", logs.String())
	}

	// Without one, an id is made, and differs from request to request.
	a, b := do(t, h, "GET", "/healthz", "", nil), do(t, h, "GET", "/healthz", "", nil)
	if ida, idb := a.Header().Get(RequestIDHeader), b.Header().Get(RequestIDHeader); len(ida) != 24 || ida == idb {
		t.Errorf("made ids %q and %q, want two different 24-hex-digit ids", ida, idb)
	}
}
