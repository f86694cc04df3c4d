package web

// The route table: every route the server answers, who may call it and
// its handler, in one place. Handler registers these and nothing else, and
// the role test (access_test.go) calls every row as every role.

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

// refusal is how a route answers a caller it refuses.
type refusal int

const (
	// jsonAnswer: a JSON error, 401 without working credentials and 403
	// for another role.
	jsonAnswer refusal = iota
	// pageAnswer: to the login page without working credentials (coming
	// back afterwards), a 403 page for another role.
	pageAnswer
)

// ownRule is a per-object rule a route applies after its role check: the
// object the request names must be the caller's. Staff pass every rule.
type ownRule int

const (
	ownNothing ownRule = iota
	// ownCamera: a photographer names (or lists) only cameras that took
	// their own uploads.
	ownCamera
	// ownUploads: a photographer's view of the work holds only their own
	// uploads (a list rule: see ownUploadsOnly).
	ownUploads
	// ownSpeaker: with PrivateSpeakers, the speaker {id} names is the
	// speaker the caller's speaker token belongs to, and a list holds
	// only theirs; without it, anyone and everyone.
	ownSpeaker
	// ownHeadshot: with PrivateSpeakers, a headshot {media} is of the
	// speaker the caller's speaker token belongs to; other pictures, and
	// every picture without it, anyone.
	ownHeadshot
	// ownPublicFile: with PrivateSpeakers, a speaker's JSON and headshot
	// renditions are served from the bucket to that speaker's token and
	// staff only; other public files to anyone.
	ownPublicFile
	// ownFaces: the speaker {id} names is the speaker the caller's
	// speaker token belongs to, whether speaker pages are private or not:
	// what face recognition found is for that speaker and staff only.
	ownFaces
)

// String names the rule as the role test reports it.
func (o ownRule) String() string {
	switch o {
	case ownCamera:
		return "own camera"
	case ownUploads:
		return "own uploads"
	case ownSpeaker:
		return "own speaker page"
	case ownHeadshot:
		return "own headshot"
	case ownPublicFile:
		return "own public file"
	case ownFaces:
		return "own photos of you"
	}
	return "none"
}

// speakerRule reports whether o guards private speaker pages, and so
// applies only with PrivateSpeakers.
func (o ownRule) speakerRule() bool {
	return o == ownSpeaker || o == ownHeadshot || o == ownPublicFile
}

// staff may see every speaker's page and set every camera.
func staff(role catalog.Role) bool { return role == catalog.RoleAdmin }

// Who may call a route: the roles; nil is anyone.
var (
	anyone     []catalog.Role
	organizers = []catalog.Role{catalog.RoleAdmin}
	uploaders  = []catalog.Role{catalog.RoleAdmin, catalog.RolePhotographer}
	videoTeam  = []catalog.Role{catalog.RoleAdmin, catalog.RoleVideo}
	// speakerSelf: a speaker (their own, by ownFaces) and organizers.
	speakerSelf = []catalog.Role{catalog.RoleAdmin, catalog.RoleSpeaker}
)

// route is one row of the route table.
type route struct {
	pattern string         // a ServeMux pattern: "GET /api/talks/{id}"
	roles   []catalog.Role // who may call it; nil: anyone
	refusal refusal        // how refusals are answered
	own     ownRule        // the per-object rule, if any
	handler http.HandlerFunc
}

