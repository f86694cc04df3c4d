package web

// What the server tells its operators: one access log line per request
// with its request id, and an Observation per request for the metrics.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// Metrics is told what the server answered and serves the scrape: the
// route table serves it as GET /metrics to organizers. Server.Metrics nil
// reports nothing and answers /metrics 404. cmd/confmedia implements it
// with Prometheus; this package does not depend on it.
type Metrics interface {
	http.Handler
	Observe(o Observation)
}

// Observation is one answered request.
type Observation struct {
	Route  string // the route table's pattern ("PUT /api/media/{id}"); "" when none matched, or the request checks refused it first (headers.go)
	Status int
	Took   time.Duration
	// Event names what the request did, for the routes that count as one
	// (see eventOf): upload, login, logout or publish; "" for the others.
	Event string
	// Outcome is the event's result: for an upload created, duplicate,
	// stored (awaiting the queue), rejected (4xx) or error (5xx); for a
	// login ok or refused; for a logout ok; for a publish ok or failed.
	Outcome string
	// Err is the error the request was answered with, if any.
	Err error
}

// Upload outcomes as Observation.Outcome names them.
const (
	OutcomeCreated  = "created"
	OutcomeDup      = "duplicate"
	OutcomeStored   = "stored"
	OutcomeRejected = "rejected"
	OutcomeError    = "error"
)

// RequestIDHeader carries a request's id: taken from the request when a
// proxy in front set a well-formed one (see requestIDFrom), else made
// here, and always echoed in the response.
const RequestIDHeader = "X-Request-Id"

// reqInfo is what the middleware learns about a request while it is
// served; the request's context carries it.
type reqInfo struct {
	id  string
	err error
}

type reqInfoKey struct{}

func infoOf(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return ri
}

// RequestID returns the id of the request ctx belongs to, "" outside one.
func RequestID(ctx context.Context) string {
	if ri := infoOf(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// noteError records the error a request is answered with, for its access
// log line and its Observation. The error writers call it.
func noteError(ctx context.Context, err error) {
	if ri := infoOf(ctx); ri != nil {
		ri.err = err
	}
}

// requestIDFrom returns the request id a proxy in front set: 1 to 64
// letters, digits, '-', '_', '.' or ':'. Anything else is ignored (and a
// new id made): the id only ties log lines together, so a client that
// sets its own gains nothing but its own lines tied, and one that sends
// junk cannot put it in the log.
func requestIDFrom(h http.Header) string {
	id := h.Get(RequestIDHeader)
	if len(id) == 0 || len(id) > 64 {
		return ""
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return ""
		}
	}
	return id
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// observe wraps the whole handler (the request checks, then the route
// mux): it gives each request its id (echoed in the X-Request-Id response
// header), logs one access line per request —
// method, path, route, status, bytes, duration, request id, and the error
// kind and error of a failed one — and reports an Observation to Metrics.
// It also makes s.Logger add the request id to every line logged with a
// request's context.
func (s *Server) observe(next http.Handler) http.Handler {
	switch {
	case s.Logger == nil:
		s.Logger = slog.New(slog.DiscardHandler)
	default:
		if _, ok := s.Logger.Handler().(requestIDHandler); !ok {
			s.Logger = slog.New(requestIDHandler{s.Logger.Handler()})
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: cmpOr(requestIDFrom(r.Header), newRequestID)}
		w.Header().Set(RequestIDHeader, ri.id)
		rec := &countingRecorder{statusRecorder: statusRecorder{ResponseWriter: w, status: http.StatusOK}}
		in := r
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
		next.ServeHTTP(rec, r) // the mux sets r.Pattern to the route it chose
		in.Pattern = r.Pattern // as the mux alone would have
		took := time.Since(start)

		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("route", r.Pattern), slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", took)}
		level := slog.LevelInfo
		if ri.err != nil {
			attrs = append(attrs, slog.String("kind", kindName(catalog.ErrorKind(ri.err))), slog.Any("err", ri.err))
		}
		if rec.status >= 500 {
			level = slog.LevelWarn
		}
		s.Logger.LogAttrs(r.Context(), level, "http", attrs...)

		if s.Metrics != nil {
			event, outcome := eventOf(r.Pattern, rec.status, ri.err)
			s.Metrics.Observe(Observation{Route: r.Pattern, Status: rec.status, Took: took, Event: event, Outcome: outcome, Err: ri.err})
		}
	})
}

func cmpOr(s string, f func() string) string {
	if s != "" {
		return s
	}
	return f()
}

// eventOf says what a request to route that was answered with status (and
// err, when it failed) did, for the routes that count as an event.
func eventOf(route string, status int, err error) (event, outcome string) {
	switch route {
	case "PUT /api/media/{id}", "POST /api/uploads/{id}/complete":
		switch {
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			return "", "" // refused before anything was sent
		case status == http.StatusCreated:
			return "upload", OutcomeCreated
		case status == http.StatusAccepted:
			return "upload", OutcomeStored
		case status < 300:
			return "upload", OutcomeDup
		case status < 500:
			return "upload", OutcomeRejected
		}
		return "upload", OutcomeError
	case "POST /login":
		if status == http.StatusSeeOther {
			return "login", "ok"
		}
		return "login", "refused"
	case "POST /logout":
		if status == http.StatusSeeOther {
			return "logout", "ok"
		}
		return "logout", "failed"
	case "POST /api/publish", "POST /admin/publish":
		// The form answers a failure too with a redirection (see done).
		if status < 400 && err == nil {
			return "publish", "ok"
		}
		return "publish", "failed"
	}
	return "", ""
}

// handleMetrics serves the scrape.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.Metrics == nil {
		http.NotFound(w, r)
		return
	}
	s.Metrics.ServeHTTP(w, r)
}

// countingRecorder records a response's status and counts its bytes.
type countingRecorder struct {
	statusRecorder
	bytes int64
}

func (c *countingRecorder) Write(p []byte) (int, error) {
	n, err := c.statusRecorder.Write(p)
	c.bytes += int64(n)
	return n, err
}

// requestIDHandler adds "request_id" to records logged with a request's
// context.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
