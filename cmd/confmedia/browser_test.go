//go:build browser

package main

// Browser end-to-end tests: a real headless Chromium, driven with chromedp,
// against a real `confmedia dev` (Redis, the S3 server and SQLite, started by
// startDev). Each person's job is done the way they would do it, through the
// pages only: a photographer drops a folder on the upload page, a speaker
// finds their name and downloads a headshot, the video team attaches a
// recording and an organizer resolves a review item. Every page they use is
// also checked at phone width for horizontal overflow.
//
//	go test -tags browser -run TestBrowser ./cmd/confmedia
//
// They need Debian's chromium (CONFMEDIA_CHROMIUM names another binary),
// redis-server and versitygw; `make test-e2e` installs them. With
// CONFMEDIA_SCREENSHOTS=DIR they also write the pages' screenshots, at desktop
// and phone widths, to DIR (`make screenshots` refreshes docs/screenshots).

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// The viewports pages are checked and photographed at.
const (
	desktopWidth, desktopHeight = 1280, 800
	phoneWidth, phoneHeight     = 390, 844
	// screenshotMaxHeight bounds a full-page screenshot, in CSS pixels.
	screenshotMaxHeight = 2400
	// browserActionTimeout bounds one step of a scenario: a navigation, a
	// click, a wait.
	browserActionTimeout = 30 * time.Second
	// uploadTimeout bounds a batch on the upload page, hashing to summary.
	uploadTimeout = 2 * time.Minute
)

// browserSchedule is the conference of the browser tests: two days, two
// rooms, one speaker with an accented name.
const browserSchedule = `id,title,room,start,end,speakers
t1,Opening Keynote: Media That Lasts,Liffey Hall,2026-05-15 09:00,2026-05-15 09:45,Zoë Müller
t2,Packaging in Anger,Liffey Hall,2026-05-15 10:00,2026-05-15 10:30,Jane Doe;Raj Patel
t3,Async All the Way,Boole Room,2026-05-15 10:00,2026-05-15 10:30,Ana Lima
t4,Tiny Tools for Big Venues,Liffey Hall,2026-05-15 13:30,2026-05-15 14:00,Raj Patel
t5,Caching Without Tears,Boole Room,2026-05-16 09:30,2026-05-16 10:15,Jane Doe
t6,Closing Panel,Liffey Hall,2026-05-16 16:00,2026-05-16 17:00,Zoë Müller;Ana Lima;Raj Patel
`

// Recordings: the keynote's matches its talk by title; the other is close
// to t3's title, names no speaker, and waits for the video team.
const (
	keynoteVideo   = "https://media.example.org/testconf/2026/keynote.mp4"
	unmatchedVideo = "https://media.example.org/testconf/2026/async-all-the-way-down.mp4"
	unmatchedTitle = "Async all the way down"
)

// browserFixture is what the scenarios start from, made through the CLI.
type browserFixture struct {
	in *instance
	// keynotePhoto is the bytes of a photo already in the catalog, which the
	// photographer's folder holds again under another name.
	keynotePhoto []byte
}

func TestBrowser(t *testing.T) {
	chromium := findChromium(t)
	start := time.Now()
	in := startDev(t)
	fx := seedBrowserFixture(t, in)
	t.Logf("confmedia dev started and seeded in %s", time.Since(start).Round(time.Millisecond))
	b := startChromium(t, chromium)

	t.Run("photographer uploads a folder", func(t *testing.T) { testUploadFolder(t, b, fx) })
	t.Run("speaker downloads a headshot", func(t *testing.T) { testSpeakerHeadshot(t, b, fx) })
	t.Run("video team attaches a recording", func(t *testing.T) { testAttachRecording(t, b, fx) })
	t.Run("organizer resolves a review item", func(t *testing.T) { testResolveReview(t, b, fx) })
	t.Run("organizer clears review in bulk", func(t *testing.T) { testBulkReview(t, b, fx) })
	t.Run("galleries, schedule grid and every page's accessibility", func(t *testing.T) { testGalleries(t, b, fx) })
	t.Logf("browser suite took %s", time.Since(start).Round(time.Millisecond))
}

// findChromium returns the browser binary, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	bin := cmp.Or(os.Getenv("CONFMEDIA_CHROMIUM"), "/usr/bin/chromium")
	if _, err := exec.LookPath(bin); err != nil {
		t.Skipf("no browser at %s: run `make test-e2e`, which installs Debian's chromium, or set CONFMEDIA_CHROMIUM", bin)
	}
	return bin
}

