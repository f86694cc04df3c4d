package web

// Decisions in bulk and what organizers do about failed items: the use
// cases behind the review grid's selection, `confmedia review resolve
// ID...|--camera` and `confmedia media retry|delete`. No HTTP here.

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// BulkResolveRequest is api.BulkResolveRequest.
type BulkResolveRequest = api.BulkResolveRequest

// BulkResponse is api.BulkResponse.
type BulkResponse = api.BulkResponse

// BulkResult is api.BulkResult.
type BulkResult = api.BulkResult

// FailedList is api.FailedList.
type FailedList = api.FailedList

// FailedMedia is api.FailedMedia.
type FailedMedia = api.FailedMedia

// MediaIDs is api.MediaIDs.
type MediaIDs = api.MediaIDs

// maxBatch is the most items one batch decides, retries or deletes.
const maxBatch = 5000

// failedService implements api.FailedService over the server's catalog,
// bucket and queue.
type failedService struct{ *Server }

var _ api.FailedService = failedService{}

// failed returns the server's failed-items use case.
func (s *Server) failed() failedService { return failedService{s} }

// ResolveMany records one decision (exactly one of req's talk, speaker,
// untagged or hide) about each item req selects: the ids it names, or the
// photos of req.Camera that need review, taken between req.From and req.To
// (inclusive; either may be empty). Items are decided one by one as
// Resolve decides them, and one item's error (decided meanwhile, a
// headshot given a talk) is reported in its result without stopping the
// others. A talk decided for photos derives their camera's clock offset
// once per camera, from the first photo decided. It returns an Invalid
// error, deciding nothing, for a request without exactly one decision,
// with both ids and a camera or neither, with an unreadable time, or with
// more than 5000 items; a video token decides recordings only.
func (s reviewService) ResolveMany(ctx context.Context, req BulkResolveRequest) (BulkResponse, error) {
	const op = "web.ResolveMany"
	n := 0
	for _, set := range []bool{req.Talk != "", req.Speaker != "", req.Untagged, req.Hide} {
		if set {
			n++
		}
	}
	if n != 1 {
		return BulkResponse{}, catalog.E(catalog.Invalid, op, nil, "give exactly one of talk, speaker, untagged or hide")
	}
	ids, err := s.selectForReview(ctx, req)
	if err != nil {
		return BulkResponse{}, err
	}
	withMedia := roleOf(ctx) != catalog.RoleVideo
	resp := BulkResponse{Results: make([]BulkResult, 0, len(ids))}
	derived := map[string]bool{} // cameras whose offset this batch derived
	for _, id := range ids {
		item, note, err := s.resolveOne(ctx, id, req.ResolveRequest, withMedia, derived)
		addResult(&resp, id, item, err)
		if note != "" && resp.CameraNote == "" {
			resp.CameraNote = note
		}
	}
	s.Logger.Info("review decided in bulk", "items", len(ids), "done", resp.Done, "failed", resp.Failed, "by", tokenName(ctx))
	return resp, nil
}

// resolveOne decides one item of a batch. The first photo of each camera
// decided to a talk derives the camera's clock offset; the camera is then
// marked in derived.
func (s reviewService) resolveOne(ctx context.Context, id string, req ResolveRequest, withMedia bool, derived map[string]bool) (DecidedItem, string, error) {
	const op = "web.ResolveMany"
	m, rec, err := s.findItem(ctx, id, withMedia, true)
	if err != nil {
		return DecidedItem{}, "", err
	}
	if rec != nil {
		item, err := s.resolveRecording(ctx, rec, req)
		return item, "", err
	}
	if !withMedia {
		return DecidedItem{}, "", catalog.E(catalog.Forbidden, op, nil, "the video role may only decide recordings")
	}
	derive := req.Talk != "" && m.Camera != "" && !derived[m.Camera]
	item, err := s.resolveMedia(ctx, m, req, derive)
	if err == nil && derive && item.Status == string(catalog.Tagged) {
		derived[m.Camera] = true
	}
	return item, item.CameraNote, err
}

// addResult records one item's outcome in r.
func addResult(r *BulkResponse, id string, item DecidedItem, err error) {
	if err != nil {
		r.Failed++
		r.Results = append(r.Results, BulkResult{ID: id, Error: catalog.ErrorMessage(err)})
		return
	}
	r.Done++
	r.Results = append(r.Results, BulkResult{ID: id, Item: &item})
}

