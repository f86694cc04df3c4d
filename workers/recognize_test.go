package workers

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/pipeline/match"
)

// faceOf is a synthetic described face of person n (people are 10 apart),
// dist away from their headshot's, with a box of side size.
func faceOf(n int, dist float32, size int) face.Face {
	var d face.Descriptor
	d[0] = float32(10 * n)
	d[1] = dist
	return face.Face{Box: image.Rect(0, 0, size, size), Score: 0.9, Descriptor: &d}
}

// recogFixture has a panel of ana, bo and cy in Hall A, a tagged headshot
// of each (persons 1, 2, 3) and a pending photo of the panel.
type recogFixture struct {
	*fixture
	headshots map[string]string // speaker → media id
	photo     string
}

func newRecogFixture(t *testing.T) *recogFixture {
	t.Helper()
	f := &recogFixture{fixture: newFixture(t), headshots: map[string]string{}}
	ctx := context.Background()
	sched := testSchedule()
	sched.Talks[0].SpeakerIDs = []string{"ana", "bo", "cy"}
	sched.Speakers = append(sched.Speakers, catalog.Speaker{ID: "cy", Name: "Cy Dee"})
	if _, err := f.store.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	for i, sp := range []string{"ana", "bo", "cy"} {
		m := &catalog.Media{ID: fmt.Sprintf("%064x", 100+i), Kind: catalog.Headshot, SourceName: sp + ".jpg",
			Status: catalog.Tagged, SpeakerIDs: []string{sp}, Generation: 1}
		if _, err := f.store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		f.headshots[sp] = m.ID
	}
	id := fmt.Sprintf("%064x", 1)
	rend := catalog.Rendition{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 10, Height: 10, Bytes: 3}
	if err := f.blobs.Put(ctx, catalog.StaffRenditionKey(id, "large"), bytes.NewReader([]byte("jpg")), 3, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	w, _ := time.Parse("2006-01-02 15:04", "2026-05-15 09:30")
	photo := &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: "panel.jpg", Room: "Hall A", Status: catalog.Pending,
		Generation: 1, CameraTime: catalog.CameraTime{Wall: w, Source: "exif"}, Renditions: []catalog.Rendition{rend}}
	if _, err := f.store.CreateMedia(ctx, photo); err != nil {
		t.Fatal(err)
	}
	f.photo = id
	return f
}

func (f *recogFixture) learn(t *testing.T, speaker string, faces ...face.Face) bool {
	t.Helper()
	stored, err := f.h.LearnHeadshot(context.Background(), f.headshots[speaker], faces)
	if err != nil {
		t.Fatalf("LearnHeadshot(%s): %v", speaker, err)
	}
	return stored
}

func (f *recogFixture) public(t *testing.T) bool {
	t.Helper()
	_, err := f.blobs.Stat(context.Background(), catalog.RenditionKey(f.photo, "large"))
	return err == nil
}

func TestLearnHeadshot(t *testing.T) {
	f := newRecogFixture(t)
	ctx := context.Background()
	// The largest face is the speaker's, whatever Find's order.
	if !f.learn(t, "ana", faceOf(9, 0, 40), faceOf(1, 0, 200), faceOf(8, 0, 100)) {
		t.Fatal("ana's headshot stored no descriptor")
	}
	// No face, or faces without descriptors: nothing stored.
	if f.learn(t, "bo") || f.learn(t, "bo", face.Face{Box: image.Rect(0, 0, 300, 300)}) {
		t.Error("a headshot without a described face stored a descriptor")
	}
	// A photo, a missing item: nothing, no error.
	if stored, err := f.h.LearnHeadshot(ctx, f.photo, []face.Face{faceOf(1, 0, 10)}); stored || err != nil {
		t.Errorf("LearnHeadshot of a photo = %v, %v", stored, err)
	}
	if stored, err := f.h.LearnHeadshot(ctx, fmt.Sprintf("%064x", 999), []face.Face{faceOf(1, 0, 10)}); stored || err != nil {
		t.Errorf("LearnHeadshot of a missing item = %v, %v", stored, err)
	}
	known, err := f.store.FaceDescriptors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != 1 || known[0].SpeakerID != "ana" || known[0].Vector[0] != 10 {
		t.Fatalf("known faces %+v, want ana's (person 1) only", known)
	}
	// A hidden headshot stores nothing, and loses what it had.
	if err := catalog.Transition(ctx, f.store, f.headshots["ana"], catalog.Hiding("", "Org", time.Now())); err != nil {
		t.Fatal(err)
	}
	if f.learn(t, "ana", faceOf(1, 0, 200)) {
		t.Error("a hidden headshot stored a descriptor")
	}
	if known, _ := f.store.FaceDescriptors(ctx); len(known) != 0 {
		t.Errorf("a hidden headshot's descriptor is still known: %+v", known)
	}
}

