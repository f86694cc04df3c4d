package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// Health is api.Health.
type Health = api.Health

// writeHealth answers /healthz from each component's last error (nil: it
// answers), with the details when detailed.
func writeHealth(w http.ResponseWriter, status string, checks map[string]error, detailed bool) {
	h := Health{Status: status}
	for name, err := range checks {
		if err != nil {
			h.Down = append(h.Down, name)
		}
	}
	slices.Sort(h.Down)
	if h.Status == "ok" && len(h.Down) > 0 {
		h.Status = "unavailable"
	}
	if detailed {
		h.Checks = map[string]string{}
		for name, err := range checks {
			h.Checks[name] = "ok"
			if err != nil {
				h.Checks[name] = err.Error()
			}
		}
	}
	code := http.StatusOK
	if h.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, h)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	pings := map[string]func(context.Context) error{"catalog": s.Store.Ping, "s3": s.Blobs.Ping, "redis": s.Queue.Ping}
	checks := make(map[string]error, len(pings))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, ping := range pings {
		wg.Go(func() {
			err := ping(ctx)
			mu.Lock()
			checks[name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	id, err := s.authenticate(r)
	writeHealth(w, "ok", checks, err == nil && id.Role == catalog.RoleAdmin)
}

// Starting answers while a server waits for what it needs (see
// cmd/confmedia): /healthz says which components are not there yet (their
// errors to a caller with the admin token), and every other route is 503
// with a message saying what is awaited. status returns each component's
// last error, nil once it answered.
func Starting(adminTokenHash string, status func() map[string]error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checks := status()
		if r.URL.Path == "/healthz" {
			token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			admin := adminTokenHash != "" && token != "" &&
				subtle.ConstantTimeCompare([]byte(HashToken(strings.TrimSpace(token))), []byte(adminTokenHash)) == 1
			writeHealth(w, "starting", checks, admin)
			return
		}
		var waiting []string
		for name, err := range checks {
			if err != nil {
				waiting = append(waiting, componentNames[name])
			}
		}
		slices.Sort(waiting)
		msg := "confmedia is starting"
		if len(waiting) > 0 {
			msg += ": waiting for " + strings.Join(waiting, ", ")
		}
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, ErrorBody{Error: msg + "; try again shortly", Kind: kindName(catalog.Unavailable)})
	})
}

// componentNames say in words what each component of /healthz is.
var componentNames = map[string]string{
	"catalog": "the catalog database",
	"s3":      "the storage server",
	"redis":   "the queue (Redis)",
}
