//go:build browser

package main

// Browser tests of the galleries and the pages around them: the weight of a
// talk page with 300 photos before the visitor scrolls, the lightbox driven
// with the keyboard, and every page at desktop and phone widths checked by
// axe-core (see axeCheck).

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

const (
	// weightPhotos is how many photos the heavy talk has, and weightBudget
	// what its page may transfer before the visitor scrolls.
	weightPhotos = 300
	weightBudget = 600 << 10
	weightTalk   = "t4"
)

// axeSource is axe-core's script, which the Makefile fetches from npm into
// web/ui (CONFMEDIA_AXE names it; `make test-e2e` sets it).
var axeSource = sync.OnceValues(func() ([]byte, error) {
	path := cmp.Or(os.Getenv("CONFMEDIA_AXE"), filepath.Join("..", "..", "web", "ui", "node_modules", "axe-core", "axe.min.js"))
	return os.ReadFile(path)
})

// axeViolation is one rule a page breaks, as axe-core reports it.
type axeViolation struct {
	ID, Impact, Help string
	Targets          []string
}

// axeCheck runs axe-core on the tab's page and fails the test for every
// serious or critical violation. The script is injected through the
// DevTools protocol: the pages never serve it.
func axeCheck(t *testing.T, tab *browserTab, where string) {
	t.Helper()
	for _, v := range axeViolations(t, tab) {
		msg := fmt.Sprintf("axe: %s at %s: %s %s (%s): %q", tab.locationOr(), where, v.Impact, v.ID, v.Help, v.Targets)
		if why, ok := axeKnown[axeFinding{axePath(tab), v.ID}]; ok {
			t.Logf("%s — known: %s", msg, why)
			continue
		}
		t.Error(msg)
	}
}

// axeFinding is one rule broken on one page (its path).
type axeFinding struct{ path, rule string }

// axeKnown are findings on record, logged instead of failing the test
// until their page is mended; each says where it is. Keep it empty.
var axeKnown = map[axeFinding]string{}

// axePath is the path of the tab's page.
func axePath(tab *browserTab) string {
	u, err := url.Parse(tab.locationOr())
	if err != nil {
		return ""
	}
	return u.Path
}

// axeViolations returns the serious and critical violations axe-core finds
// on the tab's page.
func axeViolations(t *testing.T, tab *browserTab) []axeViolation {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core: %v (run `make test-e2e`, which fetches it into web/ui, or set CONFMEDIA_AXE)", err)
	}
	if !evalJS[bool](t, tab, `typeof window.axe === 'object'`) {
		evalJS[bool](t, tab, string(src)+"\n;true")
	}
	got := evalJS[[]axeViolation](t, tab, `axe.run(document, {resultTypes: ['violations']}).then(function (r) {
		return r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; }).map(function (v) {
			return {ID: v.id, Impact: v.impact, Help: v.help, Targets: v.nodes.slice(0, 4).map(function (n) { return n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160); })};
		});
	})`, chromedp.EvalAwaitPromise)
	return got
}

