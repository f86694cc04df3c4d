package web

// Tokens: making, listing and revoking the secrets behind login links (the
// organizers' JSON API and the tokens page call these use cases). A
// speaker token belongs to one speaker of the schedule.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// TokenRequest is api.TokenRequest.
type TokenRequest = api.TokenRequest

// TokenInfo is api.TokenInfo.
type TokenInfo = api.TokenInfo

// TokenCreated is api.TokenCreated.
type TokenCreated = api.TokenCreated

// TokenList is api.TokenList.
type TokenList = api.TokenList

// ParseTokenTTL parses how long a token lasts: a Go duration or a number
// of days ("30d"); "" is DefaultTokenTTL and "never" or "0" zero (no
// expiry). Anything else, a negative duration or one over five years is an
// Invalid error.
func ParseTokenTTL(v string) (time.Duration, error) {
	const op = "web.ParseTokenTTL"
	v = strings.TrimSpace(strings.ToLower(v))
	switch v {
	case "":
		return DefaultTokenTTL, nil
	case "never", "0":
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, catalog.E(catalog.Invalid, op, nil, "expiry %q: want a duration like 72h or 30d, or never", v)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, catalog.E(catalog.Invalid, op, nil, "expiry %q: want a duration like 72h or 30d, or never", v)
		}
	}
	if d <= 0 || d > maxTokenTTL {
		return 0, catalog.E(catalog.Invalid, op, nil, "expiry %q: want more than nothing and at most five years", v)
	}
	return d, nil
}

// LoginLink is the link that logs a browser in with token.
func (s *Server) LoginLink(token string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/login?" + url.Values{"token": {token}}.Encode()
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	created, err := s.tokens().CreateToken(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, created)
}

func (s *Server) handleTokenList(w http.ResponseWriter, r *http.Request) {
	list, err := s.tokens().Tokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, TokenList{Tokens: list})
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) {
	info, err := s.tokens().revokeHash(r.Context(), r.PathValue("hash"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}
