package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// fakePresigner is an in-memory bucket that signs requests the way an S3
// store does: a signed PUT is accepted only with the signed length and
// SHA-256.
type fakePresigner struct {
	blobs *catalogtest.MemBlobs
	// noChecksums makes StoredSHA256 report nothing, as stores that keep
	// no checksums do; the server must then read the object back.
	noChecksums bool

	mu      sync.Mutex
	n       int
	signed  map[string]signedPut // by URL
	stored  map[string][]byte    // key → SHA-256 checked on arrival
	uploads map[string]map[int][]byte
	aborted []string
}

type signedPut struct {
	key, uploadID string
	part          int
	size          int64
	sum           []byte
	ctype         string
}

func newFakePresigner(blobs *catalogtest.MemBlobs) *fakePresigner {
	return &fakePresigner{blobs: blobs, signed: map[string]signedPut{}, stored: map[string][]byte{}, uploads: map[string]map[int][]byte{}}
}

var _ Presigner = (*fakePresigner)(nil)

func (f *fakePresigner) sign(p signedPut) (string, http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	u := fmt.Sprintf("https://bucket.test/%s?sig=%d", p.key, f.n)
	f.signed[u] = p
	h := http.Header{"X-Amz-Checksum-Sha256": {base64.StdEncoding.EncodeToString(p.sum)}}
	if p.ctype != "" {
		h.Set("Content-Type", p.ctype)
	}
	return u, h
}

func (f *fakePresigner) PresignPut(_ context.Context, key string, size int64, sum []byte, ctype string, ttl time.Duration) (string, http.Header, error) {
	u, h := f.sign(signedPut{key: key, size: size, sum: sum, ctype: ctype})
	return u, h, nil
}

func (f *fakePresigner) CreateMultipart(_ context.Context, key, ctype string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	id := fmt.Sprintf("up-%d", f.n)
	f.uploads[id] = map[int][]byte{}
	return id, nil
}

func (f *fakePresigner) PresignPart(_ context.Context, key, uploadID string, n int, size int64, sum []byte, ttl time.Duration) (string, http.Header, error) {
	u, h := f.sign(signedPut{key: key, uploadID: uploadID, part: n, size: size, sum: sum})
	return u, h, nil
}

func (f *fakePresigner) UploadedParts(_ context.Context, key, uploadID string) (map[int][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts, ok := f.uploads[uploadID]
	if !ok {
		return nil, catalog.E(catalog.NotFound, "fake.UploadedParts", nil, "no such upload")
	}
	out := map[int][]byte{}
	for n, b := range parts {
		s := sha256.Sum256(b)
		out[n] = s[:]
	}
	return out, nil
}

func (f *fakePresigner) CompleteMultipart(ctx context.Context, key, uploadID string, n int) error {
	f.mu.Lock()
	parts, ok := f.uploads[uploadID]
	if !ok {
		f.mu.Unlock()
		return catalog.E(catalog.NotFound, "fake.CompleteMultipart", nil, "no such upload")
	}
	var all []byte
	for i := 1; i <= n; i++ {
		b, ok := parts[i]
		if !ok {
			f.mu.Unlock()
			return catalog.E(catalog.Conflict, "fake.CompleteMultipart", nil, "upload of %s: part %d of %d has not arrived", key, i, n)
		}
		all = append(all, b...)
	}
	delete(f.uploads, uploadID)
	delete(f.stored, key)
	f.mu.Unlock()
	return f.blobs.Put(ctx, key, bytes.NewReader(all), int64(len(all)), "image/jpeg")
}

func (f *fakePresigner) AbortMultipart(_ context.Context, key, uploadID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.uploads, uploadID)
	f.aborted = append(f.aborted, uploadID)
	return nil
}

func (f *fakePresigner) StoredSHA256(ctx context.Context, key string) ([]byte, error) {
	if _, err := f.blobs.Stat(ctx, key); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noChecksums {
		return nil, nil
	}
	return f.stored[key], nil
}

