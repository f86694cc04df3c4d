package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/web"
)

// facesSchedule has one panel of three speakers in Ballroom A.
const facesSchedule = `id,title,room,start,end,speakers
p1,Faces Panel,Ballroom A,2026-05-15 09:00,2026-05-15 10:00,Barack Obama;Joe Biden;Grace Hopper
`

// TestFaceRecognitionEndToEnd runs `confmedia dev` with
// CONFMEDIA_FACE_RECOGNITION=true and the face models built in: with the
// headshots of the panel's three speakers uploaded, a photo of the panel
// showing two of them is tagged with exactly those two, and it is among
// the photos of you of one of them (signed in with his speaker link) and
// not of the third.
func TestFaceRecognitionEndToEnd(t *testing.T) {
	if raceDetector {
		// About a minute under the race detector (ten seconds without).
		t.Skip("real photos through the face nets: slow under the race detector; run without -race")
	}
	var missing []string
	read := func(name string) []byte {
		b, why := sharedFace(name)
		if why != "" {
			missing = append(missing, why)
		}
		return b
	}
	heads := map[string][]byte{"barack-obama.jpg": read("obama.jpg"), "joe-biden.jpg": read("biden2.jpg"), "grace-hopper.jpg": read("grace_hopper.jpg")}
	panelJPEG := read("two_people.jpg")
	if len(missing) > 0 {
		t.Skipf("%s absent: the shared face photos are not here", strings.Join(missing, ", "))
	}
	in := startFacesDev(t, heads, panelJPEG)
	doc := in.export()
	ids := map[string]string{}
	for _, sp := range doc.Speakers {
		ids[sp.Name] = sp.ID
	}
	obama, biden, hopper := ids["Barack Obama"], ids["Joe Biden"], ids["Grace Hopper"]
	byName := mediaBySource(doc)
	for _, h := range []string{"barack-obama.jpg", "joe-biden.jpg", "grace-hopper.jpg"} {
		if m := byName[h]; m.Status != catalog.Tagged || len(m.SpeakerIDs) != 1 {
			t.Errorf("headshot %s: %s speakers %v, want tagged with its speaker", h, m.Status, m.SpeakerIDs)
		}
	}
	panel := byName["panel.jpg"]
	want := []string{obama, biden}
	slices.Sort(want)
	got := slices.Clone(panel.SpeakerIDs)
	slices.Sort(got)
	if panel.Status != catalog.Tagged || !slices.Equal(panel.TalkIDs, []string{"p1"}) || !slices.Equal(got, want) {
		t.Fatalf("panel.jpg: %s (%s) talks %v speakers %v, want tagged p1 with %v", panel.Status, panel.Reason, panel.TalkIDs, panel.SpeakerIDs, want)
	}
	if raw := in.mustCLI("catalog", "export"); strings.Contains(raw, "recognized") || strings.Contains(raw, "descriptor") {
		t.Error("the exported catalog speaks of recognition")
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", in.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	link := func(name string) string {
		t.Helper()
		return speakerToken(t, in, name).Token
	}
	if code, body := get("/speakers/"+obama+"/photos-of-you", link("Barack Obama")); code != http.StatusOK || !strings.Contains(body, panel.ID) {
		t.Errorf("Obama's photos of you: %d, want 200 listing panel.jpg (%s):\n%s", code, panel.ID, body)
	}
	if code, body := get("/speakers/"+hopper+"/photos-of-you", link("Grace Hopper")); code != http.StatusOK || strings.Contains(body, panel.ID) {
		t.Errorf("Grace Hopper's photos of you: %d, want 200 without panel.jpg (%s)", code, panel.ID)
	}
}

// sharedFace returns photos/faces/NAME of the shared data, or, when it is
// not there, why not: the path that is missing.
func sharedFace(name string) ([]byte, string) {
	p, ok := catalogtest.SharedDataPath("photos", "faces", name)
	if !ok {
		if p == "" {
			return nil, "photos/faces/" + name + " of the shared data (" + catalogtest.SharedDataEnv + " names its folder)"
		}
		return nil, p
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Sprintf("%s (%v)", p, err)
	}
	return b, ""
}

// startFacesDev runs `confmedia dev` with face recognition on, imports
// facesSchedule, uploads heads (file name: JPEG) as headshots and, once
// their faces are known, panel as a photo taken in Ballroom A during the
// panel, waits for the workers and publishes. It skips when the face
// models are not built in.
func startFacesDev(t *testing.T, heads map[string][]byte, panel []byte) *instance {
	t.Helper()
	if _, err := face.Load(); err != nil {
		t.Skipf("face models not built in (run make build): %v", err)
	}
	dir := t.TempDir()
	for name, b := range heads {
		writeFile(t, filepath.Join(dir, "heads", name), b)
	}
	photos := filepath.Join(dir, "photos")
	writeFile(t, filepath.Join(photos, "panel.jpg"), exiftest.MustRestamp(t, panel, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:30:00"}))

	in := startDevEnv(t, t.TempDir(), map[string]string{"CONFMEDIA_FACES": "true", "CONFMEDIA_FACE_RECOGNITION": "true"})
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(facesSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", filepath.Join(dir, "schedule.csv"))
	// The headshots first, and their faces known, before the photo.
	in.mustCLI("upload", "--kind", "headshot", filepath.Join(dir, "heads"))
	in.mustCLI("wait", "--timeout", "3m")
	in.mustCLI("upload", "--room", "Ballroom A", photos)
	in.mustCLI("wait", "--timeout", "3m")
	in.mustCLI("publish")
	return in
}

// speakerToken makes the speaker token of the speaker called name.
func speakerToken(t *testing.T, in *instance, name string) web.TokenCreated {
	t.Helper()
	var created web.TokenCreated
	out := in.mustCLI("token", "create", "--role", "speaker", "--name", name, "--speaker", name, "--json")
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("token create: %v %s", err, out)
	}
	return created
}
