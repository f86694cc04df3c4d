package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// faceMarker is a speaker id only face recognition records: no answer the
// public gets, and no published or exported document, may hold it.
const faceMarker = "zz-recognised-only"

func facesServer(t *testing.T, private bool) (*Server, http.Handler) {
	t.Helper()
	s, h := newAccessServer(t)
	addOthers(t, s)
	s.PrivateSpeakers, s.FaceRecognition = private, true
	ctx := context.Background()
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range items {
		if err := s.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
			m.Recognized = append(m.Recognized, faceMarker)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	return s, h
}

// TestRecognitionNeverPublic: what recognition found is in no public
// answer (every open route, as the public and as a photographer), in no
// published file and not in the organizers' catalog export.
func TestRecognitionNeverPublic(t *testing.T) {
	for _, private := range []bool{false, true} {
		s, h := facesServer(t, private)
		ex, more := routeExamples(t), moreExamples()
		walked := 0
		for _, rt := range s.routes() {
			if rt.roles != nil || !strings.HasPrefix(rt.pattern, "GET ") {
				continue
			}
			for _, e := range append([]example{ex[rt.pattern]}, more[rt.pattern]...) {
				for _, token := range []string{"", photoSecret} {
					walked++
					if rec := do(t, h, "GET", e.path, token, nil); strings.Contains(rec.Body.String(), faceMarker) {
						t.Errorf("GET %s (private %v, token %q) shows what face recognition found", e.path, private, token)
					}
				}
			}
		}
		if walked < 20 {
			t.Errorf("walked %d requests: want every open route", walked)
		}
		if rec := do(t, h, "GET", "/api/catalog", adminToken, nil); rec.Code != 200 || strings.Contains(rec.Body.String(), faceMarker) {
			t.Errorf("catalog export: %d, holds recognised ids %v", rec.Code, strings.Contains(rec.Body.String(), faceMarker))
		}
		keys, err := s.Blobs.List(context.Background(), catalog.PublicPrefix)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			rc, _, err := s.Blobs.Get(context.Background(), k)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if strings.Contains(string(b), faceMarker) {
				t.Errorf("published %s holds recognised ids", k)
			}
		}
	}
}

func TestPhotosOfYou(t *testing.T) {
	s, h := facesServer(t, false)
	ctx := context.Background()
	page := func(path, token string) (int, string) {
		rec := do(t, h, "GET", path, token, nil)
		if cc := rec.Header().Get("Cache-Control"); strings.HasSuffix(path, "/photos-of-you") && rec.Code == 200 && cc != "private, no-store" {
			t.Errorf("GET %s: Cache-Control %q, want private, no-store", path, cc)
		}
		return rec.Code, rec.Body.String()
	}
	if code, body := page("/speakers/ana-lima/photos-of-you", speakerSecret); code != 200 || !strings.Contains(body, mediaTagged) {
		t.Errorf("ana's photos of you: %d, lists the photo her face was found in: %v", code, strings.Contains(body, mediaTagged))
	}
	if code, body := page("/speakers/ana-lima/photos-of-you", adminToken); code != 200 || !strings.Contains(body, mediaTagged) {
		t.Errorf("ana's photos of you to an organizer: %d, lists it: %v", code, strings.Contains(body, mediaTagged))
	}
	if code, body := page("/speakers/bo-ng/photos-of-you", adminToken); code != 200 || strings.Contains(body, mediaTagged) {
		t.Errorf("bo's photos of you: %d, lists ana's photo: %v", code, strings.Contains(body, mediaTagged))
	}
	if code, _ := page("/speakers/ana-lima/photos-of-you", ""); code != http.StatusSeeOther {
		t.Errorf("ana's photos of you to the public: %d, want the login page", code)
	}
	// The speaker page links it, with recognition on only.
	if _, body := page("/speakers/ana-lima", ""); !strings.Contains(body, "/speakers/ana-lima/photos-of-you") {
		t.Error("the speaker page does not link photos of you")
	}
	// A photo taken down is not listed, at once.
	if err := catalog.Transition(ctx, s.Store, mediaTagged, catalog.Hiding("", "Org", testNow)); err != nil {
		t.Fatal(err)
	}
	if _, body := page("/speakers/ana-lima/photos-of-you", speakerSecret); strings.Contains(body, mediaTagged) {
		t.Error("a hidden photo is listed")
	}
	// Recognition off: nothing listed, no link.
	s2, h2 := facesServer(t, false)
	s2.FaceRecognition = false
	if rec := do(t, h2, "GET", "/speakers/ana-lima/photos-of-you", speakerSecret, nil); rec.Code != 200 ||
		strings.Contains(rec.Body.String(), mediaTagged) || !strings.Contains(rec.Body.String(), "recognition-off") {
		t.Errorf("recognition off: %d, lists the photo %v", rec.Code, strings.Contains(rec.Body.String(), mediaTagged))
	}
	if rec := do(t, h2, "GET", "/speakers/ana-lima", "", nil); strings.Contains(rec.Body.String(), "photos-of-you") {
		t.Error("recognition off: the speaker page links photos of you")
	}
}

// TestForgetFaces: the organizers' forget deletes every descriptor and
// every recognised speaker, and photos of you list nothing after it.
func TestForgetFaces(t *testing.T) {
	s, h := facesServer(t, false)
	ctx := context.Background()
	if err := s.Store.UpdateMedia(ctx, mediaHeadAna, func(m *catalog.Media) error {
		m.Status, m.SpeakerIDs = catalog.Tagged, []string{"ana-lima"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.PutFaceDescriptor(ctx, mediaHeadAna, "ana-lima", catalog.FaceVector{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "POST", "/api/faces/forget", adminToken, nil)
	var got struct{ Descriptors, Photos int }
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("forget: %d %s", rec.Code, rec.Body)
	}
	items, _ := s.Store.ListMedia(ctx, catalog.MediaFilter{})
	if got.Descriptors != 1 || got.Photos != len(items) {
		t.Errorf("forget deleted %d descriptors and cleared %d items, want 1 and %d", got.Descriptors, got.Photos, len(items))
	}
	if known, _ := s.Store.FaceDescriptors(ctx); len(known) != 0 {
		t.Errorf("descriptors left: %v", known)
	}
	if rec := do(t, h, "GET", "/speakers/ana-lima/photos-of-you", speakerSecret, nil); strings.Contains(rec.Body.String(), mediaTagged) {
		t.Error("photos of you still lists a photo after forget")
	}
}