// selectForReview returns the ids req names, or the ids of the photos of
// req.Camera that need review in req's time range, in capture order.
func (s reviewService) selectForReview(ctx context.Context, req BulkResolveRequest) ([]string, error) {
	const op = "web.ResolveMany"
	camera := strings.TrimSpace(req.Camera)
	switch {
	case camera != "" && len(req.IDs) > 0:
		return nil, catalog.E(catalog.Invalid, op, nil, "give ids or a camera, not both")
	case camera == "" && len(req.IDs) == 0:
		return nil, catalog.E(catalog.Invalid, op, nil, "give the ids of the items to decide, or a camera")
	case camera == "" && (req.From != "" || req.To != ""):
		return nil, catalog.E(catalog.Invalid, op, nil, "a time range (from, to) selects a camera's photos: give the camera too")
	}
	if camera == "" {
		return batchIDs(op, req.IDs)
	}
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	loc := newSchedIndex(sched).loc
	from, err := parseWhen(op, "from", req.From, loc)
	if err != nil {
		return nil, err
	}
	to, err := parseWhen(op, "to", req.To, loc)
	if err != nil {
		return nil, err
	}
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Camera: camera, Status: []catalog.Status{catalog.NeedsReview}})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range items {
		if (!from.IsZero() || !to.IsZero()) && m.TakenAt.IsZero() {
			continue
		}
		if (!from.IsZero() && m.TakenAt.Before(from)) || (!to.IsZero() && m.TakenAt.After(to)) {
			continue
		}
		ids = append(ids, m.ID)
	}
	if len(ids) == 0 {
		return nil, catalog.E(catalog.NotFound, op, nil, "camera %q has no photos in review%s", camera, rangeText(req.From, req.To))
	}
	return batchIDs(op, ids)
}

// rangeText describes a time range for a message.
func rangeText(from, to string) string {
	switch {
	case from != "" && to != "":
		return " from " + from + " to " + to
	case from != "":
		return " from " + from
	case to != "":
		return " until " + to
	}
	return ""
}

// batchIDs trims ids, drops empty ones and repeats, and refuses a batch
// that is empty or larger than maxBatch.
func batchIDs(op string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	switch {
	case len(out) == 0:
		return nil, catalog.E(catalog.Invalid, op, nil, "no ids given")
	case len(out) > maxBatch:
		return nil, catalog.E(catalog.Invalid, op, nil, "%d items in one batch; at most %d", len(out), maxBatch)
	}
	return out, nil
}

// parseWhen reads a time given as RFC 3339 or as a wall time in the
// venue's zone ("2006-01-02 15:04", seconds optional, T or space); "" is
// the zero time.
func parseWhen(op, name, v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, catalog.E(catalog.Invalid, op, nil, "%s %q is not a time: give 2006-01-02 15:04 (venue time) or RFC 3339", name, v)
}

// FailedMedia lists the media items that failed, newest upload first,
// each with its reason in plain words (see plainReason).
func (s failedService) FailedMedia(ctx context.Context) (FailedList, error) {
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Status: []catalog.Status{catalog.Failed}})
	if err != nil {
		return FailedList{}, err
	}
	slices.SortStableFunc(items, func(a, b *catalog.Media) int {
		return cmp.Or(b.UploadedAt.Compare(a.UploadedAt), cmp.Compare(a.SourceName, b.SourceName))
	})
	list := FailedList{Items: make([]FailedMedia, 0, len(items))}
	for _, m := range items {
		list.Items = append(list.Items, FailedMedia{
			ID: m.ID, Kind: m.Kind, SourceName: m.SourceName, Photographer: m.Photographer,
			Reason: plainReason(m.Reason), UploadedAt: m.UploadedAt,
		})
	}
	return list, nil
}

// RetryMedia processes each failed item ids names again: the lifecycle's
// Retry (failed → pending, in a new generation), then the item is queued.
// An item that is not failed is reported in its result (Conflict) and left
// as it is. An item whose queueing fails stays pending, and the
// reconciler queues it when the queue is back; its result says so.
func (s failedService) RetryMedia(ctx context.Context, ids []string) (BulkResponse, error) {
	const op = "web.RetryMedia"
	ids, err := batchIDs(op, ids)
	if err != nil {
		return BulkResponse{}, err
	}
	resp := BulkResponse{Results: make([]BulkResult, 0, len(ids))}
	for _, id := range ids {
		item, err := s.retryOne(ctx, id)
		addResult(&resp, id, item, err)
	}
	s.Logger.Info("failed media retried", "items", len(ids), "done", resp.Done, "failed", resp.Failed, "by", tokenName(ctx))
	return resp, nil
}

