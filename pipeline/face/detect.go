package face

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/confmedia/confmedia/pipeline/face/internal/nn"
)

// The face detector is face-api's tiny face detector: a YOLO-like net of
// depthwise-separable convolutions over a square input of detectorSize
// pixels (the image scaled to fit, padded after its content), which predicts
// five boxes, one per anchor, in each cell of a 32-pixel grid.
const (
	detectorSize = 512   // input side: a multiple of 32; larger finds smaller faces, slower
	minScore     = 0.5   // boxes the detector is less sure of are dropped
	maxOverlap   = 0.4   // of two boxes overlapping more (IoU), the weaker is dropped
	minFaceSide  = 0.012 // of the image's longer side: smaller boxes are dropped
	maxContained = 0.6   // a box lying this much (of its area) inside a larger one is dropped
)

// Faces under about 25 input pixels are missed, so in a large image (a
// 2048-px rendition: faces under about 120 pixels, a panel seen
// from the back) the detector also looks at overlapping tiles, each scaled
// to the input size. A tile owns the boxes centred in its part of the
// image (up to the middle of each overlap), and keeps the small ones: a
// face smaller than the overlap lies whole in the tile owning its centre,
// and larger faces are the whole image's.
const (
	tileSide    = 2 * detectorSize // at least; tiles of larger images are larger
	tileOverlap = 0.1875           // of the tile's side
	tileMaxFace = 0.25             // of the tile's side: larger boxes are left to the whole image
)

// region is a part of the image the detector looks at, and the part of it
// whose boxes it keeps, in image pixels; maxFace bounds their sides (0: no
// bound).
type region struct {
	r, owned image.Rectangle
	maxFace  float64
}

// regions returns the parts of an image of bounds b to look at: the whole,
// and tiles when it is larger than a tile one way (at most 3×2 of them:
// the tiles of a larger image are larger).
func regions(b image.Rectangle) []region {
	rs := []region{{r: b, owned: b}}
	long := max(b.Dx(), b.Dy())
	side := max(tileSide, (long+1)/2)
	if long <= tileSide {
		return rs
	}
	overlap := int(float64(side) * tileOverlap)
	// starts returns n tile origins evenly over [0, n-side], and the
	// boundaries between what consecutive tiles own.
	starts := func(n int) (origins, bounds []int) {
		if n <= side {
			return []int{0}, []int{0, n}
		}
		k := (n - overlap + side - overlap - 1) / (side - overlap)
		bounds = []int{0}
		for i := range k {
			origins = append(origins, i*(n-side)/(k-1))
			if i > 0 {
				bounds = append(bounds, (origins[i]+origins[i-1]+side)/2)
			}
		}
		return origins, append(bounds, n)
	}
	xs, xb := starts(b.Dx())
	ys, yb := starts(b.Dy())
	for j, y := range ys {
		for i, x := range xs {
			rs = append(rs, region{
				r:       image.Rect(x, y, x+side, y+side).Add(b.Min).Intersect(b),
				owned:   image.Rect(xb[i], yb[j], xb[i+1], yb[j+1]).Add(b.Min),
				maxFace: tileMaxFace * float64(side),
			})
		}
	}
	return rs
}

// detect runs the detector on each region of img, checking ctx between
// them, and returns the boxes each region keeps, in img's pixels.
func (d *detector) detect(ctx context.Context, img image.Image) ([]candidate, error) {
	var all []candidate
	for _, rg := range regions(img.Bounds()) {
		x, sx, sy := detectorInput(img, rg.r, detectorSize)
		out, err := d.forward(ctx, x)
		if err != nil {
			return nil, err
		}
		for _, c := range decode(out, detectorSize, sx, sy) {
			c.x0, c.x1 = c.x0+float64(rg.r.Min.X), c.x1+float64(rg.r.Min.X)
			c.y0, c.y1 = c.y0+float64(rg.r.Min.Y), c.y1+float64(rg.r.Min.Y)
			centre := image.Pt(int((c.x0+c.x1)/2), int((c.y0+c.y1)/2))
			if !centre.In(rg.owned) || rg.maxFace > 0 && max(c.x1-c.x0, c.y1-c.y0) > rg.maxFace {
				continue
			}
			all = append(all, c)
		}
	}
	return suppress(all), nil
}

