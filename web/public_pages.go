package web

import (
	"cmp"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
)

// publicPage fills in what every public page shares.
//
// publicPage is the page data of a public page, with the visitor's role
// (for the navigation) when they are signed in.
func (s *Server) publicPage(r *http.Request, doc *catalog.Document, title string, data any) page {
	return page{Title: title, Conference: doc.Conference, Role: s.sessionRole(r), CSRF: s.csrfToken(r), Data: data}
}

// errorView is the data of error.html.
type errorView struct {
	Status  int
	Message string
}

// pageError renders err as an HTML error page, with the status its kind
// maps to. Internal errors are logged and shown as "internal error".
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	kind := catalog.ErrorKind(err)
	msg := catalog.ErrorMessage(err)
	switch kind {
	case catalog.Other:
		s.Logger.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error"
	case catalog.Unavailable:
		s.Logger.WarnContext(r.Context(), "dependency unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := statusOf(kind)
	s.render(w, r, status, "error.html", page{Title: http.StatusText(status), Data: errorView{Status: status, Message: msg}})
}

// notFound renders a 404 page saying what was not found.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, op, format string, args ...any) {
	s.pageError(w, r, catalog.E(catalog.NotFound, op, nil, format, args...))
}

// Addresses of the public pages. Ids may hold any character, so each is
// escaped as one path segment.
func talkHref(id string) string    { return "/talks/" + url.PathEscape(id) }
func speakerHref(id string) string { return "/speakers/" + url.PathEscape(id) }
func dayHref(date string) string   { return "/schedule/" + date }
func downloadHref(mediaID, rendition string) string {
	return "/download/" + url.PathEscape(mediaID) + "/" + url.PathEscape(rendition)
}

// personLink is a speaker as a link.
type personLink struct {
	Name, Href string
}

// talkLink is a talk as the schedule and the speaker pages list it.
type talkLink struct {
	ID, Title, Href string
	Date            string // "2006-01-02" in the venue's zone; "" when unscheduled
	DayLabel        string // "Friday 15 May 2026"
	Start, End      string // "09:00"
	Room            string
	Track, Type     string
	Labels          []string // the type and track worth showing, in that order
	Speakers        []personLink
	Photos          int
	Recorded        bool
}

// docTime parses a document timestamp. Talks without a time are stamped
// with the zero time, which reports false.
func docTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}, false
	}
	return t, true
}

func (s *Server) talkLinkOf(t catalog.DocTalk, speakers map[string]catalog.DocSpeaker) talkLink {
	l := talkLink{ID: t.ID, Title: t.Title, Href: talkHref(t.ID), Room: t.Room, Track: t.Track, Type: t.Type,
		Photos: len(t.PhotoIDs), Recorded: len(t.Recordings) > 0}
	if l.Title == "" {
		l.Title = t.ID
	}
	for _, label := range []string{t.Type, t.Track} {
		// pretalx names "no track" "~None of the above".
		if label = strings.TrimSpace(label); label != "" && !strings.HasPrefix(label, "~") {
			l.Labels = append(l.Labels, label)
		}
	}
	if start, ok := docTime(t.Start); ok {
		l.Date, l.DayLabel, l.Start = start.Format(time.DateOnly), start.Format("Monday 2 January 2006"), start.Format("15:04")
	}
	if end, ok := docTime(t.End); ok {
		l.End = end.Format("15:04")
	}
	for _, id := range t.SpeakerIDs {
		if sp, ok := speakers[id]; ok {
			l.Speakers = append(l.Speakers, personLink{Name: sp.Name, Href: speakerHref(sp.ID)})
		}
	}
	return l
}

func speakerMap(doc *catalog.Document) map[string]catalog.DocSpeaker {
	m := make(map[string]catalog.DocSpeaker, len(doc.Speakers))
	for _, sp := range doc.Speakers {
		m[sp.ID] = sp
	}
	return m
}

// dayView is one day of the schedule, its talks grouped by room.
type dayView struct {
	Date, Label, Href string
	Rooms             []roomView
	Grid              *gridView // nil for the talks without a time
	Talks             int
	Photos            int // photos of the day's talks
	Recorded          int // talks with a recording
}

// gridView is a day of the schedule as a table: a row per time between
// two talk boundaries, a column per room in the schedule's order.
type gridView struct {
	Rooms []string
	Rows  []gridRow
}

