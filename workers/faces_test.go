package workers

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/face"
)

// fakeFinder finds faces where it is told, as fractions of the image it is
// given (so whatever the size of the large rendition), or fails with err.
type fakeFinder struct {
	boxes []fracBox
	descs []*face.Descriptor // the boxes' descriptors, given when asked for
	err   error

	mu    sync.Mutex
	calls []face.Options
}

type fracBox struct{ x0, y0, x1, y1 float64 }

func (f *fakeFinder) Find(_ context.Context, img image.Image, opt face.Options) ([]face.Face, error) {
	f.mu.Lock()
	f.calls = append(f.calls, opt)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	b := img.Bounds()
	var out []face.Face
	for i, fb := range f.boxes {
		at := func(fx, fy float64) image.Point {
			return image.Pt(b.Min.X+int(fx*float64(b.Dx())), b.Min.Y+int(fy*float64(b.Dy())))
		}
		fc := face.Face{Box: image.Rectangle{Min: at(fb.x0, fb.y0), Max: at(fb.x1, fb.y1)}, Score: 0.9}
		if opt.Describe && i < len(f.descs) {
			fc.Descriptor = f.descs[i]
		}
		out = append(out, fc)
	}
	return out, nil
}

// fakeQueue records the faces tasks queued.
type fakeQueue struct {
	mu     sync.Mutex
	queued []Payload
	err    error
}

func (q *fakeQueue) EnqueueFaces(_ context.Context, id string, gen int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	q.queued = append(q.queued, Payload{ID: id, Generation: gen})
	return nil
}

