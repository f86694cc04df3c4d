package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// clockSchedule has gaps between talks, so that a camera an hour behind
// puts most photos outside them (Dublin, summer time).
const clockScheduleCSV = `id,title,room,start,end,speakers
m1,Opening,Main,2026-05-15 09:00,2026-05-15 09:45,Ana Lima
m2,Second,Main,2026-05-15 10:00,2026-05-15 10:30,Bob Stone
m3,Third,Main,2026-05-15 11:00,2026-05-15 11:30,Cy Young
m4,Afternoon,Main,2026-05-15 14:00,2026-05-15 15:00,Di Wu
`

const (
	dstKey   = "serial:Canon:SN-1"
	driftKey = "model:FUJIFILM:X100V/II" // a model with a slash
)

// clockFixture imports clockScheduleCSV and stores, for a camera an hour
// behind (dstKey), four processed photos in Main that land in a talk only
// an hour later, one pending photo and one headshot; and for driftKey, one
// photo and an offset of -7m30s.
func clockFixture(t *testing.T, s *Server) (dst []string) {
	t.Helper()
	ctx := context.Background()
	rec := do(t, s.Handler(), "POST", "/api/schedule?name=clock.csv&timezone=Europe/Dublin", adminToken, []byte(clockScheduleCSV))
	if rec.Code != http.StatusOK {
		t.Fatalf("schedule import: %d %s", rec.Code, rec.Body)
	}
	add := func(n int, camera, room, wall string, kind catalog.MediaKind, status catalog.Status) string {
		w, err := time.Parse("15:04", wall)
		if err != nil {
			t.Fatal(err)
		}
		m := &catalog.Media{ID: fmt.Sprintf("%064x", n), Kind: kind, SourceName: fmt.Sprintf("p%d.jpg", n), Room: room,
			Status: status, Generation: 1, Camera: camera, Make: "Canon", Model: "Canon EOS R6", Serial: "SN-1",
			CameraTime: catalog.CameraTime{Wall: time.Date(2026, 5, 15, w.Hour(), w.Minute(), 0, 0, time.UTC), Source: "exif"}}
		if camera == driftKey {
			m.Make, m.Model, m.Serial = "FUJIFILM", "X100V/II", ""
		}
		if _, err := s.Store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	if _, err := s.Store.EnsureCamera(ctx, catalog.Camera{Key: dstKey, Photographer: "Pat"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.EnsureCamera(ctx, catalog.Camera{Key: driftKey, Offset: -450 * time.Second, HasOffset: true}); err != nil {
		t.Fatal(err)
	}
	for i, wall := range []string{"08:10", "08:30", "09:15", "13:20"} {
		dst = append(dst, add(i+1, dstKey, "Main", wall, catalog.Photo, catalog.Untagged))
	}
	add(10, dstKey, "Main", "13:40", catalog.Photo, catalog.Pending)
	add(11, dstKey, "", "12:00", catalog.Headshot, catalog.Tagged)
	add(20, driftKey, "Main", "10:10", catalog.Photo, catalog.Tagged)
	return dst
}

func TestCamerasList(t *testing.T) {
	s, _, h := newTestServer(t)
	clockFixture(t, s)
	if err := s.Store.PutToken(context.Background(), catalog.Token{Hash: HashToken("video-secret"), Role: catalog.RoleVideo, Name: "Vi"}); err != nil {
		t.Fatal(err)
	}
	for token, want := range map[string]int{"": 401, "video-secret": 403, "photo-secret": 200, adminToken: 200} {
		if rec := do(t, h, "GET", "/api/cameras", token, nil); rec.Code != want {
			t.Errorf("GET /api/cameras with %q: %d, want %d", token, rec.Code, want)
		}
	}
	rec := do(t, h, "GET", "/api/cameras", adminToken, nil)
	var got []CameraInfo
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
	want := []CameraInfo{
		{Key: driftKey, Make: "FUJIFILM", Model: "X100V/II", Offset: "-7m30s", HasOffset: true, Photos: 1},
		{Key: dstKey, Make: "Canon", Model: "Canon EOS R6", Serial: "SN-1", Photographer: "Pat", Offset: "0s", Photos: 6,
			Suggestion: &CameraSuggestion{Offset: "+1h0m0s", Inside: 5, CurrentInside: 1, Total: 5}},
	}
	if len(got) != len(want) {
		t.Fatalf("cameras = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Suggestion != nil && w.Suggestion != nil {
			if !strings.Contains(g.Suggestion.Reason, "an hour off") {
				t.Errorf("%s: reason %q does not say the clock is an hour off", g.Key, g.Suggestion.Reason)
			}
			gs := *g.Suggestion
			gs.Reason = ""
			if gs != *w.Suggestion {
				t.Errorf("%s: suggestion %+v, want %+v", g.Key, gs, *w.Suggestion)
			}
			g.Suggestion, w.Suggestion = nil, nil
		}
		if g != w {
			t.Errorf("camera %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestCamerasListWithoutSchedule(t *testing.T) {
	s, _, h := newTestServer(t)
	if _, err := s.Store.SetCameraOffset(context.Background(), dstKey, time.Hour); err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "GET", "/api/cameras", adminToken, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"offset": "+1h0m0s"`) || strings.Contains(rec.Body.String(), "suggestion") {
		t.Errorf("cameras without a schedule: %d %s", rec.Code, rec.Body)
	}
	_, _, h2 := newTestServer(t)
	if rec := do(t, h2, "GET", "/api/cameras", "photo-secret", nil); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("no cameras: %d %s, want []", rec.Code, rec.Body)
	}
}

func TestSetCamera(t *testing.T) {
	s, q, h := newTestServer(t)
	dst := clockFixture(t, s)
	ctx := context.Background()
	tests := []struct {
		name, key, body string
		code            int
		errHas          string
	}{
		{"bad offset", dstKey, `{"offset":"an hour"}`, 400, `clock offset \"an hour\": want a duration`},
		{"empty offset", dstKey, `{"offset":""}`, 400, "clock offset"},
		{"double sign", dstKey, `{"offset":"+-1h"}`, 400, "clock offset"},
		{"bad body", dstKey, `{"offset":`, 400, "bad request body"},
		{"not a key", "Canon EOS R6", `{"offset":"1h"}`, 400, "not a camera key"},
	}
	// Checked as an organizer, who may set any camera: a photographer is
	// refused another's camera before the request is read (see
	// TestCamerasPerPhotographer).
	for _, tt := range tests {
		rec := do(t, h, "PUT", "/api/cameras/"+url.PathEscape(tt.key), adminToken, []byte(tt.body))
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.errHas) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, rec.Code, rec.Body, tt.code, tt.errHas)
		}
	}
	if len(q.tags) != 0 {
		t.Fatalf("rejected requests queued %v", q.tags)
	}

	rec := do(t, h, "PUT", "/api/cameras/"+url.PathEscape(dstKey), adminToken, []byte(`{"offset":"+1h"}`))
	var resp SetCameraResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &resp) != nil {
		t.Fatalf("set: %d %s", rec.Code, rec.Body)
	}
	// Four untagged photos and the tagged headshot; not the pending photo.
	if resp.Retagged != 5 || resp.Camera.Offset != "+1h0m0s" || !resp.Camera.HasOffset || resp.Camera.Photos != 6 || resp.Camera.Photographer != "Pat" {
		t.Errorf("set = %+v", resp)
	}
	for _, id := range dst {
		if !slices.Contains(q.tags, id) {
			t.Errorf("photo %s not queued for re-tagging (queued %v)", id, q.tags)
		}
		if m, _ := s.Store.Media(ctx, id); m.Generation != 2 {
			t.Errorf("photo %s generation %d, want 2", id, m.Generation)
		}
	}
	if cam, err := s.Store.Camera(ctx, dstKey); err != nil || cam.Offset != time.Hour {
		t.Errorf("stored camera = %+v, %v", cam, err)
	}
	// The suggestion is gone once the offset is right.
	rec = do(t, h, "GET", "/api/cameras", adminToken, nil)
	if strings.Contains(rec.Body.String(), "suggestion") {
		t.Errorf("suggestion still listed after the offset was set: %s", rec.Body)
	}

	// A key with a slash, escaped in the path; a negative offset.
	rec = do(t, h, "PUT", "/api/cameras/"+url.PathEscape(driftKey), adminToken, []byte(`{"offset":"-7m"}`))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"offset": "-7m0s"`) || !strings.Contains(rec.Body.String(), `"retagged": 1`) {
		t.Errorf("set %s: %d %s", driftKey, rec.Code, rec.Body)
	}

	// A camera not seen yet (set from a clock photo before uploading).
	rec = do(t, h, "PUT", "/api/cameras/"+url.PathEscape("serial:Nikon:42"), adminToken, []byte(`{"offset":"227904h0m12s","photographer":"Lee"}`))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"retagged": 0`) {
		t.Errorf("set a new camera: %d %s", rec.Code, rec.Body)
	}
	if cam, err := s.Store.Camera(ctx, "serial:Nikon:42"); err != nil || cam.Photographer != "Lee" || cam.Offset != 227904*time.Hour+12*time.Second {
		t.Errorf("new camera = %+v, %v", cam, err)
	}
}