// gridRow is one time slot of a day's grid.
type gridRow struct {
	Time  string
	Cells []gridCell
}

// gridCell is one room in one slot: the talks starting there spanning Span
// rows, or Covered by a talk of a row above.
type gridCell struct {
	Talks   []talkLink
	Span    int
	Covered bool
}

// scheduleGrid lays a day's rooms out on a grid: every start and end time
// is a row boundary, and a talk spans the rows from its start to its end.
// Talks of one room that overlap share a cell.
func scheduleGrid(rooms []roomView) *gridView {
	var bounds []string
	for _, r := range rooms {
		for _, t := range r.Talks {
			bounds = append(bounds, t.Start)
			if t.End > t.Start {
				bounds = append(bounds, t.End)
			}
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	if len(bounds) == 0 || bounds[0] == "" {
		return nil
	}
	n := max(len(bounds)-1, 1)
	g := &gridView{Rows: make([]gridRow, n)}
	for i := range g.Rows {
		g.Rows[i] = gridRow{Time: bounds[i], Cells: make([]gridCell, len(rooms))}
	}
	for j, r := range rooms {
		g.Rooms = append(g.Rooms, cmp.Or(r.Name, "No room"))
		for _, t := range r.Talks {
			r0, _ := slices.BinarySearch(bounds, t.Start)
			r0 = min(r0, n-1)
			r1 := r0 + 1
			if t.End > t.Start {
				r1, _ = slices.BinarySearch(bounds, t.End)
			}
			r1 = min(max(r1, r0+1), n)
			for g.Rows[r0].Cells[j].Covered {
				r0--
			}
			c := &g.Rows[r0].Cells[j]
			c.Talks = append(c.Talks, t)
			for k := r0 + max(c.Span, 1); k < r1; k++ {
				g.Rows[k].Cells[j] = gridCell{Covered: true}
			}
			c.Span = max(c.Span, r1-r0)
		}
	}
	return g
}

// roomView is one room's talks of one day, in time order.
type roomView struct {
	Name  string
	Talks []talkLink
}

// scheduleDays groups the talks by day, then by room. Rooms keep the order
// in which they first appear in the schedule (talks come ordered by start),
// so that every day lists them alike. Talks without a time come last, on a
// day with no date.
func (s *Server) scheduleDays(doc *catalog.Document) []dayView {
	speakers := speakerMap(doc)
	roomOrder := map[string]int{}
	for _, t := range doc.Talks {
		if _, ok := roomOrder[t.Room]; !ok {
			roomOrder[t.Room] = len(roomOrder)
		}
	}
	var days []dayView
	dayIndex := map[string]int{}
	for _, t := range doc.Talks {
		l := s.talkLinkOf(t, speakers)
		i, ok := dayIndex[l.Date]
		if !ok {
			d := dayView{Date: l.Date, Label: l.DayLabel}
			if d.Date != "" {
				d.Href = dayHref(d.Date)
			} else {
				d.Label = "Not yet scheduled"
			}
			i = len(days)
			dayIndex[l.Date] = i
			days = append(days, d)
		}
		d := &days[i]
		d.Talks++
		d.Photos += l.Photos
		if l.Recorded {
			d.Recorded++
		}
		j := slices.IndexFunc(d.Rooms, func(r roomView) bool { return r.Name == t.Room })
		if j < 0 {
			d.Rooms = append(d.Rooms, roomView{Name: t.Room})
			j = len(d.Rooms) - 1
		}
		d.Rooms[j].Talks = append(d.Rooms[j].Talks, l)
	}
	for i := range days {
		slices.SortStableFunc(days[i].Rooms, func(a, b roomView) int { return cmp.Compare(roomOrder[a.Name], roomOrder[b.Name]) })
		for j := range days[i].Rooms {
			slices.SortStableFunc(days[i].Rooms[j].Talks, func(a, b talkLink) int { return cmp.Compare(a.Start, b.Start) })
		}
		if days[i].Date != "" {
			days[i].Grid = scheduleGrid(days[i].Rooms)
		}
	}
	slices.SortStableFunc(days, func(a, b dayView) int {
		switch {
		case a.Date == "" && b.Date != "":
			return 1
		case b.Date == "" && a.Date != "":
			return -1
		}
		return cmp.Compare(a.Date, b.Date)
	})
	return days
}

// homeView is the data of home.html.
type homeView struct {
	Days     []dayView
	Speakers int
	Recent   []recentPhoto
}

// recentPhoto is a photo on the home page, linking to its talk.
type recentPhoto struct {
	Image imageView
	Talk  string // the talk's title
	Href  string
}

// homeRecent is how many of the latest photos the home page shows.
const homeRecent = 12

// recentPhotos are the latest published photos of talks, newest first by
// the time they were taken.
func recentPhotos(doc *catalog.Document) []recentPhoto {
	titles := make(map[string]string, len(doc.Talks))
	for _, t := range doc.Talks {
		titles[t.ID] = cmp.Or(t.Title, t.ID)
	}
	var photos []catalog.DocMedia
	for _, m := range doc.Media {
		if m.Kind == catalog.Photo && m.Status.Public() && len(m.TalkIDs) > 0 && titles[m.TalkIDs[0]] != "" {
			photos = append(photos, m)
		}
	}
	slices.SortStableFunc(photos, func(a, b catalog.DocMedia) int { return cmp.Compare(b.TakenAt, a.TakenAt) })
	var out []recentPhoto
	for _, m := range photos {
		title := titles[m.TalkIDs[0]]
		img, ok := pictureOf(m, "Photo of "+title, "square", "medium")
		if !ok {
			continue
		}
		img.Srcset = ""
		out = append(out, recentPhoto{Image: img, Talk: title, Href: talkHref(m.TalkIDs[0])})
		if len(out) == homeRecent {
			break
		}
	}
	return out
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	idx, err := s.openIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc := idx.Doc
	v := homeView{Days: s.scheduleDays(doc), Speakers: len(s.listedSpeakers(r.Context(), doc)), Recent: recentPhotos(doc)}
	s.render(w, r, http.StatusOK, "home.html", s.publicPage(r, doc, "", v))
}

// scheduleView is the data of schedule.html: all days, or one.
type scheduleView struct {
	Days       []dayView // the days shown
	All        []dayView // every day, for the day links
	Date       string    // the one day shown, "" for all
	Prev, Next *dayView
}

// handleSchedulePage serves /schedule (every day) and /schedule/{day}
// (one day, "2006-01-02"); a day that is malformed or has no talks is 404.
func (s *Server) handleSchedulePage(w http.ResponseWriter, r *http.Request) {
	const op = "web.schedulePage"
	date := r.PathValue("day")
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			s.notFound(w, r, op, "%q is not a day: days are written 2006-01-02", date)
			return
		}
	}
	idx, err := s.openIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc := idx.Doc
	all := s.scheduleDays(doc)
	v := scheduleView{Days: all, All: all}
	title := "Schedule"
	if date != "" {
		i := slices.IndexFunc(all, func(d dayView) bool { return d.Date == date })
		if i < 0 {
			s.notFound(w, r, op, "no talks on %s", date)
			return
		}
		v.Days, v.Date = all[i:i+1], date
		if i > 0 {
			v.Prev = &all[i-1]
		}
		if i+1 < len(all) && all[i+1].Date != "" {
			v.Next = &all[i+1]
		}
		title = all[i].Label
	}
	s.render(w, r, http.StatusOK, "schedule.html", s.publicPage(r, doc, title, v))
}