// send is the browser's PUT to a presigned URL; it answers the status the
// store would.
func (f *fakePresigner) send(t *testing.T, u string, h map[string]string, body []byte) int {
	t.Helper()
	f.mu.Lock()
	p, ok := f.signed[u]
	f.mu.Unlock()
	if !ok {
		return http.StatusForbidden
	}
	if got := h["X-Amz-Checksum-Sha256"]; got != base64.StdEncoding.EncodeToString(p.sum) {
		return http.StatusForbidden // the signature covers the header
	}
	if int64(len(body)) != p.size {
		return http.StatusForbidden
	}
	if s := sha256.Sum256(body); !bytes.Equal(s[:], p.sum) {
		return http.StatusBadRequest // BadDigest
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.uploadID != "" {
		if _, ok := f.uploads[p.uploadID]; !ok {
			return http.StatusNotFound
		}
		f.uploads[p.uploadID][p.part] = bytes.Clone(body)
		return http.StatusOK
	}
	if err := f.blobs.Put(context.Background(), p.key, bytes.NewReader(body), p.size, p.ctype); err != nil {
		t.Fatal(err)
	}
	f.stored[p.key] = p.sum
	return http.StatusOK
}

// tamper replaces an object as a store that checks nothing would let a
// lying client do.
func (f *fakePresigner) tamper(t *testing.T, key string, body []byte) {
	t.Helper()
	if err := f.blobs.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	delete(f.stored, key)
	f.mu.Unlock()
}

var uploadSchedule = catalog.Schedule{
	Conference: catalog.Conference{Title: "TestConf", Timezone: "Europe/Dublin"},
	Talks: []catalog.Talk{
		{ID: "t1", Title: "Keynote", Room: "Liffey Hall 1", Start: time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC), SpeakerIDs: []string{"ana"}},
		{ID: "t2", Title: "Async", Room: "Boole Room", Start: time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC), SpeakerIDs: []string{"bo"}},
	},
	Speakers: []catalog.Speaker{{ID: "ana", Name: "Ana Lima"}, {ID: "bo", Name: "Bo Chen"}},
}

// newUploadServer is newTestServer with a schedule, a video token and,
// with direct, a fake presigner.
func newUploadServer(t *testing.T, direct bool) (*Server, *fakeQueue, *fakePresigner, http.Handler) {
	t.Helper()
	s, q, h := newTestServer(t)
	ctx := context.Background()
	if _, err := s.Store.ReplaceSchedule(ctx, uploadSchedule); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.PutToken(ctx, catalog.Token{Hash: HashToken("video-secret"), Role: catalog.RoleVideo, Name: "Vi"}); err != nil {
		t.Fatal(err)
	}
	var p *fakePresigner
	if direct {
		p = newFakePresigner(s.Blobs.(*catalogtest.MemBlobs))
		s.Presigner = p
	}
	return s, q, p, h
}

func uploadPost(t *testing.T, h http.Handler, path, token string, v any) *uploadAnswer {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "POST", path, token, body)
	return &uploadAnswer{Code: rec.Code, Body: rec.Body.Bytes()}
}

type uploadAnswer struct {
	Code int
	Body []byte
}