// routes returns the route table.
func (s *Server) routes() []route {
	api := func(pattern string, roles []catalog.Role, h http.HandlerFunc) route {
		return route{pattern: pattern, roles: roles, refusal: jsonAnswer, handler: h}
	}
	page := func(pattern string, roles []catalog.Role, h http.HandlerFunc) route {
		return route{pattern: pattern, roles: roles, refusal: pageAnswer, handler: h}
	}
	own := func(rt route, rule ownRule) route {
		rt.own = rule
		return rt
	}
	static := staticHandler()
	return []route{
		// Everyone: health, public pages, downloads, public JSON, login.
		api("GET /healthz", anyone, s.handleHealth),
		page("GET /static/", anyone, static.ServeHTTP),
		page("GET /{$}", anyone, s.handleHome),
		page("GET /schedule", anyone, s.handleSchedulePage),
		page("GET /schedule/{day}", anyone, s.handleSchedulePage),
		page("GET /talks/{id}", anyone, s.handleTalkPage),
		page("GET /talks/{id}/photos.zip", anyone, s.handleTalkZip),
		own(page("GET /speakers", anyone, s.handleSpeakersPage), ownSpeaker),
		own(page("GET /speakers/{id}", anyone, s.handleSpeakerPage), ownSpeaker),
		own(page("GET /speakers/{id}/photos.zip", anyone, s.handleSpeakerZip), ownSpeaker),
		// Face recognition's finds: the speaker's own, and organizers.
		own(page("GET /speakers/{id}/photos-of-you", speakerSelf, s.handlePhotosOfYou), ownFaces),
		own(page("GET /download/{media}/{rendition}", anyone, s.handleDownload), ownHeadshot),
		api("GET /api/schedule", anyone, s.handleSchedule),
		api("GET /api/talks/{id}", anyone, s.handleTalk),
		own(api("GET /api/speakers/{id}", anyone, s.handleSpeaker), ownSpeaker),
		own(api("GET /public/{path...}", anyone, s.handlePublic), ownPublicFile),
		page("GET /login", anyone, s.handleLogin),
		page("POST /login", anyone, s.handleLoginPost),
		page("POST /logout", anyone, s.handleLogout),
		// The upload page shows its sign-in form to those who may not
		// upload yet.
		page("GET /upload", anyone, s.handleUploadPage),

		// Photographers (and organizers): uploads and their cameras.
		api("POST /api/media/check", uploaders, s.handleCheck),
		api("PUT /api/media/{id}", uploaders, s.handleUpload),
		own(api("GET /api/queue", uploaders, s.handleQueue), ownUploads),
		api("POST /api/uploads/inspect", uploaders, s.handleInspect),
		api("POST /api/uploads", uploaders, s.handlePlan),
		api("POST /api/uploads/{id}/complete", uploaders, s.handleComplete),
		api("POST /api/uploads/{id}/abort", uploaders, s.handleAbort),
		own(api("GET /api/cameras", uploaders, s.handleCameras), ownCamera),
		own(api("PUT /api/cameras/{key}", uploaders, s.handleSetCamera), ownCamera),

		// The video team (and organizers): recordings and their review.
		api("POST /api/recordings", videoTeam, s.handleRecordingsImport),
		api("GET /api/recordings/export", videoTeam, s.handleVideosExport),
		api("GET /api/review", videoTeam, s.handleReviewList),
		api("POST /api/review/{id}/resolve", videoTeam, s.handleResolve),
		api("POST /api/review/resolve", videoTeam, s.handleResolveMany),
		api("POST /api/recordings/{id}/attach", videoTeam, s.handleAttachRecording),
		api("POST /api/recordings/{id}/detach", videoTeam, s.handleDetachRecording),
		api("POST /api/talks/{id}/recordings", videoTeam, s.handleAddRecording),
		page("GET /video", videoTeam, s.handleVideoPage),
		page("POST /video/recordings", videoTeam, s.handleAddRecordingForm),
		page("POST /video/recordings/{id}/attach", videoTeam, s.handleAttachForm),
		page("POST /video/recordings/{id}/detach", videoTeam, s.handleDetachForm),
		page("POST /video/recordings/{id}/dismiss", videoTeam, s.handleDismissForm),

		// Organizers: the catalog, publishing, decisions, tokens.
		api("GET /api/media/failed", organizers, s.handleFailedList),
		api("GET /api/cameras/{key}/preview", organizers, s.handleOffsetPreview),
		api("POST /api/media/retry", organizers, s.handleRetryMedia),
		api("POST /api/media/delete", organizers, s.handleDeleteMedia),
		api("GET /api/media/{id}", organizers, s.handleMedia),
		api("GET /api/media/{id}/renditions/{name}", organizers, s.handleStaffRendition),
		api("POST /api/media/{id}/hide", organizers, s.handleHide),
		api("POST /api/media/{id}/kind", organizers, s.handleSetKind),
		api("POST /api/schedule", organizers, s.handleScheduleImport),
		api("GET /api/catalog", organizers, s.handleCatalog),
		api("POST /api/publish", organizers, s.handlePublish),
		api("POST /api/faces/forget", organizers, s.handleForgetFaces),
		api("GET /metrics", organizers, s.handleMetrics),
		api("POST /api/optouts", organizers, s.handleOptOutAdd),
		api("GET /api/optouts", organizers, s.handleOptOutList),
		api("DELETE /api/optouts/{name}", organizers, s.handleOptOutRemove),
		api("POST /api/tokens", organizers, s.handleTokenCreate),
		api("GET /api/tokens", organizers, s.handleTokenList),
		api("DELETE /api/tokens/{hash}", organizers, s.handleTokenRevoke),
		page("GET /admin", organizers, s.handleStatusPage),
		page("POST /admin/publish", organizers, s.handlePublishForm),
		page("POST /admin/hide", organizers, s.handleHideForm),
		page("POST /admin/failed", organizers, s.handleFailedForm),
		page("/admin/queues/", organizers, s.handleQueueDashboard),
		page("GET /review", organizers, s.handleReviewPage),
		page("POST /review/{id}/resolve", organizers, s.handleResolveForm),
		page("POST /review/{id}/kind", organizers, s.handleSetKindForm),
		page("POST /review/kind", organizers, s.handleSetKindForm),
		page("GET /cameras", organizers, s.handleCamerasPage),
		page("POST /cameras/offset", organizers, s.handleCameraForm),
		page("GET /tokens", organizers, s.handleTokensPage),
		page("POST /tokens", organizers, s.handleTokenForm),
		page("POST /tokens/revoke", organizers, s.handleRevokeForm),
	}
}

