package web

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

func TestSetKind(t *testing.T) {
	s, q, h := newReviewServer(t)
	ctx := context.Background()

	// The check says what the server has for a known file.
	rec := do(t, h, "POST", "/api/media/check", "photo-secret", mustJSON(t, CheckRequest{IDs: []string{idTagged}}))
	var cr CheckResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &cr); err != nil || len(cr.Items) != 1 || cr.Items[0].Kind != catalog.Photo ||
		cr.Items[0].SourceName != "keynote.jpg" || cr.Items[0].Status != "tagged" {
		t.Errorf("check = %d %s, want the tagged photo described", rec.Code, rec.Body)
	}

	tests := []struct {
		name   string
		id     string
		req    SetKindRequest
		code   int
		errHas string
	}{
		{"unknown speaker", idTagged, SetKindRequest{Kind: "headshot", Speaker: "Nobody"}, 400, "Nobody"},
		{"unknown kind", idTagged, SetKindRequest{Kind: "poster"}, 400, "unknown kind"},
		{"a speaker on a photo", idTagged, SetKindRequest{Kind: "photo", Speaker: "Jane Doe"}, 400, "only for a headshot"},
		{"still pending", idPending, SetKindRequest{Kind: "headshot"}, 409, "still being processed"},
		{"no such item", strings.Repeat("9", 64), SetKindRequest{Kind: "headshot"}, 404, ""},
		{"photographers may not", idTagged, SetKindRequest{Kind: "headshot"}, 403, ""},
	}
	for _, tt := range tests {
		token := adminToken
		if tt.code == 403 {
			token = "photo-secret"
		}
		resp := postJSON(t, h, "/api/media/"+tt.id+"/kind", token, tt.req)
		if resp.Code != tt.code || !strings.Contains(resp.Body, tt.errHas) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, resp.Code, resp.Body, tt.code, tt.errHas)
		}
	}
	if m, _ := s.Store.Media(ctx, idTagged); m.Status != catalog.Tagged || m.Kind != catalog.Photo {
		t.Fatalf("refused changes changed the item: %+v", m)
	}

	// By name, folded, with an id prefix: the published photo is
	// unpublished and queued as a headshot of Jane Doe.
	resp := postJSON(t, h, "/api/media/"+idTagged[:8]+"/kind", adminToken, SetKindRequest{Kind: "headshot", Speaker: "jane doe"})
	var got SetKindResponse
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || resp.Code != 200 {
		t.Fatalf("%d %s (%v)", resp.Code, resp.Body, err)
	}
	if got.Kind != catalog.Headshot || got.Status != "pending" || !got.Queued || !strings.Contains(got.Reason, "headshot of Jane Doe by admin") {
		t.Errorf("answer %+v", got)
	}
	m, err := s.Store.Media(ctx, idTagged)
	if err != nil || m.Kind != catalog.Headshot || m.SpeakerHint != "Jane Doe" || m.Status != catalog.Pending || m.Decided || len(m.TalkIDs) != 0 {
		t.Errorf("stored %+v (%v)", m, err)
	}
	if !slices.Contains(q.media, idTagged) {
		t.Errorf("not queued for processing: %v", q.media)
	}
	if _, err := s.Blobs.Stat(ctx, catalog.RenditionKey(idTagged, "square")); !catalog.IsNotFound(err) {
		t.Errorf("the public rendition is still there: %v", err)
	}
	// It is being processed again: no second change until it is done.
	if resp := postJSON(t, h, "/api/media/"+idTagged+"/kind", adminToken, SetKindRequest{Kind: "photo"}); resp.Code != 409 {
		t.Errorf("while pending again: %d %s, want 409", resp.Code, resp.Body)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
