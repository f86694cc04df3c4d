package face

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/confmedia/confmedia/pipeline/face/internal/nn"
)

var testRecognizer = sync.OnceValues(func() (*recognizer, error) {
	fsys, err := fs.Sub(models, "model")
	if err != nil {
		return nil, err
	}
	return loadRecognizer(fsys)
})

// needRecognizer returns the recognition net, skipping the test when its
// model files are not built.
func needRecognizer(tb testing.TB) *recognizer {
	tb.Helper()
	r, err := testRecognizer()
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("face models not built (make pipeline/face/model/%s): %v", recognitionManifest, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// syntheticFace is a 150×150 input pattern: (7y + 3x + 50c) mod 256.
func syntheticFace() *nn.Tensor {
	t := nn.New(inputSize, inputSize, 3)
	for y := range inputSize {
		for x := range inputSize {
			p := t.Pixel(y, x)
			for c := range p {
				p[c] = float32((7*y + 3*x + 50*c) % 256)
			}
		}
	}
	return t
}

func maxDiff(a, b *Descriptor) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

// TestRecognizerMatchesReference runs the net on a fixed input and compares
// every number with the reference implementation's.
func TestRecognizerMatchesReference(t *testing.T) {
	r := needRecognizer(t)
	d, err := r.run(syntheticFace())
	if err != nil {
		t.Fatal(err)
	}
	if dist, diff := Distance(d, &referenceSynthetic), maxDiff(d, &referenceSynthetic); dist > 1e-3 || diff > 1e-4 {
		t.Errorf("descriptor %v…: distance %.6f from the reference (largest difference %.6f), want ≈0", d[:4], dist, diff)
	}
}

// TestDescribeMatchesReference aligns and describes a real face as the
// reference implementation does with the same landmarks.
func TestDescribeMatchesReference(t *testing.T) {
	r := needRecognizer(t)
	img := decodePhoto(t, "obama.jpg")
	d, err := r.describe(img, photoLandmarks["obama.jpg"][0])
	if err != nil {
		t.Fatal(err)
	}
	if dist := Distance(d, &referenceObama); dist > 1e-3 {
		t.Errorf("obama.jpg: distance %.6f from the reference (largest difference %.6f), want ≈0", dist, maxDiff(d, &referenceObama))
	}
	var norm float64
	for _, v := range d {
		norm += float64(v) * float64(v)
	}
	if norm = math.Sqrt(norm); norm < 0.5 || norm > 2 {
		t.Errorf("obama.jpg: descriptor norm %.3f, want about 1.4", norm)
	}
	t.Logf("obama.jpg: descriptor norm %.3f", norm)
}

// margin is how far from Threshold the distances of the real faces must
// stay, either side.
const margin = 0.08

// skipUnderRace skips a test that runs the nets on many real photos when
// the race detector is on: it takes minutes there. The nets' concurrency
// is checked under the race detector by the reference tests; these run in
// every test run without -race (make test's pure-Go pass among them).
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("many real photos through the nets: minutes under the race detector; run without -race")
	}
}

