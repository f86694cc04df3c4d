package web

// The organizers' pages (status, review queue, camera clocks, tokens, the
// queue dashboard); the video team's are in videoteam.go, what both share in
// staff.go. Pages are plain HTML forms posting to page
// routes, which answer with a redirect and a one-time message, so that
// every action works without JavaScript; web/static/admin.js only adds
// file imports, copying and confirmations.

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// --- status page ---

type countRow struct {
	Label string
	N     int
	Class string
}

type failedRow struct {
	Type, Queue, Subject, Error, At string
	What                            string // the file's name when the subject is a failed item, else the subject
}

// failedItemRow is a failed media item on the status page.
type failedItemRow struct {
	FailedMedia
	When string
}

// maxFailedItemsShown bounds the failed items the status page lists.
const maxFailedItemsShown = 100

type statusView struct {
	Flash           *flash
	QueueError      string
	Queues          []catalog.QueueDepth
	Totals          catalog.QueueStats
	Failed          []failedRow
	MoreFailed      int
	FailedItems     []failedItemRow
	MoreFailedItems int
	Media           []countRow
	MediaTotal      int
	Photos          int
	Headshots       int
	Recordings      []countRow
	Originals       string
	Renditions      string
	Storage         string
	StorageBytes    int64
	Talks           int
	Speakers        int
	Timezone        string
	ToReview        int
	Dashboard       bool
	DashboardPath   string
}

// maxFailedShown bounds the failed tasks the status page lists.
const maxFailedShown = 20