func (r *uploadAnswer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func firstBytes(b []byte) string { return base64.StdEncoding.EncodeToString(b[:min(len(b), 512)]) }

func uploadReq(b []byte, name string) UploadRequest {
	return UploadRequest{ID: id(b), Name: name, Size: int64(len(b)), Head: firstBytes(b)}
}

func TestUploadPage(t *testing.T) {
	for _, direct := range []bool{true, false} {
		_, _, _, h := newUploadServer(t, direct)
		rec := do(t, h, "GET", "/upload", "", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /upload = %d %s", rec.Code, rec.Body)
		}
		body := rec.Body.String()
		for _, want := range []string{
			`id="drop-zone"`, `id="file-input"`, `id="folder-input"`, `webkitdirectory`, `id="start"`, `id="summary"`,
			`id="progress"`, `id="file-rows"`, `id="kind"`, `id="room"`, `id="photographer"`, `id="clock-offset"`, `id="speaker"`,
			`<option value="Boole Room">Boole Room</option>`, `<option value="Liffey Hall 1">Liffey Hall 1</option>`,
			`<option value="Ana Lima">`, `src="/static/vendor/sha256.umd.min.js"`, `src="/static/upload.js"`,
			fmt.Sprintf(`data-direct="%v"`, direct), `data-part-size="16777216"`, `data-multipart-from="67108864"`,
			`id="token"`, `1 MiB`, `<title>Upload · TestConf</title>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("direct=%v: upload page lacks %s", direct, want)
			}
		}
		if strings.Index(body, "Boole Room") > strings.Index(body, "Liffey Hall 1") {
			t.Errorf("rooms are not sorted")
		}
	}
	_, _, _, h := newUploadServer(t, true)
	if rec := do(t, h, "GET", "/static/upload.js", "", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "createSHA256") {
		t.Errorf("GET /static/upload.js = %d", rec.Code)
	}
}

// TestUploadPageVisitors: a photographer signed in with their link gets
// the page ready, their name filled in and the CSRF token the scripts send;
// everyone else is asked to sign in or paste a token.
func TestUploadPageVisitors(t *testing.T) {
	s, _, _, h := newUploadServer(t, true)
	session := s.sessionValue(HashToken("photo-secret"), s.now().Add(time.Hour))
	tests := []struct {
		name             string
		cookie, bearer   string
		wantToken        bool
		wantHas, wantNot []string
	}{
		{"public", "", "", true, []string{`href="/login?next=%2Fupload"`}, []string{`name="csrf-token"`, "signed in as"}},
		{"photographer's session", session, "", false, []string{`name="csrf-token" content="` + s.csrfFor(session) + `"`, `value="Pat"`, `href="/upload"`}, []string{`id="token"`}},
		{"photographer's bearer token", "", "photo-secret", true, []string{`value="Pat"`}, nil},
		{"video team", "", "video-secret", true, []string{"signed in as video, who cannot upload"}, []string{`value="Vi"`}},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/upload", nil)
		if tt.cookie != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tt.cookie})
		}
		if tt.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+tt.bearer)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Errorf("%s: %d", tt.name, rec.Code)
			continue
		}
		if got := strings.Contains(body, `id="token"`); got != tt.wantToken {
			t.Errorf("%s: token box shown = %v, want %v", tt.name, got, tt.wantToken)
		}
		for _, want := range tt.wantHas {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %s", tt.name, want)
			}
		}
		for _, not := range tt.wantNot {
			if strings.Contains(body, not) {
				t.Errorf("%s: page has %s", tt.name, not)
			}
		}
	}

	// The page's scripts send the session's CSRF token; without it a
	// session may not start an upload.
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	body, _ := json.Marshal(uploadReq(photo, "a.jpg"))
	for _, tt := range []struct {
		csrf string
		want int
	}{{"", 403}, {"forged", 403}, {s.csrfFor(session), 200}} {
		req := httptest.NewRequest("POST", "/api/uploads", bytes.NewReader(body))
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		if tt.csrf != "" {
			req.Header.Set("X-CSRF-Token", tt.csrf)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("plan with a session and CSRF token %q = %d %s, want %d", tt.csrf, rec.Code, rec.Body, tt.want)
		}
	}
}

func TestUploadRoutesRoles(t *testing.T) {
	_, _, _, h := newUploadServer(t, true)
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	req := uploadReq(photo, "a.jpg")
	routes := []struct {
		path string
		body any
	}{
		{"/api/uploads/inspect", InspectRequest{Files: []InspectFile{{Name: "a.jpg", Size: req.Size, Head: req.Head}}}},
		{"/api/uploads", req},
		{"/api/uploads/" + req.ID + "/complete", req},
		{"/api/uploads/" + req.ID + "/abort", AbortRequest{UploadID: "up-x"}},
	}
	tokens := []struct {
		token string
		ok    bool
		want  int
	}{
		{"", false, 401}, {"wrong", false, 401}, {"old-secret", false, 401}, {"video-secret", false, 403},
		{"photo-secret", true, 0}, {adminToken, true, 0},
	}
	for _, r := range routes {
		for _, tok := range tokens {
			rec := uploadPost(t, h, r.path, tok.token, r.body)
			switch {
			case tok.ok && (rec.Code == 401 || rec.Code == 403):
				t.Errorf("POST %s with %q = %d %s, want it admitted", r.path, tok.token, rec.Code, rec.Body)
			case !tok.ok && rec.Code != tok.want:
				t.Errorf("POST %s with %q = %d, want %d", r.path, tok.token, rec.Code, tok.want)
			}
		}
	}
}

func TestInspect(t *testing.T) {
	s, _, _, h := newUploadServer(t, true)
	s.MaxBytes = 1000
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	heic := []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00")
	req := InspectRequest{
		UploadSettings: UploadSettings{Room: "liffey hall 1", ClockOffset: "+1h"},
		Files: []InspectFile{
			{Name: "day1/a.jpg", Size: 900, Head: firstBytes(photo)},
			{Name: "b.png", Size: 900, Head: firstBytes(png)},
			{Name: "empty.jpg", Size: 0, Head: ""},
			{Name: "big.jpg", Size: 1001, Head: firstBytes(photo)},
			{Name: "IMG_1.CR2", Size: 900, Head: firstBytes([]byte("II*\x00\x10\x00\x00\x00CR"))},
			{Name: "IMG_2.HEIC", Size: 900, Head: firstBytes(heic)},
			{Name: "notes.txt", Size: 900, Head: firstBytes([]byte("hello, world"))},
			{Name: "x.jpg", Size: 900, Head: "%%%"},
		},
	}
	rec := uploadPost(t, h, "/api/uploads/inspect", "photo-secret", req)
	if rec.Code != 200 {
		t.Fatalf("inspect = %d %s", rec.Code, rec.Body)
	}
	var resp InspectResponse
	rec.decode(t, &resp)
	if resp.Room != "Liffey Hall 1" {
		t.Errorf("room = %q, want the schedule's spelling", resp.Room)
	}
	// HEIC is taken by the build that decodes it (cgo, libheif).
	heicType, heicErr := "image/heic", ""
	if !rendition.DecodesHEIF() {
		heicType, heicErr = "", "HEIC needs the cgo build"
	}
	want := []struct{ ctype, errHas string }{
		{"image/jpeg", ""}, {"image/png", ""}, {"", "empty file"}, {"", "over the 1000 byte limit"},
		{"", "camera RAW"}, {heicType, heicErr}, {"", "not an image"}, {"", "not base64"},
	}
	if len(resp.Files) != len(want) {
		t.Fatalf("%d results, want %d: %s", len(resp.Files), len(want), rec.Body)
	}
	for i, w := range want {
		got := resp.Files[i]
		if got.Name != req.Files[i].Name || got.ContentType != w.ctype || !strings.Contains(got.Error, w.errHas) || (w.errHas == "") != (got.Error == "") {
			t.Errorf("file %s: %+v, want type %q error containing %q", req.Files[i].Name, got, w.ctype, w.errHas)
		}
		if strings.HasPrefix(got.Error, req.Files[i].Name) {
			t.Errorf("file %s: reason %q repeats the name", req.Files[i].Name, got.Error)
		}
	}

	bad := []struct {
		name   string
		set    UploadSettings
		errHas string
	}{
		{"unknown room", UploadSettings{Room: "Nowhere"}, "unknown room"},
		{"unknown speaker", UploadSettings{Kind: catalog.Headshot, Speaker: "Nobody"}, "unknown speaker"},
		{"bad offset", UploadSettings{ClockOffset: "an hour"}, "bad clock offset"},
		{"bad kind", UploadSettings{Kind: "video"}, "unknown kind"},
	}
	for _, tt := range bad {
		rec := uploadPost(t, h, "/api/uploads/inspect", "photo-secret", InspectRequest{UploadSettings: tt.set})
		if rec.Code != 400 || !strings.Contains(string(rec.Body), tt.errHas) {
			t.Errorf("%s: %d %s, want 400 containing %q", tt.name, rec.Code, rec.Body, tt.errHas)
		}
	}
}

func TestDirectUpload(t *testing.T) {
	s, q, p, h := newUploadServer(t, true)
	ctx := context.Background()
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	req := uploadReq(photo, "day1/IMG_0001.JPG")
	req.UploadSettings = UploadSettings{Kind: catalog.Photo, Room: "LIFFEY HALL 1", Photographer: " Pat Doe ", ClockOffset: "-7m30s", License: " CC-BY-4.0 "}

	rec := uploadPost(t, h, "/api/uploads", "photo-secret", req)
	if rec.Code != 200 {
		t.Fatalf("plan = %d %s", rec.Code, rec.Body)
	}
	var plan UploadPlan
	rec.decode(t, &plan)
	if plan.Mode != ModePut || plan.URL == "" || plan.ContentType != "image/jpeg" || plan.Room != "Liffey Hall 1" {
		t.Fatalf("plan = %+v, want a single presigned PUT of image/jpeg to Liffey Hall 1", plan)
	}
	sum := sha256.Sum256(photo)
	if got, want := plan.Header["X-Amz-Checksum-Sha256"], base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("checksum header %q, want %q (the id as base64)", got, want)
	}
	if want := s.now().Add(presignTTL).UTC(); !plan.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", plan.Expires, want)
	}
	if p.signed[plan.URL].key != catalog.OriginalKey(req.ID) {
		t.Errorf("signed for key %q, want the private original key", p.signed[plan.URL].key)
	}

	// Completing before the bytes arrived.
	if rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req); rec.Code != http.StatusConflict || !strings.Contains(string(rec.Body), "IMG_0001.JPG has not arrived") {
		t.Errorf("complete before sending = %d %s, want 409 naming the file", rec.Code, rec.Body)
	}

	forged := bytes.Clone(photo)
	forged[len(forged)-3] ^= 0xff
	if code := p.send(t, plan.URL, plan.Header, forged); code != http.StatusBadRequest {
		t.Errorf("forged body: %d, want the store to refuse it", code)
	}
	if code := p.send(t, plan.URL, plan.Header, photo); code != http.StatusOK {
		t.Fatalf("send = %d", code)
	}
	rec = uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("complete = %d %s", rec.Code, rec.Body)
	}
	m, err := s.Store.Media(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := catalog.Media{ID: req.ID, Kind: catalog.Photo, SourceName: "IMG_0001.JPG", ContentType: "image/jpeg", Bytes: int64(len(photo)),
		OriginalKey: catalog.OriginalKey(req.ID), Photographer: "Pat" /* the token's name, not the typed one */, Room: "Liffey Hall 1", ClockOffset: -450 * time.Second, HasOffset: true,
		UploadedAt: s.now().UTC(), Status: catalog.Pending, Generation: 1, License: "CC-BY-4.0"}
	if m.License != want.License || m.ID != want.ID || m.Kind != want.Kind || m.SourceName != want.SourceName || m.ContentType != want.ContentType || m.Bytes != want.Bytes ||
		m.OriginalKey != want.OriginalKey || m.Photographer != want.Photographer || m.Room != want.Room || m.ClockOffset != want.ClockOffset ||
		m.HasOffset != want.HasOffset || !m.UploadedAt.Equal(want.UploadedAt) || m.Status != want.Status || m.Generation != want.Generation {
		t.Errorf("media = %+v\nwant    %+v", m, want)
	}
	if len(q.media) != 1 || q.media[0] != req.ID {
		t.Errorf("queued %v, want the new item once", q.media)
	}

	// Again: a duplicate, and the plan says there is nothing to send.
	if rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req); rec.Code != 200 || !strings.Contains(string(rec.Body), `"duplicate"`) {
		t.Errorf("complete again = %d %s, want 200 duplicate", rec.Code, rec.Body)
	}
	var known UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req).decode(t, &known)
	if known.Mode != ModeDuplicate || known.URL != "" {
		t.Errorf("plan for a known file = %+v, want duplicate", known)
	}
}

func TestProxyPlan(t *testing.T) {
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	req := uploadReq(photo, "a.jpg")
	req.UploadSettings = UploadSettings{Kind: catalog.Headshot, Speaker: "ana lima", Photographer: "Pat", ClockOffset: "+1h", License: "CC0-1.0"}
	for _, tt := range []struct {
		name   string
		direct bool
		proxy  bool
	}{{"no presigner", false, false}, {"browser cannot reach the bucket", true, true}} {
		s, q, _, h := newUploadServer(t, tt.direct)
		req.Proxy = tt.proxy
		rec := uploadPost(t, h, "/api/uploads", "photo-secret", req)
		var plan UploadPlan
		rec.decode(t, &plan)
		if plan.Mode != ModeProxy || !strings.HasPrefix(plan.URL, "/api/media/"+req.ID+"?") {
			t.Fatalf("%s: plan = %+v, want proxy through PUT /api/media/{id}", tt.name, plan)
		}
		u, _ := url.Parse(plan.URL)
		if got := u.Query(); got.Get("name") != "a.jpg" || got.Get("kind") != "headshot" || got.Get("speaker") != "Ana Lima" ||
			got.Get("photographer") != "Pat" || got.Get("clock_offset") != "1h0m0s" || got.Get("license") != "CC0-1.0" {
			t.Errorf("%s: proxy query %v", tt.name, got)
		}
		if rec := do(t, h, "PUT", plan.URL, "photo-secret", photo); rec.Code != http.StatusCreated {
			t.Fatalf("%s: PUT %s = %d %s", tt.name, plan.URL, rec.Code, rec.Body)
		}
		m, err := s.Store.Media(context.Background(), req.ID)
		if err != nil || m.Kind != catalog.Headshot || m.SpeakerHint != "Ana Lima" || m.License != "CC0-1.0" || len(q.media) != 1 {
			t.Errorf("%s: media %+v, %v; queued %v", tt.name, m, err, q.media)
		}
	}
	_, _, _, h := newUploadServer(t, false)
	if rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req); rec.Code != 400 {
		t.Errorf("complete without a presigner = %d %s, want 400", rec.Code, rec.Body)
	}
}

func TestPlanRefuses(t *testing.T) {
	s, _, _, h := newUploadServer(t, true)
	s.MaxBytes = 200 << 20
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	ok := uploadReq(photo, "a.jpg")
	tests := []struct {
		name   string
		edit   func(*UploadRequest)
		want   int
		errHas string
	}{
		{"bad id", func(r *UploadRequest) { r.ID = "ABC" }, 400, "is not a lowercase sha256"},
		{"empty", func(r *UploadRequest) { r.Size = 0 }, 400, "a.jpg: empty file"},
		{"too large", func(r *UploadRequest) { r.Size = 200<<20 + 1 }, 413, "a.jpg: 209715201 bytes is over"},
		{"not an image", func(r *UploadRequest) { r.Name, r.Head = "a.txt", firstBytes([]byte("plain text")) }, 400, "a.txt: not an image"},
		{"no head", func(r *UploadRequest) { r.Head = "" }, 400, "first bytes are missing"},
		{"unknown room", func(r *UploadRequest) { r.Room = "Nowhere" }, 400, `did you mean \"Boole Room\" or \"Liffey Hall 1\"?`},
		{"bad offset", func(r *UploadRequest) { r.ClockOffset = "1 hour" }, 400, "bad clock offset"},
		{"multipart without part sums", func(r *UploadRequest) { r.Size = 100 << 20 }, 400, "7 parts"},
		{"multipart with a bad part sum", func(r *UploadRequest) {
			r.Size = 64 << 20
			r.PartSHA256 = []string{b64sha(nil), b64sha(nil), "xx", b64sha(nil)}
		}, 400, "part 3"},
	}
	for _, tt := range tests {
		r := ok
		tt.edit(&r)
		rec := uploadPost(t, h, "/api/uploads", "photo-secret", r)
		if rec.Code != tt.want || !strings.Contains(string(rec.Body), tt.errHas) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, rec.Code, rec.Body, tt.want, tt.errHas)
		}
	}
}