// imageView is one picture: the <img> attributes, the link to its large
// rendition and, for gallery photos, what the lightbox shows.
type imageView struct {
	ID            string
	Src, Srcset   string
	Href          string // the largest rendition
	Width, Height int    // of Src
	Alt           string
	Credit        string
	License       string
	// Gallery photos only: the lightbox's picture and the sizes offered
	// for download; Defer leaves the thumbnail to the page's script, which
	// loads it as it scrolls near (see galleryEager).
	Full       string
	FullSrcset string
	Downloads  []downloadLink
	Defer      bool
}

// pictureOf picks renditions of m for an <img>: src is the first of prefer
// that m has; srcset lists every one of prefer that m has with its width.
// ok is false when m has none of them.
func pictureOf(m catalog.DocMedia, alt string, prefer ...string) (imageView, bool) {
	v := imageView{ID: m.ID, Alt: alt, Credit: m.Photographer, License: m.License}
	var set []string
	for _, name := range prefer {
		rd, ok := m.Renditions[name]
		if !ok {
			continue
		}
		if v.Src == "" {
			v.Src, v.Width, v.Height = rd.URL, rd.Width, rd.Height
		}
		if rd.Width > 0 {
			set = append(set, rd.URL+" "+strconv.Itoa(rd.Width)+"w")
		}
	}
	if v.Src == "" {
		return v, false
	}
	if len(set) > 1 {
		v.Srcset = strings.Join(set, ", ")
	}
	v.Href = v.Src
	for _, name := range []string{"large", "medium"} {
		if rd, ok := m.Renditions[name]; ok {
			v.Href = rd.URL
			break
		}
	}
	return v, true
}

