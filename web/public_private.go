package web

// Private speakers: with Server.PrivateSpeakers, what those who are
// neither an organizer nor the speaker see. The route table's rules
// (ownSpeaker, ownHeadshot, ownPublicFile) keep the speaker pages, their
// zips, headshots and JSON for the speaker's own token and the organizers;
// everything else public shows speakers' names and ids only.

import (
	"context"
	"net/http"
	"sync"

	"github.com/confmedia/confmedia/catalog"
)

// openCache holds the outsiders' view of the last public index.
type openCache struct {
	mu   sync.Mutex
	from *catalog.Index // the public index it was made from
	idx  *catalog.Index
}

// openIndex returns the public view as anyone may see it: the public
// index, or with PrivateSpeakers its copy without speaker pages (see
// catalog.WithoutSpeakerPages). Pages and JSON that anyone may read (the
// home page, the schedule, talks) read this one.
func (s *Server) openIndex(ctx context.Context) (*catalog.Index, error) {
	idx, err := s.publicIndex(ctx)
	if err != nil || !s.PrivateSpeakers {
		return idx, err
	}
	s.open.mu.Lock()
	defer s.open.mu.Unlock()
	if s.open.from != idx {
		doc := catalog.WithoutSpeakerPages(*idx.Doc)
		s.open.from, s.open.idx = idx, catalog.NewIndex(&doc)
	}
	return s.open.idx, nil
}

// openDocument returns doc as anyone may see it: doc, or with
// PrivateSpeakers its copy without speaker pages.
func (s *Server) openDocument(doc catalog.Document) catalog.Document {
	if !s.PrivateSpeakers {
		return doc
	}
	return catalog.WithoutSpeakerPages(doc)
}

// listedSpeakers returns the speakers of doc the caller may see listed:
// everyone without PrivateSpeakers; with it, every speaker for the
// organizers, their own for a speaker token, and none for the others.
func (s *Server) listedSpeakers(ctx context.Context, doc *catalog.Document) []catalog.DocSpeaker {
	if !s.PrivateSpeakers {
		return doc.Speakers
	}
	id := identityOf(ctx)
	var out []catalog.DocSpeaker
	for _, sp := range doc.Speakers {
		if staff(id.Role) || (id.Role == catalog.RoleSpeaker && id.SpeakerID != "" && sp.ID == id.SpeakerID) {
			out = append(out, sp)
		}
	}
	return out
}

// privateWriter keeps a response out of shared caches: whatever the
// handler says, Cache-Control is "private, no-store".
type privateWriter struct {
	http.ResponseWriter
	done bool
}

func (w *privateWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		w.Header().Set("Cache-Control", "private, no-store")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *privateWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *privateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
