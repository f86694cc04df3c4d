package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

var errRedisDown = catalog.E(catalog.Unavailable, "test", nil, "redis does not answer")

func decodeUpload(t *testing.T, body []byte) UploadResponse {
	t.Helper()
	var got UploadResponse
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return got
}

// An upload while the queue is away is stored and recorded, and answered
// as such, not as an error; the same file later is queued once the queue is
// back.
func TestUploadWhileQueueDown(t *testing.T) {
	s, q, h := newTestServer(t)
	ctx := context.Background()
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	path := "/api/media/" + id(photo) + "?name=a.jpg"

	q.enqueErr = errRedisDown
	rec := do(t, h, "PUT", path, "photo-secret", photo)
	if got, want := rec.Code, http.StatusAccepted; got != want {
		t.Fatalf("upload with the queue down = %d %s, want %d", got, rec.Body, want)
	}
	if got, want := decodeUpload(t, rec.Body.Bytes()), (UploadResponse{ID: id(photo), Status: UploadStored, Queued: false}); got != want {
		t.Errorf("answer = %+v, want %+v", got, want)
	}
	m, err := s.Store.Media(ctx, id(photo))
	if err != nil {
		t.Fatalf("item not recorded: %v", err)
	}
	if m.Status != catalog.Pending || m.SourceName != "a.jpg" {
		t.Errorf("item = %s %q, want pending a.jpg", m.Status, m.SourceName)
	}
	if _, err := s.Blobs.Stat(ctx, catalog.OriginalKey(m.ID)); err != nil {
		t.Errorf("original not stored: %v", err)
	}

	// The check still answers, naming the stored item.
	body, _ := json.Marshal(CheckRequest{IDs: []string{id(photo)}})
	rec = do(t, h, "POST", "/api/media/check", "photo-secret", body)
	var cr CheckResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &cr) != nil || !slices.Equal(cr.Known, []string{id(photo)}) {
		t.Errorf("check with the queue down = %d %s, want 200 knowing the item", rec.Code, rec.Body)
	}

	// A retry while the queue is still down: a duplicate, still waiting.
	rec = do(t, h, "PUT", path, "photo-secret", photo)
	if got, want := decodeUpload(t, rec.Body.Bytes()), (UploadResponse{ID: id(photo), Status: UploadDuplicate, Queued: false}); rec.Code != 200 || !sameUpload(got, want) {
		t.Errorf("retry with the queue down = %d %+v, want 200 %+v", rec.Code, got, want)
	}

	// The queue is back: the same file is queued.
	q.enqueErr = nil
	rec = do(t, h, "PUT", path, "photo-secret", photo)
	if got, want := decodeUpload(t, rec.Body.Bytes()), (UploadResponse{ID: id(photo), Status: UploadDuplicate, Queued: true}); rec.Code != 200 || !sameUpload(got, want) {
		t.Errorf("retry with the queue back = %d %+v, want 200 %+v", rec.Code, got, want)
	}
	if got, want := q.media, []string{id(photo)}; !slices.Equal(got, want) {
		t.Errorf("queued %v, want %v", got, want)
	}

	// A new file with the queue up is created and queued.
	other := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:11:00"})
	rec = do(t, h, "PUT", "/api/media/"+id(other)+"?name=b.jpg", "photo-secret", other)
	if got, want := decodeUpload(t, rec.Body.Bytes()), (UploadResponse{ID: id(other), Status: UploadCreated, Queued: true}); rec.Code != 201 || got != want {
		t.Errorf("upload with the queue up = %d %+v, want 201 %+v", rec.Code, got, want)
	}
}

// The browser's direct upload ends the same way while the queue is away.
func TestCompleteWhileQueueDown(t *testing.T) {
	s, q, p, h := newUploadServer(t, true)
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	req := uploadReq(photo, "IMG_0001.JPG")
	var plan UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req).decode(t, &plan)
	if code := p.send(t, plan.URL, plan.Header, photo); code != http.StatusOK {
		t.Fatalf("send = %d", code)
	}
	q.enqueErr = errRedisDown
	rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("complete with the queue down = %d %s, want 202", rec.Code, rec.Body)
	}
	if got, want := decodeUpload(t, rec.Body), (UploadResponse{ID: req.ID, Status: UploadStored, Queued: false}); got != want {
		t.Errorf("answer = %+v, want %+v", got, want)
	}
	if m, err := s.Store.Media(context.Background(), req.ID); err != nil || m.Status != catalog.Pending {
		t.Errorf("item = %v, %v; want it recorded, pending", m, err)
	}
	q.enqueErr = nil
	rec = uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
	if got, want := decodeUpload(t, rec.Body), (UploadResponse{ID: req.ID, Status: UploadDuplicate, Queued: true}); got != want {
		t.Errorf("complete again with the queue back = %+v, want %+v", got, want)
	}
}

// downQueue is a fakeQueue whose stats are given, or unavailable.
type downQueue struct {
	fakeQueue
	stats catalog.QueueStats
	err   error
}

func (q *downQueue) Stats(context.Context) (catalog.QueueStats, error) { return q.stats, q.err }

