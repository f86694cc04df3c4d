package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// The error a backend that does not answer gives: it names where it lives.
const secretDetail = "dial unix /srv/confmedia/redis.sock: connect: connection refused (10.0.0.5:6379)"

func TestHealth(t *testing.T) {
	tests := []struct {
		name     string
		redisErr error
		token    string
		code     int
		down     []string
		details  bool
	}{
		{"all up, anonymous", nil, "", 200, nil, false},
		{"all up, organizer", nil, adminToken, 200, nil, true},
		{"redis down, anonymous", catalog.E(catalog.Unavailable, "workers.Ping", errors.New(secretDetail), "redis does not answer"), "", 503, []string{"redis"}, false},
		{"redis down, photographer", catalog.E(catalog.Unavailable, "workers.Ping", errors.New(secretDetail), "redis does not answer"), "photo-secret", 503, []string{"redis"}, false},
		{"redis down, organizer", catalog.E(catalog.Unavailable, "workers.Ping", errors.New(secretDetail), "redis does not answer"), adminToken, 503, []string{"redis"}, true},
	}
	for _, tt := range tests {
		_, q, h := newTestServer(t)
		q.pingErr = tt.redisErr
		rec := do(t, h, "GET", "/healthz", tt.token, nil)
		var got Health
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v: %s", tt.name, err, rec.Body)
		}
		if rec.Code != tt.code || !slices.Equal(got.Down, tt.down) {
			t.Errorf("%s: %d down %v, want %d down %v", tt.name, rec.Code, got.Down, tt.code, tt.down)
		}
		if (got.Checks != nil) != tt.details {
			t.Errorf("%s: details %v, want %v: %s", tt.name, got.Checks, tt.details, rec.Body)
		}
		leaks := strings.Contains(rec.Body.String(), "redis.sock") || strings.Contains(rec.Body.String(), "10.0.0.5")
		if tt.redisErr != nil && leaks != tt.details {
			t.Errorf("%s: body shows the backend's address: %v, want %v: %s", tt.name, leaks, tt.details, rec.Body)
		}
	}
}

func TestStarting(t *testing.T) {
	status := func() map[string]error {
		return map[string]error{"catalog": nil, "redis": nil, "s3": errors.New("check bucket: cannot reach the storage server at http://10.0.0.7:7070")}
	}
	h := Starting(HashToken(adminToken), status)
	tests := []struct {
		path, token string
		code        int
		want        []string // in the body
		not         []string
	}{
		{"/healthz", "", 503, []string{`"starting"`, `"s3"`}, []string{"10.0.0.7", "checks"}},
		{"/healthz", "photo-secret", 503, []string{`"s3"`}, []string{"10.0.0.7"}},
		{"/healthz", adminToken, 503, []string{`"s3"`, "10.0.0.7"}, nil},
		{"/api/queue", adminToken, 503, []string{"waiting for the storage server"}, []string{"10.0.0.7", "catalog database"}},
		{"/", "", 503, []string{"confmedia is starting"}, nil},
	}
	for _, tt := range tests {
		rec := do(t, h, "GET", tt.path, tt.token, nil)
		body := rec.Body.String()
		if rec.Code != tt.code {
			t.Errorf("%s with %q: %d, want %d", tt.path, tt.token, rec.Code, tt.code)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s with %q: body lacks %q: %s", tt.path, tt.token, w, body)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("%s with %q: body has %q: %s", tt.path, tt.token, n, body)
			}
		}
	}
	if rec := do(t, h, "GET", "/api/queue", "", nil); rec.Header().Get("Retry-After") == "" || rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a route while starting: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}
