package web

// Access: tokens, login links, session cookies and CSRF.
//
// A token is a random secret handed to a person as a login link
// ({PublicURL}/login?token=…); the catalog keeps only its sha256. The CLI
// sends it as a bearer token. A browser opens the link, is shown whom it is
// for, and only a POST from that page (or the paste-your-link form) signs
// it in: a page elsewhere cannot sign a visitor into someone else's account.
// Signing in starts a session:
//
//	confmedia_session = ID "." MAC
//
// ID is 32 random bytes (base64url) and MAC an HMAC-SHA256 of it under the
// server's session key, so that forged cookies are refused without a
// database read. The catalog keeps the session (catalog.SessionStore) by
// the sha256 of ID, with the token it was opened with and its end: never a
// token's secret or hash in the cookie, and a copy of the catalog gives no
// sessions. Logout deletes the session, revoking the token deletes all of
// its sessions, and a session ends at SessionTTL or its token's expiry,
// whichever is first; every request still looks the token up. The cookie is
// HttpOnly, SameSite=Lax, and Secure when the web app is served over https.
// Web nodes sharing the catalog and the session key serve the same
// sessions.
//
// Requests authenticated by the cookie that change state must carry the
// session's CSRF token (an HMAC of the session id) in the X-CSRF-Token
// header or the csrf form field; bearer requests are exempt, as no browser
// sends them on its own.

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// Names and limits of the access layer.
const (
	sessionCookie = "confmedia_session"
	flashCookie   = "confmedia_flash"
	// loginCookie carries the nonce the login form sends back: only a
	// form this site served can sign a browser in.
	loginCookie = "confmedia_login"
	loginField  = "login"
	// xsrfCookie carries the CSRF token to the queue dashboard, whose
	// JavaScript sends it back in the xsrfHeader on every request.
	xsrfCookie = "XSRF-TOKEN"
	xsrfHeader = "X-XSRF-Token"
	csrfHeader = "X-CSRF-Token"
	csrfField  = "csrf"

	// SessionTTL is how long a login lasts at most; never past its token's
	// expiry.
	SessionTTL = 14 * 24 * time.Hour
	// DefaultTokenTTL is how long a token lasts when its creator says
	// nothing.
	DefaultTokenTTL = 30 * 24 * time.Hour
	maxTokenTTL     = 5 * 365 * 24 * time.Hour

	tokenPrefix     = "cm_"
	shownHashPrefix = 12 // hash characters a token list shows
	minHashPrefix   = 8  // the shortest hash prefix revoke accepts
	maxTokenName    = 100
	maxFormBytes    = 1 << 20
	dashboardPath   = "/admin/queues"
)

// validRole reports whether r is a role a token can grant.
func validRole(r catalog.Role) bool {
	switch r {
	case catalog.RoleAdmin, catalog.RolePhotographer, catalog.RoleVideo, catalog.RoleSpeaker:
		return true
	}
	return false
}

// identity is who made a request.
type identity struct {
	Role    catalog.Role
	Name    string
	Hash    string    // the token's hash
	Expires time.Time // the token's expiry; zero: never
	Session string    // the session cookie's value; "" for a bearer token
	// SpeakerID is the speaker a speaker token belongs to.
	SpeakerID string
}

// context returns ctx carrying the identity (and its role and name).
func (id identity) context(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, identityKey{}, id)
	return context.WithValue(context.WithValue(ctx, ctxKey{}, id.Role), nameKey{}, id.Name)
}

type identityKey struct{}

// identityOf returns who made the request whose context is ctx; the zero
// identity for the public.
func identityOf(ctx context.Context) identity {
	id, _ := ctx.Value(identityKey{}).(identity)
	return id
}

// allowed returns a Forbidden error unless the identity has one of roles.
func (id identity) allowed(want []catalog.Role) error {
	if slices.Contains(want, id.Role) {
		return nil
	}
	return catalog.E(catalog.Forbidden, "web.require", nil, "the %s role may not do this", id.Role)
}

// initSessionKey settles the key that signs session cookies and CSRF
// tokens: SessionKey, else a random one that lasts as long as the process
// (logins then end when it stops). It is never derived from a token.
func (s *Server) initSessionKey() {
	if len(s.SessionKey) > 0 {
		s.sessKey = s.SessionKey
		return
	}
	s.sessKey = make([]byte, 32)
	if _, err := rand.Read(s.sessKey); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	if s.Logger != nil {
		s.Logger.Warn("no session key: logins end when the server stops")
	}
}