func (s *Server) handleStatusPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.status(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	failedItems, err := s.failed().FailedMedia(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	sched, loc := st.schedule, st.loc
	v := statusView{Flash: takeFlash(w, r), Talks: len(sched.Talks), Speakers: len(sched.Speakers),
		Timezone: sched.Conference.Timezone, Dashboard: s.QueueDashboard != nil, DashboardPath: dashboardPath + "/"}
	if st.queueErr != nil {
		v.QueueError = catalog.ErrorMessage(st.queueErr)
	} else {
		v.Totals, v.Queues = st.queue, st.queue.Queues
		failed := slices.Clone(st.queue.Failed)
		slices.SortStableFunc(failed, func(a, b catalog.FailedTask) int { return b.At.Compare(a.At) })
		if len(failed) > maxFailedShown {
			v.MoreFailed = len(failed) - maxFailedShown
			failed = failed[:maxFailedShown]
		}
		names := map[string]string{}
		for _, it := range failedItems.Items {
			names[it.ID] = it.SourceName
		}
		for _, f := range failed {
			v.Failed = append(v.Failed, failedRow{Type: f.Type, Queue: f.Queue, Subject: f.Subject, Error: plainText(f.Error),
				At: venue(loc, f.At), What: cmp.Or(names[f.Subject], f.Subject)})
		}
	}
	for i, it := range failedItems.Items {
		if i == maxFailedItemsShown {
			v.MoreFailedItems = len(failedItems.Items) - i
			break
		}
		v.FailedItems = append(v.FailedItems, failedItemRow{FailedMedia: it, When: venue(loc, it.UploadedAt)})
	}
	v.Photos, v.Headshots, v.MediaTotal = st.photos, st.headshots, st.media
	for _, ms := range []catalog.Status{catalog.Pending, catalog.Tagged, catalog.Untagged, catalog.NeedsReview, catalog.Failed, catalog.Hidden} {
		v.Media = append(v.Media, countRow{Label: strings.ReplaceAll(string(ms), "_", " "), N: st.byStatus[ms], Class: "status-" + string(ms)})
	}
	v.ToReview = st.byStatus[catalog.NeedsReview] + st.byStatus[catalog.Failed]
	for _, rs := range []catalog.RecordingState{catalog.RecordingPending, catalog.RecordingAttached, catalog.RecordingUnmatched, catalog.RecordingDismissed} {
		v.Recordings = append(v.Recordings, countRow{Label: string(rs), N: st.byState[rs], Class: "rec-" + string(rs)})
	}
	v.ToReview += st.byState[catalog.RecordingUnmatched] + st.byState[catalog.RecordingPending]
	v.Originals, v.Renditions = humanBytes(st.originals), humanBytes(st.renditions)
	v.StorageBytes = st.originals + st.renditions
	v.Storage = humanBytes(v.StorageBytes)
	s.render(w, r, http.StatusOK, "status.html", s.staffPage(r, "Status", sched.Conference, v))
}

// handleFailedForm retries or deletes failed items: the one a row's
// button names ("retry:ID", "delete:ID"), else the checked ones.
func (s *Server) handleFailedForm(w http.ResponseWriter, r *http.Request) {
	do, ids := r.PostFormValue("do"), r.PostForm["id"]
	if only := r.PostFormValue("only"); only != "" {
		var id string
		do, id, _ = strings.Cut(only, ":")
		ids = []string{id}
	}
	var resp BulkResponse
	var err error
	switch do {
	case "retry":
		resp, err = s.failed().RetryMedia(r.Context(), ids)
	case "delete":
		resp, err = s.failed().DeleteMedia(r.Context(), ids)
	default:
		err = catalog.E(catalog.Invalid, "web.failedForm", nil, "choose retry or delete")
	}
	if err == nil && resp.Failed > 0 {
		var why []string
		for _, res := range resp.Results {
			if res.Error != "" {
				why = append(why, res.Error)
			}
		}
		err = catalog.E(catalog.Conflict, "web.failedForm", nil, "%d done, %d not changed: %s", resp.Done, resp.Failed, strings.Join(why, "; "))
	}
	verb := map[string]string{"retry": "queued to be processed again", "delete": "deleted"}[do]
	s.done(w, r, "/admin", err, "%d %s %s.", resp.Done, map[bool]string{true: "file", false: "files"}[resp.Done == 1], verb)
}

func (s *Server) handlePublishForm(w http.ResponseWriter, r *http.Request) {
	resp, err := s.Publish(r.Context())
	s.done(w, r, "/admin", err, "Published %d talks, %d speakers and %d media items (%d files, %s) to %s.",
		resp.Talks, resp.Speakers, resp.Media, resp.Objects, humanBytes(resp.Bytes), resp.CatalogURL)
}

// mediaIDIn finds a media id in what an organizer pasted: an id or id
// prefix, or the URL of a rendition ("…/media/{id}/large.jpg").
var mediaIDIn = regexp.MustCompile(`[0-9a-f]{64}`)

func (s *Server) handleHideForm(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.PostFormValue("id"))
	if m := mediaIDIn.FindString(strings.ToLower(id)); m != "" {
		id = m
	}
	item, err := s.reviews().HideMedia(r.Context(), id, r.PostFormValue("reason"))
	s.done(w, r, "/admin", err, "%s is taken down (%s).", item.SourceName, item.Reason)
}