func (s failedService) retryOne(ctx context.Context, id string) (DecidedItem, error) {
	const op = "web.RetryMedia"
	m, _, err := s.findItem(ctx, id, true, false)
	if err != nil {
		return DecidedItem{}, err
	}
	var changed catalog.Media
	err = s.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
		if m.Status != catalog.Failed {
			return catalog.E(catalog.Conflict, op, nil, "%s is %s, not failed: nothing to retry", m.SourceName, m.Status)
		}
		if err := catalog.Apply(m, catalog.Retry()); err != nil {
			return err
		}
		changed = *m
		return nil
	})
	if err != nil {
		return DecidedItem{}, err
	}
	s.invalidate()
	item, err := s.decidedMedia(ctx, m.ID, false)
	if err != nil {
		return DecidedItem{}, err
	}
	if err := s.enqueueMedia(ctx, &changed); err != nil {
		s.Logger.Warn("media retried, waiting for the queue", "media", m.ID, "err", err)
		item.Reason = "waiting for the queue: it is processed when the queue is back"
	}
	return item, nil
}

// DeleteMedia removes each item ids names: its catalog record, its public
// and staff renditions and its original. When one of them was public, a
// published catalog is published again without it. A deleted file can be
// uploaded again.
func (s failedService) DeleteMedia(ctx context.Context, ids []string) (BulkResponse, error) {
	const op = "web.DeleteMedia"
	ids, err := batchIDs(op, ids)
	if err != nil {
		return BulkResponse{}, err
	}
	resp := BulkResponse{Results: make([]BulkResult, 0, len(ids))}
	public := false
	for _, id := range ids {
		item, wasPublic, err := s.deleteOne(ctx, id)
		public = public || wasPublic
		addResult(&resp, id, item, err)
	}
	if public {
		if err := s.republishIfPublished(ctx); err != nil {
			return resp, err
		}
	}
	s.Logger.Info("media deleted", "items", len(ids), "done", resp.Done, "failed", resp.Failed, "by", tokenName(ctx))
	return resp, nil
}

// deleteOne deletes one item: the record first, so that nothing lists it,
// then its renditions (catalog.SyncRenditions removes those of an item
// that is gone) and its original.
func (s failedService) deleteOne(ctx context.Context, id string) (item DecidedItem, public bool, err error) {
	m, _, err := s.findItem(ctx, id, true, false)
	if err != nil {
		return DecidedItem{}, false, err
	}
	_, public = catalog.RenditionsFor(m.Status)
	if err := s.Store.DeleteMedia(ctx, m.ID); err != nil {
		return DecidedItem{}, false, err
	}
	if err := s.syncRenditions(ctx, m.ID); err != nil {
		return DecidedItem{}, public, err
	}
	if err := s.Blobs.Delete(ctx, cmp.Or(m.OriginalKey, catalog.OriginalKey(m.ID))); err != nil {
		return DecidedItem{}, public, err
	}
	s.Logger.Info("media deleted", "media", m.ID, "file", m.SourceName, "was", m.Status, "by", tokenName(ctx))
	return DecidedItem{Type: reviewTypeMedia, ID: m.ID, Kind: m.Kind, SourceName: m.SourceName, Status: "deleted",
		TalkIDs: []string{}, SpeakerIDs: []string{}}, public, nil
}

// jargon matches what failure reasons may carry for the people running
// the queue: operation names and the queue's retry notes.
var jargon = regexp.MustCompile(`\b(workers|catalog|catalogtest|sqlstore|s3store|rendition|exif|match|schedule|recording|web)\.[A-Za-z]+: |\s*\(?:?\s*skip retry for the task\)?`)

// plainReason is a failure reason without operation names and queue
// notes, with a first capital letter; "could not be processed" when
// nothing is left.
func plainReason(reason string) string {
	r := plainText(reason)
	if r == "" {
		return catalog.ReasonFailed
	}
	first := []rune(r)[0]
	return string(unicode.ToUpper(first)) + r[len(string(first)):]
}

// plainText is an error text without operation names and queue notes.
func plainText(s string) string {
	return strings.TrimRight(strings.TrimSpace(jargon.ReplaceAllString(s, "")), ":; ")
}