func b64sha(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func TestMultipartUpload(t *testing.T) {
	s, q, p, h := newUploadServer(t, true)
	s.MaxBytes = 200 << 20
	ctx := context.Background()
	// A real JPEG header followed by padding: 4 full parts and a short one.
	big := make([]byte, multipartFrom+1000)
	copy(big, exiftest.MustJPEG(t, exiftest.Spec{}))
	req := uploadReq(big, "pano.jpg")
	var parts [][]byte
	for off := 0; off < len(big); off += uploadPartSize {
		part := big[off:min(off+uploadPartSize, len(big))]
		parts = append(parts, part)
		req.PartSHA256 = append(req.PartSHA256, b64sha(part))
	}

	var plan UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req).decode(t, &plan)
	if plan.Mode != ModeMultipart || plan.UploadID == "" || plan.PartSize != uploadPartSize || len(plan.Parts) != 5 {
		t.Fatalf("plan = %+v, want 5 parts of a multipart upload", plan)
	}
	for i, pt := range plan.Parts {
		if pt.N != i+1 || pt.Size != int64(len(parts[i])) || pt.Done || pt.URL == "" {
			t.Errorf("part %d = %+v, want %d bytes to send", i+1, pt, len(parts[i]))
		}
	}
	// Two parts go, then the connection drops; a reload plans again with
	// the upload id and sends only the rest.
	for i := range 2 {
		if code := p.send(t, plan.Parts[i].URL, plan.Parts[i].Header, parts[i]); code != 200 {
			t.Fatalf("part %d: %d", i+1, code)
		}
	}
	req.UploadID = plan.UploadID
	rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
	if rec.Code != http.StatusConflict || !strings.Contains(string(rec.Body), "part 3 of 5") {
		t.Errorf("complete with parts missing = %d %s, want 409 naming part 3", rec.Code, rec.Body)
	}
	var again UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req).decode(t, &again)
	if again.UploadID != plan.UploadID {
		t.Fatalf("resumed plan has upload %q, want %q", again.UploadID, plan.UploadID)
	}
	for i, pt := range again.Parts {
		if want := i < 2; pt.Done != want || (pt.URL == "") != want {
			t.Errorf("resumed part %d = %+v, want done=%v", i+1, pt, want)
		}
	}
	for i := 2; i < 5; i++ {
		if code := p.send(t, again.Parts[i].URL, again.Parts[i].Header, parts[i]); code != 200 {
			t.Fatalf("part %d: %d", i+1, code)
		}
	}
	rec = uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("complete = %d %s", rec.Code, rec.Body)
	}
	if m, err := s.Store.Media(ctx, req.ID); err != nil || m.Bytes != int64(len(big)) || len(q.media) != 1 {
		t.Errorf("media %+v, %v; queued %v", m, err, q.media)
	}

	// An upload id the store no longer knows starts a new upload.
	other := bytes.Clone(big)
	other[len(other)-1] = 1
	req2 := uploadReq(other, "pano2.jpg")
	req2.PartSHA256, req2.UploadID = append(req.PartSHA256[:4:4], b64sha(other[4*uploadPartSize:])), "up-expired"
	var fresh UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req2).decode(t, &fresh)
	if fresh.Mode != ModeMultipart || fresh.UploadID == "up-expired" || fresh.UploadID == "" {
		t.Errorf("plan with an unknown upload id = %+v, want a new upload", fresh)
	}

	// A known file: the upload the browser had begun is abandoned.
	req.UploadID = "up-stale"
	var dup UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req).decode(t, &dup)
	if dup.Mode != ModeDuplicate || len(p.aborted) == 0 || p.aborted[len(p.aborted)-1] != "up-stale" {
		t.Errorf("plan for a known file with an upload id = %+v, aborted %v", dup, p.aborted)
	}
}