// TestFindRecognizesPeople finds and describes the faces of the shared
// photos and checks that the same person is closer than Threshold and
// different people farther, with a margin either side.
func TestFindRecognizesPeople(t *testing.T) {
	skipUnderRace(t)
	m := loadModel(t)
	if m.recognizer == nil {
		t.Skipf("face recognition model not built in: make pipeline/face/model/%s", recognitionManifest)
	}
	type face struct {
		name, person string
		d            *Descriptor
	}
	var faces []face
	for _, p := range []struct {
		file    string
		persons []string // of the faces found, left to right
	}{
		{"obama.jpg", []string{"obama"}}, {"obama2.jpg", []string{"obama"}}, {"obama3.jpg", []string{"obama"}},
		{"obama_small.jpg", []string{"obama"}},
		{"biden.jpg", []string{"biden"}}, {"biden2.jpg", []string{"biden"}},
		{"two_people.jpg", []string{"obama", "biden"}},
		{"grace_hopper.jpg", []string{"hopper"}},
	} {
		found, err := m.Find(context.Background(), decodePhoto(t, p.file), Options{Describe: true})
		if err != nil {
			t.Fatalf("%s: %v", p.file, err)
		}
		if len(found) != len(p.persons) {
			t.Fatalf("%s: %d faces, want %d", p.file, len(found), len(p.persons))
		}
		slices.SortFunc(found, func(a, b Face) int { return a.Box.Min.X - b.Box.Min.X })
		for i, f := range found {
			faces = append(faces, face{fmt.Sprintf("%s#%d", strings.TrimSuffix(p.file, ".jpg"), i), p.persons[i], f.Descriptor})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s", "")
	for j := range faces {
		fmt.Fprintf(&b, " %6d", j+1)
	}
	for i, f := range faces {
		fmt.Fprintf(&b, "\n%d %-18s", i+1, f.name)
		for j, g := range faces {
			dist := Distance(f.d, g.d)
			fmt.Fprintf(&b, " %6.3f", dist)
			switch {
			case j <= i:
			case f.person == g.person && dist > Threshold-margin:
				t.Errorf("%s and %s (both %s): distance %.3f, want below %.2f", f.name, g.name, f.person, dist, Threshold-margin)
			case f.person != g.person && dist < Threshold+margin:
				t.Errorf("%s (%s) and %s (%s): distance %.3f, want above %.2f", f.name, f.person, g.name, g.person, dist, Threshold+margin)
			}
		}
	}
	t.Logf("distances:\n%s", b.String())

	// Half a face, cut by the image's left edge: found or not, it is never
	// taken for someone else.
	found, err := m.Find(context.Background(), decodePhoto(t, "obama_partial_face.jpg"), Options{Describe: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		for _, g := range faces {
			dist := Distance(f.Descriptor, g.d)
			t.Logf("obama_partial_face %v vs %s: %.3f", f.Box, g.name, dist)
			if g.person != "obama" && dist < Threshold+margin {
				t.Errorf("obama_partial_face.jpg face %v and %s (%s): distance %.3f, want above %.2f", f.Box, g.name, g.person, dist, Threshold+margin)
			}
		}
	}
}

// TestDescribeFaceAtBorder describes a face cut by the image's edge: the
// part outside is black and the face keeps its place in the square, so it
// still looks like the same person and not like anyone else. (Clipping
// the square to the image and centring what is left, as face-api does,
// puts it 0.65 to 0.67 from the other photos of Obama.)
func TestDescribeFaceAtBorder(t *testing.T) {
	skipUnderRace(t)
	r := needRecognizer(t)
	describe := func(file string) *Descriptor {
		d, err := r.describe(decodePhoto(t, file), photoLandmarks[file][0])
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return d
	}
	partial := describe("obama_partial_face.jpg")
	for _, same := range []string{"obama.jpg", "obama2.jpg"} {
		if dist := Distance(partial, describe(same)); dist > Threshold-margin {
			t.Errorf("obama_partial_face.jpg vs %s: distance %.3f, want below %.2f", same, dist, Threshold-margin)
		}
	}
	for _, other := range []string{"biden2.jpg", "grace_hopper.jpg"} {
		if dist := Distance(partial, describe(other)); dist < Threshold+margin {
			t.Errorf("obama_partial_face.jpg vs %s: distance %.3f, want above %.2f", other, dist, Threshold+margin)
		}
	}
}

func TestDescribeNeeds68Landmarks(t *testing.T) {
	r := &recognizer{}
	if _, err := r.describe(image.NewGray(image.Rect(0, 0, 10, 10)), make([]image.Point, 5)); err == nil {
		t.Error("5 landmarks: no error")
	}
	if _, err := r.describe(image.NewGray(image.Rect(0, 0, 10, 10)), make([]image.Point, 68)); err == nil {
		t.Error("68 landmarks at one point: no error")
	}
}

// landmarksAt returns 68 landmarks with the eyes' points at l and r and
// the mouth's at m (the rest do not count for alignment).
func landmarksAt(l, r, m image.Point) []image.Point {
	pts := make([]image.Point, 68)
	for i := range pts {
		switch {
		case i >= 36 && i < 42:
			pts[i] = l
		case i >= 42 && i < 48:
			pts[i] = r
		case i >= 48:
			pts[i] = m
		}
	}
	return pts
}

func TestAlignBox(t *testing.T) {
	// Eyes at (40,50) and (80,50), mouth at (60,110): eye to mouth
	// √(20²+60²) = 63.25, side ⌊63.25/0.45⌋ = 140; the centre of the
	// three (60,70) at 0.5, 0.43 of the square: x 60-70 = -10,
	// y ⌊70-60.2⌋ = 9.
	got, err := alignBox(landmarksAt(image.Pt(40, 50), image.Pt(80, 50), image.Pt(60, 110)))
	if err != nil {
		t.Fatal(err)
	}
	if want := image.Rect(-10, 9, 130, 149); got != want {
		t.Errorf("alignBox = %v, want %v", got, want)
	}
}

func TestCropOutsideIsBlack(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for y := range 3 {
		for x := range 4 {
			img.Set(x, y, color.RGBA{uint8(10*x + y), 1, 2, 255})
		}
	}
	// A 3×3 square one pixel left of and above the image.
	got := crop(img, image.Rect(-1, -1, 2, 2))
	if got.H != 3 || got.W != 3 {
		t.Fatalf("crop is %dx%d, want 3x3", got.W, got.H)
	}
	var red []float32
	for y := range 3 {
		for x := range 3 {
			red = append(red, got.Pixel(y, x)[0])
		}
	}
	want := []float32{0, 0, 0, 0, 0, 10, 0, 1, 11}
	if !slices.Equal(red, want) {
		t.Errorf("red channel %v, want %v", red, want)
	}
	if g := got.Pixel(1, 1)[1]; g != 1 {
		t.Errorf("green at the image's origin %v, want 1", g)
	}
	// Inside the image: the pixels themselves.
	in := crop(img, image.Rect(1, 1, 3, 3))
	if in.Pixel(0, 0)[0] != 11 || in.Pixel(1, 1)[0] != 22 {
		t.Errorf("inside crop red %v, %v; want 11, 22", in.Pixel(0, 0)[0], in.Pixel(1, 1)[0])
	}
}

func TestDescriptorMarshal(t *testing.T) {
	var d Descriptor
	for i := range d {
		d[i] = float32(i)/100 - 0.6
	}
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 512 {
		t.Fatalf("%d bytes, want 512", len(b))
	}
	// Little endian float32: the first value -0.6 is 0xbf19999a.
	if !slices.Equal(b[:4], []byte{0x9a, 0x99, 0x19, 0xbf}) {
		t.Errorf("first value encoded % x, want 9a 99 19 bf", b[:4])
	}
	var back Descriptor
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if back != d {
		t.Errorf("round trip changed the descriptor: %v", back[:4])
	}
	if err := back.UnmarshalBinary(b[:511]); err == nil {
		t.Error("511 bytes: no error")
	}
	nan := slices.Clone(b)
	copy(nan[8:], []byte{0, 0, 0xc0, 0x7f})
	if err := back.UnmarshalBinary(nan); err == nil {
		t.Error("NaN value: no error")
	}
	if back != d {
		t.Error("a failed UnmarshalBinary changed the descriptor")
	}
}

// BenchmarkDescribe computes the descriptor of one face (Find does it per
// face with Options{Describe: true}).
func BenchmarkDescribe(b *testing.B) {
	r := needRecognizer(b)
	img := decodePhoto(b, "obama.jpg")
	lm := photoLandmarks["obama.jpg"][0]
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := r.describe(img, lm); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadRecognizerChecksShapes gives loadRecognizer a model whose first
// filter has the wrong shape and whose other tensors are missing.
func TestLoadRecognizerChecksShapes(t *testing.T) {
	manifest := `[{"paths": ["r.bin"], "weights": [{"name": "conv32_down/conv/filters", "shape": [7, 7, 3, 16], "dtype": "float32"}]}]`
	fsys := fstest.MapFS{
		recognitionManifest: {Data: []byte(manifest)},
		"r.bin":             {Data: make([]byte, 7*7*3*16*4)},
	}
	_, err := loadRecognizer(fsys)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"conv32_down/conv/filters: shape [7 7 3 16], want [7 7 3 32]", "fc: missing", "conv256_down_out/conv2/scale/biases: missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := loadRecognizer(fstest.MapFS{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no model: %v, want fs.ErrNotExist", err)
	}
}
