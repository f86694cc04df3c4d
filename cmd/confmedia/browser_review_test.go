//go:build browser

package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// bulkPhotos is how many photos the bulk review scenario puts in review:
// more than a review page shows.
const bulkPhotos = 300

// testBulkReview: a photographer's 300 photos of the 10:00 talks, taken
// with no room given, all land in review. An organizer clears them on the
// review page: selects a group and tags it with a talk found by search,
// shift-clicks a range and publishes it without a talk, selects with the
// keyboard and opens a large preview. The catalog has every decision.
func testBulkReview(t *testing.T, b *chromiumBrowser, fx *browserFixture) {
	dir := filepath.Join(t.TempDir(), "bulk")
	for i := range bulkPhotos {
		at := time.Date(2026, 5, 15, 10, 2, 0, 0, time.UTC).Add(time.Duration(i) * 5 * time.Second)
		writeFile(t, filepath.Join(dir, fmt.Sprintf("bulk-%03d.jpg", i)), exiftest.MustJPEG(t, exiftest.Spec{Width: 320, Height: 240,
			DateTimeOriginal: at.Format("2006:01:02 15:04:05"), Make: "Nikon", Model: "Z 6"}))
	}
	// And one file that fails: its header is fine, its image data cut short.
	good := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 12:00:00"})
	writeFile(t, filepath.Join(dir, "broken.jpg"), good[:bytes.Index(good, []byte{0xFF, 0xDA})+20])
	start := time.Now()
	fx.in.mustCLI("upload", "--photographer", "Bo Bulk", dir)
	if code, _, errs := fx.in.cli("wait", "--timeout", "3m"); code != exitRejected || !strings.Contains(errs, "broken.jpg") {
		t.Fatalf("wait: exit %d, want %d with broken.jpg failed\n%s", code, exitRejected, errs)
	}
	t.Logf("%d photos uploaded and processed in %s", bulkPhotos, time.Since(start).Round(time.Millisecond))
	inReview := func() []string {
		var names []string
		for name, m := range mediaBySource(fx.in.export()) {
			if strings.HasPrefix(name, "bulk-") && m.Status == catalog.NeedsReview {
				names = append(names, name)
			}
		}
		return names
	}
	if n := len(inReview()); n != bulkPhotos {
		t.Fatalf("seed: %d of the %d bulk photos need review", n, bulkPhotos)
	}

	tab := b.newTab(t)
	tab.signIn(t, fx.adminLoginLink(t), "admin")
	tab.navigate(fx.in.url + "/review")
	// The first screen: how long the page took to be ready in the browser.
	ready := evalJS[float64](t, tab, `performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd`)
	// A figure for docs/BENCHMARKS.md, not a check: timings belong in benchmarks.
	t.Logf("review page with %d items in review: ready in %.0f ms", bulkPhotos, ready)
	shown := evalJS[int](t, tab, `document.querySelectorAll('[data-testid=review-item]').length`)
	if shown != 200 {
		t.Errorf("the review page shows %d items, want a page of 200", shown)
	}
	if !evalJS[bool](t, tab, `!document.getElementById('bulk').hidden`) {
		t.Fatal("the bulk bar is hidden: review.js did not run")
	}
	b.viewports(t, tab, "review-bulk")

	// Select the first group of bulk photos and tag it with t2, found by
	// searching for its speaker.
	group := `(function () { var a = Array.prototype.find.call(document.querySelectorAll('[data-testid=review-item]'), function (a) { return a.querySelector('h3').textContent.trim().indexOf('bulk-') === 0; }); return a.dataset.group; })()`
	gid := evalJS[string](t, tab, group)
	tab.do(chromedp.Click(chromedp.JSPath(fmt.Sprintf(`document.querySelector('[data-select-group=%q]')`, gid))))
	inGroup := evalJS[int](t, tab, fmt.Sprintf(`document.querySelectorAll('.review-item.selected[data-group=%q]').length`, gid))
	if got := tab.text(t, "#bulk-count"); inGroup == 0 || got != fmt.Sprintf("%d selected", inGroup) {
		t.Fatalf("after selecting group %s: %q, %d selected in the group", gid, got, inGroup)
	}
	// Talks at that time come first: t2 and t3 both run at 10:00.
	first := evalJS[[]string](t, tab, `Array.prototype.slice.call(document.querySelectorAll('#bulk-talks button'), 0, 2).map(function (b) { return b.dataset.talk; })`)
	if slices.Sort(first); !slices.Equal(first, []string{"t2", "t3"}) {
		t.Errorf("first candidate talks %v, want t2 and t3", first)
	}
	tab.do(chromedp.SendKeys(chromedp.ID("bulk-talk-q"), "raj pat"))
	tab.waitJS(t, `(function () { var b = document.querySelector('#bulk-talks button'); return b && b.dataset.talk === 't2'; })()`, "t2 first after searching for Raj Patel", browserActionTimeout)
	tab.do(chromedp.Click(chromedp.JSPath(`document.querySelector('#bulk-talks button[data-talk="t2"]')`)))
	tab.waitJS(t, `/decided|tagged|\d+ /.test(document.getElementById('bulk-result').textContent) && !/Deciding/.test(document.getElementById('bulk-result').textContent)`, "the bulk decision's answer", browserActionTimeout)
	if got := tab.text(t, "#bulk-result"); !strings.HasPrefix(got, fmt.Sprint(inGroup)+" ") {
		t.Errorf("after tagging the group: %q, want %d decided", got, inGroup)
	}
	if n := evalJS[int](t, tab, fmt.Sprintf(`document.querySelectorAll('.review-item[data-group=%q]').length`, gid)); n != 0 {
		t.Errorf("%d items of the decided group are still on the page", n)
	}

	// Shift-click a range of ten and publish them without a talk (u).
	tab.do(chromedp.Reload())
	pick := `document.querySelectorAll('.review-item input.pick')`
	tab.do(chromedp.Click(chromedp.JSPath(pick + `[0]`)))
	evalJS[bool](t, tab, pick+`[9].dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, shiftKey: true}))`)
	if got := tab.text(t, "#bulk-count"); got != "10 selected" {
		t.Fatalf("after a click and a shift-click ten items apart: %q", got)
	}
	ten := evalJS[[]string](t, tab, `Array.prototype.map.call(document.querySelectorAll('.review-item.selected'), function (a) { return a.dataset.id; })`)
	tab.do(chromedp.Focus(chromedp.JSPath(`document.querySelector('.review-item')`)), chromedp.KeyEvent("u"))
	tab.waitJS(t, `/published without a talk/.test(document.getElementById('bulk-result').textContent)`, "publishing ten without a talk", browserActionTimeout)

	// The keyboard: move, select with Space and Shift+arrow, preview.
	tab.do(chromedp.Focus(chromedp.JSPath(`document.querySelector('.review-item')`)),
		chromedp.KeyEvent(" "), chromedp.KeyEvent(kb.ArrowRight))
	tab.do(chromedp.KeyEvent(kb.ArrowRight, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := tab.text(t, "#bulk-count"); got != "3 selected" {
		t.Errorf("after Space, ArrowRight, Shift+ArrowRight: %q, want 3 selected", got)
	}
	tab.do(chromedp.KeyEvent("p"))
	tab.waitJS(t, `document.getElementById('preview').open && document.getElementById('preview-img').complete && document.getElementById('preview-img').naturalWidth > 0 && /renditions\/(medium|large)$/.test(document.getElementById('preview-img').src)`, "the large preview", browserActionTimeout)
	tab.do(chromedp.KeyEvent(kb.Escape))
	tab.waitJS(t, `!document.getElementById('preview').open`, "the preview to close", browserActionTimeout)
	b.viewports(t, tab, "")

	// The group's camera clock: a preview of what +1h would re-tag (into
	// the 11:00 slot nothing runs), applied by nobody here.
	offset := `document.querySelector('details[data-offset-camera="model:Nikon:Z 6"]')`
	evalJS[bool](t, tab, `(function () { var d = `+offset+`; d.open = true; d.scrollIntoView({block: 'center'}); return d.open; })()`)
	tab.do(chromedp.SendKeys(chromedp.JSPath(offset+`.querySelector('input[name=offset]')`), "+1h"),
		chromedp.Click(chromedp.JSPath(offset+`.querySelector('[data-testid=offset-preview]')`)))
	tab.waitJS(t, offset+`.querySelector('.offset-out').textContent.indexOf('photos would change') > 0`, "the offset preview", browserActionTimeout)
	if got := evalJS[string](t, tab, offset+`.querySelector('.offset-out').textContent`); !strings.Contains(got, "With 1h0m0s (now 0s)") {
		t.Errorf("offset preview says %q", got)
	}

	// The failed file on the status page, at both widths: its name, who
	// sent it, why in plain words; Retry queues it again.
	tab.navigate(fx.in.url + "/admin")
	row := `document.querySelector('[data-testid=failed-item]')`
	if got := evalJS[string](t, tab, row+`.textContent`); !strings.Contains(got, "broken.jpg") || !strings.Contains(got, "Bo Bulk") || strings.Contains(got, "skip retry") {
		t.Errorf("failed item on the status page: %q", got)
	}
	b.viewports(t, tab, "status-failed")
	tab.response(t, chromedp.Click(chromedp.JSPath(row+`.querySelector('[data-testid=retry]')`)))
	if got := tab.text(t, "#flash"); got != "1 file queued to be processed again." {
		t.Errorf("after Retry the page says %q", got)
	}

	doc := mediaBySource(fx.in.export())
	tagged, untagged := 0, 0
	for name, m := range doc {
		if !strings.HasPrefix(name, "bulk-") {
			continue
		}
		switch {
		case m.Status == catalog.Tagged && slices.Equal(m.TalkIDs, []string{"t2"}):
			tagged++
		case m.Status == catalog.Untagged:
			untagged++
			if !slices.Contains(ten, m.ID) {
				t.Errorf("%s is untagged but was not in the shift-clicked range", name)
			}
		}
	}
	if tagged != inGroup || untagged != 10 {
		t.Errorf("catalog: %d bulk photos tagged t2 and %d untagged, want %d and 10", tagged, untagged, inGroup)
	}
	t.Logf("left in review: %d", len(inReview()))
}