// testGalleries: the pages the public and the staff read, each at desktop
// and phone width with axe-core; a talk with 300 photos that costs its
// first screen only; the lightbox with the keyboard.
func testGalleries(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	seedHeavyTalk(t, fx)
	t.Run("talk page weight before scrolling", func(t *testing.T) { testTalkWeight(t, b, fx) })
	t.Run("lightbox with the keyboard", func(t *testing.T) { testLightbox(t, b, fx) })

	tab := b.newTab(t)
	// axe-core is awake: a picture without a text alternative is caught.
	tab.navigate(fx.in.url + "/")
	evalJS[bool](t, tab, `(function () { var i = document.createElement('img'); i.src = '/static/app.css'; document.querySelector('main').appendChild(i); return true; })()`)
	if vs := axeViolations(t, tab); !slices.ContainsFunc(vs, func(v axeViolation) bool { return v.ID == "image-alt" }) {
		t.Errorf("axe-core did not catch an image without alt: %+v", vs)
	}
	for _, p := range []struct{ path, shot string }{
		{"/", "home"},
		{"/schedule/2026-05-15", "schedule-day"},
		{"/speakers", "speakers"},
		{"/speakers/raj-patel", ""},
		{"/talks/" + weightTalk, "gallery"},
		{"/login", ""},
	} {
		tab.navigate(fx.in.url + p.path)
		b.viewports(t, tab, p.shot)
	}
	// The schedule: a grid on a wide screen, the list on a phone.
	tab.navigate(fx.in.url + "/schedule/2026-05-15")
	if n := evalJS[int](t, tab, `Array.prototype.filter.call(document.querySelectorAll('[data-testid=grid-talk]'), function (e) { return e.getClientRects().length > 0; }).length`); n != 4 {
		t.Errorf("the schedule grid shows %d talks of 15 May at desktop width, want 4", n)
	}
	rooms := evalJS[[]string](t, tab, `Array.prototype.map.call(document.querySelectorAll('[data-testid=schedule-grid] thead th'), function (th) { return th.textContent.trim(); })`)
	if strings.Join(rooms, ",") != "Time,Liffey Hall,Boole Room" {
		t.Errorf("the schedule grid's columns are %q, want Time, then the rooms in the schedule's order", rooms)
	}
	if n := evalJS[int](t, tab, `Array.prototype.filter.call(document.querySelectorAll('[data-testid=photo-marker]'), function (e) { return e.getClientRects().length > 0; }).length`); n == 0 {
		t.Errorf("the schedule grid shows no photo marker")
	}

	// The staff pages the galleries' owners look after.
	tab.signIn(t, fx.adminLoginLink(t), "admin")
	for _, p := range []struct{ path, shot string }{{"/cameras", "cameras"}, {"/video", ""}} {
		tab.navigate(fx.in.url + p.path)
		b.viewports(t, tab, p.shot)
	}

	// Cameras: a sample of each, and an offset previewed before it is
	// applied. Two hours on, the keynote's photos leave it.
	tab.navigate(fx.in.url + "/cameras")
	shown := evalJS[[]int](t, tab, `[Array.prototype.filter.call(document.querySelectorAll('[data-testid=camera] img.sample'), function (i) { return i.complete && i.naturalWidth > 0; }).length, document.querySelectorAll('[data-testid=camera]').length]`)
	if shown[0] != shown[1] || shown[1] < 3 {
		t.Errorf("%d of %d cameras show a sample photo, want all (at least 3)", shown[0], shown[1])
	}
	canon := `document.querySelector('[data-testid=camera][data-key="model:Canon:EOS R6"]')`
	tab.do(chromedp.SendKeys(chromedp.JSPath(canon+`.querySelector('input[name=offset]')`), "+2h"))
	tab.response(t, chromedp.Click(chromedp.JSPath(canon+`.querySelector('[data-testid=preview-offset]')`)))
	moved := evalJS[[]string](t, tab, `Array.prototype.map.call(document.querySelectorAll('[data-testid=preview-change]'), function (li) { return li.textContent.trim(); })`)
	if len(moved) != 5 || !strings.Contains(strings.Join(moved, "\n"), "Opening Keynote: Media That Lasts →") {
		t.Errorf("previewing +2h for the keynote's camera lists %q, want its 5 photos leaving the keynote", moved)
	}
	b.viewports(t, tab, "cameras-preview")
	tab.response(t, chromedp.Click(chromedp.CSS(`[data-testid=apply-offset]`)))
	if flash := tab.text(t, "#flash"); !strings.Contains(flash, "+2h0m0s; 5 of its items are being tagged again") {
		t.Errorf("after applying, the cameras page says %q", flash)
	}
}

