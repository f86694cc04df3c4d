// Package face finds faces in an image and describes them, locally, with
// the trained weights of the npm package @vladmandic/face-api (embedded from
// pipeline/face/model by make build): a face detector gives boxes, a
// 68-point landmark net places eyes, nose and mouth, and a recognition net
// turns the face, aligned by its landmarks, into a 128-number descriptor.
// Two descriptors of the same person are close (Distance); descriptors of
// different people are far apart.
//
// The package is pure: it reads the embedded weights and the pixels it is
// given, and does no other I/O.
package face

import (
	"errors"
	"image"
	"math"
)

// ErrNoModels is returned by Load when the binary was built without the
// face models (a plain `go build` in a fresh clone; `make build` fetches
// them).
var ErrNoModels = errors.New("face models not built in (run make build)")

// Face is one face found in an image. Coordinates are pixels of the image
// given to Find, x to the right and y down.
type Face struct {
	Box   image.Rectangle // the face, about brow to chin and ear to ear
	Score float64         // the detector's confidence, 0..1
	// Landmarks are the 68 points of the iBUG 300-W layout (jaw 0–16,
	// brows 17–26, nose 27–35, eyes 36–47, mouth 48–67); nil when they
	// were not asked for.
	Landmarks []image.Point
	// Descriptor describes the face for recognition; nil unless
	// Options.Describe.
	Descriptor *Descriptor
}

// Descriptor is a face's 128-number description.
type Descriptor [128]float32

// Distance is the Euclidean distance between two descriptors: below
// Threshold they are taken as the same person.
func Distance(a, b *Descriptor) float64 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// Options control Find.
type Options struct {
	// Describe computes each face's Descriptor, for recognition; Find
	// gives boxes and landmarks only otherwise.
	Describe bool
}

// Eyes returns the centres of the face's eyes, its left (smaller x) first,
// from its landmarks; ok is false when it has none.
func (f Face) Eyes() (left, right image.Point, ok bool) {
	if len(f.Landmarks) != 68 {
		return image.Point{}, image.Point{}, false
	}
	a, b := centre(f.Landmarks[36:42]), centre(f.Landmarks[42:48])
	if b.X < a.X {
		a, b = b, a
	}
	return a, b, true
}

func centre(pts []image.Point) image.Point {
	var c image.Point
	for _, p := range pts {
		c = c.Add(p)
	}
	return c.Div(len(pts))
}