// facePhoto is a 1600x1000 grey JPEG with a red "face" at
// 1300..1450 x 300..450, which the centred square (300..1300) leaves out.
func facePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1000))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{128, 128, 128, 255}}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(1300, 300, 1450, 450), &image.Uniform{color.RGBA{220, 20, 20, 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var facePhotoFace = fracBox{1300.0 / 1600, 300.0 / 1000, 1450.0 / 1600, 450.0 / 1000}

func (f *fixture) withFaces(finder *fakeFinder) *fakeQueue {
	q := &fakeQueue{}
	f.h.Faces, f.h.Queue = finder, q
	return q
}

func (f *fixture) findFaces(t *testing.T, id string, gen int) (*catalog.Media, error) {
	t.Helper()
	task, _ := NewMediaFacesTask(id, gen)
	err := f.h.FindFaces(context.Background(), task)
	got, gerr := f.store.Media(context.Background(), id)
	if gerr != nil {
		t.Fatal(gerr)
	}
	return got, err
}

func (f *fixture) blob(t *testing.T, key string) []byte {
	t.Helper()
	rc, _, err := f.blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func redAt(t *testing.T, data []byte, r image.Rectangle) bool {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var sr, sg, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, _, _ := img.At(x, y).RGBA()
			sr, sg, n = sr+float64(cr>>8), sg+float64(cg>>8), n+1
		}
	}
	return sr/n > 180 && sg/n < 70
}

// TestFindFacesRecutsSquares: the faces task stores the face's box in the
// item's pixels and cuts the square again around it, at its size, in the
// staff copy and, once the item is public, in the public one.
func TestFindFacesRecutsSquares(t *testing.T) {
	f := newFixture(t)
	finder := &fakeFinder{boxes: []fracBox{facePhotoFace}}
	q := f.withFaces(finder)
	ctx := context.Background()
	m := f.upload(t, facePhoto(t), catalog.Media{SourceName: "face.jpg"})
	got, err := f.process(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.queued, []Payload{{ID: m.ID, Generation: 1}}) {
		t.Fatalf("queued %v, want the faces task of %s at generation 1", q.queued, m.ID)
	}
	// The square Render made leaves the face out (centred window).
	square := catalog.StaffRenditionKey(m.ID, "square")
	if redAt(t, f.blob(t, square), image.Rect(290, 130, 330, 170)) {
		t.Fatal("Render's square already shows the face: the test cannot tell the windows apart")
	}
	// Public, with the old square, before the faces task runs.
	if err := catalog.Transition(ctx, f.store, m.ID, catalog.Reviewed(catalog.Decision{Status: catalog.Tagged, TalkIDs: []string{"t1"}}, "ana", f.h.now())); err != nil {
		t.Fatal(err)
	}
	if err := catalog.SyncRenditions(ctx, f.store, f.blobs, m.ID); err != nil {
		t.Fatal(err)
	}

	got, err = f.findFaces(t, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []catalog.FaceBox{{X: 1300, Y: 300, W: 150, H: 150, Score: 0.9}}; !slices.Equal(got.Faces, want) {
		t.Errorf("faces %+v, want %+v", got.Faces, want)
	}
	if len(finder.calls) != 1 || finder.calls[0].Describe {
		t.Errorf("finder called with %+v, want once without descriptors (recognition off)", finder.calls)
	}
	// Window 600..1600 (centred on the face as far as the image allows):
	// the face at 700..850 x 300..450 of the 1000 square, 280..340 x
	// 120..180 of the 400 one.
	staff := f.blob(t, square)
	if !redAt(t, staff, image.Rect(290, 130, 330, 170)) {
		t.Error("the square was not cut around the face")
	}
	if redAt(t, staff, image.Rect(230, 130, 270, 170)) {
		t.Error("red left of the face: the window is off")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(staff))
	if err != nil || cfg.Width != 400 || cfg.Height != 400 {
		t.Errorf("square is %dx%d (%v), want 400x400", cfg.Width, cfg.Height, err)
	}
	r, _ := got.Rendition("square")
	if r.Width != 400 || r.Height != 400 || r.Bytes != int64(len(staff)) {
		t.Errorf("square rendition %+v, want 400x400 of %d bytes", r, len(staff))
	}
	if public := f.blob(t, catalog.RenditionKey(m.ID, "square")); !bytes.Equal(public, staff) {
		t.Error("the public square is not the one cut around the face")
	}
	// Delivered again: the same result.
	if _, err := f.findFaces(t, m.ID, 1); err != nil {
		t.Errorf("second delivery: %v", err)
	}
	// A task of an older generation does nothing.
	before := f.blob(t, square)
	finder.boxes = nil
	if _, err := f.findFaces(t, m.ID, 0); err != nil || !bytes.Equal(f.blob(t, square), before) {
		t.Errorf("a stale task changed the square (%v)", err)
	}
}

// TestFindFacesRecognitionDecides: with recognition on, an event photo is
// not public after rendering: it stays pending until its faces task ran,
// which decides it. A headshot is decided at once as before.
func TestFindFacesRecognitionDecides(t *testing.T) {
	f := newFixture(t)
	finder := &fakeFinder{boxes: []fracBox{{0.4, 0.2, 0.6, 0.5}}}
	q := f.withFaces(finder)
	f.h.Recognition = true
	photo := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 640, Height: 480, DateTimeOriginal: "2026:05:15 09:10:00"}),
		catalog.Media{SourceName: "talk.jpg", Room: "Hall A"})
	got, err := f.process(t, photo)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Pending || len(got.Renditions) != 3 {
		t.Fatalf("after rendering: %s with %d renditions, want pending with 3", got.Status, len(got.Renditions))
	}
	if keys := f.blobs.Keys(catalog.PublicPrefix); len(keys) != 0 {
		t.Fatalf("public before its faces were checked: %v", keys)
	}
	if len(q.queued) != 1 {
		t.Fatalf("queued %v, want its faces task", q.queued)
	}
	// A second delivery of the processing task leaves it pending too.
	if got, err := f.process(t, photo); err != nil || got.Status != catalog.Pending {
		t.Fatalf("processing delivered again: %s, %v", got.Status, err)
	}
	got, err = f.findFaces(t, photo.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Tagged || !slices.Equal(got.TalkIDs, []string{"t1"}) || len(got.Faces) != 1 {
		t.Errorf("after the faces task: %s talks %v faces %v, want tagged t1 with one face", got.Status, got.TalkIDs, got.Faces)
	}
	if keys := f.blobs.Keys(catalog.PublicPrefix); len(keys) != 3 {
		t.Errorf("public keys %v, want the 3 renditions", keys)
	}
	if len(finder.calls) != 1 || !finder.calls[0].Describe {
		t.Errorf("finder called with %+v, want descriptors (recognition on)", finder.calls)
	}

	head := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 300, Height: 400}), catalog.Media{SourceName: "ana.jpg", Kind: catalog.Headshot, SpeakerHint: "ana"})
	if got, err := f.process(t, head); err != nil || got.Status != catalog.Tagged {
		t.Errorf("headshot after rendering: %s (%s), %v; want tagged at once", got.Status, got.Reason, err)
	}
}