// TestCamerasPerPhotographer: a photographer lists and sets only the
// cameras of their own uploads — never another's serial number or owner,
// never another's clock; organizers see and set all.
func TestCamerasPerPhotographer(t *testing.T) {
	s, q, h := newTestServer(t)
	ctx := context.Background()
	if err := s.Store.PutToken(ctx, catalog.Token{Hash: HashToken("lee-secret"), Role: catalog.RolePhotographer, Name: "Lee"}); err != nil {
		t.Fatal(err)
	}
	const patCam, leeCam, shared = "serial:Canon:SN-PAT-1", "serial:Nikon:SN-LEE-9", "model:Sony:A7"
	for i, m := range []struct{ cam, who, serial string }{
		{patCam, "Pat", "SN-PAT-1"}, {leeCam, "Lee", "SN-LEE-9"}, {leeCam, "Lee", "SN-LEE-9"}, {shared, "Pat", ""}, {shared, "Lee", ""},
	} {
		id := strings.Repeat(strconv.Itoa(i+1), 64)
		if _, err := s.Store.CreateMedia(ctx, &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: "x.jpg", Status: catalog.Tagged,
			Generation: 1, Camera: m.cam, Serial: m.serial, Make: "Make", Model: "Model", Photographer: m.who}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Store.EnsureCamera(ctx, catalog.Camera{Key: m.cam, Photographer: m.who}); err != nil {
			t.Fatal(err)
		}
	}
	keys := func(token string) []string {
		t.Helper()
		rec := do(t, h, "GET", "/api/cameras", token, nil)
		var list []CameraInfo
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != 200 {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Key)
		}
		return out
	}
	if got, want := keys("photo-secret"), []string{shared, patCam}; !slices.Equal(got, want) {
		t.Errorf("Pat's cameras = %v, want %v", got, want)
	}
	if rec := do(t, h, "GET", "/api/cameras", "photo-secret", nil); strings.Contains(rec.Body.String(), "SN-LEE") {
		t.Errorf("Pat's list shows Lee's serial number: %s", rec.Body)
	}
	if got, want := keys("lee-secret"), []string{shared, leeCam}; !slices.Equal(got, want) {
		t.Errorf("Lee's cameras = %v, want %v", got, want)
	}
	if got, want := keys(adminToken), []string{shared, patCam, leeCam}; !slices.Equal(got, want) {
		t.Errorf("an organizer's cameras = %v, want %v", got, want)
	}

	for _, key := range []string{leeCam, "serial:Leica:NEW-1"} {
		rec := do(t, h, "PUT", "/api/cameras/"+url.PathEscape(key), "photo-secret", []byte(`{"offset":"+2h","photographer":"Pat"}`))
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), "your own cameras") {
			t.Errorf("Pat sets %s: %d %s, want 403", key, rec.Code, rec.Body)
		}
	}
	if cam, err := s.Store.Camera(ctx, leeCam); err != nil || cam.HasOffset || cam.Photographer != "Lee" {
		t.Errorf("Lee's camera after Pat's attempt = %+v, %v; want it untouched", cam, err)
	}
	if _, err := s.Store.Camera(ctx, "serial:Leica:NEW-1"); !catalog.IsNotFound(err) {
		t.Errorf("Pat's attempt on an unknown camera created it: %v", err)
	}
	if len(q.tags) != 0 {
		t.Errorf("refused attempts queued %v", q.tags)
	}
	if rec := do(t, h, "PUT", "/api/cameras/"+url.PathEscape(patCam), "photo-secret", []byte(`{"offset":"+2h"}`)); rec.Code != 200 {
		t.Errorf("Pat sets their own camera: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "PUT", "/api/cameras/"+url.PathEscape(leeCam), adminToken, []byte(`{"offset":"-1m"}`)); rec.Code != 200 {
		t.Errorf("an organizer sets Lee's camera: %d %s", rec.Code, rec.Body)
	}
}

