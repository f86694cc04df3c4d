package face

import (
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/confmedia/confmedia/pipeline/face/internal/nn"
)

// facesDir holds the real face photos of the shared test data.
const facesDir = "../../../shared/data/photos/faces"

func loadModel(t testing.TB) *Model {
	t.Helper()
	m, err := Load()
	if errors.Is(err, ErrNoModels) {
		t.Skip("face models not built in: make pipeline/face/model/" + detectorManifest + " (and the others of FACE_MODELS)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func decodePhoto(t testing.TB, name string) image.Image {
	t.Helper()
	path := filepath.Join(facesDir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s absent: the shared face photos are not here", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func TestLoadWithoutModels(t *testing.T) {
	fsys := fstest.MapFS{"README.md": {Data: []byte("models are fetched by make")}}
	if _, err := load(fsys); !errors.Is(err, ErrNoModels) {
		t.Errorf("load without weights: %v, want ErrNoModels", err)
	}
	// A manifest whose shard is missing is a broken build, not an absent one.
	fsys[detectorManifest] = &fstest.MapFile{Data: []byte(`[{"paths":["x.bin"],"weights":[]}]`)}
	if _, err := load(fsys); err == nil || errors.Is(err, ErrNoModels) {
		t.Errorf("load with a broken manifest: %v, want another error", err)
	}
}

// grid returns a detector output of n×n cells, every anchor scoring about
// zero (sigmoid(-10)).
func grid(n int) *nn.Tensor {
	g := nn.New(n, n, 5*len(detectorAnchors))
	for i := 4; i < len(g.Data); i += 5 {
		g.Data[i] = -10
	}
	return g
}

func TestDecode(t *testing.T) {
	// A 4×4 grid over a 128-pixel input (32-pixel cells), for an image of
	// 256×128 scaled by 0.5 (its lower half is padding).
	g := grid(4)
	// Cell row 1, column 2, anchor 0: centre in the middle of the cell
	// (sigmoid(0) = 0.5), size exp(0)×anchor cells, score sigmoid(3).
	v := g.Pixel(1, 2)[0:5]
	v[0], v[1], v[2], v[3], v[4] = 0, 0, 0, 0, 3
	cs := decode(g, 128, 0.5, 0.5)
	if len(cs) != 1 {
		t.Fatalf("decode: %d boxes, want 1: %v", len(cs), cs)
	}
	c := cs[0]
	cx, cy := 2.5*32/0.5, 1.5*32/0.5
	w, h := detectorAnchors[0][0]*32/0.5, detectorAnchors[0][1]*32/0.5
	want := candidate{x0: cx - w/2, y0: cy - h/2, x1: cx + w/2, y1: cy + h/2, score: float64(nn.Sigmoid(3))}
	const eps = 1e-3
	if math.Abs(c.x0-want.x0) > eps || math.Abs(c.y0-want.y0) > eps || math.Abs(c.x1-want.x1) > eps ||
		math.Abs(c.y1-want.y1) > eps || math.Abs(c.score-want.score) > eps {
		t.Errorf("decode: %+v, want %+v", c, want)
	}
	// Below the minimum score: nothing.
	v[4] = -0.1
	if cs := decode(g, 128, 0.5, 0.5); len(cs) != 0 {
		t.Errorf("a box scoring %.2f was kept", nn.Sigmoid(-0.1))
	}
}

func TestSuppress(t *testing.T) {
	a := candidate{0, 0, 100, 100, 0.9}
	b := candidate{10, 10, 110, 110, 0.95} // IoU with a about 0.68
	c := candidate{60, 0, 160, 100, 0.8}   // IoU with b about 0.29: kept
	d := candidate{300, 300, 350, 350, 0.6}
	e := candidate{0, 0, 50, 40, 0.99} // IoU with a 0.2, but inside it: part of a face
	got := suppress([]candidate{a, b, c, d})
	if got := suppress([]candidate{a, e}); len(got) != 1 || got[0] != a {
		t.Errorf("suppress(a, e inside it) = %v, want a", got)
	}
	want := []candidate{b, c, d}
	if len(got) != len(want) {
		t.Fatalf("suppress: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("suppress[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if iou(a, a) != 1 || iou(a, d) != 0 {
		t.Errorf("iou(a, a) = %g, iou(a, d) = %g", iou(a, a), iou(a, d))
	}
}

func TestRegions(t *testing.T) {
	// Up to a tile: the whole image only.
	if rs := regions(image.Rect(0, 0, tileSide, 700)); len(rs) != 1 || rs[0].maxFace != 0 {
		t.Errorf("a %d-px image: %d regions", tileSide, len(rs))
	}
	for _, b := range []image.Rectangle{
		image.Rect(0, 0, 2048, 1365), // the large rendition of a 3:2 photo
		image.Rect(0, 0, 1365, 2048),
		image.Rect(7, 9, 7+2048, 9+1536),
		image.Rect(0, 0, 6000, 4000), // an original: tiles grow, their number does not
		image.Rect(0, 0, 4096, 300),  // a panorama
		image.Rect(0, 0, 1126, 661),  // two_people.jpg
	} {
		rs := regions(b)
		if rs[0].r != b || rs[0].owned != b || rs[0].maxFace != 0 {
			t.Errorf("%v: first region %+v, want the whole image", b, rs[0])
		}
		tiles := rs[1:]
		if len(tiles) < 2 || len(tiles) > 6 {
			t.Errorf("%v: %d tiles", b, len(tiles))
		}
		// Every pixel is owned by exactly one tile, which holds it with a
		// margin of half the overlap (or reaches the image's edge there).
		side := tiles[0].r.Dx()
		margin := int(float64(side)*tileOverlap) / 2
		for y := b.Min.Y; y < b.Max.Y; y += 7 {
			for x := b.Min.X; x < b.Max.X; x += 7 {
				p := image.Pt(x, y)
				n := 0
				for _, tl := range tiles {
					if !p.In(tl.owned) {
						continue
					}
					n++
					near := image.Rect(p.X-margin+1, p.Y-margin+1, p.X+margin, p.Y+margin).Intersect(b)
					if !near.In(tl.r) {
						t.Fatalf("%v: %v owned by tile %v without a margin of %d", b, p, tl.r, margin)
					}
				}
				if n != 1 {
					t.Fatalf("%v: %v owned by %d tiles", b, p, n)
				}
			}
		}
	}
}

func TestBoxes(t *testing.T) {
	b := image.Rect(10, 20, 1010, 520) // not at the origin: boxes are offset
	cs := []candidate{
		{-50, -30, 150.4, 170.6, 0.9}, // clipped to the image
		{400, 200, 410, 210, 0.9},     // smaller than 1.5% of 1000 pixels
		{2000, 2000, 2100, 2100, 0.9}, // outside
	}
	got := boxes(cs, b)
	want := image.Rect(10, 20, 160, 191)
	if len(got) != 1 || got[0].Box != want || got[0].Score != 0.9 {
		t.Errorf("boxes: %v, want one face at %v", got, want)
	}
}

// fakeDescriber returns a descriptor holding the first landmark.
type fakeDescriber struct{ calls int }

func (f *fakeDescriber) describe(img image.Image, landmarks []image.Point) (*Descriptor, error) {
	f.calls++
	d := &Descriptor{}
	d[0], d[1] = float32(landmarks[0].X), float32(landmarks[0].Y)
	return d, nil
}

func TestFindDescribe(t *testing.T) {
	// The recognizer's own tests check descriptors; here, that Find asks
	// for one per face, from its landmarks, and only with Describe.
	m := loadModel(t)
	img := decodePhoto(t, "obama_small.jpg")
	faces, err := m.Find(context.Background(), img, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faces {
		if f.Descriptor != nil {
			t.Error("a descriptor without Options.Describe")
		}
	}
	fake := &fakeDescriber{}
	described := *m
	described.recognizer = fake
	faces, err = described.Find(context.Background(), img, Options{Describe: true})
	if err != nil {
		t.Fatal(err)
	}
	if fake.calls != len(faces) || len(faces) == 0 {
		t.Fatalf("%d faces, %d described", len(faces), fake.calls)
	}
	for _, f := range faces {
		if f.Descriptor == nil || f.Descriptor[0] != float32(f.Landmarks[0].X) {
			t.Errorf("face %v: descriptor %v not from its landmarks", f.Box, f.Descriptor)
		}
	}
}

func TestFindCancelled(t *testing.T) {
	m := loadModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	if _, err := m.Find(ctx, img, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Find with a cancelled context: %v", err)
	}
}

func TestFindBlank(t *testing.T) {
	m := loadModel(t)
	for _, r := range []image.Rectangle{image.Rect(0, 0, 800, 600), image.Rect(0, 0, 1, 300), image.Rect(5, 5, 5, 5)} {
		img := image.NewGray(r)
		faces, err := m.Find(context.Background(), img, Options{})
		if err != nil || len(faces) != 0 {
			t.Errorf("blank %v: %d faces, %v", r, len(faces), err)
		}
	}
}

func TestFindRealFaces(t *testing.T) {
	m := loadModel(t)
	tests := []struct {
		photo    string
		min, max int
	}{
		{"obama.jpg", 1, 1},
		{"obama2.jpg", 1, 1},
		{"biden.jpg", 1, 1},
		{"biden2.jpg", 1, 1}, // the face fills half the photo
		{"grace_hopper.jpg", 1, 1},
		{"two_people.jpg", 2, 2},
		// One face: of the others in the frame only a green sleeve shows.
		{"obama3.jpg", 1, 1},
		{"obama_small.jpg", 1, 1}, // 320×240
		// Cut by the left edge, half the face: found or not, at most one.
		{"obama_partial_face.jpg", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.photo, func(t *testing.T) {
			if tt.photo != "obama_small.jpg" {
				skipUnderRace(t)
			}
			img := decodePhoto(t, tt.photo)
			faces, err := m.Find(context.Background(), img, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(faces) < tt.min || len(faces) > tt.max {
				t.Errorf("%d faces, want %d to %d: %v", len(faces), tt.min, tt.max, faces)
			}
			for i, f := range faces {
				checkFace(t, img.Bounds(), f)
				if i > 0 && area(f.Box) > area(faces[i-1].Box) {
					t.Errorf("face %d larger than face %d", i, i-1)
				}
				t.Logf("face %v score %.2f", f.Box, f.Score)
			}
		})
	}
}

// mosaic places copies of a face photo scaled so its face is each of
// sides pixels wide on a 2048x1365 grey canvas.
func mosaic(t testing.TB, sides []int) (*image.RGBA, []image.Rectangle) {
	src := decodePhoto(t, "obama.jpg") // face about 300 px wide at (336,153)-(635,436)
	canvas := image.NewRGBA(image.Rect(0, 0, 2048, 1365))
	for i := range canvas.Pix {
		canvas.Pix[i] = 128
		if i%4 == 3 {
			canvas.Pix[i] = 255
		}
	}
	var want []image.Rectangle
	x, y, rowH := 0, 0, 0
	for _, side := range sides {
		k := float64(side) / 300
		w, h := int(910*k), int(1137*k)
		if x+w > 2048 {
			x, y, rowH = 0, y+rowH, 0
		}
		if y+h > 1365 {
			break
		}
		tt := nn.FromImageResized(src, src.Bounds(), h, w)
		for yy := range h {
			for xx := range w {
				p := tt.Pixel(yy, xx)
				o := canvas.PixOffset(x+xx, y+yy)
				canvas.Pix[o], canvas.Pix[o+1], canvas.Pix[o+2] = uint8(p[0]), uint8(p[1]), uint8(p[2])
			}
		}
		want = append(want, image.Rect(x+int(336*k), y+int(153*k), x+int(635*k), y+int(436*k)))
		x += w
		rowH = max(rowH, h)
	}
	return canvas, want
}

func TestFindSmallFaces(t *testing.T) {
	skipUnderRace(t)
	// A panel seen from the back of the room: eight people whose faces
	// are 80 to 200 pixels wide in the 2048-px rendition (the smaller ones
	// found only by the tiles).
	m := loadModel(t)
	img, want := mosaic(t, []int{200, 150, 120, 100, 100, 80, 80, 80})
	faces, err := m.Find(context.Background(), img, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != len(want) {
		t.Errorf("%d faces, want %d: %v", len(faces), len(want), faces)
	}
	box := func(r image.Rectangle) candidate {
		return candidate{float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y), 0}
	}
	for _, w := range want {
		found := false
		for _, f := range faces {
			found = found || iou(box(w), box(f.Box)) > 0.3
		}
		if !found {
			t.Errorf("the face at %v (%d px) was not found", w, w.Dx())
		}
	}
	for _, f := range faces {
		checkFace(t, img.Bounds(), f)
	}
}

// checkFace checks a face found in an image of bounds b: its box inside,
// its landmarks in place (eyes in the upper half of the box, the mouth in
// the lower half).
func checkFace(t *testing.T, b image.Rectangle, f Face) {
	t.Helper()
	if f.Box.Empty() || !f.Box.In(b) {
		t.Errorf("box %v outside the image %v", f.Box, b)
	}
	if f.Score < minScore || f.Score > 1 {
		t.Errorf("box %v: score %g", f.Box, f.Score)
	}
	if len(f.Landmarks) != 68 {
		t.Fatalf("box %v: %d landmarks", f.Box, len(f.Landmarks))
	}
	// The landmark net may place a point a little outside the box (a jaw
	// wider than the detector's box); eyes and mouth are inside it.
	upper := image.Rect(f.Box.Min.X, f.Box.Min.Y, f.Box.Max.X, (f.Box.Min.Y+f.Box.Max.Y)/2)
	lower := image.Rect(f.Box.Min.X, upper.Max.Y, f.Box.Max.X, f.Box.Max.Y)
	left, right, _ := f.Eyes()
	if !left.In(upper) || !right.In(upper) {
		t.Errorf("box %v: eyes %v %v not in its upper half", f.Box, left, right)
	}
	if mouth := centre(f.Landmarks[48:68]); !mouth.In(lower) {
		t.Errorf("box %v: mouth %v not in its lower half", f.Box, mouth)
	}
	if right.X-left.X < f.Box.Dx()/6 {
		t.Errorf("box %v: eyes %v %v too close", f.Box, left, right)
	}
}

// BenchmarkFind finds the faces of a photo of two people enlarged to the
// large rendition's 2048 pixels, with and without their descriptors.
func BenchmarkFind(b *testing.B) {
	m := loadModel(b)
	src := decodePhoto(b, "two_people.jpg")
	sb := src.Bounds()
	w, h := 2048, 2048*sb.Dy()/sb.Dx()
	x := nn.FromImageResized(src, sb, h, w)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(x.Data)/3; i++ {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = uint8(x.Data[3*i]), uint8(x.Data[3*i+1]), uint8(x.Data[3*i+2]), 255
	}
	ctx := context.Background()
	for _, describe := range []bool{false, true} {
		name := "detect"
		if describe {
			name = "describe"
		}
		b.Run(name, func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				faces, err := m.Find(ctx, img, Options{Describe: describe})
				if err != nil || len(faces) != 2 {
					b.Fatalf("%d faces, %v", len(faces), err)
				}
			}
		})
	}
}

// reportCPU, deferred before a benchmark's loop, reports the CPU time per
// iteration (all threads) as cpu-ms/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if start > 0 && b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
		}
	}
}

// BenchmarkDetector runs the detector net once on its input (Find runs it
// once, plus once per tile of a large image).
func BenchmarkDetector(b *testing.B) {
	m := loadModel(b)
	x := nn.New(detectorSize, detectorSize, 3)
	ctx := context.Background()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := m.detector.forward(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLandmarks runs the landmark net once (Find runs it per face).
func BenchmarkLandmarks(b *testing.B) {
	m := loadModel(b)
	x := nn.New(landmarkSize, landmarkSize, 3)
	ctx := context.Background()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := m.landmarker.forward(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
}