// detectorAnchors are the widths and heights, in grid cells, of the boxes
// the detector predicts around.
var detectorAnchors = [5][2]float64{
	{1.603231, 2.094468},
	{6.041143, 7.080126},
	{2.882459, 3.518061},
	{4.266906, 5.178857},
	{9.041765, 10.66308},
}

// detectorMean is the mean colour the detector's input is centred on.
var detectorMean = [3]float32{117.001, 114.697, 97.404}

// separable is the weights of a separable convolution (nn.SeparableConv).
type separable struct{ depthwise, pointwise, bias *nn.Param }

// loadSeparable reads the weights of the 3×3 separable convolution name
// from in to out channels.
func loadSeparable(w nn.Weights, name string, in, out int) (s separable, err error) {
	if s.depthwise, err = w.Get(name+"/depthwise_filter", 3, 3, in, 1); err != nil {
		return s, err
	}
	if s.pointwise, err = w.Get(name+"/pointwise_filter", 1, 1, in, out); err != nil {
		return s, err
	}
	s.bias, err = w.Get(name+"/bias", out)
	return s, err
}

// detector is the tiny face detector: a 3×3 convolution, five separable
// ones (each after a 2×2 max pool), and a 1×1 convolution to 5 values per
// anchor.
type detector struct {
	conv0, bias0 *nn.Param
	layers       [5]separable
	conv8, bias8 *nn.Param
}

func newDetector(w nn.Weights) (*detector, error) {
	d := &detector{}
	var err error
	if d.conv0, err = w.Get("conv0/filters", 3, 3, 3, 16); err != nil {
		return nil, err
	}
	if d.bias0, err = w.Get("conv0/bias", 16); err != nil {
		return nil, err
	}
	for i, c := 0, 16; i < len(d.layers); i, c = i+1, c*2 {
		if d.layers[i], err = loadSeparable(w, fmt.Sprintf("conv%d", i+1), c, c*2); err != nil {
			return nil, err
		}
	}
	if d.conv8, err = w.Get("conv8/filters", 1, 1, 512, 5*len(detectorAnchors)); err != nil {
		return nil, err
	}
	if d.bias8, err = w.Get("conv8/bias", 5*len(detectorAnchors)); err != nil {
		return nil, err
	}
	return d, nil
}

// detectorInput returns the part r of img (inside its bounds) scaled to fit
// a size×size square, normalised and padded after its content, and the
// scale from image pixels to input pixels.
func detectorInput(img image.Image, r image.Rectangle, size int) (*nn.Tensor, float64, float64) {
	b := r.Intersect(img.Bounds())
	scale := float64(size) / float64(max(b.Dx(), b.Dy()))
	w := max(1, int(math.Round(float64(b.Dx())*scale)))
	h := max(1, int(math.Round(float64(b.Dy())*scale)))
	x := nn.FromImageResized(img, b, h, w)
	x, _, _ = nn.PadToSquare(x, false)
	if x.H != size { // an image smaller than one pixel one way
		x = nn.ResizeBilinear(x, size, size)
	}
	mul, add := &nn.Param{Data: make([]float32, 3)}, &nn.Param{Data: make([]float32, 3)}
	for c := range 3 {
		mul.Data[c], add.Data[c] = 1.0/255, -detectorMean[c]/255
	}
	// The pixels of the padding are zero before normalisation, as the
	// detector was trained.
	nn.Affine(x, mul, add)
	return x, float64(w) / float64(b.Dx()), float64(h) / float64(b.Dy())
}

