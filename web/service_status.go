package web

// What the organizers' status page counts: the schedule, media by status
// and kind, recordings by state, storage and the queues. No HTTP here:
// organizer_pages.go renders it.

import (
	"cmp"
	"context"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// catalogStatus is the catalog and the queues, counted.
type catalogStatus struct {
	schedule catalog.Schedule
	loc      *time.Location
	// queue is the queues' state; queueErr, when set, why it is missing.
	queue    catalog.QueueStats
	queueErr error

	media, photos, headshots int
	byStatus                 map[catalog.Status]int
	byState                  map[catalog.RecordingState]int // a recording without a state counts as pending
	originals, renditions    int64                          // bytes stored
}

// status counts the catalog and reads the queues. A queue that cannot be
// read is logged and reported in queueErr, not as an error.
func (s *Server) status(ctx context.Context) (catalogStatus, error) {
	sched, loc, err := s.scheduleAndZone(ctx)
	if err != nil {
		return catalogStatus{}, err
	}
	media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{})
	if err != nil {
		return catalogStatus{}, err
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return catalogStatus{}, err
	}
	st := catalogStatus{schedule: sched, loc: loc, media: len(media),
		byStatus: map[catalog.Status]int{}, byState: map[catalog.RecordingState]int{}}
	if st.queue, err = s.Queue.Stats(ctx); err != nil {
		st.queueErr = err
		s.Logger.Warn("queue stats", "err", err)
	}
	for _, m := range media {
		st.byStatus[m.Status]++
		if m.Kind == catalog.Headshot {
			st.headshots++
		} else {
			st.photos++
		}
		st.originals += m.Bytes
		for _, rd := range m.Renditions {
			st.renditions += rd.Bytes
		}
	}
	for _, rec := range recs {
		st.byState[cmp.Or(rec.State, catalog.RecordingPending)]++
	}
	return st, nil
}