type answerKey struct{}

// answeredAs marks the requests h serves as answered by pages or JSON, so
// that writeError answers their errors alike.
func answeredAs(how refusal, h http.Handler) http.Handler {
	if how != pageAnswer {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), answerKey{}, how)))
	})
}

// answerOf says how the route serving a request answers (jsonAnswer
// outside a route).
func answerOf(ctx context.Context) refusal {
	how, _ := ctx.Value(answerKey{}).(refusal)
	return how
}

// guard wraps a route's handler in its checks: none for a route open to
// anyone without a per-object rule; else the credentials (bearer token, or
// session with its CSRF token on changes), the role, then the per-object
// rule. An open route with a rule knows its caller (when speaker pages are
// private and there is one) and treats failing credentials as none.
func (s *Server) guard(rt route) http.Handler {
	h := rt.handler
	if rt.own != ownNothing {
		h = s.checkOwn(rt, h)
	}
	switch {
	case rt.roles != nil && rt.refusal == pageAnswer:
		return s.requirePage(rt.roles...)(h)
	case rt.roles != nil:
		return s.require(rt.roles...)(h)
	case rt.own == ownNothing:
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A rule of private speaker pages needs no caller when they are
		// public: public reads then cost no credential lookup.
		if !rt.own.speakerRule() || s.PrivateSpeakers {
			if id, err := s.authenticate(r); err == nil {
				r = r.WithContext(id.context(r.Context()))
			}
		}
		h(w, r)
	})
}

// checkOwn applies rt's per-object rule to the request's caller before
// next.
func (s *Server) checkOwn(rt route, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := identityOf(r.Context())
		restricted, err := s.owns(r, id, rt.own)
		if err == nil {
			if restricted {
				w = &privateWriter{ResponseWriter: w}
			}
			next(w, r)
			return
		}
		switch {
		case rt.refusal == jsonAnswer:
			s.writeError(w, r, err)
		case catalog.ErrorKind(err) == catalog.Unauthorized:
			w.Header().Set("Cache-Control", "no-store")
			s.redirectToLogin(w, r, "")
		default:
			w.Header().Set("Cache-Control", "no-store")
			s.accessError(w, r, err, id, nil)
		}
	}
}

