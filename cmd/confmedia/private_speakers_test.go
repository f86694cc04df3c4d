package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// TestPrivateSpeakersEndToEnd runs `confmedia dev` with
// CONFMEDIA_PRIVATE_SPEAKERS=true: the public gets no speaker page, JSON or
// headshot, publish writes no speaker files and no headshots, and a
// speaker link made by name opens its own speaker's page and downloads and
// no other's.
func TestPrivateSpeakersEndToEnd(t *testing.T) {
	in := startDevEnv(t, t.TempDir(), map[string]string{"CONFMEDIA_PRIVATE_SPEAKERS": "true"})
	dir := t.TempDir()
	sched := filepath.Join(dir, "schedule.csv")
	writeFile(t, sched, []byte(testSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", sched)
	heads := filepath.Join(dir, "heads")
	writeFile(t, filepath.Join(heads, "zoe-muller.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 600, Height: 750}))
	writeFile(t, filepath.Join(heads, "jane-doe.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 610, Height: 750}))
	in.mustCLI("upload", "--kind", "headshot", heads)
	in.mustCLI("wait", "--timeout", "2m")
	in.mustCLI("publish")

	doc := in.export()
	ids, headshot := map[string]string{}, map[string]string{}
	for _, sp := range doc.Speakers {
		ids[sp.Name] = sp.ID
		if len(sp.HeadshotIDs) > 0 {
			headshot[sp.Name] = sp.HeadshotIDs[0]
		}
	}
	zoe, jane := ids["Zoë Müller"], ids["Jane Doe"]
	if zoe == "" || jane == "" || headshot["Zoë Müller"] == "" || headshot["Jane Doe"] == "" {
		t.Fatalf("speakers %v with headshots %v: want Zoë Müller's and Jane Doe's", ids, headshot)
	}
	adminTok, err := os.ReadFile(filepath.Join(in.env["CONFMEDIA_DATA"], "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", in.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			return 0, "login"
		}
		return resp.StatusCode, string(b)
	}

	// The public.
	for _, path := range []string{"/speakers/" + zoe, "/speakers/" + zoe + "/photos.zip", "/download/" + headshot["Zoë Müller"] + "/square"} {
		if code, body := get(path, ""); body != "login" {
			t.Errorf("anonymous GET %s: %d, want the login page", path, code)
		}
	}
	for _, path := range []string{"/api/speakers/" + zoe, "/public/speakers/" + zoe + ".json"} {
		if code, _ := get(path, ""); code != http.StatusUnauthorized {
			t.Errorf("anonymous GET %s: %d, want 401", path, code)
		}
	}
	for _, path := range []string{"/speakers", "/upload", "/api/schedule", "/public/catalog.json", "/talks/t1", "/api/talks/t1"} {
		code, body := get(path, "")
		if code != http.StatusOK {
			t.Errorf("anonymous GET %s: %d", path, code)
		}
		for _, h := range headshot {
			if strings.Contains(body, h) {
				t.Errorf("anonymous GET %s shows a headshot", path)
			}
		}
		if (path == "/speakers" || path == "/upload") && strings.Contains(body, "Jane Doe") {
			t.Errorf("anonymous GET %s lists speakers", path)
		}
	}
	// publish wrote no speaker files.
	if code, _ := get("/public/speakers/"+zoe+".json", strings.TrimSpace(string(adminTok))); code != http.StatusNotFound {
		t.Errorf("the organizer's GET of Zoë's published JSON: %d, want 404 (never written)", code)
	}

	// Zoë's link, made by her name as the schedule spells it, folded.
	out := in.mustCLI("token", "create", "--role", "speaker", "--name", "Zoë", "--speaker", "zoe muller", "--json")
	var created web.TokenCreated
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.SpeakerID != zoe {
		t.Fatalf("token create: %v %s, want Zoë's", err, out)
	}
	for path, want := range map[string]int{
		"/speakers/" + zoe:     http.StatusOK,
		"/api/speakers/" + zoe: http.StatusOK,
		"/download/" + headshot["Zoë Müller"] + "/square": http.StatusOK,
		"/speakers/" + jane:                             http.StatusForbidden,
		"/api/speakers/" + jane:                         http.StatusForbidden,
		"/download/" + headshot["Jane Doe"] + "/square": http.StatusForbidden,
	} {
		if code, _ := get(path, created.Token); code != want {
			t.Errorf("GET %s with Zoë's link: %d, want %d", path, code, want)
		}
	}
}