func TestRecognizePhoto(t *testing.T) {
	ctx := context.Background()
	get := func(t *testing.T, f *recogFixture) *catalog.Media {
		m, err := f.store.Media(ctx, f.photo)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("the panelists in the photo", func(t *testing.T) {
		f := newRecogFixture(t)
		f.learn(t, "ana", faceOf(1, 0, 100))
		f.learn(t, "bo", faceOf(2, 0, 100))
		f.learn(t, "cy", faceOf(3, 0, 100))
		status, err := f.h.RecognizePhoto(ctx, f.photo, []face.Face{faceOf(1, 0.2, 80), faceOf(3, 0.3, 60), faceOf(42, 0, 50)})
		if err != nil || status != catalog.Tagged {
			t.Fatalf("RecognizePhoto = %s, %v", status, err)
		}
		m := get(t, f)
		if !slices.Equal(m.SpeakerIDs, []string{"ana", "cy"}) || !slices.Equal(m.Recognized, []string{"ana", "cy"}) ||
			!slices.Equal(m.TalkIDs, []string{"t1"}) {
			t.Errorf("photo tagged %v speakers %v recognized %v; want t1, ana and cy", m.TalkIDs, m.SpeakerIDs, m.Recognized)
		}
		if !f.public(t) {
			t.Error("a tagged photo's rendition was not published")
		}
		// Faces not looked at on a later re-tag keep what was recognised.
		if _, err := f.h.tag(ctx, f.photo); err != nil {
			t.Fatal(err)
		}
		if m := get(t, f); !slices.Equal(m.Recognized, []string{"ana", "cy"}) {
			t.Errorf("a re-tag without faces changed Recognized to %v", m.Recognized)
		}
	})
	t.Run("no face found: today's rule", func(t *testing.T) {
		f := newRecogFixture(t)
		f.learn(t, "ana", faceOf(1, 0, 100))
		if _, err := f.h.RecognizePhoto(ctx, f.photo, nil); err != nil {
			t.Fatal(err)
		}
		if m := get(t, f); m.Status != catalog.Tagged || !slices.Equal(m.SpeakerIDs, []string{"ana", "bo", "cy"}) || m.Recognized != nil {
			t.Errorf("photo %s speakers %v recognized %v; want every speaker", m.Status, m.SpeakerIDs, m.Recognized)
		}
	})
	t.Run("faces not looked at: today's rule", func(t *testing.T) {
		f := newRecogFixture(t)
		f.learn(t, "ana", faceOf(1, 0, 100))
		if _, err := f.h.DecideWithoutFaces(ctx, f.photo); err != nil {
			t.Fatal(err)
		}
		if m := get(t, f); m.Status != catalog.Tagged || !slices.Equal(m.SpeakerIDs, []string{"ana", "bo", "cy"}) {
			t.Errorf("photo %s speakers %v; want every speaker", m.Status, m.SpeakerIDs)
		}
	})
	t.Run("a face like an opted-out speaker takes it down for review", func(t *testing.T) {
		f := newRecogFixture(t)
		f.learn(t, "ana", faceOf(1, 0, 100))
		f.learn(t, "bo", faceOf(2, 0, 100))
		if _, err := f.h.RecognizePhoto(ctx, f.photo, []face.Face{faceOf(1, 0.1, 80)}); err != nil {
			t.Fatal(err)
		}
		if !f.public(t) {
			t.Fatal("not published before the opt-out")
		}
		// An opt-out of bo as a speaker of another talk would hide the
		// photo by speaker; here bo is recognised in a photo whose
		// people tags name ana only.
		if err := f.store.UpdateMedia(ctx, f.photo, func(m *catalog.Media) error { m.People = []string{"Ana Lima"}; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := f.store.PutOptOut(ctx, catalog.OptOut{Name: "Bo Chen", SpeakerID: "bo"}); err != nil {
			t.Fatal(err)
		}
		status, err := f.h.RecognizePhoto(ctx, f.photo, []face.Face{faceOf(1, 0.1, 80), faceOf(2, 0.2, 70)})
		if err != nil {
			t.Fatal(err)
		}
		m := get(t, f)
		if status != catalog.NeedsReview || m.Reason != "a face looks like Bo Chen, who opted out of photos" {
			t.Errorf("photo %s (%q), want needs_review naming Bo Chen", status, m.Reason)
		}
		if f.public(t) {
			t.Error("the photo is still public")
		}
	})
	t.Run("a deleted headshot's face is no longer known", func(t *testing.T) {
		f := newRecogFixture(t)
		f.learn(t, "ana", faceOf(1, 0, 100))
		f.learn(t, "bo", faceOf(2, 0, 100))
		f.learn(t, "cy", faceOf(3, 0, 100))
		if err := f.store.DeleteMedia(ctx, f.headshots["ana"]); err != nil {
			t.Fatal(err)
		}
		// ana's face is unknown now: with a face of nobody known, ana
		// cannot be ruled out; bo and cy, known and absent, are.
		if _, err := f.h.RecognizePhoto(ctx, f.photo, []face.Face{faceOf(1, 0.1, 80)}); err != nil {
			t.Fatal(err)
		}
		if m := get(t, f); !slices.Equal(m.SpeakerIDs, []string{"ana"}) || m.Recognized != nil {
			t.Errorf("speakers %v recognized %v; want ana by elimination, nobody recognised", m.SpeakerIDs, m.Recognized)
		}
	})
}

// TestDecideFaces: faces are one more input of the one tagging path.
func TestDecideFaces(t *testing.T) {
	sched := testSchedule()
	sched.Talks[0].SpeakerIDs = []string{"ana", "bo"}
	idx, err := match.NewIndex(sched)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := time.Parse("2006-01-02 15:04", "2026-05-15 09:30")
	photo := catalog.Media{Kind: catalog.Photo, Room: "Hall A", CameraTime: catalog.CameraTime{Wall: w, Source: "exif"}}
	ana, bo := faceOf(1, 0, 10), faceOf(2, 0, 10)
	faces := &match.Faces{Known: []match.KnownFace{{SpeakerID: "ana", Descriptor: ana.Descriptor}, {SpeakerID: "bo", Descriptor: bo.Descriptor}},
		Found: []*face.Descriptor{faceOf(2, 0.1, 10).Descriptor}}
	optouts := []catalog.OptOut{{Name: "Ana Lima", SpeakerID: "ana"}}

	m := photo
	Decide(&m, idx, 0, nil, faces)
	if m.Status != catalog.Tagged || !slices.Equal(m.SpeakerIDs, []string{"bo"}) || !slices.Equal(m.Recognized, []string{"bo"}) {
		t.Errorf("photo of bo: %s speakers %v recognized %v", m.Status, m.SpeakerIDs, m.Recognized)
	}
	// The opt-outs Decide is given are the ones faces are checked against.
	m = photo
	withAna := *faces
	withAna.Found = []*face.Descriptor{faceOf(1, 0.1, 10).Descriptor, faceOf(2, 0.1, 10).Descriptor}
	m.People = []string{"Bo Chen"}
	Decide(&m, idx, 0, optouts, &withAna)
	if m.Status != catalog.NeedsReview || m.Reason != "a face looks like Ana Lima, who opted out of photos" {
		t.Errorf("photo with ana's face: %s (%q), want needs_review", m.Status, m.Reason)
	}
	// A person's decision stands; what was recognised is still recorded.
	m = photo
	m.Status, m.Decided, m.TalkIDs, m.SpeakerIDs = catalog.Tagged, true, []string{"t1"}, []string{"ana", "bo"}
	Decide(&m, idx, 0, nil, faces)
	if !slices.Equal(m.SpeakerIDs, []string{"ana", "bo"}) || !slices.Equal(m.Recognized, []string{"bo"}) {
		t.Errorf("decided photo: speakers %v recognized %v", m.SpeakerIDs, m.Recognized)
	}
	// A headshot ignores faces.
	h := catalog.Media{Kind: catalog.Headshot, SpeakerHint: "Ana Lima"}
	Decide(&h, idx, 0, nil, faces)
	if h.Recognized != nil || !slices.Equal(h.SpeakerIDs, []string{"ana"}) {
		t.Errorf("headshot: speakers %v recognized %v", h.SpeakerIDs, h.Recognized)
	}
}

// TestFindFacesRecognisesSpeakers: with recognition on, the faces task
// learns a headshot's face and decides a panel photo by the faces in it.
func TestFindFacesRecognisesSpeakers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sched := testSchedule()
	sched.Talks[0].SpeakerIDs = []string{"ana", "bo"}
	if _, err := f.store.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	finder := &fakeFinder{boxes: []fracBox{{0.3, 0.2, 0.7, 0.6}}, descs: []*face.Descriptor{faceOf(1, 0, 0).Descriptor}}
	f.withFaces(finder)
	f.h.Recognition = true

	head := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 300, Height: 400}), catalog.Media{SourceName: "ana.jpg", Kind: catalog.Headshot, SpeakerHint: "ana"})
	if got, err := f.process(t, head); err != nil || got.Status != catalog.Tagged {
		t.Fatalf("headshot: %s, %v", got.Status, err)
	}
	if _, err := f.findFaces(t, head.ID, 1); err != nil {
		t.Fatal(err)
	}
	if known, _ := f.store.FaceDescriptors(ctx); len(known) != 1 || known[0].SpeakerID != "ana" {
		t.Fatalf("known faces after the headshot's faces task: %+v, want ana's", known)
	}

	finder.descs = []*face.Descriptor{faceOf(1, 0.2, 0).Descriptor}
	photo := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 640, Height: 480, DateTimeOriginal: "2026:05:15 09:10:00"}),
		catalog.Media{SourceName: "panel.jpg", Room: "Hall A"})
	if got, err := f.process(t, photo); err != nil || got.Status != catalog.Pending {
		t.Fatalf("photo after rendering: %s, %v; want pending", got.Status, err)
	}
	got, err := f.findFaces(t, photo.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Tagged || !slices.Equal(got.SpeakerIDs, []string{"ana"}) || !slices.Equal(got.Recognized, []string{"ana"}) {
		t.Errorf("panel photo: %s speakers %v recognized %v; want tagged with ana, the one whose face is in it",
			got.Status, got.SpeakerIDs, got.Recognized)
	}
	if keys := f.blobs.Keys(catalog.PublicPrefix + "media/" + photo.ID); len(keys) != 3 {
		t.Errorf("the photo's public keys %v, want its 3 renditions", keys)
	}
}