// galleryEager is how many thumbnails of a gallery the page itself loads;
// the page's script loads the others as the visitor scrolls near them, so
// that a talk with 300 photos costs its first screen only (see
// docs/BENCHMARKS.md). Without script they are in <noscript>.
const galleryEager = 8

// gallery turns photos into gallery pictures: the square thumbnail (medium
// when there is none) in the grid, medium and large in the lightbox, and
// each distinct size for download, named by name.
func gallery(photos []catalog.DocMedia, about string, name func(m catalog.DocMedia, rendition string) string) []imageView {
	out := []imageView{}
	for i, m := range photos {
		alt := "Photo " + strconv.Itoa(i+1) + " of " + about
		v, ok := pictureOf(m, alt, "square", "medium", "large")
		if !ok {
			continue
		}
		v.Srcset = ""
		full, _ := pictureOf(m, alt, "medium", "large")
		v.Full, v.FullSrcset = full.Src, full.Srcset
		v.Downloads = distinctSizes(m, photoSizes, name)
		v.Defer = len(out) >= galleryEager
		out = append(out, v)
	}
	return out
}

// photoSizes are the renditions of a photo offered for download.
var photoSizes = []string{"large", "medium", "square"}

// distinctSizes lists m's renditions among names for download, once per
// distinct size, labelled by their pixels, smallest first. When two
// renditions have the same pixels (a small original makes medium and large
// alike) the one listed first in names is offered.
func distinctSizes(m catalog.DocMedia, names []string, name func(m catalog.DocMedia, rendition string) string) []downloadLink {
	var out []downloadLink
	seen := map[[2]int]bool{}
	for _, n := range names {
		rd, ok := m.Renditions[n]
		if !ok {
			continue
		}
		size := [2]int{rd.Width, rd.Height}
		if seen[size] {
			continue
		}
		seen[size] = true
		out = append(out, downloadLink{Rendition: n, Label: pixelLabel(rd.Width, rd.Height), Size: sizeLabel(rd.Width, rd.Height),
			Href: downloadHref(m.ID, n), Filename: name(m, n), pixels: rd.Width * rd.Height})
	}
	slices.SortStableFunc(out, func(a, b downloadLink) int { return cmp.Compare(a.pixels, b.pixels) })
	return out
}

// pixelLabel names a size by its pixels: "517×606", "400×400 square".
func pixelLabel(w, h int) string {
	l := sizeLabel(w, h)
	if l != "" && w == h {
		l += " square"
	}
	return cmp.Or(l, "image")
}

// speakerCard is a speaker on a talk page.
type speakerCard struct {
	Name, Href string
	Headshots  []imageView
}

// recordingView is a recording on a talk page: how to play it, and its URL.
type recordingView struct {
	Title  string
	URL    string
	Player string // "youtube", "vimeo", "video" or "" for a plain link
	Embed  string // the iframe or <video> source
	Poster string
}

// talkView is the data of talk.html.
type talkView struct {
	Talk       talkLink
	Speakers   []speakerCard
	Photos     []imageView
	Recordings []recordingView
	ZipHref    string
	JSONHref   string
}