// seedBrowserFixture imports the schedule and uploads, through the CLI,
// the speakers' headshots, photos of the keynote, two photos that need a
// person's decision and two recordings, then waits for the workers.
func seedBrowserFixture(t *testing.T, in *instance) *browserFixture {
	t.Helper()
	dir := t.TempDir()
	sched := filepath.Join(dir, "schedule.csv")
	writeFile(t, sched, []byte(browserSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "TestConf 2026", sched)

	heads := filepath.Join(dir, "heads")
	writeFile(t, filepath.Join(heads, "zoe-muller.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 1200, Height: 1500, Artist: "Pat Photographer"}))
	for i, name := range []string{"jane-doe", "raj-patel", "ana-lima"} {
		writeFile(t, filepath.Join(heads, name+".jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 600 + 10*i, Height: 750}))
	}
	in.mustCLI("upload", "--kind", "headshot", heads)

	fx := &browserFixture{in: in}
	keynote := filepath.Join(dir, "keynote")
	for i, at := range []string{"09:05:00", "09:12:30", "09:20:00", "09:31:10", "09:40:00"} {
		b := exiftest.MustJPEG(t, exiftest.Spec{Width: 1200, Height: 800, DateTimeOriginal: "2026:05:15 " + at,
			Make: "Canon", Model: "EOS R6", Artist: "Sam Shooter"})
		if i == 0 {
			fx.keynotePhoto = b
		}
		writeFile(t, filepath.Join(keynote, fmt.Sprintf("keynote-%d.jpg", i+1)), b)
	}
	in.mustCLI("upload", "--room", "Liffey Hall", "--photographer", "Sam Shooter", keynote)

	// No room: two talks run at 10:10, so a person picks one. No time: a
	// person decides.
	review := filepath.Join(dir, "review")
	writeFile(t, filepath.Join(review, "crowd.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 900, Height: 600, DateTimeOriginal: "2026:05:15 10:10:00"}))
	writeFile(t, filepath.Join(review, "no-clock.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 910, Height: 600}))
	in.mustCLI("upload", review)

	recs := filepath.Join(dir, "recordings.csv")
	writeFile(t, recs, []byte("title,speakers,date,room,start,url,duration\n"+
		"Opening Keynote: Media That Lasts,Zoë Müller,2026-05-15,,,"+keynoteVideo+",2700\n"+
		unmatchedTitle+",,2026-05-15,,,"+unmatchedVideo+",1800\n"))
	in.mustCLI("videos", "import", recs)
	in.mustCLI("wait", "--timeout", "2m")

	// The scenarios rely on these; say so plainly when the pipeline did
	// something else.
	doc := in.export()
	byName := mediaBySource(doc)
	for _, sp := range doc.Speakers {
		if len(sp.HeadshotIDs) != 1 {
			t.Fatalf("seed: speaker %s has headshots %v, want one", sp.ID, sp.HeadshotIDs)
		}
	}
	if m := byName["crowd.jpg"]; m.Status != catalog.NeedsReview || !slices.Contains(m.Candidates, "t2") {
		t.Fatalf("seed: crowd.jpg is %s with candidates %v, want needs_review with t2 among them", m.Status, m.Candidates)
	}
	var found bool
	for _, u := range doc.UnmatchedRecordings {
		if u.URL == unmatchedVideo {
			found = slices.Contains(u.CandidateTalkIDs, "t3")
			if !found {
				t.Fatalf("seed: unmatched recording %+v does not offer t3", u)
			}
		}
	}
	if !found {
		t.Fatalf("seed: %s is not among the unmatched recordings %+v", unmatchedVideo, doc.UnmatchedRecordings)
	}
	return fx
}

// loginLink makes a token for role and returns its login link.
func (fx *browserFixture) loginLink(t *testing.T, role catalog.Role, name string) string {
	t.Helper()
	var created web.TokenCreated
	if err := json.Unmarshal([]byte(fx.in.mustCLI("token", "create", "--json", "--role", string(role), "--name", name)), &created); err != nil {
		t.Fatal(err)
	}
	return created.Link
}

// adminLoginLink is the login link of the admin token `confmedia dev`
// wrote into its data dir.
func (fx *browserFixture) adminLoginLink(t *testing.T) string {
	t.Helper()
	token, err := os.ReadFile(filepath.Join(fx.in.env["CONFMEDIA_DATA"], "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	return fx.in.url + "/login?" + url.Values{"token": {strings.TrimSpace(string(token))}}.Encode()
}

// --- the scenarios ---

// testUploadFolder: a photographer opens their login link, lands on the
// upload page, drops a folder (with a sub-folder, a hidden file, a text
// file and a photo the catalog has already) on the drop zone, picks the
// room and their camera's clock offset, starts, and sees each file's
// outcome and the summary; the photos are then tagged with the talk.
func testUploadFolder(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	dir := filepath.Join(t.TempDir(), "day1")
	// The camera's clock is an hour behind: 09:05 on it is 10:05, during t3
	// in the Boole Room.
	shots := map[string]string{
		"IMG_0101.jpg":       "09:05:00",
		"IMG_0102.jpg":       "09:12:00",
		"stage/IMG_0103.jpg": "09:21:00",
	}
	for name, at := range shots {
		writeFile(t, filepath.Join(dir, name), exiftest.MustJPEG(t, exiftest.Spec{Width: 1200, Height: 800,
			DateTimeOriginal: "2026:05:15 " + at, Make: "Nikon", Model: "Z6"}))
	}
	writeFile(t, filepath.Join(dir, "IMG_0100.jpg"), fx.keynotePhoto)
	writeFile(t, filepath.Join(dir, "shot-list.txt"), []byte("keynote, async talk, hallway\n"))
	writeFile(t, filepath.Join(dir, ".DS_Store"), []byte("\x00\x00\x00\x01Bud1"))

	tab := b.newTab(t)
	tab.signIn(t, fx.loginLink(t, catalog.RolePhotographer, "Pat Photographer"), "Pat Photographer")
	if loc := tab.location(); !strings.HasSuffix(loc, "/upload") {
		t.Fatalf("a photographer's login link led to %s, want the upload page", loc)
	}
	// The page hashes with the WebAssembly SHA-256 whenever it is there,
	// which is what a browser on a plain-http venue LAN gets.
	if how := evalJS[string](t, tab, `window.hashwasm && window.hashwasm.createSHA256 ? 'wasm' : (window.isSecureContext ? 'webcrypto only' : 'none')`); how != "wasm" {
		t.Errorf("upload page hasher: %s, want the WebAssembly one (web/static/vendor is built by `make build`)", how)
	}
	if direct := evalJS[string](t, tab, `document.getElementById('upload-app').dataset.direct`); direct != "true" {
		t.Errorf("upload page data-direct=%q: originals do not go straight to the bucket", direct)
	}
	if got := evalJS[string](t, tab, `document.getElementById('photographer').value`); got != "Pat Photographer" {
		t.Errorf("photographer field = %q, want the token's name", got)
	}

	tab.do(
		chromedp.SetValue(chromedp.ID("room"), "Boole Room"),
		chromedp.SendKeys(chromedp.ID("clock-offset"), "+1h"),
	)
	tab.dropFiles(t, "#drop-zone", dir)
	tab.waitJS(t, `document.querySelectorAll('#file-rows tr').length === 5`, "five files listed after the drop", browserActionTimeout)
	rows := fileRows(t, tab)
	wantPaths := []string{"day1/IMG_0100.jpg", "day1/IMG_0101.jpg", "day1/IMG_0102.jpg", "day1/shot-list.txt", "day1/stage/IMG_0103.jpg"}
	if got := slices.Sorted(maps.Keys(rows)); !slices.Equal(got, wantPaths) {
		t.Errorf("listed files %v, want %v (the hidden file left out)", got, wantPaths)
	}

	sum := runUpload(t, tab)
	rows = fileRows(t, tab)
	want := map[string]string{
		"day1/IMG_0100.jpg":       "duplicate",
		"day1/IMG_0101.jpg":       "sent",
		"day1/IMG_0102.jpg":       "sent",
		"day1/stage/IMG_0103.jpg": "sent",
		"day1/shot-list.txt":      "rejected",
	}
	for path, status := range want {
		if r := rows[path]; r.Status != status {
			t.Errorf("row %s: status %q (%q), want %q", path, r.Status, r.Reason, status)
		}
	}
	if r := rows["day1/shot-list.txt"]; !strings.Contains(r.Reason, "not an image") {
		t.Errorf("shot-list.txt rejected with reason %q, want it to say it is not an image", r.Reason)
	}
	if sum["sent"] != "3" || sum["duplicate"] != "1" || sum["rejected"] != "1" || sum["failed"] != "0" || sum["waiting"] != "0" {
		t.Errorf("summary %q (counts %v), want 3 sent, 1 duplicate, 1 rejected, none failed or waiting", sum["text"], sum)
	}
	if !strings.HasPrefix(sum["text"], "Done") || !strings.Contains(sum["progress"], "4 of 4 files done") {
		t.Errorf("summary %q, progress %q: want Done and 4 of 4 files", sum["text"], sum["progress"])
	}
	if sum["notice"] != "" || sum["error"] != "" {
		t.Errorf("upload page notice %q, error %q: want neither (files go straight to the bucket)", sum["notice"], sum["error"])
	}
	b.viewports(t, tab, "upload")

	// The same folder again, in a fresh list: nothing is sent twice.
	tab.do(chromedp.Click(chromedp.ID("clear")))
	tab.waitJS(t, `document.querySelectorAll('#file-rows tr').length === 0`, "the list cleared", browserActionTimeout)
	tab.dropFiles(t, "#drop-zone", dir)
	tab.waitJS(t, `document.querySelectorAll('#file-rows tr').length === 5`, "five files listed after the second drop", browserActionTimeout)
	if sum := runUpload(t, tab); sum["sent"] != "0" || sum["duplicate"] != "4" || sum["rejected"] != "1" {
		t.Errorf("the same folder again: summary %q (counts %v), want 0 sent, 4 already on the server, 1 rejected", sum["text"], sum)
	}

	// The photos are processed and tagged with the talk in the room at the
	// corrected time.
	fx.in.mustCLI("wait", "--timeout", "1m")
	byName := mediaBySource(fx.in.export())
	for name, at := range shots {
		base := filepath.Base(name)
		m, ok := byName[base]
		if !ok {
			t.Errorf("%s is not in the catalog", base)
			continue
		}
		wantTaken := "2026-05-15T10" + at[2:] + "+01:00" // the camera's hour plus one
		if m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"t3"}) || m.Photographer != "Pat Photographer" || m.TakenAt != wantTaken {
			t.Errorf("%s: %s %v by %q at %s; want tagged [t3] by Pat Photographer at %s", base, m.Status, m.TalkIDs, m.Photographer, m.TakenAt, wantTaken)
		}
	}
	if _, ok := byName["IMG_0100.jpg"]; ok {
		t.Errorf("IMG_0100.jpg (the bytes of keynote-1.jpg) became a second item")
	}
}

// testSpeakerHeadshot: a speaker types their name without its accents,
// finds themselves, opens their page and downloads a headshot; each size
// offered is a JPEG of the size the page states.
func testSpeakerHeadshot(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	tab := b.newTab(t)
	tab.navigate(fx.in.url + "/schedule")
	if n := evalJS[int](t, tab, `document.querySelectorAll('[data-testid=talk]').length`); n != 6 {
		t.Errorf("schedule lists %d talks, want 6", n)
	}
	b.viewports(t, tab, "schedule")

	tab.navigate(fx.in.url + "/speakers")
	tab.do(chromedp.SendKeys(chromedp.ID("speaker-search"), "zoe"))
	// The list filters as the speaker types…
	tab.waitJS(t, `Array.prototype.filter.call(document.querySelectorAll('#speaker-list li[data-fold]'), function (li) { return li.getClientRects().length > 0; }).length === 1`,
		"the speakers list filtered to one shown", browserActionTimeout)
	// …and the search form finds the same on the server.
	tab.response(t, chromedp.SendKeys(chromedp.ID("speaker-search"), "\r"))
	if loc := tab.location(); !strings.Contains(loc, "q=zoe") {
		t.Errorf("after the search the page is %s, want ?q=zoe", loc)
	}
	names := evalJS[[]string](t, tab, `Array.prototype.map.call(document.querySelectorAll('#speaker-list li[data-fold] .name'), function (a) { return a.textContent.trim(); })`)
	if !slices.Equal(names, []string{"Zoë Müller"}) {
		t.Fatalf("searching for zoe lists %q, want [Zoë Müller]", names)
	}
	b.viewports(t, tab, "")
	tab.response(t, chromedp.Click(chromedp.CSS("#speaker-list li[data-fold] .name")))
	if h1 := tab.text(t, "h1"); h1 != "Zoë Müller" {
		t.Errorf("speaker page title %q", h1)
	}
	tab.waitJS(t, `(function () { var i = document.querySelector('[data-testid=headshot] img'); return i && i.complete && i.naturalWidth > 0; })()`,
		"the headshot image loaded", browserActionTimeout)

	// Every size offered: the address answers with a JPEG of the stated
	// size, and the file name is the speaker's.
	type offer struct {
		Rendition, Href, Filename, Size string
		W, H                            int
		Type, Err                       string
	}
	offers := evalJS[[]offer](t, tab, `(async function () {
		var out = [];
		for (const a of document.querySelectorAll('[data-testid=headshot] .downloads a')) {
			var o = {Rendition: a.dataset.testid.replace('download-', ''), Href: a.href, Filename: a.getAttribute('download'),
				Size: a.dataset.size || ''};
			try {
				var r = await fetch(a.href);
				o.Type = r.headers.get('Content-Type') || '';
				var img = await createImageBitmap(await r.blob());
				o.W = img.width; o.H = img.height;
			} catch (e) { o.Err = String(e); }
			out.push(o);
		}
		return out;
	})()`, chromedp.EvalAwaitPromise)
	if len(offers) < 3 {
		t.Fatalf("the headshot offers %d downloads (%+v), want at least square, medium and large", len(offers), offers)
	}
	var large offer
	for _, o := range offers {
		if o.Err != "" || o.Type != "image/jpeg" || fmt.Sprintf("%d×%d", o.W, o.H) != o.Size {
			t.Errorf("download %s (%s): %s %dx%d %s, want image/jpeg of the stated %s", o.Rendition, o.Href, o.Type, o.W, o.H, o.Err, o.Size)
		}
		if !strings.HasPrefix(o.Filename, "zoe-muller") || !strings.HasSuffix(o.Filename, ".jpg") {
			t.Errorf("download %s is named %q, want zoe-muller….jpg", o.Rendition, o.Filename)
		}
		if o.Rendition == "large" {
			large = o
		}
	}
	if large.Href == "" {
		t.Fatalf("no Large download among %+v", offers)
	}

	// Clicking the link saves the file under its name.
	downloads := t.TempDir()
	tab.allowDownloads(t, downloads)
	b.viewports(t, tab, "speaker")
	tab.do(chromedp.Click(chromedp.CSS("[data-testid=download-large]")))
	file := filepath.Join(downloads, large.Filename)
	data := waitFile(t, file, browserActionTimeout)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || fmt.Sprintf("%d×%d", cfg.Width, cfg.Height) != large.Size {
		t.Errorf("downloaded %s: %dx%d (%v), want a JPEG of %s", large.Filename, cfg.Width, cfg.Height, err, large.Size)
	}

	// The keynote's page: its speaker with headshot, photos and recording.
	tab.navigate(fx.in.url + "/talks/t1")
	if n := evalJS[int](t, tab, `document.querySelectorAll('[data-testid=talk-photos] [data-testid=photo]').length`); n != 5 {
		t.Errorf("keynote page shows %d photos, want 5", n)
	}
	if href := evalJS[string](t, tab, `(document.querySelector('[data-testid=recording-link]') || {}).href || ''`); href != keynoteVideo {
		t.Errorf("keynote page recording link %q, want %s", href, keynoteVideo)
	}
	b.viewports(t, tab, "talk")
}

// testAttachRecording: the video team opens their login link, sees the
// recording that matched no talk with its likeliest talk, and attaches it
// with one click; the talk's page then plays it when asked.
func testAttachRecording(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	tab := b.newTab(t)
	tab.signIn(t, fx.loginLink(t, catalog.RoleVideo, "Vic Video"), "Vic Video")
	if loc := tab.location(); !strings.HasSuffix(loc, "/video") {
		t.Fatalf("the video team's login link led to %s, want /video", loc)
	}
	unmatched := fmt.Sprintf(`Array.prototype.find.call(document.querySelectorAll('[data-testid=unmatched]'), function (a) { return a.textContent.indexOf(%q) >= 0; })`, unmatchedTitle)
	if !evalJS[bool](t, tab, `!!`+unmatched) {
		t.Fatalf("/video does not list %q as waiting for a talk", unmatchedTitle)
	}
	b.viewports(t, tab, "video")
	tab.response(t, chromedp.Click(chromedp.JSPath(unmatched+`.querySelector('button[data-choice="t3"]')`)))
	if flash := tab.text(t, "#flash"); flash == "" || evalJS[bool](t, tab, `document.getElementById('flash').classList.contains('error')`) {
		t.Errorf("after attaching, the page says %q", flash)
	}
	if evalJS[bool](t, tab, `!!`+unmatched) {
		t.Errorf("%q is still waiting for a talk after attaching it", unmatchedTitle)
	}
	if got := evalJS[string](t, tab, `(document.querySelector('tr[data-talk="t3"] [data-testid=attached] a') || {}).href || ''`); got != unmatchedVideo {
		t.Errorf("talk t3's row lists recording %q, want %s", got, unmatchedVideo)
	}

	tab.navigate(fx.in.url + "/talks/t3")
	// The page opens on the talk; the player loads when asked.
	tab.do(chromedp.Click(chromedp.CSS(`[data-testid=play-recording]`)))
	rec := evalJS[map[string]string](t, tab, `(function () {
		var a = document.querySelector('[data-testid=recording-link]'), v = document.querySelector('[data-testid=recording] video');
		return {link: a ? a.href : '', video: v ? v.getAttribute('src') : ''};
	})()`)
	if rec["link"] != unmatchedVideo || rec["video"] != unmatchedVideo {
		t.Errorf("talk t3 page: recording link %q, player %q; want both %s", rec["link"], rec["video"], unmatchedVideo)
	}
	b.viewports(t, tab, "")

	doc := fx.in.export()
	for _, tk := range doc.Talks {
		if tk.ID == "t3" && !slices.ContainsFunc(tk.Recordings, func(r catalog.DocRecording) bool { return r.URL == unmatchedVideo }) {
			t.Errorf("catalog: t3 recordings %+v, want %s", tk.Recordings, unmatchedVideo)
		}
	}
}

// testResolveReview: an organizer opens the admin login link, sees the
// status page, opens the review queue and resolves a photo with one click
// on one of its candidate talks; it leaves the queue and the catalog has
// the decision.
func testResolveReview(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	tab := b.newTab(t)
	tab.signIn(t, fx.adminLoginLink(t), "admin")
	if loc := tab.location(); !strings.HasSuffix(loc, "/admin") {
		t.Fatalf("the admin login link led to %s, want /admin", loc)
	}
	if got := tab.text(t, "h1"); got != "Status" {
		t.Errorf("admin landing page title %q, want Status", got)
	}
	b.viewports(t, tab, "status")

	tab.navigate(fx.in.url + "/review")
	crowd := `Array.prototype.find.call(document.querySelectorAll('[data-testid=review-item]'), function (a) { return a.querySelector('h3').textContent.trim() === 'crowd.jpg'; })`
	before := evalJS[int](t, tab, `document.querySelectorAll('[data-testid=review-item]').length`)
	if !evalJS[bool](t, tab, `!!`+crowd) {
		t.Fatalf("the review queue (%d items) does not list crowd.jpg", before)
	}
	id := evalJS[string](t, tab, crowd+`.dataset.id`)
	if choices := evalJS[[]string](t, tab, `Array.prototype.map.call(`+crowd+`.querySelectorAll('[data-testid=choose]'), function (b) { return b.dataset.choice; })`); !slices.Equal(choices, []string{"t2", "t3"}) {
		t.Errorf("crowd.jpg offers talks %v, want [t2 t3]", choices)
	}
	tab.waitJS(t, `(function () { var i = `+crowd+`.querySelector('img.thumb'); return i && i.complete && i.naturalWidth > 0; })()`, "crowd.jpg's thumbnail", browserActionTimeout)
	b.viewports(t, tab, "review")

	tab.response(t, chromedp.Click(chromedp.JSPath(crowd+`.querySelector('button[data-choice="t2"]')`)))
	if flash := tab.text(t, "#flash"); flash == "" || evalJS[bool](t, tab, `document.getElementById('flash').classList.contains('error')`) {
		t.Errorf("after resolving, the page says %q", flash)
	}
	after := evalJS[int](t, tab, `document.querySelectorAll('[data-testid=review-item]').length`)
	if after != before-1 || evalJS[bool](t, tab, fmt.Sprintf(`!!document.querySelector('[data-testid=review-item][data-id=%q]')`, id)) {
		t.Errorf("the queue went from %d to %d items, and crowd.jpg should have left it", before, after)
	}
	b.viewports(t, tab, "")

	m := mediaBySource(fx.in.export())["crowd.jpg"]
	if m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"t2"}) {
		t.Errorf("catalog: crowd.jpg is %s %v after the decision, want tagged [t2]", m.Status, m.TalkIDs)
	}
}

// --- the browser ---

// chromiumBrowser is one headless Chromium shared by the scenarios; each
// scenario gets its own tab in its own browser context (cookies and
// storage of its own).
type chromiumBrowser struct {
	ctx   context.Context // the first tab's, which owns the browser
	shots string          // where screenshots go; "" for none
}

// startChromium starts the browser with a fresh profile; it stops when the
// test ends.
func startChromium(t *testing.T, bin string) *chromiumBrowser {
	t.Helper()
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	b := &chromiumBrowser{ctx: ctx, shots: os.Getenv("CONFMEDIA_SCREENSHOTS")}
	if b.shots != "" {
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// browserTab is one tab, with the uncaught exceptions of its pages.
type browserTab struct {
	t   *testing.T
	ctx context.Context

	mu         sync.Mutex
	exceptions []string
}

// newTab opens a tab in a new browser context at desktop size. When the
// test ends it fails the test for every uncaught exception its pages threw,
// and closes.
func (b *chromiumBrowser) newTab(t *testing.T) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	tab := &browserTab{t: t, ctx: ctx}
	// The first run opens the tab and ties it to the context it is given,
	// so it gets the tab's own context, not one with a deadline.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	tab.do(chromedp.EmulateViewport(desktopWidth, desktopHeight))
	messages := chromedp.Console(ctx)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException {
				tab.mu.Lock()
				tab.exceptions = append(tab.exceptions, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line))
				tab.mu.Unlock()
			}
			// The pages' Content-Security-Policy blocked something they
			// use: the policy and the pages disagree.
			if m.Source == "security" && m.Type == chromedp.ConsoleError {
				tab.mu.Lock()
				tab.exceptions = append(tab.exceptions, fmt.Sprintf("security policy: %s (%s)", m.Text, m.URL))
				tab.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-watching
		tab.mu.Lock()
		defer tab.mu.Unlock()
		for _, e := range tab.exceptions {
			t.Errorf("uncaught exception in a page: %s", e)
		}
	})
	return tab
}

// do runs actions, each step bounded; a failure ends the test.
func (tab *browserTab) do(actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserActionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tab.t.Fatalf("browser: %v (page %s)", err, tab.locationOr())
	}
}

// navigate opens u and waits for it to load.
func (tab *browserTab) navigate(u string) {
	tab.t.Helper()
	tab.do(chromedp.Navigate(u))
}

// signIn opens a login link, checks that the page names whom it is for
// and has signed nobody in yet, and presses the sign-in button.
func (tab *browserTab) signIn(t *testing.T, link, who string) {
	t.Helper()
	tab.navigate(link)
	if loc := tab.location(); !strings.Contains(loc, "/login?") {
		t.Fatalf("the login link went on to %s by itself: it must wait for the button", loc)
	}
	if got := tab.text(t, "#login-for"); !strings.Contains(got, who) {
		t.Errorf("the login page says %q, want it to name %s", got, who)
	}
	tab.response(t, chromedp.Click(chromedp.ID("login-confirm-submit")))
}

// response runs an action that leads to another page (a click on a link
// or a form's button) and waits for that page to load. It fails the test
// when the page answers with an error status.
func (tab *browserTab) response(t *testing.T, a chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserActionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v (page %s)", err, tab.locationOr())
	}
	if resp != nil && resp.Status >= 400 {
		t.Fatalf("%s answered %d %s", resp.URL, resp.Status, resp.StatusText)
	}
}

func (tab *browserTab) location() string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserActionTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tab.t.Fatalf("browser: %v", err)
	}
	return loc
}

func (tab *browserTab) locationOr() string {
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown"
	}
	return loc
}

// text returns the trimmed text of the first element matching the CSS
// selector sel, or "" when there is none.
func (tab *browserTab) text(t *testing.T, sel string) string {
	t.Helper()
	return evalJS[string](t, tab, fmt.Sprintf(`((document.querySelector(%q) || {}).textContent || '').trim()`, sel))
}

// evalJS evaluates a JavaScript expression in the tab's page and decodes
// its value into T.
func evalJS[T any](t *testing.T, tab *browserTab, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserActionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %.200s: %v (page %s)", expr, err, tab.locationOr())
	}
	return v
}

