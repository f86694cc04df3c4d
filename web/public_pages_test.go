package web

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// Ids of the public page fixtures.
var (
	pubWeird     = "2026/keynote?x=1 & ü" // a talk id that needs escaping in a path
	pubPhotoA    = "a1" + strings.Repeat("0", 62)
	pubPhotoB    = "a2" + strings.Repeat("0", 62)
	pubHidden    = "a3" + strings.Repeat("0", 62)
	pubPending   = "a4" + strings.Repeat("0", 62)
	pubJanePhoto = "b1" + strings.Repeat("0", 62) // t2, tagged with Jane
	pubRajPhoto  = "b2" + strings.Repeat("0", 62) // t2, tagged with Raj only
	pubHeadshot  = "c1" + strings.Repeat("0", 62) // Jane's first headshot
	pubHeadshot2 = "c2" + strings.Repeat("0", 62) // Jane's second headshot
	pubZoeShot   = "c3" + strings.Repeat("0", 62) // Zoë's headshot, no square-large
)

func pubTime(day, h, m int) time.Time {
	loc, _ := time.LoadLocation("Europe/Dublin")
	return time.Date(2026, 5, day, h, m, 0, 0, loc)
}

// newPublicServer is a test server with a two-day schedule, published,
// hidden and pending media with renditions in the bucket, headshots with
// originals, and recordings of each kind.
func newPublicServer(t *testing.T) (*Server, http.Handler) {
	t.Helper()
	s, _, h := newTestServer(t)
	ctx := context.Background()
	sched := catalog.Schedule{
		Conference: catalog.Conference{Title: "PubConf", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			{ID: pubWeird, Title: "Opening <Keynote>", Room: "Hall A", Start: pubTime(15, 9, 0), End: pubTime(15, 9, 45), SpeakerIDs: []string{"zoe-muller"}},
			{ID: "t2", Title: "Packaging in Anger", Room: "Hall B", Start: pubTime(15, 9, 30), End: pubTime(15, 10, 0), SpeakerIDs: []string{"jane-doe", "raj-patel"}, Slug: "packaging"},
			{ID: "t0", Title: "Early Bird", Room: "Hall B", Start: pubTime(15, 8, 0), End: pubTime(15, 8, 30)},
			{ID: "t3", Title: "Day Two Talk", Room: "Hall A", Start: pubTime(16, 11, 0), End: pubTime(16, 11, 30), SpeakerIDs: []string{"jane-doe"}},
			{ID: "t4", Title: "Off the Record", Room: "Hall A", Start: pubTime(16, 12, 0), End: pubTime(16, 12, 30), DoNotRecord: true},
		},
		Speakers: []catalog.Speaker{
			{ID: "zoe-muller", Name: "Zoë Müller"}, {ID: "jane-doe", Name: "Jane Doe"},
			{ID: "raj-patel", Name: "Raj Patel"}, {ID: "ana-lima", Name: "Ana Lima"},
		},
	}
	if _, err := s.Store.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	put := func(key string, data []byte) {
		if err := s.Blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	// renditions stores a small JPEG, distinct per item and size, for each
	// name, and records it with the width the name stands for.
	renditions := func(id string, names ...string) []catalog.Rendition {
		widths := map[string]int{"large": 2048, "medium": 1024, "square": 400, "square-large": 1200}
		var out []catalog.Rendition
		for i, n := range names {
			data := exiftest.MustJPEG(t, exiftest.Spec{Width: 16 + i, Height: 8 + len(id)%7, Artist: id[:2] + n})
			key := catalog.RenditionKey(id, n)
			put(key, data)
			h := widths[n] * 2 / 3
			if n == "square" || n == "square-large" {
				h = widths[n]
			}
			out = append(out, catalog.Rendition{Name: n, Key: key, Width: widths[n], Height: h, Bytes: int64(len(data))})
		}
		return out
	}
	all := []string{"large", "medium", "square"}
	original := exiftest.MustJPEG(t, exiftest.Spec{Width: 64, Height: 48, Orientation: 6, Make: "Canon", Model: "R5",
		Serial: "SN-12345", GPS: &exiftest.GPS{Lat: 53.34, Lon: -6.26}, Artist: "Pat Photographer"})
	put(catalog.OriginalKey(pubHeadshot), original)
	media := []catalog.Media{
		{ID: pubPhotoA, Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.Tagged, TakenAt: pubTime(15, 9, 10),
			TalkIDs: []string{pubWeird}, SpeakerIDs: []string{"zoe-muller"}, Photographer: "Pat", Renditions: renditions(pubPhotoA, all...)},
		{ID: pubPhotoB, Kind: catalog.Photo, SourceName: "b.jpg", Status: catalog.Tagged, TakenAt: pubTime(15, 9, 20),
			TalkIDs: []string{pubWeird}, Renditions: renditions(pubPhotoB, all...)},
		{ID: pubHidden, Kind: catalog.Photo, SourceName: "hidden.jpg", Status: catalog.Hidden, TakenAt: pubTime(15, 9, 30),
			TalkIDs: []string{pubWeird}, Renditions: renditions(pubHidden, all...)},
		{ID: pubPending, Kind: catalog.Photo, SourceName: "pending.jpg", Status: catalog.Pending, TalkIDs: []string{pubWeird}},
		{ID: pubJanePhoto, Kind: catalog.Photo, SourceName: "jane.jpg", Status: catalog.Tagged, TakenAt: pubTime(15, 9, 40),
			TalkIDs: []string{"t2", "t3"}, SpeakerIDs: []string{"jane-doe"}, Renditions: renditions(pubJanePhoto, all...)},
		{ID: pubRajPhoto, Kind: catalog.Photo, SourceName: "raj.jpg", Status: catalog.Tagged, TakenAt: pubTime(15, 9, 45),
			TalkIDs: []string{"t2"}, SpeakerIDs: []string{"raj-patel"}, Renditions: renditions(pubRajPhoto, all...)},
		{ID: pubHeadshot, Kind: catalog.Headshot, SourceName: "jane.jpg", Status: catalog.Tagged, SpeakerIDs: []string{"jane-doe"},
			OriginalKey: catalog.OriginalKey(pubHeadshot), Bytes: int64(len(original)), Width: 64, Height: 48, Artist: "Pat Photographer",
			Serial: "SN-12345", HasGPS: true, Renditions: renditions(pubHeadshot, "large", "medium", "square", "square-large")},
		{ID: pubHeadshot2, Kind: catalog.Headshot, SourceName: "jane2.jpg", Status: catalog.Tagged, SpeakerIDs: []string{"jane-doe"},
			Renditions: renditions(pubHeadshot2, all...)},
		{ID: pubZoeShot, Kind: catalog.Headshot, SourceName: "zoe.jpg", Status: catalog.Tagged, SpeakerIDs: []string{"zoe-muller"},
			Renditions: renditions(pubZoeShot, all...)},
	}
	for i := range media {
		if _, err := s.Store.CreateMedia(ctx, &media[i]); err != nil {
			t.Fatal(err)
		}
	}
	recs := []catalog.Recording{
		{ID: "rec-yt", URL: "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90", Title: "Keynote video", TalkID: pubWeird},
		{ID: "rec-mp4", URL: "https://cdn.example/t2.mp4", Title: "Packaging", TalkID: "t2", Thumbnail: "https://cdn.example/t2.jpg"},
		{ID: "rec-page", URL: "https://media.example/v/1234?a=b&c=d", Title: "Day two", TalkID: "t3"},
		{ID: "rec-off", URL: "https://www.youtube.com/watch?v=aaaaaaaaaaa", Title: "Should not show", TalkID: "t4"},
	}
	for _, r := range recs {
		if _, err := s.Store.PutRecording(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if err := s.Store.UpdateRecording(ctx, r.ID, func(x *catalog.Recording) error {
			x.State, x.TalkID = catalog.RecordingAttached, r.TalkID
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return s, h
}

// get fetches path, following one redirect the mux may answer with.
func get(t *testing.T, h http.Handler, path string) (int, http.Header, string) {
	t.Helper()
	rec := do(t, h, "GET", path, "", nil)
	return rec.Code, rec.Header(), rec.Body.String()
}

func renditionURL(id, name string) string {
	return "http://example.test/" + catalog.RenditionKey(id, name)
}

func TestPublicPagesFoundAndNotFound(t *testing.T) {
	_, h := newPublicServer(t)
	tests := []struct {
		path string
		want int
		has  []string
	}{
		{"/", 200, []string{"PubConf", `href="/schedule/2026-05-15"`, `href="/speakers"`}},
		{"/schedule", 200, []string{"Friday 15 May 2026", "Saturday 16 May 2026", "Opening &lt;Keynote&gt;"}},
		{"/schedule/2026-05-15", 200, []string{"Friday 15 May 2026", "Packaging in Anger", `rel="next" href="/schedule/2026-05-16"`}},
		{"/schedule/2026-05-16", 200, []string{"Day Two Talk", `rel="prev" href="/schedule/2026-05-15"`}},
		{"/schedule/2026-05-17", 404, []string{"no talks on 2026-05-17"}},
		{"/schedule/tomorrow", 404, []string{"is not a day"}},
		{"/schedule/2026-02-30", 404, nil},
		{"/talks/" + url.PathEscape(pubWeird), 200, []string{"Opening &lt;Keynote&gt;"}},
		{"/talks/t2", 200, []string{"Packaging in Anger"}},
		{"/talks/nope", 404, []string{"no talk"}},
		{"/speakers", 200, []string{"Zoë Müller", "Ana Lima"}},
		{"/speakers/jane-doe", 200, []string{"Jane Doe"}},
		{"/speakers/ana-lima", 200, []string{"Ana Lima", "No headshot yet"}},
		{"/speakers/nope", 404, []string{"no speaker"}},
		{"/talks/nope/photos.zip", 404, nil},
		{"/talks/t3/photos.zip", 200, nil},
		{"/talks/t4/photos.zip", 404, []string{"no published photos"}},
		{"/speakers/nope/photos.zip", 404, nil},
		{"/speakers/ana-lima/photos.zip", 404, nil},
		{"/download/" + pubHidden + "/large", 404, nil},
		{"/download/" + pubPending + "/large", 404, nil},
		{"/download/" + pubPhotoA + "/huge", 404, nil},
		{"/download/" + pubHeadshot + "/original", 404, []string{"originals are not offered"}},
		{"/download/nope/large", 404, nil},
	}
	for _, tt := range tests {
		code, hdr, body := get(t, h, tt.path)
		if code != tt.want {
			t.Errorf("GET %s: %d, want %d", tt.path, code, tt.want)
			continue
		}
		for _, s := range tt.has {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s: body lacks %q", tt.path, s)
			}
		}
		if strings.HasSuffix(tt.path, ".zip") && code == 200 || strings.HasPrefix(tt.path, "/download/") && code == 200 {
			continue
		}
		// Every page, error pages included, is HTML made for phones.
		if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q, want HTML", tt.path, ct)
		}
		if !strings.Contains(body, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
			t.Errorf("GET %s: no viewport meta", tt.path)
		}
	}
}

func TestSchedulePageGroups(t *testing.T) {
	_, h := newPublicServer(t)
	_, _, body := get(t, h, "/schedule")
	// Days in order; rooms in the order they first appear (Hall B hosts the
	// first talk), talks by time within a room.
	order := []string{"Friday 15 May 2026", "Hall B", "Early Bird", "Packaging in Anger", "Hall A", "Opening &lt;Keynote&gt;",
		"Saturday 16 May 2026", "Hall A", "Day Two Talk", "Off the Record"}
	at := 0
	for _, s := range order {
		i := strings.Index(body[at:], s)
		if i < 0 {
			t.Fatalf("/schedule: %q missing or out of order after byte %d", s, at)
		}
		at += i + len(s)
	}
	if want := `href="/talks/2026%2Fkeynote%3Fx=1%20&amp;%20%C3%BC"`; !strings.Contains(body, want) {
		t.Errorf("/schedule: talk link not escaped; want %s", want)
	}
	if !strings.Contains(body, `href="/talks/t0"`) || !strings.Contains(body, "09:30–10:00") {
		t.Errorf("/schedule: talk links or times missing")
	}
	_, _, day := get(t, h, "/schedule/2026-05-16")
	if strings.Contains(day, "Packaging in Anger") || !strings.Contains(day, "Off the Record") {
		t.Errorf("/schedule/2026-05-16 must list that day only")
	}

	// An empty schedule is a page that says so.
	_, _, h2 := newTestServer(t)
	if code, _, body := get(t, h2, "/schedule"); code != 200 || !strings.Contains(body, "No schedule has been published") {
		t.Errorf("empty /schedule: %d", code)
	}
}

func TestTalkPage(t *testing.T) {
	_, h := newPublicServer(t)
	_, _, body := get(t, h, "/talks/"+url.PathEscape(pubWeird))
	has := []string{
		"<h1>Opening &lt;Keynote&gt;</h1>",
		`<a href="/schedule/2026-05-15">Friday 15 May 2026</a>, 09:00–09:45`,
		"Hall A",
		`href="/speakers/zoe-muller"`,
		`<img class="avatar" src="` + renditionURL(pubZoeShot, "square") + `"`,
		// The gallery: square thumbnails with their size, lazy, opening
		// large; the lightbox gets medium and large, the credit and every size.
		`<a href="` + renditionURL(pubPhotoA, "large") + `" class="open"><img src="` + renditionURL(pubPhotoA, "square") + `" width="400" height="400" alt="Photo 1 of Opening &lt;Keynote&gt;" loading="lazy">`,
		`data-full="` + renditionURL(pubPhotoA, "medium") + `" data-full-set="` + renditionURL(pubPhotoA, "medium") + " 1024w, " + renditionURL(pubPhotoA, "large") + ` 2048w"`,
		`<span data-testid="credit">© Pat</span>`,
		`href="/download/` + pubPhotoA + `/large" download="opening-keynote-` + pubPhotoA[:8] + `-large.jpg" data-testid="download-large" data-size="2048×1365">2048×1365</a>`,
		`data-testid="download-square" data-size="400×400">400×400 square</a>`,
		renditionURL(pubPhotoB, "square"),
		`href="/talks/2026%2Fkeynote%3Fx=1%20&amp;%20%C3%BC/photos.zip"`,
		// The recording is a button that loads the player, not an embed.
		`data-player="youtube" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"`,
		`href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=90"`,
		`href="/api/talks/2026%2Fkeynote%3Fx=1%20&amp;%20%C3%BC"`,
	}
	for _, s := range has {
		if !strings.Contains(body, s) {
			t.Errorf("talk page lacks %s", s)
		}
	}
	for _, id := range []string{pubHidden, pubPending} {
		if strings.Contains(body, id) {
			t.Errorf("talk page shows unpublished media %s", id[:2])
		}
	}
	if n := strings.Count(body, `data-testid="photo"`); n != 2 {
		t.Errorf("talk page shows %d photos, want 2", n)
	}

	_, _, body = get(t, h, "/talks/t2")
	for _, s := range []string{
		`data-player="video" data-embed="https://cdn.example/t2.mp4"`,
		`href="https://cdn.example/t2.mp4"`,
		`href="/speakers/jane-doe"`, `href="/speakers/raj-patel"`,
		renditionURL(pubHeadshot, "square"),
	} {
		if !strings.Contains(body, s) {
			t.Errorf("/talks/t2 lacks %s", s)
		}
	}
	_, _, body = get(t, h, "/talks/t3")
	if !strings.Contains(body, `href="https://media.example/v/1234?a=b&amp;c=d"`) || strings.Contains(body, "<iframe") || strings.Contains(body, "<video") {
		t.Errorf("/talks/t3: a page URL must be a plain link")
	}
	_, _, body = get(t, h, "/talks/t4")
	if strings.Contains(body, "Should not show") || !strings.Contains(body, "No photos yet") {
		t.Errorf("/talks/t4: do-not-record talk shows a recording, or photos")
	}
}

func TestPlayerFor(t *testing.T) {
	tests := []struct {
		url, player, embed string
	}{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=1m5s", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=65"},
		{"https://m.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://youtu.be/dQw4w9WgXcQ?t=42", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42"},
		{"https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://www.youtube.com/live/dQw4w9WgXcQ?si=x", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://www.youtube.com/watch?v=short", "", ""},
		{"https://www.youtube.com/watch?v=dQw4w9WgXc\"", "", ""},
		{"https://www.youtube.com/playlist?list=PL123", "", ""},
		{"https://vimeo.com/123456789", "vimeo", "https://player.vimeo.com/video/123456789"},
		{"https://vimeo.com/123456789/abcdef0123", "vimeo", "https://player.vimeo.com/video/123456789?h=abcdef0123"},
		{"https://vimeo.com/channels/staffpicks/123456789", "vimeo", "https://player.vimeo.com/video/123456789"},
		{"https://player.vimeo.com/video/123456789?h=abc123", "vimeo", "https://player.vimeo.com/video/123456789?h=abc123"},
		{"https://vimeo.com/user/conference", "", ""},
		{"https://cdn.example/talks/t1.mp4", "video", "https://cdn.example/talks/t1.mp4"},
		{"https://cdn.example/talks/T1.WEBM?token=x", "video", "https://cdn.example/talks/T1.WEBM?token=x"},
		{"https://cdn.example/hls/master.m3u8", "video", "https://cdn.example/hls/master.m3u8"},
		{"https://media.ccc.de/v/talk-1", "", ""},
		{"ftp://cdn.example/t1.mp4", "", ""},
		{"javascript:alert(1)//.mp4", "", ""},
		{"not a url", "", ""},
	}
	for _, tt := range tests {
		player, embed := playerFor(tt.url)
		if player != tt.player || embed != tt.embed {
			t.Errorf("playerFor(%q) = %q, %q; want %q, %q", tt.url, player, embed, tt.player, tt.embed)
		}
	}
}

var speakerNameRE = regexp.MustCompile(`<a class="name" href="[^"]*">([^<]*)</a>`)

func TestSpeakerSearch(t *testing.T) {
	_, h := newPublicServer(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{"Ana Lima", "Jane Doe", "Raj Patel", "Zoë Müller"}},
		{"zoe mul", []string{"Zoë Müller"}},
		{"ZOË", []string{"Zoë Müller"}},
		{"müller", []string{"Zoë Müller"}},
		{"doe jane", []string{"Jane Doe"}},
		{"  jane   ", []string{"Jane Doe"}},
		{"a", []string{"Ana Lima", "Jane Doe", "Raj Patel"}},
		{"jane raj", nil},
		{"xyz", nil},
	}
	for _, tt := range tests {
		code, _, body := get(t, h, "/speakers?q="+url.QueryEscape(tt.q))
		if code != 200 {
			t.Errorf("q=%q: status %d", tt.q, code)
			continue
		}
		var got []string
		for _, m := range speakerNameRE.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("q=%q: got %q, want %q", tt.q, got, tt.want)
		}
		if len(tt.want) == 0 && !strings.Contains(body, `data-testid="speaker-none"`) {
			t.Errorf("q=%q: no 'no match' message", tt.q)
		}
	}
	_, _, body := get(t, h, "/speakers")
	for _, s := range []string{`data-fold="zoe muller"`, `href="/speakers/zoe-muller"`, `href="/talks/2026%2Fkeynote%3Fx=1%20&amp;%20%C3%BC"`,
		`<script src="/static/public.js" defer></script>`, `id="speaker-search"`} {
		if !strings.Contains(body, s) {
			t.Errorf("/speakers lacks %s", s)
		}
	}
	if code, hdr, _ := get(t, h, "/static/public.js"); code != 200 || !strings.Contains(hdr.Get("Content-Type"), "javascript") {
		t.Errorf("/static/public.js: %d %s", code, hdr.Get("Content-Type"))
	}
}

func TestSpeakerPage(t *testing.T) {
	s, h := newPublicServer(t)
	_, _, body := get(t, h, "/speakers/jane-doe")
	for _, want := range []string{
		"<h1>Jane Doe</h1>",
		`href="/talks/t2"`, `href="/talks/t3"`,
		`<img src="` + renditionURL(pubHeadshot, "medium") + `"`,
		`<img src="` + renditionURL(pubHeadshot2, "medium") + `"`,
		`href="/download/` + pubHeadshot + `/square" download="jane-doe-square.jpg"`,
		`href="/download/` + pubHeadshot + `/square-large" download="jane-doe-square-large.jpg"`,
		`href="/download/` + pubHeadshot + `/medium" download="jane-doe-medium.jpg"`,
		`href="/download/` + pubHeadshot + `/large" download="jane-doe-large.jpg"`,
		`href="/download/` + pubHeadshot2 + `/large" download="jane-doe-2-large.jpg"`,
		"1200×1200", "400×400",
		`href="/speakers/jane-doe/photos.zip"`,
		renditionURL(pubJanePhoto, "medium"),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("speaker page lacks %s", want)
		}
	}
	if strings.Contains(body, "/original") {
		t.Errorf("originals offered though not allowed")
	}
	if strings.Contains(body, pubRajPhoto) {
		t.Errorf("speaker page shows a photo tagged with another speaker only")
	}
	if n := strings.Count(body, `data-testid="photo"`); n != 1 {
		t.Errorf("speaker page shows %d photos, want the one photo once", n)
	}
	if strings.Contains(body, `/download/`+pubHeadshot2+`/square-large`) {
		t.Errorf("a size the headshot lacks is offered")
	}

	s.AllowOriginals = true
	_, _, body = get(t, h, "/speakers/jane-doe")
	if !strings.Contains(body, `href="/download/`+pubHeadshot+`/original" download="jane-doe-original.jpg"`) {
		t.Errorf("original not offered when allowed")
	}
}

func TestDownload(t *testing.T) {
	s, h := newPublicServer(t)
	blobs := s.Blobs.(interface{ Bytes(string) ([]byte, bool) })
	tests := []struct {
		id, rendition, filename string
	}{
		{pubHeadshot, "large", "jane-doe-large.jpg"},
		{pubHeadshot, "square", "jane-doe-square.jpg"},
		{pubHeadshot, "square-large", "jane-doe-square-large.jpg"},
		{pubHeadshot2, "medium", "jane-doe-2-medium.jpg"},
		{pubZoeShot, "square", "zoe-muller-square.jpg"},
		{pubPhotoA, "large", "opening-keynote-a1000000-large.jpg"},
		{pubJanePhoto, "medium", "packaging-b1000000-medium.jpg"},
	}
	for _, tt := range tests {
		code, hdr, body := get(t, h, downloadHref(tt.id, tt.rendition))
		if code != 200 {
			t.Errorf("download %s %s: %d %s", tt.id[:2], tt.rendition, code, body)
			continue
		}
		_, params, err := mime.ParseMediaType(hdr.Get("Content-Disposition"))
		if err != nil || params["filename"] != tt.filename || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %s %s: Content-Disposition %q, want attachment named %s", tt.id[:2], tt.rendition, hdr.Get("Content-Disposition"), tt.filename)
		}
		want, _ := blobs.Bytes(catalog.RenditionKey(tt.id, tt.rendition))
		if body != string(want) || hdr.Get("Content-Type") != "image/jpeg" || hdr.Get("Content-Length") != itoa(int64(len(want))) {
			t.Errorf("download %s %s: %d bytes of %s, want the rendition's %d", tt.id[:2], tt.rendition, len(body), hdr.Get("Content-Type"), len(want))
		}
	}
}

