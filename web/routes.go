package web

// The route table: every route the server answers, who may call it and
// its handler, in one place. Handler registers these and nothing else, and
// the role test (access_test.go) calls every row as every role.

import (
	"net/http"

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
)

// Who may call a route: the roles; nil is anyone.
var (
	anyone     []catalog.Role
	organizers = []catalog.Role{catalog.RoleAdmin}
	uploaders  = []catalog.Role{catalog.RoleAdmin, catalog.RolePhotographer}
	videoTeam  = []catalog.Role{catalog.RoleAdmin, catalog.RoleVideo}
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
		page("GET /speakers", anyone, s.handleSpeakersPage),
		page("GET /speakers/{id}", anyone, s.handleSpeakerPage),
		page("GET /speakers/{id}/photos.zip", anyone, s.handleSpeakerZip),
		page("GET /download/{media}/{rendition}", anyone, s.handleDownload),
		api("GET /api/schedule", anyone, s.handleSchedule),
		api("GET /api/talks/{id}", anyone, s.handleTalk),
		api("GET /api/speakers/{id}", anyone, s.handleSpeaker),
		api("GET /public/{path...}", anyone, s.handlePublic),
		page("GET /login", anyone, s.handleLogin),
		page("POST /login", anyone, s.handleLoginPost),
		page("POST /logout", anyone, s.handleLogout),
		// The upload page shows its sign-in form to those who may not
		// upload yet.
		page("GET /upload", anyone, s.handleUploadPage),

		// Photographers (and organizers): uploads and their cameras.
		api("POST /api/media/check", uploaders, s.handleCheck),
		api("PUT /api/media/{id}", uploaders, s.handleUpload),
		api("GET /api/queue", uploaders, s.handleQueue),
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
		api("POST /api/recordings/{id}/attach", videoTeam, s.handleAttachRecording),
		api("POST /api/recordings/{id}/detach", videoTeam, s.handleDetachRecording),
		api("POST /api/talks/{id}/recordings", videoTeam, s.handleAddRecording),
		page("GET /video", videoTeam, s.handleVideoPage),
		page("POST /video/recordings", videoTeam, s.handleAddRecordingForm),
		page("POST /video/recordings/{id}/attach", videoTeam, s.handleAttachForm),
		page("POST /video/recordings/{id}/detach", videoTeam, s.handleDetachForm),
		page("POST /video/recordings/{id}/dismiss", videoTeam, s.handleDismissForm),

		// Organizers: the catalog, publishing, decisions, tokens.
		api("GET /api/media/{id}", organizers, s.handleMedia),
		api("GET /api/media/{id}/renditions/{name}", organizers, s.handleStaffRendition),
		api("POST /api/media/{id}/hide", organizers, s.handleHide),
		api("POST /api/schedule", organizers, s.handleScheduleImport),
		api("GET /api/catalog", organizers, s.handleCatalog),
		api("POST /api/publish", organizers, s.handlePublish),
		api("POST /api/optouts", organizers, s.handleOptOutAdd),
		api("GET /api/optouts", organizers, s.handleOptOutList),
		api("DELETE /api/optouts/{name}", organizers, s.handleOptOutRemove),
		api("POST /api/tokens", organizers, s.handleTokenCreate),
		api("GET /api/tokens", organizers, s.handleTokenList),
		api("DELETE /api/tokens/{hash}", organizers, s.handleTokenRevoke),
		page("GET /admin", organizers, s.handleStatusPage),
		page("POST /admin/publish", organizers, s.handlePublishForm),
		page("POST /admin/hide", organizers, s.handleHideForm),
		page("/admin/queues/", organizers, s.handleQueueDashboard),
		page("GET /review", organizers, s.handleReviewPage),
		page("POST /review/{id}/resolve", organizers, s.handleResolveForm),
		page("GET /cameras", organizers, s.handleCamerasPage),
		page("POST /cameras/offset", organizers, s.handleCameraForm),
		page("GET /tokens", organizers, s.handleTokensPage),
		page("POST /tokens", organizers, s.handleTokenForm),
		page("POST /tokens/revoke", organizers, s.handleRevokeForm),
	}
}

// guard wraps a route's handler in its checks: none for a route open to
// anyone; else the credentials (bearer token or session with its CSRF
// token), the role, then the per-object rule.
func (s *Server) guard(rt route) http.Handler {
	if rt.roles == nil {
		return rt.handler
	}
	h := rt.handler
	if rt.refusal == pageAnswer {
		return s.requirePage(rt.roles...)(h)
	}
	return s.require(rt.roles...)(h)
}