func TestQueueState(t *testing.T) {
	s, _, h := newTestServer(t)
	ctx := context.Background()
	hex := func(c string) string { return strings.Repeat(c, 64) }
	for _, m := range []*catalog.Media{
		{ID: hex("a"), Kind: catalog.Photo, SourceName: "waiting.jpg", Status: catalog.Pending},
		{ID: hex("b"), Kind: catalog.Photo, SourceName: "broken.jpg", Status: catalog.Failed, Reason: "broken.jpg: not a JPEG"},
		{ID: hex("c"), Kind: catalog.Photo, SourceName: "done.jpg", Status: catalog.Tagged},
		{ID: hex("d"), Kind: catalog.Headshot, SourceName: "gaveup.png", Status: catalog.Pending, Photographer: "Pat"},
		{ID: hex("e"), Kind: catalog.Photo, SourceName: "also-waiting.jpg", Status: catalog.Pending, Photographer: "Pat"},
	} {
		m.Generation = 1
		if _, err := s.Store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Store.PutRecording(ctx, &catalog.Recording{ID: "rec1", URL: "https://video.test/1", Title: "Keynote"}); err != nil {
		t.Fatal(err)
	}
	archived := catalog.QueueStats{Pending: 1, Archived: 1,
		Failed: []catalog.FailedTask{{Type: "media:process", Subject: hex("d"), Error: "stopped the worker 3 times"},
			{Type: "media:process", Subject: hex("b"), Error: "not a JPEG"}}}
	ownArchived := archived
	ownArchived.Failed = archived.Failed[:1]
	failedBroken := FailedItem{Kind: "photo", ID: hex("b"), File: "broken.jpg", Reason: "broken.jpg: not a JPEG"}
	failedGaveUp := FailedItem{Kind: "headshot", ID: hex("d"), File: "gaveup.png", Reason: "stopped the worker 3 times"}

	tests := []struct {
		name     string
		token    string
		queue    *downQueue
		wantDown bool
		wantDone bool
		want     QueueResponse
	}{
		{"queue up", adminToken, &downQueue{stats: archived}, false, false, QueueResponse{
			QueueStats: archived, PendingMedia: 2, PendingRecordings: 1, Ended: []FailedItem{failedBroken, failedGaveUp}}},
		{"queue down", adminToken, &downQueue{err: errRedisDown}, true, false, QueueResponse{
			QueueDown: "redis does not answer", PendingMedia: 3, PendingRecordings: 1, Ended: []FailedItem{failedBroken}}},
		// A photographer sees their own uploads only: not broken.jpg (no
		// one's) nor the recording.
		{"photographer, queue up", "photo-secret", &downQueue{stats: archived}, false, false, QueueResponse{
			QueueStats: ownArchived, PendingMedia: 1, Ended: []FailedItem{failedGaveUp}}},
		{"photographer, queue down", "photo-secret", &downQueue{err: errRedisDown}, true, false, QueueResponse{
			QueueDown: "redis does not answer", PendingMedia: 2, Ended: []FailedItem{}}},
	}
	for _, tt := range tests {
		s.Queue = tt.queue
		rec := do(t, h, "GET", "/api/queue", tt.token, nil)
		if rec.Code != 200 {
			t.Fatalf("%s: /api/queue = %d %s", tt.name, rec.Code, rec.Body)
		}
		var got QueueResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.QueueDown != tt.want.QueueDown || got.Pending != tt.want.Pending || got.PendingMedia != tt.want.PendingMedia ||
			got.PendingRecordings != tt.want.PendingRecordings || !slices.Equal(got.Ended, tt.want.Ended) {
			t.Errorf("%s: got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if !slices.EqualFunc(got.Failed, tt.want.Failed, func(a, b catalog.FailedTask) bool { return a.Subject == b.Subject }) {
			t.Errorf("%s: failed tasks %+v, want %+v", tt.name, got.Failed, tt.want.Failed)
		}
		if got.Done() != tt.wantDone {
			t.Errorf("%s: Done() = %v, want %v", tt.name, got.Done(), tt.wantDone)
		}
	}

	// A queue whose stats cannot be read for another reason is an error.
	s.Queue = &downQueue{err: catalog.E(catalog.Other, "test", nil, "boom")}
	if rec := do(t, h, "GET", "/api/queue", "photo-secret", nil); rec.Code != http.StatusInternalServerError {
		t.Errorf("stats error = %d %s, want 500", rec.Code, rec.Body)
	}
}

func TestQueueResponseDone(t *testing.T) {
	tests := []struct {
		name string
		in   QueueResponse
		want bool
	}{
		{"idle", QueueResponse{}, true},
		{"failed items only", QueueResponse{Ended: []FailedItem{{File: "x.jpg"}}}, true},
		{"tasks queued", QueueResponse{QueueStats: catalog.QueueStats{Pending: 1}}, false},
		{"retrying", QueueResponse{QueueStats: catalog.QueueStats{Retry: 1}}, false},
		{"items waiting for the queue", QueueResponse{PendingMedia: 1}, false},
		{"recordings pending", QueueResponse{PendingRecordings: 1}, false},
		{"queue down", QueueResponse{QueueDown: "redis does not answer"}, false},
	}
	for _, tt := range tests {
		if got := tt.in.Done(); got != tt.want {
			t.Errorf("%s: Done() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// sameUpload compares two upload answers but for what the server had.
func sameUpload(a, b UploadResponse) bool {
	a.Existing, b.Existing = nil, nil
	return a == b
}
