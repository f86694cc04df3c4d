package web

// The review page: the queue as a grid of thumbnails grouped by reason,
// camera (or photographer) and time, a page at a time, with forms for one
// item and, with review.js, selection and decisions in bulk through
// POST /api/review/resolve.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
)

// reviewPageSize is how many items one review page shows: enough to clear
// many groups at once, few enough that the first screen comes at once
// with 2,000 items in review.
const reviewPageSize = 200

// groupGap is the longest pause between two photos of one camera that
// still puts them in one group.
const groupGap = 20 * time.Minute

type reviewRow struct {
	ReviewItem
	PathID     string
	IsMedia    bool
	IsHeadshot bool
	CanTag     bool // needs a talk or speaker; failed items can only be hidden
	When       string
	Choices    []option
	Taken      int64 // capture time, Unix milliseconds; 0 unknown
}

// reviewGroup is a run of items with the same kind of reason from the same
// camera (or photographer), close in time.
type reviewGroup struct {
	ID      string // "g1", unique on the page
	Class   string
	Source  string // camera key, "photographer NAME", or ""
	Span    string // "Fri 15 May 10:01–10:40"
	Total   int    // items of the group in the whole queue
	Items   []reviewRow
	Camera  string // the camera key, when the group is one camera's
	From    string // RFC 3339, first capture time
	To      string
	IsMedia bool
}

// reasonCount is a kind of reason and how many items have it.
type reasonCount struct {
	Class   string
	Count   int
	Href    string
	Current bool
}

type reviewView struct {
	Flash    *flash
	Groups   []*reviewGroup
	Total    int // items in the queue
	Shown    int // items on this page
	Media    int
	Recs     int
	Reasons  []reasonCount
	AllHref  string
	Filter   string
	Page     int // 1-based
	Pages    int
	PrevHref string
	NextHref string
	Talks    []option
	Speakers []option
	TalkData string // the schedule's talks for the bulk talk picker, JSON
}

// reasonClasses name the kinds of reasons the review groups by, first
// match wins; any other reason is its own kind.
var reasonClasses = []struct {
	re    *regexp.Regexp
	label string
}{
	{regexp.MustCompile(`^no capture time`), "No capture time"},
	{regexp.MustCompile(`talks overlap in`), "Several talks at once in the room"},
	{regexp.MustCompile(`^no room given`), "No room given, several talks running"},
	{regexp.MustCompile(`speakers? (match|matches|are called)|people tags name \d+ speakers|unknown speaker|no speaker matches`), "Which speaker?"},
}

var quoted = regexp.MustCompile(`"[^"]*"|“[^”]*”`)

// reasonClass is the kind of reason of item it, for grouping.
func reasonClass(it ReviewItem) string {
	switch {
	case it.Type == reviewTypeRecording:
		return "Recordings without a talk"
	case it.Status == string(catalog.Failed):
		return "Failed: can only be hidden (retry or delete on the status page)"
	}
	for _, c := range reasonClasses {
		if c.re.MatchString(it.Reason) {
			return c.label
		}
	}
	r := quoted.ReplaceAllString(it.Reason, "…")
	if i := strings.Index(r, " at "); i > 0 {
		r = r[:i]
	}
	if r == "" {
		return "Other"
	}
	return strings.ToUpper(r[:1]) + r[1:]
}

// groupReview groups the queue's rows (in the queue's order: media by
// capture time, then recordings): by reason class, then by camera (else
// photographer), then into runs without a pause longer than groupGap.
// Groups come ordered by class (in order of first appearance), then by
// their first item.
func groupReview(rows []reviewRow) []*reviewGroup {
	var classes []string
	last := map[string]*reviewGroup{}
	var groups []*reviewGroup
	for _, row := range rows {
		class := reasonClass(row.ReviewItem)
		if !slices.Contains(classes, class) {
			classes = append(classes, class)
		}
		source := ""
		switch {
		case row.Camera != "":
			source = row.Camera
		case row.Photographer != "":
			source = "photographer " + row.Photographer
		}
		key := class + "\x00" + source
		g := last[key]
		if g == nil || !nearInTime(g.Items[len(g.Items)-1].Taken, row.Taken) {
			g = &reviewGroup{Class: class, Source: source, IsMedia: row.IsMedia}
			if row.Camera != "" {
				g.Camera = row.Camera
			}
			last[key] = g
			groups = append(groups, g)
		}
		g.Items = append(g.Items, row)
	}
	slices.SortStableFunc(groups, func(a, b *reviewGroup) int {
		return cmp.Compare(slices.Index(classes, a.Class), slices.Index(classes, b.Class))
	})
	for i, g := range groups {
		g.ID = "g" + strconv.Itoa(i+1)
		g.Total = len(g.Items)
		first, lastItem := g.Items[0], g.Items[len(g.Items)-1]
		if first.Taken != 0 {
			g.From, g.To = first.TakenAt, lastItem.TakenAt
			g.Span = stampLabel(first.TakenAt)
			if lastItem.TakenAt != first.TakenAt {
				g.Span += "–" + clockOf(lastItem.TakenAt)
			}
		}
	}
	return groups
}

// nearInTime reports whether two capture times (Unix ms, 0 unknown) belong in
// one group: both unknown, or no more than groupGap apart.
func nearInTime(a, b int64) bool {
	if a == 0 || b == 0 {
		return a == b
	}
	d := time.Duration(b-a) * time.Millisecond
	return d >= -groupGap && d <= groupGap
}

// clockOf is the hour and minute of an RFC 3339 stamp.
func clockOf(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Format("15:04")
}