func (s *Server) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.sessKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// newSession stores a session of id's token that ends at SessionTTL from
// now or at the token's expiry, whichever is first, and returns its cookie
// value and end.
func (s *Server) newSession(ctx context.Context, id identity) (string, time.Time, error) {
	const op = "web.newSession"
	now := s.now()
	exp := now.Add(SessionTTL)
	if !id.Expires.IsZero() && id.Expires.Before(exp) {
		exp = id.Expires
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", time.Time{}, fmt.Errorf("%s: %w", op, err)
	}
	sid := base64.RawURLEncoding.EncodeToString(buf)
	if n, err := s.Store.DeleteExpiredSessions(ctx, now); err != nil {
		s.Logger.Warn("cannot remove ended sessions", "err", err)
	} else if n > 0 {
		s.Logger.Debug("ended sessions removed", "sessions", n)
	}
	if err := s.Store.PutSession(ctx, catalog.Session{Hash: HashToken(sid), TokenHash: id.Hash, Created: now, Expires: exp}); err != nil {
		return "", time.Time{}, err
	}
	return sid + "." + base64.RawURLEncoding.EncodeToString(s.mac("session", sid)), exp, nil
}

// parseSession checks a session cookie's signature and returns the stored
// hash of its id. It returns an Unauthorized error for a forged or
// malformed cookie.
func (s *Server) parseSession(v string) (string, error) {
	sid, sig, ok := strings.Cut(v, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || sid == "" || err != nil || !hmac.Equal(got, s.mac("session", sid)) {
		return "", catalog.E(catalog.Unauthorized, "web.session", nil, "your login is not valid: open your login link again")
	}
	return HashToken(sid), nil
}

// lookupSession returns the identity of the session whose cookie is v. A
// forged, unknown (logged out, revoked) or ended session is Unauthorized.
func (s *Server) lookupSession(ctx context.Context, v string) (identity, error) {
	const op = "web.session"
	hash, err := s.parseSession(v)
	if err != nil {
		return identity{}, err
	}
	ss, err := s.Store.SessionByHash(ctx, hash)
	if catalog.IsNotFound(err) {
		return identity{}, catalog.E(catalog.Unauthorized, op, nil, "your login has ended: open your login link again")
	}
	if err != nil {
		return identity{}, err
	}
	if !s.now().Before(ss.Expires) {
		if err := s.Store.DeleteSession(ctx, hash); err != nil {
			s.Logger.Warn("cannot remove an ended session", "err", err)
		}
		return identity{}, catalog.E(catalog.Unauthorized, op, nil, "your login has ended: open your login link again")
	}
	id, err := s.lookupToken(ctx, ss.TokenHash)
	if err != nil {
		return identity{}, err
	}
	id.Session = v
	return id, nil
}

// csrfFor returns the CSRF token of a session: bound to its id, so that a
// token of another session, or of an ended one's successor, does not work.
func (s *Server) csrfFor(session string) string {
	sid, _, _ := strings.Cut(session, ".")
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", sid))
}

// authenticate says who made r: a bearer token when the request has an
// Authorization header, else a session cookie. It returns an Unauthorized
// error without credentials, with an unknown, expired or revoked token or
// an ended session, and the store's error when they cannot be looked up.
func (s *Server) authenticate(r *http.Request) (identity, error) {
	const op = "web.authenticate"
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return identity{}, catalog.E(catalog.Unauthorized, op, nil, "a bearer token is required")
		}
		return s.lookupToken(r.Context(), HashToken(strings.TrimSpace(token)))
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return identity{}, catalog.E(catalog.Unauthorized, op, nil, "a bearer token or a login is required")
	}
	return s.lookupSession(r.Context(), c.Value)
}