func (s *Server) handleTalkPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	idx, err := s.openIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc := idx.Doc
	p, ok := idx.TalkPage(id)
	if !ok {
		s.notFound(w, r, "web.talkPage", "no talk %q", id)
		return
	}
	speakers := speakerMap(doc)
	v := talkView{
		Talk:     s.talkLinkOf(p.Talk, speakers),
		Speakers: []speakerCard{},
		Photos: gallery(p.Photos, p.Talk.Title, func(m catalog.DocMedia, n string) string {
			return photoName(talkSlug(p.Talk), m, n)
		}),
		Recordings: []recordingView{},
		JSONHref:   "/api/talks/" + url.PathEscape(id),
	}
	for _, sp := range p.Speakers {
		c := speakerCard{Name: sp.Name, Href: speakerHref(sp.ID)}
		for _, hid := range sp.HeadshotIDs {
			// The index, not a map of every item per request: a catalog
			// of 100,000 photos made that the cost of every page.
			m, _ := idx.Media(hid)
			if img, ok := pictureOf(m, sp.Name, "square", "medium", "large"); ok {
				c.Headshots = append(c.Headshots, img)
			}
		}
		v.Speakers = append(v.Speakers, c)
	}
	if len(v.Photos) > 0 {
		v.ZipHref = talkHref(id) + "/photos.zip"
	}
	for _, rec := range p.Talk.Recordings {
		player, embed := playerFor(rec.URL)
		v.Recordings = append(v.Recordings, recordingView{Title: rec.Title, URL: rec.URL, Player: player, Embed: embed, Poster: rec.Thumbnail})
	}
	s.render(w, r, http.StatusOK, "talk.html", s.publicPage(r, doc, v.Talk.Title, v))
}

// playerFor says how a page plays the recording at raw: "youtube" or
// "vimeo" with the privacy-friendly embed URL of the video, "video" with
// raw itself for a media file (mp4, webm, m3u8…), or "" when it can only be
// linked to.
func playerFor(raw string) (player, embed string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", ""
	}
	host := strings.ToLower(u.Hostname())
	for _, p := range []string{"www.", "m.", "music."} {
		host = strings.TrimPrefix(host, p)
	}
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	switch host {
	case "youtube.com", "youtube-nocookie.com", "youtu.be":
		var id string
		switch {
		case host == "youtu.be" && len(segs) > 0:
			id = segs[0]
		case len(segs) == 1 && segs[0] == "watch":
			id = u.Query().Get("v")
		case len(segs) >= 2 && slices.Contains([]string{"embed", "live", "shorts", "v"}, segs[0]):
			id = segs[1]
		}
		if !youtubeID(id) {
			return "", ""
		}
		embed = "https://www.youtube-nocookie.com/embed/" + id
		if start := startSeconds(cmp.Or(u.Query().Get("t"), u.Query().Get("start"))); start > 0 {
			embed += "?start=" + strconv.Itoa(start)
		}
		return "youtube", embed
	case "vimeo.com", "player.vimeo.com":
		for i, seg := range segs {
			if !digits(seg) {
				continue
			}
			embed = "https://player.vimeo.com/video/" + seg
			hash := u.Query().Get("h")
			if hash == "" && host == "vimeo.com" && i+1 < len(segs) && hexWord(segs[i+1]) {
				hash = segs[i+1] // vimeo.com/{id}/{hash}: an unlisted video
			}
			if hexWord(hash) {
				embed += "?h=" + hash
			}
			return "vimeo", embed
		}
		return "", ""
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".mp4", ".m4v", ".webm", ".ogv", ".m3u8":
		return "video", u.String()
	}
	return "", ""
}