// reviewTalk is a talk as the bulk talk picker sees it.
type reviewTalk struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Room     string `json:"room,omitempty"`
	Start    int64  `json:"start,omitempty"` // Unix ms
	End      int64  `json:"end,omitempty"`
	Label    string `json:"label"`
	Speakers string `json:"speakers,omitempty"` // names, for search
}

func (s *Server) handleReviewPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sched, loc, err := s.scheduleAndZone(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	list, err := s.reviews().ReviewQueue(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	v := reviewView{Flash: takeFlash(w, r), Talks: talkOptions(sched, loc), Filter: r.URL.Query().Get("reason")}
	names := map[string]string{}
	for _, sp := range sched.Speakers {
		v.Speakers = append(v.Speakers, option{ID: sp.ID, Label: sp.Name})
		names[sp.ID] = sp.Name
	}
	slices.SortFunc(v.Speakers, func(a, b option) int { return cmp.Compare(match.Fold(a.Label), match.Fold(b.Label)) })
	talks := make([]reviewTalk, 0, len(sched.Talks))
	for _, t := range sched.Talks {
		rt := reviewTalk{ID: t.ID, Title: t.Title, Room: t.Room, Label: talkLabel(t, loc)}
		if !t.Start.IsZero() {
			rt.Start, rt.End = t.Start.UnixMilli(), t.End.UnixMilli()
		}
		var sp []string
		for _, id := range t.SpeakerIDs {
			sp = append(sp, cmp.Or(names[id], id))
		}
		rt.Speakers = strings.Join(sp, ", ")
		talks = append(talks, rt)
	}
	if b, err := json.Marshal(talks); err == nil {
		v.TalkData = string(b)
	}

	rows := make([]reviewRow, 0, len(list.Items))
	for _, it := range list.Items {
		rows = append(rows, reviewRowOf(it))
	}
	all := groupReview(rows)
	counts := map[string]int{}
	var order []string
	for _, g := range all {
		if counts[g.Class] == 0 {
			order = append(order, g.Class)
		}
		counts[g.Class] += g.Total
	}
	for _, c := range order {
		v.Reasons = append(v.Reasons, reasonCount{Class: c, Count: counts[c], Href: "/review?reason=" + url.QueryEscape(c), Current: c == v.Filter})
	}
	v.AllHref = "/review"
	var groups []*reviewGroup
	for _, g := range all {
		if v.Filter == "" || g.Class == v.Filter {
			groups = append(groups, g)
			v.Total += g.Total
			for _, it := range g.Items {
				if it.IsMedia {
					v.Media++
				} else {
					v.Recs++
				}
			}
		}
	}
	v.Pages = max(1, (v.Total+reviewPageSize-1)/reviewPageSize)
	v.Page = 1
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 1 {
		v.Page = min(p, v.Pages)
	}
	v.Groups = pageOf(groups, (v.Page-1)*reviewPageSize, reviewPageSize)
	for _, g := range v.Groups {
		v.Shown += len(g.Items)
	}
	link := func(page int) string {
		q := url.Values{}
		if v.Filter != "" {
			q.Set("reason", v.Filter)
		}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		if len(q) == 0 {
			return "/review"
		}
		return "/review?" + q.Encode()
	}
	if v.Page > 1 {
		v.PrevHref = link(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextHref = link(v.Page + 1)
	}
	s.render(w, r, http.StatusOK, "review.html", s.staffPage(r, "Review", sched.Conference, v))
}

// pageOf returns the groups' items from offset on, n at most, keeping
// the groups (a group split across pages shows its part).
func pageOf(groups []*reviewGroup, offset, n int) []*reviewGroup {
	var out []*reviewGroup
	for _, g := range groups {
		if n <= 0 {
			break
		}
		if offset >= len(g.Items) {
			offset -= len(g.Items)
			continue
		}
		part := *g
		part.Items = g.Items[offset:min(len(g.Items), offset+n)]
		n -= len(part.Items)
		offset = 0
		out = append(out, &part)
	}
	return out
}

// reviewRowOf is a queue item as the page shows it.
func reviewRowOf(it ReviewItem) reviewRow {
	row := reviewRow{ReviewItem: it, PathID: url.PathEscape(it.ID), IsMedia: it.Type == reviewTypeMedia,
		IsHeadshot: it.Kind == catalog.Headshot, When: stampLabel(it.TakenAt)}
	if t, err := time.Parse(time.RFC3339, it.TakenAt); err == nil {
		row.Taken = t.UnixMilli()
	}
	row.CanTag = !row.IsMedia || it.Status == string(catalog.NeedsReview)
	for _, c := range it.Candidates {
		label := c.Name
		if label == "" {
			parts := []string{cmp.Or(c.Title, c.ID)}
			if c.Start != "" {
				parts = append(parts, stampLabel(c.Start))
			}
			if c.Room != "" {
				parts = append(parts, c.Room)
			}
			label = strings.Join(parts, " · ")
		}
		row.Choices = append(row.Choices, option{ID: c.ID, Label: label})
	}
	return row
}

// groupTitle is what a group's heading says.
func (g *reviewGroup) Title() string {
	parts := []string{g.Class}
	if g.Source != "" {
		parts = append(parts, g.Source)
	}
	if g.Span != "" {
		parts = append(parts, g.Span)
	}
	return strings.Join(parts, " · ")
}

// CountText says how many items the group has, and how many of them are
// on this page when it is split.
func (g *reviewGroup) CountText() string {
	if len(g.Items) == g.Total {
		return itemCount(g.Total)
	}
	return fmt.Sprintf("%d of %s on this page", len(g.Items), itemCount(g.Total))
}

// itemCount says "1 item" or "n items".
func itemCount(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}