// TestFindFacesFailingStillDecides: a faces task that cannot look (the
// finder fails, the large rendition is gone or does not decode) still
// decides the photo it was to decide, by today's rule, and keeps its
// squares.
func TestFindFacesFailingStillDecides(t *testing.T) {
	for _, tt := range []struct {
		name  string
		err   error
		spoil func(f *fixture, id string)
	}{
		{"finder error", errors.New("model exploded"), nil},
		{"large rendition missing", nil, func(f *fixture, id string) {
			_ = f.blobs.Delete(context.Background(), catalog.StaffRenditionKey(id, "large"))
		}},
		{"large rendition undecodable", nil, func(f *fixture, id string) {
			_ = f.blobs.Put(context.Background(), catalog.StaffRenditionKey(id, "large"), strings.NewReader("junk"), 4, "image/jpeg")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var logs bytes.Buffer
			f.h.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			f.withFaces(&fakeFinder{boxes: []fracBox{{0.4, 0.2, 0.6, 0.5}}, err: tt.err})
			f.h.Recognition = true
			m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 640, Height: 480, DateTimeOriginal: "2026:05:15 09:10:00"}),
				catalog.Media{SourceName: "talk.jpg", Room: "Hall A"})
			if got, err := f.process(t, m); err != nil || got.Status != catalog.Pending {
				t.Fatalf("after rendering: %s, %v", got.Status, err)
			}
			before := f.blob(t, catalog.StaffRenditionKey(m.ID, "square"))
			if tt.spoil != nil {
				tt.spoil(f, m.ID)
			}
			got, err := f.findFaces(t, m.ID, 1)
			if err != nil {
				t.Fatalf("faces task: %v, want it done (nothing to retry)", err)
			}
			if got.Status != catalog.Tagged || got.Faces != nil {
				t.Errorf("%s with faces %v, want tagged without faces", got.Status, got.Faces)
			}
			if !bytes.Equal(f.blob(t, catalog.StaffRenditionKey(m.ID, "square")), before) {
				t.Error("the square changed")
			}
			if !strings.Contains(logs.String(), "faces not found") {
				t.Errorf("no log line says why: %s", logs.String())
			}
		})
	}
}

// TestFacesOff: with no finder (or no queue), nothing is queued and
// recognition cannot hold photos back: they are decided at once.
func TestFacesOff(t *testing.T) {
	f := newFixture(t)
	q := &fakeQueue{}
	f.h.Queue, f.h.Recognition = q, true
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 640, Height: 480, DateTimeOriginal: "2026:05:15 09:10:00"}),
		catalog.Media{SourceName: "talk.jpg", Room: "Hall A"})
	if got, err := f.process(t, m); err != nil || got.Status != catalog.Tagged || len(q.queued) != 0 {
		t.Errorf("%s, %v, queued %v; want tagged at once and nothing queued", got.Status, err, q.queued)
	}
	// A faces task queued by a worker that had faces on does nothing.
	if got, err := f.findFaces(t, m.ID, 1); err != nil || got.Status != catalog.Tagged {
		t.Errorf("faces task without a finder: %s, %v", got.Status, err)
	}
	// A finder but no queue to send the faces task to: decided at once too.
	f.h.Faces, f.h.Queue = &fakeFinder{}, nil
	m2 := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{Width: 64, Height: 48, DateTimeOriginal: "2026:05:15 09:20:00"}),
		catalog.Media{SourceName: "talk2.jpg", Room: "Hall A"})
	if got, err := f.process(t, m2); err != nil || got.Status != catalog.Tagged {
		t.Errorf("no queue: %s, %v; want tagged at once", got.Status, err)
	}
}