// forward runs the net on its input, checking ctx between layers; the
// result is a grid of cells with 5 values (x, y, w, h, score) per anchor.
func (d *detector) forward(ctx context.Context, x *nn.Tensor) (*nn.Tensor, error) {
	x, err := nn.Conv2D(x, d.conv0, d.bias0, 1, nn.Valid)
	if err != nil {
		return nil, err
	}
	nn.LeakyReLU(x, 0.1)
	for _, l := range d.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x = nn.MaxPool(x, 2, 2, nn.Same)
		if x, err = nn.SeparableConv(x, l.depthwise, l.pointwise, l.bias, 1, nn.Same); err != nil {
			return nil, err
		}
		nn.LeakyReLU(x, 0.1)
	}
	x = nn.MaxPool(x, 2, 1, nn.Same)
	return nn.Conv2D(x, d.conv8, d.bias8, 1, nn.Valid)
}

// candidate is a box the detector proposes, in image pixels.
type candidate struct {
	x0, y0, x1, y1 float64
	score          float64
}

func (c candidate) area() float64 { return max(0, c.x1-c.x0) * max(0, c.y1-c.y0) }

// decode turns the detector's grid into boxes scoring at least minScore, in
// the pixels of the image; sx and sy scale image pixels to input pixels
// (the grid covers size×size input pixels).
func decode(out *nn.Tensor, size int, sx, sy float64) []candidate {
	var cs []candidate
	cell := float64(size) / float64(out.W)
	for row := range out.H {
		for col := range out.W {
			px := out.Pixel(row, col)
			for a, anchor := range detectorAnchors {
				v := px[a*5 : a*5+5]
				score := float64(nn.Sigmoid(v[4]))
				if score < minScore {
					continue
				}
				cx := (float64(col) + float64(nn.Sigmoid(v[0]))) * cell
				cy := (float64(row) + float64(nn.Sigmoid(v[1]))) * cell
				w := math.Exp(float64(v[2])) * anchor[0] * cell
				h := math.Exp(float64(v[3])) * anchor[1] * cell
				cs = append(cs, candidate{
					x0: (cx - w/2) / sx, y0: (cy - h/2) / sy,
					x1: (cx + w/2) / sx, y1: (cy + h/2) / sy,
					score: score,
				})
			}
		}
	}
	return cs
}

func intersection(a, b candidate) float64 {
	return candidate{x0: max(a.x0, b.x0), y0: max(a.y0, b.y0), x1: min(a.x1, b.x1), y1: min(a.y1, b.y1)}.area()
}

// iou is the area of the intersection of a and b over that of their union.
func iou(a, b candidate) float64 {
	in := intersection(a, b)
	union := a.area() + b.area() - in
	if union <= 0 {
		return 0
	}
	return in / union
}

// suppress keeps the best of boxes that overlap more than maxOverlap, in
// order of decreasing score (non-maximum suppression), then drops boxes
// lying mostly inside a larger one (part of a face, cut by a tile's edge).
func suppress(cs []candidate) []candidate {
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b candidate) int { return -cmpFloat(a.score, b.score) })
	var kept []candidate
next:
	for _, c := range cs {
		for _, k := range kept {
			if iou(c, k) > maxOverlap {
				continue next
			}
		}
		kept = append(kept, c)
	}
	return slices.DeleteFunc(slices.Clone(kept), func(c candidate) bool {
		for _, k := range kept {
			if k.area() > c.area() && intersection(c, k) > maxContained*c.area() {
				return true
			}
		}
		return false
	})
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// boxes clips candidates to the image bounds b and returns them as
// rectangles, dropping those smaller than minFaceSide of the image's
// longer side (or empty once clipped).
func boxes(cs []candidate, b image.Rectangle) []Face {
	minSide := minFaceSide * float64(max(b.Dx(), b.Dy()))
	var faces []Face
	for _, c := range cs {
		if c.x1-c.x0 < minSide || c.y1-c.y0 < minSide {
			continue
		}
		r := image.Rect(
			b.Min.X+int(math.Round(c.x0)), b.Min.Y+int(math.Round(c.y0)),
			b.Min.X+int(math.Round(c.x1)), b.Min.Y+int(math.Round(c.y1)),
		).Intersect(b)
		if r.Empty() {
			continue
		}
		faces = append(faces, Face{Box: r, Score: c.score})
	}
	return faces
}
