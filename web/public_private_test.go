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

// privateServer is the access fixture with addOthers and speaker pages
// private.
func privateServer(t *testing.T) (*Server, http.Handler) {
	t.Helper()
	s, h := newAccessServer(t)
	addOthers(t, s)
	s.PrivateSpeakers = true
	return s, h
}

// speakerNames are the fixture's speakers' names.
var speakerNames = []string{"Ana Lima", "Bo Ng"}

// TestPrivateSpeakersObserved checks each thing issue 9 saw
// CONFMEDIA_PRIVATE_SPEAKERS=true fail to hide.
func TestPrivateSpeakersObserved(t *testing.T) {
	s, h := privateServer(t)
	ctx := context.Background()

	t.Run("speaker list", func(t *testing.T) {
		for _, tt := range []struct {
			token     string
			shows     []string
			hides     []string
			whoseList string
		}{
			{"", nil, speakerNames, "anonymous"},
			{photoSecret, nil, speakerNames, "a photographer"},
			{videoSecret, nil, speakerNames, "the video team"},
			{speakerSecret, []string{"Ana Lima"}, []string{"Bo Ng"}, "Ana's link"},
			{adminToken, speakerNames, nil, "an organizer"},
		} {
			rec := do(t, h, "GET", "/speakers", tt.token, nil)
			if rec.Code != 200 {
				t.Errorf("/speakers as %s: %d", tt.whoseList, rec.Code)
			}
			for _, n := range tt.shows {
				if !strings.Contains(rec.Body.String(), n) {
					t.Errorf("/speakers as %s does not list %s", tt.whoseList, n)
				}
			}
			for _, n := range tt.hides {
				if strings.Contains(rec.Body.String(), n) {
					t.Errorf("/speakers as %s lists %s", tt.whoseList, n)
				}
			}
		}
	})

	t.Run("speaker pages, zips and JSON", func(t *testing.T) {
		for _, tt := range []struct{ path, want string }{
			{"/speakers/ana-lima", "login"},
			{"/speakers/ana-lima/photos.zip", "login"},
			{"/api/speakers/ana-lima", "401"},
			{"/download/" + mediaHeadAna + "/square", "login"},
			{"/public/speakers/ana-lima.json", "401"},
			{"/public/media/" + mediaHeadAna + "/square.jpg", "401"},
		} {
			if got := outcome(do(t, h, "GET", tt.path, "", nil)); got != tt.want {
				t.Errorf("anonymous GET %s: %s, want %s", tt.path, got, tt.want)
			}
			// Ana's own link opens them; it is answered privately.
			rec := do(t, h, "GET", tt.path, speakerSecret, nil)
			if rec.Code != 200 || rec.Header().Get("Cache-Control") != "private, no-store" {
				t.Errorf("GET %s with Ana's link: %d, Cache-Control %q; want 200, private", tt.path, rec.Code, rec.Header().Get("Cache-Control"))
			}
		}
		// A speaker link made for Ana opens Ana's page and not Bo's.
		created, err := s.tokens().CreateToken(ctx, TokenRequest{Role: catalog.RoleSpeaker, Name: "Ana", Speaker: "ana lima", Expires: "never"})
		if err != nil {
			t.Fatal(err)
		}
		if rec := do(t, h, "GET", "/speakers/ana-lima", created.Token, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Ana Lima") {
			t.Errorf("Ana's new link on her page: %d", rec.Code)
		}
		if rec := do(t, h, "GET", "/speakers/bo-ng", created.Token, nil); rec.Code != 403 {
			t.Errorf("Ana's new link on Bo's page: %d, want 403", rec.Code)
		}
	})

	t.Run("schedule JSON", func(t *testing.T) {
		rec := do(t, h, "GET", "/api/schedule", "", nil)
		var got struct {
			Speakers []map[string]any `json:"speakers"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
			t.Fatalf("/api/schedule: %d %v", rec.Code, err)
		}
		checkNamesOnly(t, "/api/schedule", got.Speakers)
		checkNoHeadshots(t, "/api/schedule", rec.Body.String())
	})

	t.Run("publish", func(t *testing.T) {
		if rec := do(t, h, "POST", "/api/publish", adminToken, nil); rec.Code != 200 {
			t.Fatalf("publish: %d %s", rec.Code, rec.Body)
		}
		keys, err := s.Blobs.List(ctx, catalog.PublicPrefix+"speakers/")
		if err != nil || len(keys) != 0 {
			t.Errorf("after publish the bucket holds speaker files %v (%v): want none, the old ones removed", keys, err)
		}
		checkBucket(t, s)
	})

	t.Run("upload page", func(t *testing.T) {
		body := do(t, h, "GET", "/upload", "", nil).Body.String()
		for _, n := range speakerNames {
			if strings.Contains(body, n) {
				t.Errorf("the anonymous upload page names %s", n)
			}
		}
		if body := do(t, h, "GET", "/upload", photoSecret, nil).Body.String(); !strings.Contains(body, "Ana Lima") {
			t.Errorf("the photographer's upload page does not offer the speakers")
		}
	})
}

// checkNamesOnly fails unless every speaker carries an id and a name and
// nothing else (empty lists aside).
func checkNamesOnly(t *testing.T, where string, speakers []map[string]any) {
	t.Helper()
	if len(speakers) != len(speakerNames) {
		t.Errorf("%s: %d speakers, want the schedule's %d, by name and id", where, len(speakers), len(speakerNames))
	}
	for _, sp := range speakers {
		for k, v := range sp {
			switch k {
			case "id", "name":
				continue
			}
			if l, ok := v.([]any); ok && len(l) == 0 {
				continue
			}
			t.Errorf("%s: speaker %v carries %s = %v: want names and ids only", where, sp["id"], k, v)
		}
	}
}

// checkNoHeadshots fails when body names a headshot.
func checkNoHeadshots(t *testing.T, where, body string) {
	t.Helper()
	for _, id := range []string{mediaHeadAna, mediaHeadBo} {
		if strings.Contains(body, id) {
			t.Errorf("%s names headshot %s…", where, id[:8])
		}
	}
}

// checkBucket fails when the bucket's published JSON carries more of the
// speakers than their names and ids.
func checkBucket(t *testing.T, s *Server) {
	t.Helper()
	ctx := context.Background()
	keys, err := s.Blobs.List(ctx, catalog.PublicPrefix)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range keys {
		if !strings.HasSuffix(k, ".json") {
			continue
		}
		rc, _, err := s.Blobs.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if k == "public/x.json" {
			continue // the fixture's own blob
		}
		n++
		checkNoHeadshots(t, k, string(b))
		var doc struct {
			Speakers []map[string]any `json:"speakers"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("%s: %v", k, err)
		}
		if k == catalog.CatalogKey {
			checkNamesOnly(t, k, doc.Speakers)
		}
	}
	if n == 0 {
		t.Errorf("nothing published to check")
	}
}

// TestOutsiderLearnsNothing walks every GET route anyone may call, as
// the public with only the public URL, and the published bucket: with
// speaker pages private none shows a headshot, a speaker's page or a list
// of speakers beyond the names and ids the schedule carries.
func TestOutsiderLearnsNothing(t *testing.T) {
	s, h := privateServer(t)
	if _, err := s.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	ex, more := routeExamples(t), moreExamples()
	walked := 0
	for _, rt := range s.routes() {
		if rt.roles != nil || !strings.HasPrefix(rt.pattern, "GET ") {
			continue
		}
		for _, e := range append([]example{ex[rt.pattern]}, more[rt.pattern]...) {
			walked++
			rec := do(t, h, "GET", e.path, "", nil)
			where := "GET " + e.path
			if rec.Code < 300 { // a redirect's body repeats the path asked for
				checkNoHeadshots(t, where, rec.Body.String())
			}
			if e.of != "" && rt.own != ownCamera {
				if got := outcome(rec); got != "login" && got != "401" {
					t.Errorf("%s: %s, want it refused to the public", where, got)
				}
			}
			if e.path == "/speakers" || strings.HasPrefix(e.path, "/speakers?") || e.path == "/upload" {
				for _, n := range speakerNames {
					if strings.Contains(rec.Body.String(), n) {
						t.Errorf("%s lists %s", where, n)
					}
				}
			}
			if strings.HasPrefix(e.path, "/public/speakers/") && rec.Code == 200 {
				t.Errorf("%s: a speaker's JSON served to the public", where)
			}
			if e.path == "/api/schedule" {
				var doc struct {
					Speakers []map[string]any `json:"speakers"`
				}
				_ = json.Unmarshal(rec.Body.Bytes(), &doc)
				checkNamesOnly(t, where, doc.Speakers)
			}
		}
	}
	if walked < 20 {
		t.Errorf("walked %d public GET requests: want every public route", walked)
	}
	checkBucket(t, s)
}