// TestProcessMediaQueueDown: a faces task that cannot be queued fails the
// processing task while the item is still pending, to be retried, so that
// no rendered item misses its faces.
func TestProcessMediaQueueDown(t *testing.T) {
	f := newFixture(t)
	q := f.withFaces(&fakeFinder{})
	q.err = catalog.E(catalog.Unavailable, "workers.Enqueue", nil, "redis down")
	m := f.upload(t, facePhoto(t), catalog.Media{SourceName: "face.jpg"})
	got, err := f.process(t, m)
	if catalog.ErrorKind(err) != catalog.Unavailable || got.Status != catalog.Pending {
		t.Errorf("%s, %v; want pending and an unavailable error", got.Status, err)
	}
}

// TestOutcomesFaces: a faces task logs one line for its item and tells the
// observer how many faces it found.
func TestOutcomesFaces(t *testing.T) {
	f := newFixture(t)
	f.withFaces(&fakeFinder{boxes: []fracBox{facePhotoFace}})
	m := f.upload(t, facePhoto(t), catalog.Media{SourceName: "face.jpg"})
	if _, err := f.process(t, m); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	obs := &recordingObserver{}
	h := (&Outcomes{Store: f.store, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Observer: obs}).Middleware(f.h.Mux())
	task, _ := NewMediaFacesTask(m.ID, 1)
	if err := h.ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	line := logs.String()
	for _, want := range []string{`msg="item faces"`, "media=" + m.ID, "file=face.jpg", "faces=1", "find="} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	if strings.Count(line, "item faces") != 1 {
		t.Errorf("want one line: %s", line)
	}
	if got := obs.faces[catalog.Photo]; !slices.Equal(got, []int{1}) {
		t.Errorf("observer told %v, want one photo with 1 face", got)
	}
	if len(obs.tasks) != 1 || obs.tasks[0].typ != TypeMediaFaces {
		t.Errorf("tasks %+v", obs.tasks)
	}
}

// TestFindFacesHeadshotSquares: a headshot's two squares (400 and the
// large 1200 one, here 1000: the photo's short edge) are both cut again
// around a face low in a portrait, which Render's high window cuts.
func TestFindFacesHeadshotSquares(t *testing.T) {
	f := newFixture(t)
	f.withFaces(&fakeFinder{boxes: []fracBox{{0.4, 1000.0 / 1600, 0.6, 1200.0 / 1600}}})
	img := image.NewRGBA(image.Rect(0, 0, 1000, 1600))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{128, 128, 128, 255}}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(400, 1000, 600, 1200), &image.Uniform{color.RGBA{220, 20, 20, 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	m := f.upload(t, buf.Bytes(), catalog.Media{SourceName: "bo.jpg", Kind: catalog.Headshot, SpeakerHint: "bo"})
	if _, err := f.process(t, m); err != nil {
		t.Fatal(err)
	}
	// Render's window (100..1100) cuts the face at its bottom edge.
	bottom := image.Rect(450, 990, 550, 1000)
	if !redAt(t, f.blob(t, catalog.StaffRenditionKey(m.ID, "square-large")), bottom) {
		t.Fatal("Render's square-large does not cut the face: the test cannot tell the windows apart")
	}
	if _, err := f.findFaces(t, m.ID, 1); err != nil {
		t.Fatal(err)
	}
	// Window 600..1600 (the face as high as the image allows): the face
	// at 400..600 of the 1000 squares, 160..240 of the 400 one.
	for _, tt := range []struct {
		name string
		side int
		face image.Rectangle
	}{
		{"square-large", 1000, image.Rect(420, 420, 580, 580)},
		{"square", 400, image.Rect(168, 168, 232, 232)},
	} {
		data := f.blob(t, catalog.StaffRenditionKey(m.ID, tt.name))
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != tt.side || cfg.Height != tt.side {
			t.Errorf("%s is %dx%d (%v), want %dx%[4]d", tt.name, cfg.Width, cfg.Height, err, tt.side)
		}
		if !redAt(t, data, tt.face) {
			t.Errorf("%s not cut around the face", tt.name)
		}
	}
	if redAt(t, f.blob(t, catalog.StaffRenditionKey(m.ID, "square-large")), bottom) {
		t.Error("square-large still cuts the face at its bottom edge")
	}
}