// youtubeID reports whether id looks like a YouTube video id.
func youtubeID(id string) bool {
	if len(id) != 11 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func hexWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// startSeconds reads a YouTube start time: "90", "90s" or "1h2m3s". It
// returns 0 when there is none or it is malformed.
func startSeconds(t string) int {
	if digits(t) {
		n, _ := strconv.Atoi(t)
		return n
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 {
		return 0
	}
	return int(d / time.Second)
}

// speakerRow is one speaker of the speakers list.
type speakerRow struct {
	Name, Href string
	Fold       string // the folded name, which the page's filter matches
	Avatar     *imageView
	Talks      []talkLink
}

// speakersView is the data of speakers.html.
type speakersView struct {
	Query    string
	Speakers []speakerRow
	Total    int
	Private  bool // speaker pages are private: the list holds those the visitor may open
}

// handleSpeakersPage lists the speakers whose name holds every word of the
// query ?q=, compared folded (accents, case and punctuation ignored), so
// that "zoe mul" finds "Zoë Müller". With no query it lists everyone.
func (s *Server) handleSpeakersPage(w http.ResponseWriter, r *http.Request) {
	idx, err := s.publicIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc := idx.Doc
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	words := strings.Fields(match.Fold(q))
	speakers := speakerMap(doc)
	talks := make(map[string]catalog.DocTalk, len(doc.Talks))
	for _, t := range doc.Talks {
		talks[t.ID] = t
	}
	listed := s.listedSpeakers(r.Context(), doc)
	v := speakersView{Query: q, Speakers: []speakerRow{}, Total: len(listed), Private: s.PrivateSpeakers}
	for _, sp := range listed {
		fold := match.Fold(sp.Name)
		if !matchesAll(fold, words) {
			continue
		}
		row := speakerRow{Name: sp.Name, Href: speakerHref(sp.ID), Fold: fold}
		if row.Name == "" {
			row.Name = sp.ID
		}
		for _, hid := range sp.HeadshotIDs {
			m, _ := idx.Media(hid)
			if img, ok := pictureOf(m, sp.Name, "square", "medium"); ok {
				row.Avatar = &img
				break
			}
		}
		for _, tid := range sp.TalkIDs {
			if t, ok := talks[tid]; ok {
				row.Talks = append(row.Talks, s.talkLinkOf(t, speakers))
			}
		}
		v.Speakers = append(v.Speakers, row)
	}
	slices.SortStableFunc(v.Speakers, func(a, b speakerRow) int { return cmp.Compare(a.Fold, b.Fold) })
	title := "Speakers"
	if q != "" {
		title = "Speakers matching " + q
	}
	s.render(w, r, http.StatusOK, "speakers.html", s.publicPage(r, doc, title, v))
}

// matchesAll reports whether the folded name holds every folded word.
func matchesAll(fold string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(fold, w) {
			return false
		}
	}
	return true
}

// downloadLink is one size of a headshot offered for download.
type downloadLink struct {
	Rendition string
	Label     string
	Size      string // "400×400"; "" for the original
	Href      string
	Filename  string
	pixels    int
}

// headshotView is a headshot on a speaker page with its downloads.
type headshotView struct {
	Image     imageView
	Downloads []downloadLink
}

// speakerView is the data of speaker.html.
type speakerView struct {
	Name      string
	Talks     []talkLink
	Headshots []headshotView
	Photos    []imageView
	ZipHref   string
	JSONHref  string
	// FacesHref links the speaker's photos of you (face recognition on):
	// the page itself opens to that speaker and organizers only.
	FacesHref string
}

// headshotSizes are the renditions a speaker may download, preferred first
// when two have the same pixels. The original is offered after them when
// the organizers allow it and its size is not among them.
var headshotSizes = []string{"square-large", "large", "medium", "square"}

// originalRendition names the stripped full-size copy of an original in
// download addresses.
const originalRendition = "original"

func (s *Server) handleSpeakerPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	idx, err := s.publicIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc := idx.Doc
	p, ok := idx.SpeakerPage(id)
	if !ok {
		s.notFound(w, r, "web.speakerPage", "no speaker %q", id)
		return
	}
	speakers := speakerMap(doc)
	v := speakerView{
		Name: cmp.Or(p.Speaker.Name, p.Speaker.ID), Talks: []talkLink{}, Headshots: []headshotView{},
		Photos: gallery(uniqueMedia(p.Photos), p.Speaker.Name+"’s talks", func(m catalog.DocMedia, n string) string {
			return downloadName(doc, m, n)
		}), JSONHref: "/api/speakers/" + url.PathEscape(id),
	}
	for _, t := range p.Talks {
		v.Talks = append(v.Talks, s.talkLinkOf(t, speakers))
	}
	for _, m := range p.Headshots {
		img, ok := pictureOf(m, p.Speaker.Name, "medium", "large", "square")
		if !ok {
			continue
		}
		img.Srcset = ""
		hv := headshotView{Image: img}
		hv.Downloads = distinctSizes(m, headshotSizes, func(m catalog.DocMedia, n string) string { return downloadName(doc, m, n) })
		if s.AllowOriginals && !slices.ContainsFunc(hv.Downloads, func(d downloadLink) bool { return d.Size == sizeLabel(m.Width, m.Height) }) {
			hv.Downloads = append(hv.Downloads, downloadLink{
				Rendition: originalRendition, Label: cmp.Or(sizeLabel(m.Width, m.Height), "Full size") + " original", Size: sizeLabel(m.Width, m.Height),
				Href: downloadHref(m.ID, originalRendition), Filename: downloadName(doc, m, originalRendition),
			})
		}
		v.Headshots = append(v.Headshots, hv)
	}
	if len(v.Photos) > 0 {
		v.ZipHref = speakerHref(id) + "/photos.zip"
	}
	if s.FaceRecognition {
		v.FacesHref = speakerHref(id) + "/photos-of-you"
	}
	s.render(w, r, http.StatusOK, "speaker.html", s.publicPage(r, doc, v.Name, v))
}