// handleQueueDashboard serves the queue dashboard, or without one sends
// organizers to the status page's queue table. The dashboard's scripts
// send the CSRF token from the XSRF-TOKEN cookie this sets.
func (s *Server) handleQueueDashboard(w http.ResponseWriter, r *http.Request) {
	if s.QueueDashboard == nil {
		http.Redirect(w, r, "/admin#queues", http.StatusSeeOther)
		return
	}
	if tok := s.csrfToken(r); tok != "" && r.Method == http.MethodGet {
		http.SetCookie(w, &http.Cookie{Name: xsrfCookie, Value: tok, Path: dashboardPath,
			SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	}
	s.QueueDashboard.ServeHTTP(w, r)
}

// --- review page ---

func (s *Server) handleResolveForm(w http.ResponseWriter, r *http.Request) {
	req := ResolveRequest{
		Talk: strings.TrimSpace(r.PostFormValue("talk")), Speaker: strings.TrimSpace(r.PostFormValue("speaker")),
		Untagged: r.PostFormValue("untagged") != "", Hide: r.PostFormValue("hide") != "",
	}
	item, err := s.reviews().Resolve(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.done(w, r, "/review", err, "")
		return
	}
	s.done(w, r, "/review", nil, "%s", s.decidedMessage(r.Context(), item))
}

// decidedMessage says in a sentence what a decision did.
func (s *Server) decidedMessage(ctx context.Context, d DecidedItem) string {
	name := cmp.Or(d.SourceName, d.Title, d.ID)
	sched, _ := s.Store.Schedule(ctx)
	titles := map[string]string{}
	for _, t := range sched.Talks {
		titles[t.ID] = t.Title
	}
	names := map[string]string{}
	for _, sp := range sched.Speakers {
		names[sp.ID] = sp.Name
	}
	var msg string
	switch {
	case d.Type == reviewTypeRecording && len(d.TalkIDs) > 0:
		msg = fmt.Sprintf("%s is attached to “%s”.", name, cmp.Or(titles[d.TalkIDs[0]], d.TalkIDs[0]))
	case d.Type == reviewTypeRecording:
		msg = fmt.Sprintf("%s is dismissed: it belongs to no talk.", name)
	case d.Status == string(catalog.Hidden):
		msg = fmt.Sprintf("%s is hidden (%s).", name, d.Reason)
	case d.Kind == catalog.Headshot && len(d.SpeakerIDs) > 0:
		msg = fmt.Sprintf("%s is a headshot of %s.", name, cmp.Or(names[d.SpeakerIDs[0]], d.SpeakerIDs[0]))
	case len(d.TalkIDs) > 0:
		msg = fmt.Sprintf("%s is tagged with “%s”.", name, cmp.Or(titles[d.TalkIDs[0]], d.TalkIDs[0]))
	default:
		msg = fmt.Sprintf("%s is published without a talk.", name)
	}
	if d.CameraOffsetChanged {
		msg += " Its camera's clock offset was corrected, and the camera's photos are being tagged again."
	}
	if d.CameraNote != "" {
		msg += " " + d.CameraNote + "."
	}
	return msg
}

// --- tokens page ---

type tokensView struct {
	Flash     *flash
	Created   *TokenCreated
	Tokens    []TokenInfo
	ListError string
	Roles     []catalog.Role
	Now       time.Time
}

func (s *Server) tokensView(w http.ResponseWriter, r *http.Request) tokensView {
	v := tokensView{Flash: takeFlash(w, r), Now: s.now(),
		Roles: []catalog.Role{catalog.RolePhotographer, catalog.RoleVideo, catalog.RoleSpeaker, catalog.RoleAdmin}}
	list, err := s.tokens().Tokens(r.Context())
	if err != nil {
		v.ListError = catalog.ErrorMessage(err)
	}
	v.Tokens = list
	return v
}

func (s *Server) handleTokensPage(w http.ResponseWriter, r *http.Request) {
	sched, err := s.Store.Schedule(r.Context())
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	s.render(w, r, http.StatusOK, "tokens.html", s.staffPage(r, "Tokens and links", sched.Conference, s.tokensView(w, r)))
}

// handleTokenForm creates a token and shows its link once, on the page
// itself (no redirect: the secret is not kept anywhere to show it again).
func (s *Server) handleTokenForm(w http.ResponseWriter, r *http.Request) {
	created, err := s.tokens().CreateToken(r.Context(), TokenRequest{Role: catalog.Role(r.PostFormValue("role")),
		Name: r.PostFormValue("name"), Speaker: r.PostFormValue("speaker"), Expires: r.PostFormValue("expires")})
	if err != nil {
		s.done(w, r, "/tokens", err, "")
		return
	}
	sched, _ := s.Store.Schedule(r.Context())
	v := s.tokensView(w, r)
	v.Created = &created
	s.render(w, r, http.StatusOK, "tokens.html", s.staffPage(r, "Tokens and links", sched.Conference, v))
}

// handleRevokeForm revokes the token given as its secret, a login link or
// a prefix of its hash.
func (s *Server) handleRevokeForm(w http.ResponseWriter, r *http.Request) {
	info, err := s.tokens().RevokeToken(r.Context(), r.PostFormValue("token"))
	s.done(w, r, "/tokens", err, "Revoked the %s token “%s” (%s…): its links and logins no longer work.", info.Role, info.Name, info.Hash)
}