// seedHeavyTalk uploads weightPhotos photos taken during weightTalk, with
// the grain of real photos (a smooth scene with sensor noise) so that their
// thumbnails weigh what a real event's do, and waits for the workers. Their
// camera is one of their own: the upload scenario sets its camera's clock.
func seedHeavyTalk(t *testing.T, fx *browserFixture) {
	t.Helper()
	start := time.Now()
	dir := filepath.Join(t.TempDir(), "heavy")
	for i := range weightPhotos {
		at := time.Date(2026, 5, 15, 13, 31, 0, 0, time.UTC).Add(time.Duration(i) * 5 * time.Second)
		writeFile(t, filepath.Join(dir, fmt.Sprintf("heavy-%03d.jpg", i)), grainyPhoto(t, i, at))
	}
	fx.in.mustCLI("upload", "--room", "Liffey Hall", "--photographer", "Lee Lens", "--license", "CC-BY-4.0", dir)
	// Other scenarios leave a failed file behind (which wait reports); what
	// matters here is that every photo of the talk is tagged with it.
	if code, _, errs := fx.in.cli("wait", "--timeout", "4m"); code != 0 {
		t.Logf("wait: exit %d: %s", code, strings.TrimSpace(errs))
	}
	doc := fx.in.export()
	for _, tk := range doc.Talks {
		if tk.ID == weightTalk && len(tk.PhotoIDs) != weightPhotos {
			seen := map[string]int{}
			for _, m := range doc.Media {
				if strings.HasPrefix(m.SourceName, "heavy-") {
					seen[fmt.Sprintf("%s %v %q taken %s", m.Status, m.TalkIDs, m.Reason, m.TakenAt)]++
				}
			}
			t.Fatalf("seed: talk %s has %d photos, want %d; the uploaded photos are %v", weightTalk, len(tk.PhotoIDs), weightPhotos, seen)
		}
	}
	var n int
	for _, m := range doc.Media {
		if m.Photographer == "Lee Lens" && m.Kind == catalog.Photo {
			n++
		}
	}
	t.Logf("seeded %d photos of %s in %s", n, weightTalk, time.Since(start).Round(time.Millisecond))
}

// grainyPhoto is a 1200×800 JPEG of soft coloured shapes with noise, with
// the EXIF capture time at and a camera.
func grainyPhoto(t *testing.T, seed int, at time.Time) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	const w, h = 1200, 800
	noise := grain()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fx, fy := 2+r.Float64()*6, 1+r.Float64()*5
	base := [3]float64{60 + r.Float64()*120, 60 + r.Float64()*120, 60 + r.Float64()*120}
	for y := range h {
		for x := range w {
			s := math.Sin(float64(x)/w*fx*math.Pi) * math.Cos(float64(y)/h*fy*math.Pi)
			var c [3]uint8
			for k := range 3 {
				v := base[k] + 70*s*float64(k+1)/2 + noise[(x*3+k+y*1811+seed*7919)&(len(noise)-1)]
				c[k] = uint8(max(0, min(255, v)))
			}
			img.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	meta := exiftest.MustJPEG(t, exiftest.Spec{Width: 8, Height: 8, DateTimeOriginal: at.Format("2006:01:02 15:04:05"),
		Make: "FUJIFILM", Model: "X-T5", Artist: "Lee Lens"})
	return append(append(append([]byte{}, pic.Bytes()[:2]...), appSegments(t, meta)...), pic.Bytes()[2:]...)
}

// grain is sensor-like noise: normally distributed, 9 levels deviation,
// drawn once.
var grain = sync.OnceValue(func() []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]float64, 1<<20)
	for i := range out {
		out[i] = r.NormFloat64() * 9
	}
	return out
})