func TestDownloadNames(t *testing.T) {
	doc := &catalog.Document{
		Talks:    []catalog.DocTalk{{ID: "x/1", Title: "¿Qué pasa? — Ünïcode & Friends", PhotoIDs: []string{"p1"}}, {ID: "!!", PhotoIDs: []string{"p2"}}},
		Speakers: []catalog.DocSpeaker{{ID: "s1", Name: "Łukasz Ó’Brien", HeadshotIDs: []string{"h1"}}, {ID: "s2", Name: "李小龍", HeadshotIDs: []string{"h2"}}, {ID: "s3", Name: "???", HeadshotIDs: []string{"h3"}}},
	}
	tests := []struct {
		m    catalog.DocMedia
		want string
	}{
		{catalog.DocMedia{ID: "h1", Kind: catalog.Headshot}, "lukasz-obrien-large.jpg"},
		{catalog.DocMedia{ID: "h2", Kind: catalog.Headshot}, "李小龍-large.jpg"},
		{catalog.DocMedia{ID: "h3abcdef99", Kind: catalog.Headshot}, "headshot-h3abcdef-large.jpg"},
		{catalog.DocMedia{ID: "p1", Kind: catalog.Photo}, "que-pasa-unicode-friends-p1-large.jpg"},
		{catalog.DocMedia{ID: "p2", Kind: catalog.Photo}, "talk-p2-large.jpg"},
		{catalog.DocMedia{ID: "p3", Kind: catalog.Photo}, "photo-p3-large.jpg"},
	}
	for _, tt := range tests {
		if got := downloadName(doc, tt.m, "large"); got != tt.want {
			t.Errorf("downloadName(%s) = %q, want %q", tt.m.ID, got, tt.want)
		}
	}
	if got := slug(strings.Repeat("ü", 40)); len(got) > 60 || strings.ToValidUTF8(got, "") != got {
		t.Errorf("slug of a long name = %q: over 60 bytes or cut inside a letter", got)
	}
	// A name outside ASCII survives the Content-Disposition header.
	_, params, err := mime.ParseMediaType(attachment("李小龍-large.jpg"))
	if err != nil || params["filename"] != "李小龍-large.jpg" {
		t.Errorf("attachment round trip: %v %q", err, params["filename"])
	}
}