// owns returns nil when id may reach the object r names under rule; else
// Unauthorized for the public (who may sign in) and Forbidden for others.
// restricted says the object is not for everyone, so that its answer must
// stay out of shared caches.
func (s *Server) owns(r *http.Request, id identity, rule ownRule) (restricted bool, err error) {
	const op = "web.owns"
	ctx := r.Context()
	switch rule {
	case ownCamera:
		key := r.PathValue("key")
		if id.Role != catalog.RolePhotographer || key == "" {
			return false, nil // a list holds only the caller's cameras (see Cameras)
		}
		items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Camera: key})
		if err != nil {
			return true, err
		}
		if !ownsCamera(items, id.Name) {
			// The same answer whether the camera exists or not: nothing
			// about other photographers' cameras leaks.
			return true, catalog.E(catalog.Forbidden, op, nil,
				"%s is not a camera of your uploads: you may set the clocks of your own cameras only (an organizer can set others)", key)
		}
		return true, nil
	case ownUploads:
		return id.Role == catalog.RolePhotographer, nil // a list holds only the caller's own (see ownUploadsOnly)
	case ownSpeaker:
		if !s.PrivateSpeakers {
			return false, nil
		}
		if r.PathValue("id") == "" {
			return true, nil // a list holds only the caller's own (see listedSpeakers)
		}
		return true, s.ownsSpeaker(id, r.PathValue("id"))
	case ownFaces:
		return true, s.ownsSpeaker(id, r.PathValue("id"))
	case ownHeadshot:
		if !s.PrivateSpeakers {
			return false, nil
		}
		m, err := s.Store.Media(ctx, r.PathValue("media"))
		if catalog.IsNotFound(err) {
			return false, nil // the handler answers 404
		}
		if err != nil {
			return true, err
		}
		if m.Kind != catalog.Headshot {
			return false, nil
		}
		return true, s.ownsSpeaker(id, m.SpeakerIDs...)
	case ownPublicFile:
		if !s.PrivateSpeakers {
			return false, nil
		}
		p := r.PathValue("path")
		if name, ok := strings.CutPrefix(p, "speakers/"); ok {
			speaker, err := url.PathUnescape(strings.TrimSuffix(name, ".json"))
			if err != nil {
				return true, s.ownsSpeaker(id)
			}
			return true, s.ownsSpeaker(id, speaker)
		}
		if rest, ok := strings.CutPrefix(p, "media/"); ok {
			mediaID, _, _ := strings.Cut(rest, "/")
			m, err := s.Store.Media(ctx, mediaID)
			if err == nil && m.Kind == catalog.Headshot {
				return true, s.ownsSpeaker(id, m.SpeakerIDs...)
			}
		}
		return false, nil
	}
	return false, nil
}

// ownsSpeaker returns nil when id is staff or a speaker token of one of
// speakers; else Unauthorized for the public and Forbidden for the rest.
func (s *Server) ownsSpeaker(id identity, speakers ...string) error {
	const op = "web.ownsSpeaker"
	switch {
	case staff(id.Role):
		return nil
	case id.Role == "":
		return catalog.E(catalog.Unauthorized, op, nil, "speaker pages are private: open your speaker link")
	case id.Role == catalog.RoleSpeaker && id.SpeakerID != "" && slices.Contains(speakers, id.SpeakerID):
		return nil
	case id.Role == catalog.RoleSpeaker:
		return catalog.E(catalog.Forbidden, op, nil, "this is another speaker's page: your link opens your own")
	}
	return catalog.E(catalog.Forbidden, op, nil, "speaker pages are private: only the speaker and the organizers see them")
}

// ownUploadsOnly reports whether the caller sees only their own uploads,
// and whose they are: a photographer, by their token's name, which their
// uploads are credited to. Organizers see everyone's.
func ownUploadsOnly(ctx context.Context) (name string, only bool) {
	if roleOf(ctx) != catalog.RolePhotographer {
		return "", false
	}
	return tokenName(ctx), true
}

// ownFailedTasks returns the tasks of failed that were for media of
// items credited to photographer.
func ownFailedTasks(failed []catalog.FailedTask, items []*catalog.Media, photographer string) []catalog.FailedTask {
	mine := map[string]bool{}
	for _, m := range items {
		if m.Photographer == photographer {
			mine[m.ID] = true
		}
	}
	out := []catalog.FailedTask{}
	for _, f := range failed {
		if mine[f.Subject] {
			out = append(out, f)
		}
	}
	return out
}
