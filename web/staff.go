package web

// What the staff pages (the organizers' and the video team's) share: the
// page frame, the form ending, the venue's times and the talk picker.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// staffPage is the page struct of an organizer or video team page.
func (s *Server) staffPage(r *http.Request, title string, conf catalog.Conference, data any) page {
	return page{
		Title: title, Conference: catalog.DocConference{Title: conf.Title, Timezone: conf.Timezone},
		Role: roleOf(r.Context()), CSRF: s.csrfToken(r), Data: data,
	}
}

// done ends a form: the message for the next page, and a redirect to to.
func (s *Server) done(w http.ResponseWriter, r *http.Request, to string, err error, format string, args ...any) {
	if err != nil {
		noteError(r.Context(), err)
		msg := catalog.ErrorMessage(err)
		if k := catalog.ErrorKind(err); k == catalog.Other {
			s.Logger.ErrorContext(r.Context(), "form failed", "path", r.URL.Path, "err", err)
			msg = "internal error"
		}
		setFlash(w, r, true, "%s", msg)
	} else {
		setFlash(w, r, false, format, args...)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// venue formats t for people at the venue: "Fri 15 May 09:10".
func venue(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("Mon 2 Jan 15:04")
}

// stampLabel formats an RFC 3339 stamp as venue does, or returns it as it
// is.
func stampLabel(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Format("Mon 2 Jan 15:04")
}

// humanBytes formats n as "1.5 GiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// option is one choice in a talk or speaker picker.
type option struct {
	ID    string
	Label string
}

// talkOptions lists the schedule's talks for a picker, in schedule order.
func talkOptions(sched catalog.Schedule, loc *time.Location) []option {
	out := make([]option, 0, len(sched.Talks))
	for _, t := range sched.Talks {
		out = append(out, option{ID: t.ID, Label: talkLabel(t, loc)})
	}
	return out
}

func talkLabel(t catalog.Talk, loc *time.Location) string {
	parts := []string{t.Title}
	if w := venue(loc, t.Start); w != "" {
		parts = append(parts, w)
	}
	if t.Room != "" {
		parts = append(parts, t.Room)
	}
	return strings.Join(parts, " · ")
}

func (s *Server) scheduleAndZone(ctx context.Context) (catalog.Schedule, *time.Location, error) {
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return sched, nil, err
	}
	loc, err := sched.Conference.Location()
	if err != nil {
		loc = time.UTC
	}
	return sched, loc, nil
}