func TestDownloadOriginal(t *testing.T) {
	s, h := newPublicServer(t)
	s.AllowOriginals = true
	code, hdr, body := get(t, h, downloadHref(pubHeadshot, "original"))
	if code != 200 {
		t.Fatalf("original: %d %s", code, body)
	}
	if _, p, _ := mime.ParseMediaType(hdr.Get("Content-Disposition")); p["filename"] != "jane-doe-original.jpg" {
		t.Errorf("original named %q", hdr.Get("Content-Disposition"))
	}
	data := []byte(body)
	md, err := exif.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if md.HasGPS || md.Serial != "" || md.Make != "" || md.Model != "" {
		t.Errorf("original keeps GPS %v, serial %q, camera %q %q; want them stripped", md.HasGPS, md.Serial, md.Make, md.Model)
	}
	if md.Artist != "Pat Photographer" {
		t.Errorf("original artist %q, want the credit kept", md.Artist)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Full size and upright: the fixture is 64x48 once its orientation 6 is applied.
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 || !exiftest.MarkerTopLeft(img) {
		t.Errorf("original is %dx%d (upright %v), want 64x48 upright", b.Dx(), b.Dy(), exiftest.MarkerTopLeft(img))
	}
	if hdr.Get("Content-Length") != itoa(int64(len(data))) {
		t.Errorf("Content-Length %s for %d bytes", hdr.Get("Content-Length"), len(data))
	}

	// Only headshots offer originals; a missing original is a 404.
	if code, _, _ := get(t, h, downloadHref(pubPhotoA, "original")); code != 404 {
		t.Errorf("photo original: %d, want 404", code)
	}
	if code, _, _ := get(t, h, downloadHref(pubHeadshot2, "original")); code != 404 {
		t.Errorf("headshot without original in the bucket: %d, want 404", code)
	}
	// Over the pixel limit: refused from the header.
	s.MaxPixels = 1000
	if code, _, _ := get(t, h, downloadHref(pubHeadshot, "original")); code != http.StatusRequestEntityTooLarge {
		t.Errorf("original over the pixel limit: %d, want 413", code)
	}
}

// readZip checks a zip response's headers and returns its entries' names
// and contents.
func readZip(t *testing.T, h http.Handler, path, filename string) ([]string, map[string][]byte) {
	t.Helper()
	code, hdr, body := get(t, h, path)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if hdr.Get("Content-Type") != "application/zip" {
		t.Errorf("GET %s: Content-Type %q", path, hdr.Get("Content-Type"))
	}
	if _, p, _ := mime.ParseMediaType(hdr.Get("Content-Disposition")); p["filename"] != filename {
		t.Errorf("GET %s: Content-Disposition %q, want %s", path, hdr.Get("Content-Disposition"), filename)
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("GET %s: not a zip: %v", path, err)
	}
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.Method != zip.Store {
			t.Errorf("%s: method %d, want stored", f.Name, f.Method)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		rc.Close()
		if uint64(b.Len()) != f.UncompressedSize64 {
			t.Errorf("%s: %d bytes, header says %d", f.Name, b.Len(), f.UncompressedSize64)
		}
		names = append(names, f.Name)
		files[f.Name] = b.Bytes()
	}
	return names, files
}

func TestPhotosZip(t *testing.T) {
	s, h := newPublicServer(t)
	blobs := s.Blobs.(interface{ Bytes(string) ([]byte, bool) })
	large := func(id string) []byte {
		b, _ := blobs.Bytes(catalog.RenditionKey(id, "large"))
		return b
	}
	tests := []struct {
		path, filename string
		want           map[string]string // entry name → media id
		order          []string
	}{
		{"/talks/" + url.PathEscape(pubWeird) + "/photos.zip", "opening-keynote-photos.zip",
			map[string]string{"opening-keynote-001.jpg": pubPhotoA, "opening-keynote-002.jpg": pubPhotoB},
			[]string{"opening-keynote-001.jpg", "opening-keynote-002.jpg"}},
		{"/talks/t2/photos.zip", "packaging-photos.zip",
			map[string]string{"packaging-001.jpg": pubJanePhoto, "packaging-002.jpg": pubRajPhoto},
			[]string{"packaging-001.jpg", "packaging-002.jpg"}},
		// Jane's photos: hers from t2 (not Raj's), and the same photo, also
		// tagged with t3, only once.
		{"/speakers/jane-doe/photos.zip", "jane-doe-photos.zip",
			map[string]string{"packaging-001.jpg": pubJanePhoto}, []string{"packaging-001.jpg"}},
		{"/speakers/zoe-muller/photos.zip", "zoe-muller-photos.zip",
			map[string]string{"opening-keynote-001.jpg": pubPhotoA, "opening-keynote-002.jpg": pubPhotoB},
			[]string{"opening-keynote-001.jpg", "opening-keynote-002.jpg"}},
	}
	for _, tt := range tests {
		names, files := readZip(t, h, tt.path, tt.filename)
		if strings.Join(names, "|") != strings.Join(tt.order, "|") {
			t.Errorf("%s: entries %q, want %q", tt.path, names, tt.order)
		}
		for name, id := range tt.want {
			if !bytes.Equal(files[name], large(id)) {
				t.Errorf("%s: %s holds %d bytes, want the %d of %s's large rendition", tt.path, name, len(files[name]), len(large(id)), id[:2])
			}
		}
	}
}

func TestPhotosZipMissingBlob(t *testing.T) {
	s, h := newPublicServer(t)
	ctx := context.Background()
	// The second blob vanishes: the archive is under way, so the response
	// is aborted rather than finished as a zip with a file missing.
	if err := s.Blobs.Delete(ctx, catalog.RenditionKey(pubPhotoB, "large")); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !errors.Is(r.(error), http.ErrAbortHandler) {
				t.Errorf("missing second blob: recovered %v, want http.ErrAbortHandler", r)
			}
		}()
		get(t, h, "/talks/"+url.PathEscape(pubWeird)+"/photos.zip")
	}()
	// The first blob missing: nothing was sent yet, so a clean error page.
	if err := s.Blobs.Delete(ctx, catalog.RenditionKey(pubPhotoA, "large")); err != nil {
		t.Fatal(err)
	}
	if code, hdr, _ := get(t, h, "/talks/"+url.PathEscape(pubWeird)+"/photos.zip"); code != 404 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Errorf("missing first blob: %d %s, want a 404 page", code, hdr.Get("Content-Type"))
	}
}
