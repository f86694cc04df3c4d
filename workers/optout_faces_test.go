package workers

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/face"
)

// facesFixture: recognition on, a fake finder that finds one face whose
// descriptor each step chooses, and a panel t1 of ana and bo in Hall A
// (t2, bo's, in Hall B at the same time).
type facesFixture struct {
	*fixture
	finder *fakeFinder
	q      *fakeQueue
	n      int // uploads so far, to make each file different
}

func newFacesFixture(t *testing.T) *facesFixture {
	t.Helper()
	f := &facesFixture{fixture: newFixture(t)}
	sched := testSchedule()
	sched.Talks[0].SpeakerIDs = []string{"ana", "bo"}
	if _, err := f.store.ReplaceSchedule(context.Background(), sched); err != nil {
		t.Fatal(err)
	}
	f.finder = &fakeFinder{boxes: []fracBox{{0.3, 0.2, 0.7, 0.6}}}
	f.q = f.withFaces(f.finder)
	f.h.Recognition = true
	return f
}

// showing sets the face the finder finds next: person n's (faceOf).
func (f *facesFixture) showing(n int) {
	f.finder.descs = []*face.Descriptor{faceOf(n, 0.1, 0).Descriptor}
}

// headshot uploads and processes speaker's headshot showing person n, and
// runs its faces task if it is not hidden.
func (f *facesFixture) headshot(t *testing.T, speaker string, n int) *catalog.Media {
	t.Helper()
	f.n++
	f.showing(n)
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 300 + f.n, Height: 400}),
		catalog.Media{SourceName: speaker + ".jpg", Kind: catalog.Headshot, SpeakerHint: speaker})
	got, err := f.process(t, m)
	if err != nil {
		t.Fatalf("headshot of %s: %v", speaker, err)
	}
	if got.Status == catalog.Tagged {
		if got, err = f.findFaces(t, m.ID, got.Generation); err != nil {
			t.Fatalf("faces of %s's headshot: %v", speaker, err)
		}
	}
	return got
}