// appSegments returns the APPn segments that follow SOI in a JPEG.
func appSegments(t *testing.T, b []byte) []byte {
	t.Helper()
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF && b[i+1] >= 0xE0 && b[i+1] <= 0xEF {
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	if i > len(b) {
		t.Fatal("appSegments: truncated JPEG")
	}
	return b[2:i]
}

// testTalkWeight opens the heavy talk's page in a fresh browser context at
// desktop size and sums what the network delivered (encodedDataLength of
// every finished request: headers and bodies as sent) until the page is
// loaded and quiet, before any scrolling. It also checks that nothing
// shifted as the pictures came in.
func testTalkWeight(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	tab := b.newTab(t)
	var mu sync.Mutex
	var total float64
	var requests int
	var last time.Time
	err := chromedp.Listen(tab.ctx, func(ev any) {
		if e, ok := ev.(*network.EventLoadingFinished); ok {
			mu.Lock()
			total += e.EncodedDataLength
			requests++
			last = time.Now()
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	tab.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	}))
	tab.navigate(fx.in.url + "/talks/" + weightTalk)
	// Quiet: no request finished for a second.
	deadline := time.Now().Add(browserActionTimeout)
	for {
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		quiet := !last.IsZero() && time.Since(last) > time.Second
		mu.Unlock()
		if quiet || time.Now().After(deadline) {
			break
		}
	}
	mu.Lock()
	got, n := int(total), requests
	mu.Unlock()
	// Thumbnails, not the placeholders of those left for later.
	shown := evalJS[int](t, tab, `Array.prototype.filter.call(document.querySelectorAll('.gallery img'), function (i) { return i.complete && i.naturalWidth > 0 && i.currentSrc.indexOf('data:') !== 0; }).length`)
	t.Logf("talk page with %d photos: %d bytes (%.0f KB) in %d requests before scrolling, %d thumbnails loaded", weightPhotos, got, float64(got)/1024, n, shown)
	nav := evalJS[map[string]float64](t, tab, `(function () { var n = performance.getEntriesByType('navigation')[0]; return {sent: n.encodedBodySize, html: n.decodedBodySize}; })()`)
	t.Logf("the page itself: %.0f bytes of HTML, %.0f on the wire", nav["html"], nav["sent"])
	if got > weightBudget || got == 0 {
		t.Errorf("talk page with %d photos transferred %d bytes before scrolling, want at most %d", weightPhotos, got, weightBudget)
	}
	if shown == 0 || shown >= weightPhotos {
		t.Errorf("%d thumbnails loaded before scrolling, want the first screen's only", shown)
	}
	if n := evalJS[int](t, tab, `document.querySelectorAll('.gallery img:not([width]), .gallery img:not([height])').length`); n != 0 {
		t.Errorf("%d gallery images without width and height", n)
	}
	// Scrolling down loads the rest.
	tab.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`, chromedp.EvalIgnoreExceptions))
	tab.waitJS(t, `(function () { var l = document.querySelectorAll('.gallery img'); var i = l[l.length - 1]; return i.complete && i.naturalWidth > 0 && i.currentSrc.indexOf('data:') !== 0; })()`,
		"the last thumbnail loaded after scrolling", browserActionTimeout)
	shift := evalJS[float64](t, tab, `new Promise(function (done) {
		var sum = 0;
		new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { if (!e.hadRecentInput) sum += e.value; }); }).observe({type: 'layout-shift', buffered: true});
		setTimeout(function () { done(sum); }, 300);
	})`, chromedp.EvalAwaitPromise)
	if shift > 0.01 {
		t.Errorf("the talk page's layout shifted by %.3f as its pictures loaded, want none", shift)
	}
}

// testLightbox: on the keynote's page a visitor opens the first photo,
// moves with the arrow keys, sees the credit and the sizes to download,
// and closes with Esc.
func testLightbox(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	tab := b.newTab(t)
	tab.navigate(fx.in.url + "/talks/t1")
	tab.do(chromedp.Click(chromedp.CSS(`[data-testid=photo] a.open`)))
	tab.waitJS(t, `document.querySelector('dialog.lightbox').open`, "the lightbox open", browserActionTimeout)
	counter := func() string { return tab.text(t, "dialog.lightbox .counter") }
	if got := counter(); got != "1 of 5" {
		t.Errorf("lightbox opens at %q, want 1 of 5", got)
	}
	tab.waitJS(t, `(function () { var i = document.querySelector('dialog.lightbox figure img'); return i.complete && i.naturalWidth > 0; })()`, "the lightbox photo loaded", browserActionTimeout)
	if got := tab.text(t, "dialog.lightbox figcaption"); !strings.Contains(got, "Sam Shooter") {
		t.Errorf("lightbox caption %q, want the photographer's credit", got)
	}
	sizes := evalJS[[]string](t, tab, `Array.prototype.map.call(document.querySelectorAll('dialog.lightbox .downloads a'), function (a) { return a.textContent; })`)
	if len(sizes) < 2 {
		t.Errorf("lightbox offers %q to download, want every size", sizes)
	}
	b.viewports(t, tab, "lightbox")
	tab.do(chromedp.KeyEvent(kb.ArrowRight))
	if got := counter(); got != "2 of 5" {
		t.Errorf("after → the lightbox shows %q, want 2 of 5", got)
	}
	tab.do(chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
	if got := counter(); got != "5 of 5" {
		t.Errorf("after ← ← the lightbox shows %q, want 5 of 5 (it wraps)", got)
	}
	tab.do(chromedp.KeyEvent(kb.Escape))
	tab.waitJS(t, `!document.querySelector('dialog.lightbox').open`, "the lightbox closed by Esc", browserActionTimeout)
}