// lookupToken returns the identity of the token with hash. An unknown
// (or revoked) or expired token is Unauthorized.
func (s *Server) lookupToken(ctx context.Context, hash string) (identity, error) {
	const op = "web.authenticate"
	if s.AdminTokenHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(s.AdminTokenHash)) == 1 {
		return identity{Role: catalog.RoleAdmin, Name: "admin", Hash: hash}, nil
	}
	t, err := s.Store.TokenByHash(ctx, hash)
	if catalog.IsNotFound(err) {
		return identity{}, catalog.E(catalog.Unauthorized, op, nil, "unknown token: it may have been revoked")
	}
	if err != nil {
		return identity{}, err
	}
	if !t.Expires.IsZero() && !s.now().Before(t.Expires) {
		return identity{}, catalog.E(catalog.Unauthorized, op, nil, "token expired")
	}
	return identity{Role: t.Role, Name: t.Name, Hash: t.Hash, Expires: t.Expires, SpeakerID: t.SpeakerID}, nil
}

// checkCSRF returns a Forbidden error when a request authenticated by a
// session cookie changes state without the session's CSRF token. Bearer
// requests and safe methods pass.
func (s *Server) checkCSRF(r *http.Request, id identity) error {
	if id.Session == "" || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	got := cmp.Or(r.Header.Get(csrfHeader), r.Header.Get(xsrfHeader))
	if got == "" {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
			got = r.PostFormValue(csrfField)
		}
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfFor(id.Session))) != 1 {
		return catalog.E(catalog.Forbidden, "web.csrf", nil, "this form is out of date or did not come from this site: reload the page and try again")
	}
	return nil
}

// sessionRole returns the role of whoever made r, from their token or
// session, or "" for the public (or an ended session).
func (s *Server) sessionRole(r *http.Request) catalog.Role {
	if role := roleOf(r.Context()); role != "" {
		return role
	}
	id, err := s.authenticate(r)
	if err != nil {
		return ""
	}
	return id.Role
}

// csrfToken returns the CSRF token that forms and scripts of r's page
// send back, or "" when r has no valid session.
func (s *Server) csrfToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	if _, err := s.parseSession(c.Value); err != nil {
		return ""
	}
	return s.csrfFor(c.Value)
}

// requirePage guards a page for roles: anonymous visitors, and those
// whose login ended or whose token was revoked, are sent to the login page
// (303, coming back afterwards); other roles get a 403 page saying whose
// page it is; a form posted with a session but without its CSRF token gets
// a 403 page too. Bearer tokens are accepted as by require.
func (s *Server) requirePage(roles ...catalog.Role) func(http.HandlerFunc) http.HandlerFunc {
	return func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Frame-Options", "DENY")
			id, err := s.authenticate(r)
			if catalog.ErrorKind(err) == catalog.Unauthorized {
				why := ""
				if _, cerr := r.Cookie(sessionCookie); cerr == nil {
					why = "ended"
					clearCookie(w, r, sessionCookie, "/")
				}
				s.redirectToLogin(w, r, why)
				return
			}
			if err == nil {
				err = s.checkCSRF(r, id)
			}
			if err == nil {
				err = id.allowed(roles)
			}
			if err != nil {
				s.accessError(w, r, err, id, roles)
				return
			}
			s.serveChange(next, w, r.WithContext(id.context(r.Context())))
		}
	}
}

func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request, why string) {
	q := url.Values{}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		q.Set("next", r.URL.RequestURI())
	}
	if why != "" {
		q.Set("why", why)
	}
	u := "/login"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// loginView is what login.html shows.
type loginView struct {
	Next    string
	Notice  string // why the visitor is here
	Problem string // what went wrong
	Who     string // the signed-in token's name, when there is one
	Role    catalog.Role
	Needs   string // the roles a refused page is for
	Landing string
	Form    bool // show the paste-your-link form
	// Confirm shows whom a login link is for (For, ForRole) and the button
	// that signs in with Token.
	Confirm bool
	For     string
	ForRole catalog.Role
	Token   string
	Nonce   string // the login form's nonce (see loginCookie)
}

