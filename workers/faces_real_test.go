package workers

// Issue 13 item 5 through the real pieces: the face models built into the
// binary (face.Load), the shared face photos, ProcessMedia and the faces
// task with the in-memory store and bucket. They skip under the race
// detector (the nets are tens of times slower there) and so run in plain
// `go test` and in make test's CGO_ENABLED=0 pass.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/face"
)

var loadFaceModel = sync.OnceValues(face.Load)

// realFaceModel returns the face models built in, or skips: under the race
// detector, and when they were not built.
func realFaceModel(t *testing.T) *face.Model {
	t.Helper()
	if raceDetector {
		t.Skip("real photos through the face nets: minutes under the race detector; run without -race (make test's CGO_ENABLED=0 pass does)")
	}
	m, err := loadFaceModel()
	if errors.Is(err, face.ErrNoModels) {
		t.Skip("face models not built in: run make build (it fetches them into pipeline/face/model)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// realFacePhoto reads a photo of the shared face photos, or skips naming
// its path.
func realFacePhoto(t *testing.T, name string) []byte {
	t.Helper()
	p, ok := catalogtest.SharedDataPath("photos", "faces", name)
	if !ok {
		if p == "" {
			p = "photos/faces/" + name + " of the shared data (" + catalogtest.SharedDataEnv + " names its folder)"
		}
		t.Skipf("%s absent: the shared face photos are not here", p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// panelSpeakers are the speakers of the panel: three with a headshot, and
// two without one (for the five-person panel).
var panelSpeakers = []catalog.Speaker{
	{ID: "obama", Name: "Barack Obama"}, {ID: "biden", Name: "Joe Biden"}, {ID: "hopper", Name: "Grace Hopper"},
	{ID: "lovelace", Name: "Ada Lovelace"}, {ID: "turing", Name: "Alan Turing"},
}

// headshots are the shared photos used as the panel speakers' headshots.
var headshots = []struct{ file, speaker string }{
	{"obama.jpg", "obama"}, {"biden2.jpg", "biden"}, {"grace_hopper.jpg", "hopper"},
}

// panelTaken is when the event photos were taken: during the panel.
const panelTaken = "2026:05:15 09:30:00"

// realPanel is a worker with the real face models and a schedule of one
// panel in Hall A, 9:00 to 10:00, whose speakers are the first n of
// panelSpeakers.
type realPanel struct {
	*fixture
	speakers []string
	finder   *recordingFinder
}

// recordingFinder is a FaceFinder keeping the faces it last found, for the
// test's log.
type recordingFinder struct {
	FaceFinder
	last []face.Face
}

func (r *recordingFinder) Find(ctx context.Context, img image.Image, opt face.Options) ([]face.Face, error) {
	faces, err := r.FaceFinder.Find(ctx, img, opt)
	r.last = faces
	return faces, err
}

func newRealPanel(t *testing.T, n int, recognition bool) *realPanel {
	t.Helper()
	model := realFaceModel(t)
	f := newFixture(t)
	sched := testSchedule()
	sched.Talks[0].ID, sched.Talks[0].Title = "panel", "Faces panel"
	p := &realPanel{fixture: f}
	for _, s := range panelSpeakers[:n] {
		p.speakers = append(p.speakers, s.ID)
	}
	sched.Talks[0].SpeakerIDs = p.speakers
	sched.Speakers = append(sched.Speakers, panelSpeakers...)
	if _, err := f.store.ReplaceSchedule(context.Background(), sched); err != nil {
		t.Fatal(err)
	}
	p.finder = &recordingFinder{FaceFinder: model}
	f.h.Faces, f.h.Queue, f.h.Recognition = p.finder, &fakeQueue{}, recognition
	return p
}

// add uploads and processes a shared photo as m says, runs its faces task
// and returns the item after it.
func (p *realPanel) add(t *testing.T, data []byte, m catalog.Media) *catalog.Media {
	t.Helper()
	up := p.upload(t, data, m)
	start := time.Now()
	got, err := p.process(t, up)
	if err != nil {
		t.Fatalf("%s: processing: %v", m.SourceName, err)
	}
	rendered := time.Since(start)
	wantPending := p.h.Recognition && m.Kind != catalog.Headshot
	if (got.Status == catalog.Pending) != wantPending {
		t.Fatalf("%s after rendering: %s (%s); pending wanted: %v", m.SourceName, got.Status, got.Reason, wantPending)
	}
	start = time.Now()
	got, err = p.findFaces(t, up.ID, up.Generation)
	if err != nil {
		t.Fatalf("%s: faces task: %v", m.SourceName, err)
	}
	t.Logf("%s: %dx%d, rendered in %v, faces task %v: %d faces %v; %s talks %v speakers %v recognized %v (%s)",
		m.SourceName, got.Width, got.Height, rendered.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		len(got.Faces), got.Faces, got.Status, got.TalkIDs, got.SpeakerIDs, got.Recognized, got.Reason)
	if p.h.Recognition && got.Kind == catalog.Photo {
		known, err := p.store.FaceDescriptors(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.finder.last {
			var dists []string
			for _, k := range known {
				d := face.Descriptor(k.Vector)
				dists = append(dists, fmt.Sprintf("%s %.3f", k.SpeakerID, face.Distance(f.Descriptor, &d)))
			}
			t.Logf("%s: face %v (large rendition) distances: %s", m.SourceName, f.Box, strings.Join(dists, ", "))
		}
	}
	return got
}

// addHeadshots adds the three headshots, each tagged with its speaker.
func (p *realPanel) addHeadshots(t *testing.T) map[string]*catalog.Media {
	t.Helper()
	out := map[string]*catalog.Media{}
	for _, hs := range headshots {
		m := p.add(t, realFacePhoto(t, hs.file), catalog.Media{SourceName: hs.file, Kind: catalog.Headshot, SpeakerHint: hs.speaker})
		if m.Status != catalog.Tagged || !slices.Equal(m.SpeakerIDs, []string{hs.speaker}) || len(m.Faces) != 1 {
			t.Fatalf("headshot %s: %s speakers %v with %d faces, want tagged %s with one face", hs.file, m.Status, m.SpeakerIDs, len(m.Faces), hs.speaker)
		}
		out[hs.file] = m
	}
	return out
}

// addPhoto adds a shared photo as an event photo taken in the panel's room
// during the panel.
func (p *realPanel) addPhoto(t *testing.T, file string) *catalog.Media {
	t.Helper()
	// Their EXIF, XMP and IPTC are replaced by a capture time during the
	// panel, so that no date or people tag of the original counts.
	data := exiftest.MustRestamp(t, realFacePhoto(t, file), exiftest.Spec{DateTimeOriginal: panelTaken})
	return p.add(t, data, catalog.Media{SourceName: file, Room: "Hall A", Photographer: "Pat"})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// panelPhotos are the event photos and what recognition makes of them on
// the panel of Obama, Biden and Grace Hopper. The faces are what the
// detector finds in the large rendition.
var panelPhotos = []struct {
	file string
	// faces found; speakers named with recognition on (nil: today's
	// rule, every speaker of the panel).
	faces    int
	speakers []string
}{
	// Obama (left) and Biden (right): exactly the two.
	{"two_people.jpg", 2, []string{"biden", "obama"}},
	// Obama at a podium; the half face cut by the right edge is not found
	// (nor would it be anyone known).
	{"obama2.jpg", 1, []string{"obama"}},
	// The issue says "the two known of its three", but the shared crop
	// shows one face, Obama's (of the others only a green sleeve at the
	// right edge): Obama only.
	{"obama3.jpg", 1, []string{"obama"}},
	// Another crop of the same original: Biden alone.
	{"biden.jpg", 1, []string{"biden"}},
	// 320x240: the face is found and recognised all the same.
	{"obama_small.jpg", 1, []string{"obama"}},
	// Obama's face cut by the left edge: the detector finds no face, so
	// today's rule (the panel's speakers) holds.
	{"obama_partial_face.jpg", 0, nil},
}

// TestRealPanelRecognition: with recognition on and the headshots of
// Obama, Biden and Grace Hopper as the panel's speakers, each event photo
// of the panel is tagged with the speakers whose faces it shows.
func TestRealPanelRecognition(t *testing.T) {
	p := newRealPanel(t, 3, true)
	ctx := context.Background()
	p.addHeadshots(t)
	known, err := p.store.FaceDescriptors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var knownSpeakers []string
	for _, k := range known {
		knownSpeakers = append(knownSpeakers, k.SpeakerID)
	}
	if got := sorted(knownSpeakers); !slices.Equal(got, []string{"biden", "hopper", "obama"}) {
		t.Fatalf("known faces of %v, want biden, hopper and obama", got)
	}
	for _, tt := range panelPhotos {
		t.Run(tt.file, func(t *testing.T) {
			m := p.addPhoto(t, tt.file)
			if len(m.Faces) != tt.faces {
				t.Errorf("%d faces %v, want %d", len(m.Faces), m.Faces, tt.faces)
			}
			want, recognized := tt.speakers, tt.speakers
			if want == nil {
				want, recognized = sorted(p.speakers), nil
			}
			if m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"panel"}) || !slices.Equal(sorted(m.SpeakerIDs), want) {
				t.Errorf("%s (%s) talks %v speakers %v, want tagged panel with %v", m.Status, m.Reason, m.TalkIDs, m.SpeakerIDs, want)
			}
			if !slices.Equal(sorted(m.Recognized), recognized) {
				t.Errorf("recognized %v, want %v", m.Recognized, recognized)
			}
			if _, err := p.blobs.Stat(ctx, catalog.RenditionKey(m.ID, "large")); err != nil {
				t.Errorf("tagged but not public: %v", err)
			}
		})
	}
}

// TestRealFivePersonPanel: two of the panel's five speakers have no
// headshot. A photo whose every face is recognised names only those
// people; one in which no face is found keeps today's rule, all five.
func TestRealFivePersonPanel(t *testing.T) {
	p := newRealPanel(t, 5, true)
	p.addHeadshots(t)
	for _, tt := range []struct {
		file     string
		speakers []string
	}{
		{"two_people.jpg", []string{"biden", "obama"}},
		{"obama_partial_face.jpg", sorted(p.speakers)},
	} {
		m := p.addPhoto(t, tt.file)
		if m.Status != catalog.Tagged || !slices.Equal(sorted(m.SpeakerIDs), tt.speakers) {
			t.Errorf("%s: %s (%s) speakers %v, want tagged with %v", tt.file, m.Status, m.Reason, m.SpeakerIDs, tt.speakers)
		}
	}
}

// TestRealPanelWithoutRecognition: with recognition off (the default) the
// same photos get every speaker of the panel, today's rule, whatever faces
// they show; no face descriptor is stored. Faces are still found (for the
// squares), and every square rendition of every face photo holds its
// faces (checkSquares).
func TestRealPanelWithoutRecognition(t *testing.T) {
	p := newRealPanel(t, 3, false)
	ctx := context.Background()
	for _, m := range p.addHeadshots(t) {
		t.Run(m.SourceName+"/squares", func(t *testing.T) { p.checkSquares(t, m) })
		t.Run(m.SourceName+"/headshot", func(t *testing.T) { p.checkHeadshotSquares(t, m) })
	}
	if known, err := p.store.FaceDescriptors(ctx); err != nil || len(known) != 0 {
		t.Errorf("known faces %v (%v), want none with recognition off", known, err)
	}
	for _, tt := range panelPhotos {
		t.Run(tt.file, func(t *testing.T) {
			m := p.addPhoto(t, tt.file)
			if len(m.Faces) != tt.faces {
				t.Errorf("%d faces %v, want %d", len(m.Faces), m.Faces, tt.faces)
			}
			if want := sorted(p.speakers); m.Status != catalog.Tagged || !slices.Equal(sorted(m.SpeakerIDs), want) || m.Recognized != nil {
				t.Errorf("%s (%s) speakers %v recognized %v, want tagged with %v and no one recognized", m.Status, m.Reason, m.SpeakerIDs, m.Recognized, want)
			}
			p.checkSquares(t, m)
		})
	}
}

// checkSquares checks that every square rendition of m holds the faces
// found in it, each whole, when its side can hold them all together, and
// else the largest whole. Where the square was cut is found from its
// pixels (the large rendition matched against it), not from the code that
// cut it.
func (p *realPanel) checkSquares(t *testing.T, m *catalog.Media) {
	t.Helper()
	large := p.decode(t, catalog.StaffRenditionKey(m.ID, "large"))
	lw, lh := large.Bounds().Dx(), large.Bounds().Dy()
	// The face boxes, stored in the item's pixels, in the large rendition's.
	sx, sy := float64(lw)/float64(m.Width), float64(lh)/float64(m.Height)
	var faces []image.Rectangle
	for _, fb := range m.Faces {
		faces = append(faces, image.Rect(int(float64(fb.X)*sx), int(float64(fb.Y)*sy),
			int(math.Ceil(float64(fb.X+fb.W)*sx)), int(math.Ceil(float64(fb.Y+fb.H)*sy))))
	}
	slices.SortFunc(faces, func(a, b image.Rectangle) int { return b.Dx()*b.Dy() - a.Dx()*a.Dy() })
	squares := 0
	for _, r := range m.Renditions {
		if r.Width != r.Height || r.Name == "large" || r.Name == "medium" {
			continue
		}
		squares++
		sq := p.decode(t, catalog.StaffRenditionKey(m.ID, r.Name))
		if sq.Bounds().Dx() != r.Width || sq.Bounds().Dy() != r.Height {
			t.Errorf("%s: %v, the item says %dx%d", r.Name, sq.Bounds(), r.Width, r.Height)
		}
		win, tol := locateSquare(large, sq)
		if len(faces) == 0 {
			continue
		}
		group := faces[0]
		for _, f := range faces[1:] {
			group = group.Union(f)
		}
		hold := []image.Rectangle{faces[0]}
		if group.Dx() <= win.Dx() && group.Dy() <= win.Dy() {
			hold = faces
		}
		for _, f := range hold {
			if f.Dx() > win.Dx() || f.Dy() > win.Dy() {
				continue // larger than the square: nothing could hold it
			}
			if !f.In(win.Inset(-tol)) {
				t.Errorf("%s of %s: cut at %v (±%d px of the %dx%d large rendition), does not hold the face %v (of %v)",
					r.Name, m.SourceName, win, tol, lw, lh, f, faces)
			}
		}
		t.Logf("%s of %s: window %v ±%d of %dx%d, faces %v", r.Name, m.SourceName, win, tol, lw, lh, faces)
	}
	if squares == 0 {
		t.Errorf("%s has no square rendition", m.SourceName)
	}
}

// checkHeadshotSquares finds the face again in each square of headshot m:
// one face, centred across the square within a tenth of its side, its eyes
// in the upper half.
func (p *realPanel) checkHeadshotSquares(t *testing.T, m *catalog.Media) {
	t.Helper()
	model := p.h.Faces
	for _, name := range []string{"square", "square-large"} {
		if _, ok := m.Rendition(name); !ok {
			t.Errorf("headshot %s has no %s rendition", m.SourceName, name)
			continue
		}
		sq := p.decode(t, catalog.StaffRenditionKey(m.ID, name))
		side := sq.Bounds().Dx()
		found, err := model.Find(context.Background(), sq, face.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == 0 {
			t.Errorf("%s of %s: no face found in it", name, m.SourceName)
			continue
		}
		f := found[0]
		cx := (f.Box.Min.X + f.Box.Max.X) / 2
		l, r, ok := f.Eyes()
		if !ok {
			t.Fatalf("%s of %s: the face has no landmarks", name, m.SourceName)
		}
		eyes := (l.Y + r.Y) / 2
		t.Logf("%s of %s (%d px): face %v, centre %.2f across, eyes %.2f down", name, m.SourceName, side, f.Box,
			float64(cx)/float64(side), float64(eyes)/float64(side))
		if math.Abs(float64(cx)/float64(side)-0.5) > 0.1 {
			t.Errorf("%s of %s: the face %v is not centred across the %d px square", name, m.SourceName, f.Box, side)
		}
		if eyes >= side/2 {
			t.Errorf("%s of %s: the eyes are %d px down the %d px square, want the upper half", name, m.SourceName, eyes, side)
		}
	}
}

func (p *realPanel) decode(t *testing.T, key string) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(p.blob(t, key)))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return img
}

// locateSquare finds where square sq was cut from large: the window is the
// large rendition's short side square, moved along its long side (the rule
// of every square rendition), so it is the offset along the long side at
// which the two, brought to the same small scale, differ least. It returns
// the window in large's pixels and how far off it may be.
func locateSquare(large, sq image.Image) (image.Rectangle, int) {
	const n = 160 // the square's side at the common scale
	lw, lh := large.Bounds().Dx(), large.Bounds().Dy()
	side := min(lw, lh)
	scale := float64(n) / float64(side)
	tw, th := int(math.Round(float64(lw)*scale)), int(math.Round(float64(lh)*scale))
	lg := greyThumb(large, tw, th)
	sg := greyThumb(sq, n, n)
	best, bestDiff := 0, math.Inf(1)
	for k := 0; k <= max(tw, th)-n; k++ {
		var d float64
		for y := range n {
			for x := range n {
				lx, ly := x, y
				if lw > lh {
					lx += k
				} else {
					ly += k
				}
				d += math.Abs(lg[ly*tw+lx] - sg[y*n+x])
			}
		}
		if d < bestDiff {
			best, bestDiff = k, d
		}
	}
	start := int(math.Round(float64(best) / scale))
	tol := int(math.Ceil(1/scale)) + 1
	if lw > lh {
		return image.Rect(start, 0, start+side, lh), tol
	}
	return image.Rect(0, start, lw, start+side), tol
}

// greyThumb returns img's luma brought to w x h by averaging areas.
func greyThumb(img image.Image, w, h int) []float64 {
	b := img.Bounds()
	sum := make([]float64, w*h)
	cnt := make([]float64, w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		ty := min((y-b.Min.Y)*h/b.Dy(), h-1)
		for x := b.Min.X; x < b.Max.X; x++ {
			tx := min((x-b.Min.X)*w/b.Dx(), w-1)
			r, g, bb, _ := img.At(x, y).RGBA()
			sum[ty*w+tx] += 0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(bb>>8)
			cnt[ty*w+tx]++
		}
	}
	for i := range sum {
		if cnt[i] > 0 {
			sum[i] /= cnt[i]
		}
	}
	return sum
}

// TestLocateSquare: the locator checkSquares relies on finds a square cut
// at a known place from a noisy landscape and a noisy portrait, resized.
func TestLocateSquare(t *testing.T) {
	for _, tt := range []struct {
		w, h  int
		start int
	}{{1126, 661, 0}, {1126, 661, 300}, {1126, 661, 465}, {626, 1200, 168}, {626, 1200, 574}} {
		img := image.NewRGBA(image.Rect(0, 0, tt.w, tt.h))
		for i := range img.Pix {
			// Blocks of 8 px of one pseudo-random grey, so that resizing
			// keeps them.
			x, y := uint32((i/4)%tt.w/8), uint32((i/4)/tt.w/8)
			h := x*0x9E3779B1 ^ y*0x85EBCA77
			h ^= h >> 15
			h *= 0x2C1B3C6D
			h ^= h >> 12
			if i%4 == 3 {
				img.Pix[i] = 255
			} else {
				img.Pix[i] = uint8(h >> 24)
			}
		}
		side := min(tt.w, tt.h)
		want := image.Rect(tt.start, 0, tt.start+side, side)
		if tt.h > tt.w {
			want = image.Rect(0, tt.start, side, tt.start+side)
		}
		crop := img.SubImage(want)
		sq := image.NewRGBA(image.Rect(0, 0, 400, 400))
		for y := range 400 {
			for x := range 400 {
				sq.Set(x, y, crop.At(want.Min.X+x*side/400, want.Min.Y+y*side/400))
			}
		}
		got, tol := locateSquare(img, sq)
		if d := max(abs(got.Min.X-want.Min.X), abs(got.Min.Y-want.Min.Y)); d > tol || got.Size() != want.Size() {
			t.Errorf("%dx%d cut at %v: located at %v ±%d", tt.w, tt.h, want, got, tol)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