// photo uploads a photo taken in room at 09:10 showing person n,
// processes it and runs its faces task, which decides it.
func (f *facesFixture) photo(t *testing.T, room string, n int) *catalog.Media {
	t.Helper()
	f.n++
	f.showing(n)
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 640 + f.n, Height: 480, DateTimeOriginal: "2026:05:15 09:10:00"}),
		catalog.Media{SourceName: "photo.jpg", Room: room})
	if _, err := f.process(t, m); err != nil {
		t.Fatal(err)
	}
	got, err := f.findFaces(t, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// retag does what the web app does after an opt-out, schedule or clock
// change: a new generation, then the tag task for it. It returns the item
// after the task, and the generation.
func (f *facesFixture) retag(t *testing.T, id string) (*catalog.Media, int) {
	t.Helper()
	ctx := context.Background()
	var gen int
	if err := f.store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
		if err := catalog.Apply(m, catalog.Retag()); err != nil {
			return err
		}
		gen = m.Generation
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	task, _ := NewMediaTagTask(id, gen)
	if err := f.h.TagMedia(ctx, task); err != nil {
		t.Fatalf("TagMedia: %v", err)
	}
	m, err := f.store.Media(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return m, gen
}

// optOut records an opt-out of speaker id named name, and re-tags every
// processed item, as the web app's AddOptOut does.
func (f *facesFixture) optOut(t *testing.T, name, id string) {
	t.Helper()
	ctx := context.Background()
	if err := f.store.PutOptOut(ctx, catalog.OptOut{Name: name, SpeakerID: id, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	all, err := f.store.ListMedia(ctx, catalog.MediaFilter{Status: []catalog.Status{catalog.Tagged, catalog.Untagged, catalog.NeedsReview}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		f.retag(t, m.ID)
	}
}

// known maps each known speaker to "recognizes" or "protects".
func (f *facesFixture) known(t *testing.T) map[string]string {
	t.Helper()
	k, err := f.store.FaceDescriptors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range k {
		out[d.SpeakerID] = "recognizes"
		if d.Protects {
			out[d.SpeakerID] = "protects"
		}
	}
	return out
}

func (f *facesFixture) isPublic(id string) bool {
	_, err := f.blobs.Stat(context.Background(), catalog.RenditionKey(id, "large"))
	return err == nil
}

// lastQueued returns the faces tasks queued for id.
func (f *facesFixture) queuedFor(id string) []int {
	var gens []int
	for _, p := range f.q.queued {
		if p.ID == id {
			gens = append(gens, p.Generation)
		}
	}
	return gens
}

const lookslike = "a face looks like Ana Lima, who opted out of photos"

// TestOptOutBeforeHeadshotAndAfter: an opted-out speaker's face sends
// photos to review, whichever came first, the opt-out or the headshot;
// it never names them; removing the opt-out deletes the descriptor of the
// headshot it hid.
func TestOptOutBeforeHeadshotAndAfter(t *testing.T) {
	t.Run("headshot, then opt-out", func(t *testing.T) {
		f := newFacesFixture(t)
		head := f.headshot(t, "ana", 1)
		if got := f.known(t); got["ana"] != "recognizes" {
			t.Fatalf("known %v, want ana recognised", got)
		}
		f.optOut(t, "Ana Lima", "ana")
		if m, _ := f.store.Media(context.Background(), head.ID); m.Status != catalog.Hidden {
			t.Fatalf("ana's headshot after her opt-out: %s, want hidden", m.Status)
		}
		if got := f.known(t); got["ana"] != "protects" {
			t.Fatalf("known %v after the opt-out hid the headshot, want ana's kept to protect her", got)
		}
		// Her face in a photo of bo's talk: review, and never named.
		p := f.photo(t, "Hall B", 1)
		if p.Status != catalog.NeedsReview || p.Reason != lookslike || len(p.Recognized) != 0 || f.isPublic(p.ID) {
			t.Errorf("photo showing ana: %s (%q) recognized %v public %v; want review %q, nobody recognised, not public",
				p.Status, p.Reason, p.Recognized, f.isPublic(p.ID), lookslike)
		}
		if ms, _ := f.store.ListMedia(context.Background(), catalog.MediaFilter{Recognized: "ana"}); len(ms) != 0 {
			t.Errorf("photos of ana listed: %d, want none", len(ms))
		}
		// The opt-out removed: the headshot stays hidden, its descriptor goes.
		if err := f.store.DeleteOptOut(context.Background(), "Ana Lima"); err != nil {
			t.Fatal(err)
		}
		if got := f.known(t); len(got) != 0 {
			t.Errorf("known %v after the opt-out was removed, want none (the headshot is hidden)", got)
		}
	})
	t.Run("opt-out, then headshot", func(t *testing.T) {
		f := newFacesFixture(t)
		f.optOut(t, "Ana Lima", "ana")
		head := f.headshot(t, "ana", 1)
		if head.Status != catalog.Hidden {
			t.Fatalf("headshot uploaded after the opt-out: %s, want hidden", head.Status)
		}
		if keys := f.blobs.Keys(catalog.StaffPrefix + "media/" + head.ID); len(keys) != 0 {
			t.Errorf("hidden headshot kept renditions %v", keys)
		}
		if got := f.known(t); got["ana"] != "protects" {
			t.Fatalf("known %v, want ana's descriptor taken before her headshot's renditions went, to protect her", got)
		}
		p := f.photo(t, "Hall B", 1)
		if p.Status != catalog.NeedsReview || p.Reason != lookslike {
			t.Errorf("photo showing ana: %s (%q), want review %q", p.Status, p.Reason, lookslike)
		}
		// A photo of her own talk is hidden, as without recognition, even
		// when the face in it is bo's: faces never rule her out.
		f.headshot(t, "bo", 2)
		p = f.photo(t, "Hall A", 2)
		if p.Status != catalog.Hidden || !slices.Contains(p.SpeakerIDs, "ana") {
			t.Errorf("photo of ana's panel showing bo: %s (%q) speakers %v, want hidden with ana", p.Status, p.Reason, p.SpeakerIDs)
		}
	})
	t.Run("photos public, then opt-out", func(t *testing.T) {
		f := newFacesFixture(t)
		f.headshot(t, "ana", 1)
		// Ana's face in a photo of bo's talk: tagged t2, public, ana recognised.
		p := f.photo(t, "Hall B", 1)
		if p.Status != catalog.Tagged || !slices.Equal(p.Recognized, []string{"ana"}) || !f.isPublic(p.ID) {
			t.Fatalf("before the opt-out: %s recognized %v public %v", p.Status, p.Recognized, f.isPublic(p.ID))
		}
		f.optOut(t, "Ana Lima", "ana")
		// The re-tag left the photo to its faces task, queued at its new generation...
		p, _ = f.store.Media(context.Background(), p.ID)
		gens := f.queuedFor(p.ID)
		if len(gens) == 0 || gens[len(gens)-1] != p.Generation {
			t.Fatalf("faces tasks queued for the photo %v, want one at generation %d", gens, p.Generation)
		}
		// ...which sends it to review.
		p, err := f.findFaces(t, p.ID, p.Generation)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != catalog.NeedsReview || p.Reason != lookslike || len(p.Recognized) != 0 || f.isPublic(p.ID) {
			t.Errorf("after the opt-out: %s (%q) recognized %v public %v; want review, nobody recognised, not public",
				p.Status, p.Reason, p.Recognized, f.isPublic(p.ID))
		}
	})
}

// TestRetagKeepsFaces: with recognition on, a re-tag of a photo (a
// schedule or clock change) does not fall back to its metadata: the faces
// task decides it again, and what its faces showed holds; a decision from
// metadata that hides it is stored at once.
func TestRetagKeepsFaces(t *testing.T) {
	f := newFacesFixture(t)
	f.headshot(t, "ana", 1)
	f.headshot(t, "bo", 2)
	p := f.photo(t, "Hall A", 1)
	if p.Status != catalog.Tagged || !slices.Equal(p.SpeakerIDs, []string{"ana"}) {
		t.Fatalf("panel photo showing ana: %s speakers %v", p.Status, p.SpeakerIDs)
	}
	got, gen := f.retag(t, p.ID)
	if !slices.Equal(got.SpeakerIDs, []string{"ana"}) || got.Status != catalog.Tagged {
		t.Errorf("after the tag task: %s speakers %v, want tagged with ana still (not both panelists)", got.Status, got.SpeakerIDs)
	}
	if gens := f.queuedFor(p.ID); !slices.Contains(gens, gen) {
		t.Fatalf("faces tasks queued %v, want one at generation %d", gens, gen)
	}
	if got, err := f.findFaces(t, p.ID, gen); err != nil || !slices.Equal(got.SpeakerIDs, []string{"ana"}) || !slices.Equal(got.Recognized, []string{"ana"}) {
		t.Errorf("after the re-tag's faces task: speakers %v recognized %v (%v), want ana", got.SpeakerIDs, got.Recognized, err)
	}
	// The faces task of the older generation does nothing.
	if got, err := f.findFaces(t, p.ID, 1); err != nil || got.Generation != gen {
		t.Errorf("old faces task: %v, generation %d", err, got.Generation)
	}

	// Recognition off: the re-tag decides from metadata, as before.
	f.h.Recognition = false
	got, _ = f.retag(t, p.ID)
	if !slices.Equal(got.SpeakerIDs, []string{"ana", "bo"}) {
		t.Errorf("re-tag without recognition: speakers %v, want the panel", got.SpeakerIDs)
	}
	f.h.Recognition = true

	// A people tag naming someone who opted out hides it at once, before
	// any faces task.
	if err := f.store.UpdateMedia(context.Background(), p.ID, func(m *catalog.Media) error {
		m.People = []string{"Zed Out"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutOptOut(context.Background(), catalog.OptOut{Name: "Zed Out"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.retag(t, p.ID); got.Status != catalog.Hidden || f.isPublic(p.ID) {
		t.Errorf("re-tag of a photo whose people tags name an opt-out: %s public %v, want hidden at once", got.Status, f.isPublic(p.ID))
	}
}

// TestLateHeadshotLooksAgain: a photo decided before a speaker's headshot
// was known is recognised again once it is: the headshot's faces task
// queues the faces task of the photos of that speaker's talks, at a new
// generation, and only those.
func TestLateHeadshotLooksAgain(t *testing.T) {
	f := newFacesFixture(t)
	f.headshot(t, "bo", 2)
	panel := f.photo(t, "Hall A", 1) // ana's face, ana unknown yet
	if !slices.Equal(panel.SpeakerIDs, []string{"ana"}) || len(panel.Recognized) != 0 {
		t.Fatalf("panel photo before ana's headshot: speakers %v recognized %v", panel.SpeakerIDs, panel.Recognized)
	}
	other := f.photo(t, "Hall B", 1) // bo's talk: ana is no speaker of it
	before := len(f.q.queued)

	f.headshot(t, "ana", 1)
	panel, _ = f.store.Media(context.Background(), panel.ID)
	if gens := f.queuedFor(panel.ID); panel.Generation != 2 || !slices.Equal(gens, []int{1, 2}) {
		t.Fatalf("panel photo: generation %d, faces tasks %v; want generation 2 queued", panel.Generation, gens)
	}
	if gens := f.queuedFor(other.ID); !slices.Equal(gens, []int{1}) {
		t.Errorf("photo of a talk ana does not speak at: faces tasks %v, want none more", gens)
	}
	if n := len(f.q.queued) - before; n != 2 { // ana's headshot's own, and the panel photo's
		t.Errorf("%d faces tasks queued, want 2: %v", n, f.q.queued[before:])
	}
	f.showing(1)
	got, err := f.findFaces(t, panel.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.SpeakerIDs, []string{"ana"}) || !slices.Equal(got.Recognized, []string{"ana"}) {
		t.Errorf("panel photo looked at again: speakers %v recognized %v, want ana recognised", got.SpeakerIDs, got.Recognized)
	}
}