// TestMultipartLie: parts that match the checksums the client declared but
// do not add up to the id are refused on completion, and nothing is kept.
func TestMultipartLie(t *testing.T) {
	s, q, p, h := newUploadServer(t, true)
	s.MaxBytes = 200 << 20
	claimed := make([]byte, multipartFrom)
	copy(claimed, exiftest.MustJPEG(t, exiftest.Spec{}))
	sent := bytes.Clone(claimed)
	sent[len(sent)-1] = 7
	req := uploadReq(claimed, "lie.jpg")
	for off := 0; off < len(sent); off += uploadPartSize {
		req.PartSHA256 = append(req.PartSHA256, b64sha(sent[off:off+uploadPartSize]))
	}
	var plan UploadPlan
	uploadPost(t, h, "/api/uploads", "photo-secret", req).decode(t, &plan)
	for i, pt := range plan.Parts {
		if code := p.send(t, pt.URL, pt.Header, sent[i*uploadPartSize:(i+1)*uploadPartSize]); code != 200 {
			t.Fatalf("part %d: %d", i+1, code)
		}
	}
	req.UploadID = plan.UploadID
	rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
	if rec.Code != 400 || !strings.Contains(string(rec.Body), "lie.jpg: content does not match its id") {
		t.Errorf("complete = %d %s, want 400: content does not match its id", rec.Code, rec.Body)
	}
	if _, err := s.Blobs.Stat(context.Background(), catalog.OriginalKey(req.ID)); !catalog.IsNotFound(err) {
		t.Errorf("the refused object is still there: %v", err)
	}
	if _, err := s.Store.Media(context.Background(), req.ID); !catalog.IsNotFound(err) || len(q.media) != 0 {
		t.Errorf("a media item was created (%v) or queued (%v)", err, q.media)
	}
}

