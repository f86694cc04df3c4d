package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// TestUploadCredit: both upload paths credit a photographer's uploads to
// their token's name, whatever name they typed; an organizer may upload on
// someone's behalf and name them.
func TestUploadCredit(t *testing.T) {
	tests := []struct {
		name, token, typed, want string
	}{
		{"photographer typing another name", "photo-secret", "Famous Photographer", "Pat"},
		{"photographer typing nothing", "photo-secret", "", "Pat"},
		{"organizer on someone's behalf", adminToken, "  Lee   Visitor ", "Lee Visitor"},
	}
	for i, tt := range tests {
		photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:1" + string(rune('0'+i)) + ":00"})

		// The API the CLI uses: PUT /api/media/{id}?photographer=.
		s, _, h := newTestServer(t)
		q := url.Values{"name": {"a.jpg"}, "photographer": {tt.typed}}
		if rec := do(t, h, "PUT", "/api/media/"+id(photo)+"?"+q.Encode(), tt.token, photo); rec.Code != http.StatusCreated {
			t.Fatalf("%s: PUT: %d %s", tt.name, rec.Code, rec.Body)
		}
		checkCredit(t, s, tt.name+" (API)", id(photo), tt.want)

		// The upload page, straight to the bucket.
		s, _, p, h := newUploadServer(t, true)
		req := uploadReq(photo, "a.jpg")
		req.UploadSettings = UploadSettings{Kind: catalog.Photo, Room: "Liffey Hall 1", Photographer: tt.typed}
		var plan UploadPlan
		uploadPost(t, h, "/api/uploads", tt.token, req).decode(t, &plan)
		if code := p.send(t, plan.URL, plan.Header, photo); code != http.StatusOK {
			t.Fatalf("%s: send: %d", tt.name, code)
		}
		if rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", tt.token, req); rec.Code != http.StatusCreated {
			t.Fatalf("%s: complete: %d %s", tt.name, rec.Code, rec.Body)
		}
		checkCredit(t, s, tt.name+" (upload page)", req.ID, tt.want)
	}
}

func checkCredit(t *testing.T, s *Server, what, id, want string) {
	t.Helper()
	m, err := s.Store.Media(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if m.Photographer != want {
		t.Errorf("%s: credited to %q, want %q", what, m.Photographer, want)
	}
}