func TestParseOffset(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"+1h", time.Hour, true}, {"-7m30s", -450 * time.Second, true}, {"0", 0, true}, {"0s", 0, true},
		{" 1h2m ", time.Hour + 2*time.Minute, true}, {"", 0, false}, {"+", 0, false}, {"1 hour", 0, false},
		{"++1h", 0, false}, {"+-1h", 0, false}, {"10", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseOffset(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseOffset(%q) = %s, %v; want %s, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("ParseOffset(%q): error kind %s, want invalid", tt.in, catalog.ErrorKind(err))
		}
	}
}

func TestDeriveCameraOffset(t *testing.T) {
	s, q, _ := newTestServer(t)
	dst := clockFixture(t, s)
	ctx := context.Background()
	media := func(id string) *catalog.Media {
		m, err := s.Store.Media(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	noCamera := media(dst[0])
	noCamera.Camera = ""
	noTime := media(dst[0])
	noTime.CameraTime = catalog.CameraTime{}

	tests := []struct {
		name    string
		m       *catalog.Media
		talk    string
		changed bool
		kind    catalog.Kind
		offset  time.Duration
	}{
		{name: "no camera", m: noCamera, talk: "m2"},
		{name: "no capture time", m: noTime, talk: "m2"},
		{name: "already in the talk", m: media(dst[2]), talk: "m1"}, // 09:15 is in m1 (09:00-09:45)
		{name: "unknown talk", m: media(dst[2]), talk: "zz", kind: catalog.NotFound},
		{name: "an hour behind", m: media(dst[2]), talk: "m2", changed: true, offset: time.Hour},
		{name: "then right", m: media(dst[2]), talk: "m2", offset: time.Hour},
	}
	for _, tt := range tests {
		q.tags = nil
		changed, err := s.deriveCameraOffset(ctx, tt.m, tt.talk)
		if changed != tt.changed || catalog.ErrorKind(err) != tt.kind || (tt.kind == catalog.Other) != (err == nil) {
			t.Errorf("%s: changed %v, err %v; want %v, kind %s", tt.name, changed, err, tt.changed, tt.kind)
		}
		cam, _ := s.Store.Camera(ctx, dstKey)
		if cam.Offset != tt.offset {
			t.Errorf("%s: camera offset %s, want %s", tt.name, cam.Offset, tt.offset)
		}
		if tt.changed != (len(q.tags) == 5) {
			t.Errorf("%s: queued %d re-tags", tt.name, len(q.tags))
		}
	}
}

func TestDeriveCameraOffsetImplausible(t *testing.T) {
	s, q, _ := newTestServer(t)
	ctx := context.Background()
	clockFixture(t, s)
	// The day before the conference at 00:05 is within its days' margin:
	// no offset within 14h puts the photo in m2.
	m := &catalog.Media{ID: strings.Repeat("e", 64), Kind: catalog.Photo, SourceName: "early.jpg", Room: "Main",
		Status: catalog.Untagged, Generation: 1, Camera: "serial:Sony:9",
		CameraTime: catalog.CameraTime{Wall: time.Date(2026, 5, 14, 0, 5, 0, 0, time.UTC)}}
	if _, err := s.Store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	changed, err := s.deriveCameraOffset(ctx, m, "m2")
	if changed || catalog.ErrorKind(err) != catalog.Invalid || !strings.Contains(catalog.ErrorMessage(err), "no clock offset within") {
		t.Errorf("a day early: changed %v, err %v; want an Invalid error", changed, err)
	}
	if _, err := s.Store.Camera(ctx, "serial:Sony:9"); !catalog.IsNotFound(err) || len(q.tags) != 0 {
		t.Errorf("a failed derivation changed something: %v, queued %v", err, q.tags)
	}
}

// TestDeriveCameraOffsetReset: a camera whose clock restarted at
// 2000-01-01 gets the offset that puts the photo in the talk a person
// chose.
func TestDeriveCameraOffsetReset(t *testing.T) {
	s, q, _ := newTestServer(t)
	ctx := context.Background()
	clockFixture(t, s)
	m := &catalog.Media{ID: strings.Repeat("e", 64), Kind: catalog.Photo, SourceName: "reset.jpg", Room: "Main",
		Status: catalog.NeedsReview, Generation: 1, Camera: "serial:Sony:9",
		CameraTime: catalog.CameraTime{Wall: time.Date(2000, 1, 1, 0, 5, 0, 0, time.UTC)}}
	if _, err := s.Store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	changed, err := s.deriveCameraOffset(ctx, m, "m2")
	if !changed || err != nil {
		t.Fatalf("camera reset to 2000: changed %v, err %v; want an offset", changed, err)
	}
	cam, err := s.Store.Camera(ctx, "serial:Sony:9")
	if err != nil || cam.Offset < 26*365*24*time.Hour || len(q.tags) != 1 {
		t.Errorf("camera %+v (%v), queued %v; want an offset of over 26 years and one re-tag", cam, err, q.tags)
	}
}

func TestDeriveCameraOffsetWithoutSchedule(t *testing.T) {
	s, _, _ := newTestServer(t)
	m := &catalog.Media{ID: strings.Repeat("f", 64), Kind: catalog.Photo, Camera: dstKey,
		CameraTime: catalog.CameraTime{Wall: time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)}}
	if changed, err := s.deriveCameraOffset(context.Background(), m, "m2"); changed || err != nil {
		t.Errorf("without a schedule: changed %v, err %v; want nothing", changed, err)
	}
}