func sizeLabel(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	return strconv.Itoa(w) + "×" + strconv.Itoa(h)
}

// uniqueMedia drops repeats (a photo tagged with two talks of a speaker),
// keeping the first.
func uniqueMedia(ms []catalog.DocMedia) []catalog.DocMedia {
	seen := map[string]bool{}
	out := ms[:0:0]
	for _, m := range ms {
		if !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}

// slug spells s for a file name: folded (no accents, lower case), words
// joined by hyphens, at most 60 bytes. It is "" when s has no letter or
// digit.
func slug(s string) string {
	out := strings.ReplaceAll(match.Fold(s), " ", "-")
	if len(out) > 60 {
		out = strings.TrimRight(strings.ToValidUTF8(out[:60], ""), "-")
	}
	return out
}

// talkSlug names a talk in file names: its schedule slug, else its title,
// else its id.
func talkSlug(t catalog.DocTalk) string {
	return cmp.Or(slug(t.Slug), slug(t.Title), slug(t.ID), "talk")
}

// downloadName is the file name a rendition downloads as: a headshot by its
// speaker ("jane-doe-large.jpg"; "jane-doe-2-large.jpg" for their second
// headshot), a photo by its talk and the start of its id.
func downloadName(doc *catalog.Document, m catalog.DocMedia, rendition string) string {
	short := m.ID
	if len(short) > 8 {
		short = short[:8]
	}
	base := ""
	switch m.Kind {
	case catalog.Headshot:
		for _, sp := range doc.Speakers {
			i := slices.Index(sp.HeadshotIDs, m.ID)
			if i < 0 || slug(sp.Name) == "" {
				continue
			}
			base = slug(sp.Name)
			if i > 0 {
				base += "-" + strconv.Itoa(i+1)
			}
			break
		}
		if base == "" {
			base = "headshot-" + short
		}
	default:
		base = "photo"
		for _, t := range doc.Talks {
			if slices.Contains(t.PhotoIDs, m.ID) {
				base = talkSlug(t)
				break
			}
		}
		return photoName(base, m, rendition)
	}
	return base + "-" + cmp.Or(slug(rendition), "image") + ".jpg"
}

// photoName is the file name of a photo's rendition: its talk's slug (see
// talkSlug) or base, the start of its id and the rendition.
func photoName(base string, m catalog.DocMedia, rendition string) string {
	short := m.ID
	if len(short) > 8 {
		short = short[:8]
	}
	return base + "-" + short + "-" + cmp.Or(slug(rendition), "image") + ".jpg"
}

// photosOfYouView is the data of photos-of-you.html.
type photosOfYouView struct {
	Name        string
	SpeakerHref string
	Recognition bool // face recognition is on
	Photos      []imageView
	ZipHref     string // none: the gallery's zip is of talks
}

func (s *Server) handlePhotosOfYou(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	idx, err := s.publicIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, ok := idx.SpeakerPage(id)
	if !ok {
		s.notFound(w, r, "web.photosOfYou", "no speaker %q", id)
		return
	}
	photos, err := s.PhotosOfYou(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	name := cmp.Or(p.Speaker.Name, p.Speaker.ID)
	v := photosOfYouView{Name: name, SpeakerHref: speakerHref(id), Recognition: s.FaceRecognition,
		Photos: gallery(photos, name, func(m catalog.DocMedia, n string) string { return downloadName(idx.Doc, m, n) })}
	s.render(w, r, http.StatusOK, "photos-of-you.html", s.publicPage(r, idx.Doc, "Photos of "+name, v))
}