// waitJS waits up to within until the JavaScript expression is true; what
// names it in the failure.
func (tab *browserTab) waitJS(t *testing.T, expr, what string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, within)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(within))); err != nil {
		t.Fatalf("waiting for %s: %v (page %s)", what, err, tab.locationOr())
	}
}

// dropFiles drags the files and folders at paths from the desktop onto the
// element matching the CSS selector sel, as a person does: the browser gets
// a real drag with real files, folders included, so the page reads them
// with webkitGetAsEntry.
func (tab *browserTab) dropFiles(t *testing.T, sel string, paths ...string) {
	t.Helper()
	tab.do(chromedp.ScrollIntoView(chromedp.CSS(sel)))
	at := evalJS[[]float64](t, tab, fmt.Sprintf(`(function () { var r = document.querySelector(%q).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, sel))
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: paths, DragOperationsMask: 1}
	tab.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := cdp.Call(ctx, tg, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: at[0], Y: at[1], Data: data}); err != nil {
				return fmt.Errorf("drag %s: %w", typ, err)
			}
		}
		return nil
	}))
}

// allowDownloads saves the tab's downloads in dir under their names.
func (tab *browserTab) allowDownloads(t *testing.T, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserActionTimeout)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: chromedp.FromContext(tab.ctx).BrowserContextID, DownloadPath: dir,
	})
	if err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
}

// waitFile waits for a complete download at path and returns its bytes.
func waitFile(t *testing.T, path string, timeout time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		data, err := os.ReadFile(path)
		if err == nil && len(data) > 0 {
			if _, err := os.Stat(path + ".crdownload"); errors.Is(err, os.ErrNotExist) {
				return data
			}
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Dir(path))
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("no download at %s after %s (the folder holds %v)", path, timeout, names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runUpload presses the upload page's start button, waits for the batch to
// end and returns the summary: its text, its counts (sent, duplicate,
// rejected, failed, waiting), the progress line and any notice or error
// shown.
func runUpload(t *testing.T, tab *browserTab) map[string]string {
	t.Helper()
	tab.do(chromedp.Click(chromedp.ID("start")))
	tab.waitJS(t, `!document.getElementById('summary').hidden && document.getElementById('stop').hidden`, "the upload's summary", uploadTimeout)
	return evalJS[map[string]string](t, tab, `(function () {
		var s = document.getElementById('summary'), out = {text: s.textContent};
		['sent', 'duplicate', 'rejected', 'failed', 'waiting'].forEach(function (k) { out[k] = s.getAttribute('data-' + k); });
		out.notice = document.getElementById('notice').hidden ? '' : document.getElementById('notice').textContent;
		out.error = document.getElementById('error').hidden ? '' : document.getElementById('error').textContent;
		out.progress = document.getElementById('progress-text').textContent;
		return out;
	})()`)
}

// fileRow is one file of the upload page's list.
type fileRow struct {
	Status, Reason string
}

func fileRows(t *testing.T, tab *browserTab) map[string]fileRow {
	t.Helper()
	return evalJS[map[string]fileRow](t, tab, `(function () {
		var out = {};
		document.querySelectorAll('#file-rows tr').forEach(function (tr) {
			out[tr.getAttribute('data-file')] = {Status: tr.getAttribute('data-status') || '', Reason: tr.querySelector('.file-reason').textContent};
		});
		return out;
	})()`)
}

// viewports checks the tab's page at desktop and phone widths with
// axe-core (see axeCheck), and at phone width that nothing is wider than
// the screen. With screenshots on and a name, it also photographs the
// page at desktop and phone widths as DIR/NAME-desktop.png and
// DIR/NAME-phone.png. The tab is back at desktop size afterwards.
func (b *chromiumBrowser) viewports(t *testing.T, tab *browserTab, name string) {
	t.Helper()
	shoot := b.shots != "" && name != ""
	if shoot {
		b.screenshot(t, tab, filepath.Join(b.shots, name+"-desktop.png"), desktopWidth)
	}
	axeCheck(t, tab, fmt.Sprint(desktopWidth, " px"))
	tab.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	defer tab.do(chromedp.EmulateViewport(desktopWidth, desktopHeight))
	type overflow struct {
		ScrollWidth, InnerWidth int
		Wide                    []string
	}
	o := evalJS[overflow](t, tab, fmt.Sprintf(`(function () {
		var vw = %d, wide = [];
		document.querySelectorAll('body *').forEach(function (el) {
			var r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > vw + 0.5 && wide.length < 5) {
				wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : '') + ' right=' + Math.round(r.right));
			}
		});
		return {ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth, Wide: wide};
	})()`, phoneWidth))
	if o.InnerWidth != phoneWidth || o.ScrollWidth > o.InnerWidth {
		t.Errorf("%s at phone width: scrollWidth %d, innerWidth %d (want at most %d); too wide: %v", tab.locationOr(), o.ScrollWidth, o.InnerWidth, phoneWidth, o.Wide)
	}
	axeCheck(t, tab, fmt.Sprint(phoneWidth, " px"))
	if shoot {
		b.screenshot(t, tab, filepath.Join(b.shots, name+"-phone.png"), phoneWidth)
	}
}

// screenshot writes a PNG of the whole page, up to screenshotMaxHeight,
// once the images in view have loaded.
func (b *chromiumBrowser) screenshot(t *testing.T, tab *browserTab, path string, width int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	_, _ = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`Array.prototype.every.call(document.images, function (i) {
		return i.complete || i.getBoundingClientRect().top > window.innerHeight;
	})`, chromedp.WithPollingInterval(50*time.Millisecond)))
	cancel()
	height := evalJS[float64](t, tab, `document.documentElement.scrollHeight`)
	height = min(height, screenshotMaxHeight)
	var png []byte
	tab.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: new(true), FromSurface: new(true),
			Clip: &page.Viewport{Width: float64(width), Height: height, Scale: 1},
		})
		png = r.Data
		return err
	}))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}