// accessError answers a page request that failed: a 403 page for the wrong
// role or a missing CSRF token, else the error's status with its message.
func (s *Server) accessError(w http.ResponseWriter, r *http.Request, err error, id identity, want []catalog.Role) {
	noteError(r.Context(), err)
	kind := catalog.ErrorKind(err)
	v := loginView{Problem: catalog.ErrorMessage(err), Who: id.Name, Role: id.Role, Form: true}
	if kind == catalog.Forbidden && len(want) > 0 && !slices.Contains(want, id.Role) {
		names := make([]string, len(want))
		for i, role := range want {
			names[i] = string(role)
		}
		v.Problem = ""
		v.Needs = strings.Join(names, " or ")
		v.Landing = landing(id)
	}
	if kind == catalog.Other {
		s.Logger.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		v.Problem, v.Form = "internal error", false
	}
	if kind == catalog.Unavailable {
		s.Logger.WarnContext(r.Context(), "dependency unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		v.Form = false
	}
	s.render(w, r, statusOf(kind), "login.html", page{Title: "Sign in", Role: id.Role, CSRF: s.csrfToken(r), Data: v})
}

// landing is where id starts after logging in: a speaker on their own
// page, others on their role's.
func landing(id identity) string {
	if id.Role == catalog.RoleSpeaker && id.SpeakerID != "" {
		return speakerHref(id.SpeakerID)
	}
	switch id.Role {
	case catalog.RoleAdmin:
		return "/admin"
	case catalog.RolePhotographer:
		return "/upload"
	case catalog.RoleVideo:
		return "/video"
	case catalog.RoleSpeaker:
		return "/speakers"
	}
	return "/"
}

// localPath returns next when it is a path on this site, else "".
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/login") {
		return ""
	}
	return next
}

// tokenFromInput returns the token in what a person pasted: the token, or
// a whole login link.
func tokenFromInput(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.Index(v, "token="); i >= 0 {
		if q, err := url.ParseQuery(v[i:]); err == nil {
			return strings.TrimSpace(q.Get("token"))
		}
	}
	return v
}

// loginNotice says why the login page is shown, from its ?why=.
func loginNotice(why string) string {
	switch why {
	case "ended":
		return "Your login has ended or its link was revoked. Open a current link, or paste it below."
	case "logout":
		return "You are signed out."
	}
	return ""
}

// handleLogin shows the login page. With ?token= it says whom the link is
// for and offers a button that signs in (a POST: opening a link never
// signs a browser in by itself); without, the paste-your-link form, and who
// is signed in.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	v := loginView{Next: localPath(q.Get("next")), Notice: loginNotice(q.Get("why")), Form: true, Nonce: s.loginNonce(w, r)}
	if id, err := s.authenticate(r); err == nil {
		v.Who, v.Role, v.Landing = id.Name, id.Role, landing(id)
	}
	token := tokenFromInput(q.Get("token"))
	if token == "" {
		s.render(w, r, http.StatusOK, "login.html", page{Title: "Sign in", Role: v.Role, CSRF: s.csrfToken(r), Data: v})
		return
	}
	id, err := s.lookupToken(r.Context(), HashToken(token))
	if err != nil {
		s.loginFailed(w, r, v, err)
		return
	}
	v.Confirm, v.For, v.ForRole, v.Token, v.Form = true, id.Name, id.Role, token, false
	s.render(w, r, http.StatusOK, "login.html", page{Title: "Sign in", Role: v.Role, CSRF: s.csrfToken(r), Data: v})
}

// handleLoginPost signs in with the posted token (or login link), when the
// form came from this site's login page, and sends the visitor on: to next
// when it is a path on this site, else to their role's start page.
func (s *Server) handleLoginPost(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.accessError(w, r, catalog.E(catalog.Invalid, "web.login", err, "bad sign-in form"), identity{}, nil)
		return
	}
	v := loginView{Next: localPath(r.PostFormValue("next")), Form: true, Nonce: s.loginNonce(w, r)}
	if err := s.checkLoginForm(r); err != nil {
		v.Problem = catalog.ErrorMessage(err)
		s.render(w, r, http.StatusForbidden, "login.html", page{Title: "Sign in", Data: v})
		return
	}
	token := tokenFromInput(r.PostFormValue("token"))
	id, err := s.lookupToken(r.Context(), HashToken(token))
	if token == "" {
		err = catalog.E(catalog.Unauthorized, "web.login", nil, "no token given")
	}
	if err != nil {
		s.loginFailed(w, r, v, err)
		return
	}
	if err := s.startSession(w, r, id); err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	clearCookie(w, r, loginCookie, "/login")
	s.Logger.Info("login", "role", id.Role, "name", id.Name)
	http.Redirect(w, r, cmp.Or(v.Next, landing(id)), http.StatusSeeOther)
}

