//go:build browser

package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// TestBrowserFaces: with face recognition on, a speaker opens their
// speaker link, finds "Photos of you" on their own page, opens it and sees
// the photo their face was found in; the page passes the accessibility and
// phone-width checks (viewports). Another speaker's photos of you are
// refused to them. Without the shared face photos the speakers' headshots
// and the panel photo are made in code, show no face, and the page shows
// its empty state; the test then ends skipped, naming the missing files.
func TestBrowserFaces(t *testing.T) {
	chromium := findChromium(t)
	if raceDetector {
		t.Skip("real photos through the face nets: slow under the race detector; run without -race")
	}
	start := time.Now()
	var missing []string
	read := func(name string, w, h int) []byte {
		b, why := sharedFace(name)
		if why != "" {
			missing = append(missing, why)
			return exiftest.MustJPEG(t, exiftest.Spec{Width: w, Height: h})
		}
		return b
	}
	heads := map[string][]byte{
		"barack-obama.jpg": read("obama.jpg", 600, 750),
		"joe-biden.jpg":    read("biden2.jpg", 610, 750),
		"grace-hopper.jpg": read("grace_hopper.jpg", 620, 750),
	}
	panelJPEG := read("two_people.jpg", 1200, 800)
	realFaces := len(missing) == 0
	in := startFacesDev(t, heads, panelJPEG)
	doc := in.export()
	ids := map[string]string{}
	for _, sp := range doc.Speakers {
		ids[sp.Name] = sp.ID
	}
	obama, hopper := ids["Barack Obama"], ids["Grace Hopper"]
	panel := mediaBySource(doc)["panel.jpg"]
	if obama == "" || hopper == "" || panel.ID == "" {
		t.Fatalf("seed: speakers %v, panel.jpg %q: want Barack Obama, Grace Hopper and the photo", ids, panel.ID)
	}
	t.Logf("confmedia dev started and seeded in %s", time.Since(start).Round(time.Millisecond))

	b := startChromium(t, chromium)
	tab := b.newTab(t)
	tab.signIn(t, speakerToken(t, in, "Barack Obama").Link, "Barack Obama")

	// His own page links his photos of you.
	tab.navigate(in.url + "/speakers/" + obama)
	if h1 := tab.text(t, "h1"); h1 != "Barack Obama" {
		t.Fatalf("speaker page title %q, want Barack Obama", h1)
	}
	ownHref := "/speakers/" + obama + "/photos-of-you"
	if href := evalJS[string](t, tab, `(document.querySelector('[data-testid=photos-of-you-link] a') || {}).pathname || ''`); href != ownHref {
		t.Fatalf("his speaker page links photos of you at %q, want %s", href, ownHref)
	}
	// Another speaker's are for that speaker: he is refused them.
	ctx, cancel := context.WithTimeout(tab.ctx, browserActionTimeout)
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(in.url+"/speakers/"+hopper+"/photos-of-you"))
	cancel()
	if err != nil {
		t.Fatalf("open Grace Hopper's photos of you: %v", err)
	}
	if resp == nil || resp.Status != http.StatusForbidden || evalJS[bool](t, tab, `!!document.querySelector('[data-testid=photos-of-you]')`) {
		status := 0
		if resp != nil {
			status = int(resp.Status)
		}
		t.Errorf("Grace Hopper's photos of you to Barack Obama: %d, want %d without the page", status, http.StatusForbidden)
	}

	tab.navigate(in.url + "/speakers/" + obama)
	tab.response(t, chromedp.Click(chromedp.CSS("[data-testid=photos-of-you-link] a")))
	if loc := tab.location(); !strings.HasSuffix(loc, ownHref) {
		t.Fatalf("the link led to %s, want %s", loc, ownHref)
	}
	if h1 := tab.text(t, "h1"); h1 != "Photos of Barack Obama" {
		t.Errorf("photos of you title %q, want Photos of Barack Obama", h1)
	}
	photos := evalJS[[]string](t, tab, `Array.prototype.map.call(document.querySelectorAll('[data-testid=recognized-photos] [data-testid=photo]'), function (li) { return li.outerHTML; })`)
	if realFaces {
		if len(photos) != 1 || !strings.Contains(photos[0], panel.ID) {
			t.Errorf("photos of you list %d photos, want panel.jpg (%s) alone:\n%s", len(photos), panel.ID, strings.Join(photos, "\n"))
		}
		tab.waitJS(t, `Array.prototype.every.call(document.querySelectorAll('[data-testid=recognized-photos] img:not(.deferred)'), function (i) { return i.complete && i.naturalWidth > 0; })`,
			"the photo loaded", browserActionTimeout)
	} else {
		if len(photos) != 0 {
			t.Errorf("photos of you list %d photos though no headshot shows a face:\n%s", len(photos), strings.Join(photos, "\n"))
		}
		if got := tab.text(t, "[data-testid=recognized-photos]"); !strings.Contains(got, "No photos yet") {
			t.Errorf("the empty photos of you say %q, want No photos yet", got)
		}
	}
	b.viewports(t, tab, "photos-of-you")
	t.Logf("faces browser test took %s", time.Since(start).Round(time.Millisecond))
	if !realFaces {
		t.Skipf("the empty state checked; %s absent, so the recognised photo was not", strings.Join(missing, ", "))
	}
}
