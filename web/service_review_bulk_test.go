package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

func decodeBulk(t *testing.T, a *answer) BulkResponse {
	t.Helper()
	if a.Code != http.StatusOK {
		t.Fatalf("status %d: %s", a.Code, a.Body)
	}
	var resp BulkResponse
	if err := json.Unmarshal([]byte(a.Body), &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestResolveMany: one request decides several items, reporting each; an
// item that cannot take the decision is reported and the others are
// decided all the same.
func TestResolveMany(t *testing.T) {
	s, _, h := newReviewServer(t)
	ctx := context.Background()
	resp := decodeBulk(t, postJSON(t, h, "/api/review/resolve", adminToken,
		BulkResolveRequest{IDs: []string{idNoTime, idOverlap[:8] + "x", idOverlap, idHeadshot}, ResolveRequest: ResolveRequest{Untagged: true}}))
	if resp.Done != 3 || resp.Failed != 1 || len(resp.Results) != 4 {
		t.Fatalf("got done %d failed %d results %d, want 3, 1, 4: %+v", resp.Done, resp.Failed, len(resp.Results), resp)
	}
	if resp.Results[1].Error == "" || resp.Results[1].Item != nil {
		t.Errorf("unknown id's result %+v, want an error", resp.Results[1])
	}
	for _, id := range []string{idNoTime, idOverlap, idHeadshot} {
		m, err := s.Store.Media(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != catalog.Untagged || !m.Decided || m.DecidedBy == "" {
			t.Errorf("%s: %s decided %v by %q, want untagged by a person", m.SourceName, m.Status, m.Decided, m.DecidedBy)
		}
	}

	// A talk for a headshot is refused per item; a hide of the rest
	// still happens.
	resp = decodeBulk(t, postJSON(t, h, "/api/review/resolve", adminToken,
		BulkResolveRequest{IDs: []string{idFailed, idTagged}, ResolveRequest: ResolveRequest{Hide: true}}))
	if resp.Done != 2 || resp.Failed != 0 {
		t.Errorf("hide of two: %+v", resp)
	}

	// Refused as a whole: no decision, two decisions, no selection.
	for _, req := range []BulkResolveRequest{
		{IDs: []string{idNoTime}},
		{IDs: []string{idNoTime}, ResolveRequest: ResolveRequest{Hide: true, Untagged: true}},
		{ResolveRequest: ResolveRequest{Hide: true}},
		{IDs: []string{idNoTime}, Camera: "serial:Canon:1", ResolveRequest: ResolveRequest{Hide: true}},
		{IDs: []string{idNoTime}, From: "2026-05-15 10:00", ResolveRequest: ResolveRequest{Hide: true}},
		{Camera: "serial:Canon:1", From: "yesterday", ResolveRequest: ResolveRequest{Hide: true}},
	} {
		if a := postJSON(t, h, "/api/review/resolve", adminToken, req); a.Code != http.StatusBadRequest {
			t.Errorf("%+v: status %d, want 400: %s", req, a.Code, a.Body)
		}
	}
	// A video token decides recordings only.
	resp = decodeBulk(t, postJSON(t, h, "/api/review/resolve", videoToken,
		BulkResolveRequest{IDs: []string{"rec-b", idPeople}, ResolveRequest: ResolveRequest{Untagged: true}}))
	if resp.Done != 1 || resp.Failed != 1 || resp.Results[0].Item == nil || resp.Results[1].Error == "" {
		t.Errorf("video token on a recording and a photo: %+v", resp)
	}
}

// TestResolveManyCamera: a camera and a time range select the camera's
// photos in review taken in that range, and nothing else.
func TestResolveManyCamera(t *testing.T) {
	s, _, h := newReviewServer(t)
	ctx := context.Background()
	const cam = "serial:Canon:2"
	var ids []string
	for i, hm := range [][2]int{{10, 1}, {10, 5}, {10, 20}, {11, 0}} {
		id := fmt.Sprintf("%064x", 0xc0ffee00+i)
		m := catalog.Media{ID: id, Kind: catalog.Photo, SourceName: fmt.Sprintf("c%d.jpg", i), Status: catalog.NeedsReview,
			Reason: "no room given", Camera: cam, TakenAt: dublin(hm[0], hm[1])}
		if _, err := s.Store.CreateMedia(ctx, &m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	resp := decodeBulk(t, postJSON(t, h, "/api/review/resolve", adminToken,
		BulkResolveRequest{Camera: cam, From: "2026-05-15 10:00", To: "2026-05-15T10:30", ResolveRequest: ResolveRequest{Talk: "t2"}}))
	var got []string
	for _, r := range resp.Results {
		got = append(got, r.ID)
	}
	if want := ids[:3]; !slices.Equal(got, want) || resp.Done != 3 {
		t.Errorf("decided %v (done %d), want %v", got, resp.Done, want)
	}
	for i, id := range ids {
		m, _ := s.Store.Media(ctx, id)
		want := catalog.Tagged
		if i == 3 {
			want = catalog.NeedsReview
		}
		if m.Status != want {
			t.Errorf("%s is %s, want %s", m.SourceName, m.Status, want)
		}
	}
	if a := postJSON(t, h, "/api/review/resolve", adminToken, BulkResolveRequest{Camera: "nope", ResolveRequest: ResolveRequest{Hide: true}}); a.Code != http.StatusNotFound {
		t.Errorf("unknown camera: %d, want 404", a.Code)
	}
}

// TestFailedMedia: the failed list names the file, the photographer and a
// plain reason; retry moves a failed item to pending in a new generation
// and queues it; delete removes the item, its original and renditions.
func TestFailedMedia(t *testing.T) {
	s, q, h := newReviewServer(t)
	ctx := context.Background()
	jargonID := strings.Repeat("1a", 32)
	m := catalog.Media{ID: jargonID, Kind: catalog.Photo, SourceName: "odd.heic", Photographer: "Noor", Status: catalog.Failed,
		Reason: "rendition.Decode: image: unknown format (skip retry for the task)", UploadedAt: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	if _, err := s.Store.CreateMedia(ctx, &m); err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "GET", "/api/media/failed", adminToken, nil)
	var list FailedList
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != 200 {
		t.Fatalf("failed list: %d %v %s", rec.Code, err, rec.Body)
	}
	want := []FailedMedia{
		{ID: jargonID, Kind: catalog.Photo, SourceName: "odd.heic", Photographer: "Noor", Reason: "Image: unknown format", UploadedAt: m.UploadedAt},
		{ID: idFailed, Kind: catalog.Photo, SourceName: "broken.jpg", Reason: "Image data cut short"},
	}
	if !slices.Equal(list.Items, want) {
		t.Errorf("failed list\n got %+v\nwant %+v", list.Items, want)
	}
	if rec := do(t, h, "GET", "/api/media/failed", "photo-secret", nil); rec.Code != http.StatusForbidden {
		t.Errorf("photographer reading the failed list: %d, want 403", rec.Code)
	}

	resp := decodeBulk(t, postJSON(t, h, "/api/media/retry", adminToken, MediaIDs{IDs: []string{idFailed, idTagged}}))
	if resp.Done != 1 || resp.Failed != 1 || !strings.Contains(resp.Results[1].Error, "not failed") {
		t.Errorf("retry: %+v", resp)
	}
	got, _ := s.Store.Media(ctx, idFailed)
	if got.Status != catalog.Pending || got.Generation != 1 || !slices.Contains(q.media, idFailed) {
		t.Errorf("after retry: %s generation %d, queued %v; want pending, 1, queued", got.Status, got.Generation, q.media)
	}

	// Delete a public item: its record, original and every rendition go.
	for _, key := range []string{catalog.OriginalKey(idTagged), catalog.StaffRenditionKey(idTagged, "square")} {
		if err := s.Blobs.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	resp = decodeBulk(t, postJSON(t, h, "/api/media/delete", adminToken, MediaIDs{IDs: []string{idTagged, jargonID[:10]}}))
	if resp.Done != 2 || resp.Failed != 0 {
		t.Errorf("delete: %+v", resp)
	}
	for _, id := range []string{idTagged, jargonID} {
		if _, err := s.Store.Media(ctx, id); !catalog.IsNotFound(err) {
			t.Errorf("%s after delete: %v, want NotFound", id, err)
		}
		for _, key := range []string{catalog.OriginalKey(id), catalog.RenditionKey(id, "square"), catalog.StaffRenditionKey(id, "square")} {
			if _, err := s.Blobs.Stat(ctx, key); !catalog.IsNotFound(err) {
				t.Errorf("%s after delete: %v, want NotFound", key, err)
			}
		}
	}
	if a := postJSON(t, h, "/api/media/delete", adminToken, MediaIDs{}); a.Code != http.StatusBadRequest {
		t.Errorf("delete of nothing: %d, want 400", a.Code)
	}
}

func TestPlainReason(t *testing.T) {
	tests := []struct{ in, want string }{
		{"workers.process: rendition.Decode: image data cut short (skip retry for the task)", "Image data cut short"},
		{"stopped the worker 3 times — too large or damaged?", "Stopped the worker 3 times — too large or damaged?"},
		{"", catalog.ReasonFailed},
		{"élan: skip retry for the task", "Élan"},
	}
	for _, tt := range tests {
		if got := plainReason(tt.in); got != tt.want {
			t.Errorf("plainReason(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPreviewCameraOffset: the preview lists the photos a new offset
// would re-tag, counts those it leaves and those a person decided, and
// changes nothing.
func TestPreviewCameraOffset(t *testing.T) {
	s, _, h := newReviewServer(t)
	ctx := context.Background()
	const cam = "model:Nikon:Z 6"
	wall := func(hh, mm int) catalog.CameraTime {
		return catalog.CameraTime{Wall: time.Date(2026, 5, 15, hh, mm, 0, 0, time.UTC), Source: "exif"}
	}
	// An hour slow: 09:10 and 09:20 by the camera are in t2 (Hall A,
	// 10:00–10:30) with +1h; 07:00 is before anything either way; the
	// decided one stays.
	photos := []catalog.Media{
		{ID: strings.Repeat("a1", 32), SourceName: "a.jpg", Status: catalog.Tagged, TalkIDs: []string{"t1"}, CameraTime: wall(9, 10)},
		{ID: strings.Repeat("a2", 32), SourceName: "b.jpg", Status: catalog.Tagged, TalkIDs: []string{"t1"}, CameraTime: wall(9, 20)},
		{ID: strings.Repeat("a3", 32), SourceName: "c.jpg", Status: catalog.Untagged, Reason: "no talk in Hall A at 07:00", CameraTime: wall(7, 0)},
		{ID: strings.Repeat("a4", 32), SourceName: "d.jpg", Status: catalog.Tagged, TalkIDs: []string{"t1"}, CameraTime: wall(9, 30), Decided: true, DecidedBy: "admin"},
	}
	for i := range photos {
		photos[i].Kind, photos[i].Room, photos[i].Camera = catalog.Photo, "Hall A", cam
		if _, err := s.Store.CreateMedia(ctx, &photos[i]); err != nil {
			t.Fatal(err)
		}
	}
	rec := do(t, h, "GET", "/api/cameras/"+url.PathEscape(cam)+"/preview?offset=%2B1h", adminToken, nil)
	var p OffsetPreview
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 200 {
		t.Fatalf("preview: %d %v %s", rec.Code, err, rec.Body)
	}
	var changed []string
	for _, c := range p.Changes {
		changed = append(changed, c.SourceName+":"+c.ToStatus+":"+strings.Join(c.ToTalks, ","))
	}
	if want := []string{"a.jpg:tagged:t2", "b.jpg:tagged:t2"}; !slices.Equal(changed, want) || p.Photos != 4 || p.Unchanged != 1 || p.Decided != 1 || p.Offset != "1h0m0s" {
		t.Errorf("preview of +1h: changes %v, %+v; want %v, 4 photos, 1 unchanged, 1 decided", changed, p, want)
	}
	if m, _ := s.Store.Media(ctx, photos[0].ID); m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"t1"}) {
		t.Errorf("the preview changed a.jpg: %s %v", m.Status, m.TalkIDs)
	}
	if c, err := s.Store.Camera(ctx, cam); err == nil && c.Offset != 0 {
		t.Errorf("the preview set the offset: %v", c.Offset)
	}
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/api/cameras/" + url.PathEscape(cam) + "/preview?offset=soon", 400},
		{"/api/cameras/nope/preview?offset=1h", 404},
	} {
		if rec := do(t, h, "GET", tt.path, adminToken, nil); rec.Code != tt.code {
			t.Errorf("%s: %d, want %d", tt.path, rec.Code, tt.code)
		}
	}
	if rec := do(t, h, "GET", "/api/cameras/"+url.PathEscape(cam)+"/preview?offset=1h", "photo-secret", nil); rec.Code != 403 {
		t.Errorf("a photographer previewing: %d, want 403", rec.Code)
	}
}