func TestCompleteChecksWhatArrived(t *testing.T) {
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	huge := exiftest.MustJPEG(t, exiftest.Spec{Width: 4000, Height: 3000})
	text := []byte("this is not a photo at all")
	tests := []struct {
		name        string
		body        []byte // what the browser claims
		arrived     []byte // what the store holds (nil: the honest bytes)
		noChecksums bool
		want        int
		errHas      string
	}{
		{"honest, store checked", photo, nil, false, 201, ""},
		{"honest, read back", photo, nil, true, 201, ""},
		{"other size", photo, append(bytes.Clone(photo), 0), true, 400, "a.jpg arrived with"},
		{"same size, other bytes, read back", photo, append(bytes.Clone(photo[:len(photo)-1]), 1), true, 400, "a.jpg: content does not match its id"},
		{"not an image", text, nil, true, 400, "a.jpg: not an image"},
		{"too many pixels", huge, nil, false, 413, "a.jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, p, h := newUploadServer(t, true)
			s.MaxPixels = 1_000_000
			p.noChecksums = tt.noChecksums
			req := uploadReq(tt.body, "a.jpg")
			key := catalog.OriginalKey(req.ID)
			u, hdr, _ := p.PresignPut(context.Background(), key, req.Size, sha(tt.body), "image/jpeg", time.Minute)
			if code := p.send(t, u, flatHeader(hdr), tt.body); code != 200 {
				t.Fatalf("send: %d", code)
			}
			if tt.arrived != nil {
				p.tamper(t, key, tt.arrived)
			}
			rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req)
			if rec.Code != tt.want || !strings.Contains(string(rec.Body), tt.errHas) {
				t.Fatalf("complete = %d %s, want %d containing %q", rec.Code, rec.Body, tt.want, tt.errHas)
			}
			_, err := s.Blobs.Stat(context.Background(), key)
			if kept := err == nil; kept != (tt.want == 201) {
				t.Errorf("object kept = %v after %d", kept, rec.Code)
			}
		})
	}

	// A store that recorded another SHA-256 than the id.
	s, _, p, h := newUploadServer(t, true)
	req := uploadReq(photo, "a.jpg")
	p.tamper(t, catalog.OriginalKey(req.ID), photo)
	p.mu.Lock()
	p.stored[catalog.OriginalKey(req.ID)] = sha(text)
	p.mu.Unlock()
	if rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", req); rec.Code != 400 || !strings.Contains(string(rec.Body), "does not match its id") {
		t.Errorf("stored checksum differs: %d %s", rec.Code, rec.Body)
	}
	if _, err := s.Store.Media(context.Background(), req.ID); !catalog.IsNotFound(err) {
		t.Errorf("media created despite the mismatch: %v", err)
	}
	// The path's id and the body's must agree.
	other := req
	other.ID = id(text)
	if rec := uploadPost(t, h, "/api/uploads/"+req.ID+"/complete", "photo-secret", other); rec.Code != 400 {
		t.Errorf("ids differ: %d %s, want 400", rec.Code, rec.Body)
	}
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func TestAbort(t *testing.T) {
	_, _, p, h := newUploadServer(t, true)
	x := strings.Repeat("a", 64)
	if rec := uploadPost(t, h, "/api/uploads/"+x+"/abort", "photo-secret", AbortRequest{UploadID: "up-1"}); rec.Code != 200 {
		t.Errorf("abort = %d %s", rec.Code, rec.Body)
	}
	if len(p.aborted) != 1 || p.aborted[0] != "up-1" {
		t.Errorf("aborted %v, want up-1", p.aborted)
	}
	for _, tt := range []struct {
		path string
		body AbortRequest
	}{{"/api/uploads/XYZ/abort", AbortRequest{UploadID: "up-1"}}, {"/api/uploads/" + x + "/abort", AbortRequest{}}} {
		if rec := uploadPost(t, h, tt.path, "photo-secret", tt.body); rec.Code != 400 {
			t.Errorf("abort %s %+v = %d, want 400", tt.path, tt.body, rec.Code)
		}
	}
	_, _, _, h = newUploadServer(t, false)
	if rec := uploadPost(t, h, "/api/uploads/"+x+"/abort", "photo-secret", AbortRequest{UploadID: "up-1"}); rec.Code != 200 {
		t.Errorf("abort without a presigner = %d, want 200: nothing to abandon", rec.Code)
	}
}

func TestSizeText(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, ""}, {512, "512 bytes"}, {1 << 20, "1 MiB"}, {200 << 20, "200 MiB"}, {1536, "1.5 KiB"}, {5 << 30, "5 GiB"}}
	for _, tt := range tests {
		if got := sizeText(tt.n); got != tt.want {
			t.Errorf("sizeText(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestUploadOrigins(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://media.example.org", []string{"https://media.example.org"}},
		{"https://media.example.org/app/", []string{"https://media.example.org"}},
		{"http://localhost:8080", []string{"http://localhost:8080", "http://127.0.0.1:8080"}},
		{"http://127.0.0.1:8080", []string{"http://127.0.0.1:8080", "http://localhost:8080"}},
		{"http://localhost", []string{"http://localhost", "http://127.0.0.1"}},
	}
	for _, tt := range tests {
		got, err := UploadOrigins(tt.in)
		if err != nil || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("UploadOrigins(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := UploadOrigins("localhost:8080"); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("UploadOrigins without a scheme = %v, want Invalid", err)
	}
}