// loginFailed answers a login with a token that does not work.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, v loginView, err error) {
	if catalog.ErrorKind(err) != catalog.Unauthorized {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	v.Problem = "This link or token does not work: " + catalog.ErrorMessage(err) + ". Ask the organizers for a new one."
	v.Form = true
	s.render(w, r, http.StatusUnauthorized, "login.html", page{Title: "Sign in", Data: v})
}

// loginNonce returns the nonce the login forms of this page send back,
// setting the cookie that carries it when the browser has none. The cookie
// is SameSite=Strict: a form posted from another site arrives without it.
func (s *Server) loginNonce(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	v := base64.RawURLEncoding.EncodeToString(buf)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: v, Path: "/login", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	return v
}

// checkLoginForm returns a Forbidden error unless r was posted by a login
// form of this site: its nonce matches the browser's login cookie, and the
// browser does not say it came from elsewhere — an Origin header, when it
// names one (the login page's no-referrer policy makes browsers send
// "null"), is this site's, and Sec-Fetch-Site, when sent, is same-origin.
func (s *Server) checkLoginForm(r *http.Request) error {
	bad := catalog.E(catalog.Forbidden, "web.login", nil, "this sign-in form did not come from this site or is out of date: open your login link again")
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !s.sameOrigin(r, o) {
		return bad
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return bad
	}
	c, err := r.Cookie(loginCookie)
	got := r.PostFormValue(loginField)
	if err != nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) != 1 {
		return bad
	}
	return nil
}

// sameOrigin reports whether origin (an Origin header) is this site: the
// host the request was sent to, or PublicURL's.
func (s *Server) sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	p, err := url.Parse(s.PublicURL)
	return err == nil && p.Host != "" && strings.EqualFold(u.Host, p.Host)
}

// startSession stores a session of id and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, id identity) error {
	v, exp, err := s.newSession(r.Context(), id)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: v, Path: "/",
		Expires: exp, MaxAge: int(exp.Sub(s.now()).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
	return nil
}

// secure reports whether cookies must be Secure: the request came over
// https (directly or through a proxy that says so), or the web app's
// public URL is https.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") ||
		strings.HasPrefix(strings.ToLower(s.PublicURL), "https://")
}

func clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: name != xsrfCookie,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// handleLogout ends the browser's session — deleting it from the catalog,
// so that a copy of the cookie stops working too — and goes to the login
// page. A session's logout needs its CSRF token; a browser whose session
// already ended is simply signed out.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if hash, err := s.parseSession(c.Value); err == nil {
			if err := s.checkCSRF(r, identity{Session: c.Value}); err != nil {
				s.accessError(w, r, err, identity{}, nil)
				return
			}
			if err := s.Store.DeleteSession(r.Context(), hash); err != nil {
				s.accessError(w, r, err, identity{}, nil)
				return
			}
		}
	}
	clearCookie(w, r, sessionCookie, "/")
	clearCookie(w, r, xsrfCookie, dashboardPath)
	http.Redirect(w, r, "/login?why=logout", http.StatusSeeOther)
}

// flash is a one-time message shown on the next page after a form.
type flash struct {
	Error bool
	Text  string
}

// setFlash keeps a message for the next page this browser shows.
func setFlash(w http.ResponseWriter, r *http.Request, isErr bool, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if len(text) > 1500 {
		text = text[:1500] + "…"
	}
	kind := "ok"
	if isErr {
		kind = "error"
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(kind + "\n" + text)),
		Path: "/", MaxAge: 120, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// takeFlash returns the message kept for this page, if any, and forgets it.
func takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	clearCookie(w, r, flashCookie, "/")
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), "\n")
	if !ok || text == "" {
		return nil
	}
	return &flash{Error: kind == "error", Text: text}
}

// uploadCredit is the name an upload is credited to, publicly: a
// photographer's own token name, whatever they typed (their uploads are
// theirs); the name an organizer typed, who may upload on someone's
// behalf.
func uploadCredit(ctx context.Context, typed string) string {
	if roleOf(ctx) == catalog.RolePhotographer {
		return tokenName(ctx)
	}
	return strings.Join(strings.Fields(typed), " ")
}
