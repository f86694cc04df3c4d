package face

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/confmedia/confmedia/pipeline/face/internal/nn"
)

// The landmark net is face-api's 68-point net: four dense blocks of
// separable convolutions over the face's box (padded to a square around it,
// scaled to landmarkSize), averaged, and a dense layer giving each point's
// x and y as a fraction of the square's side.
const landmarkSize = 112

// landmarkMean is the mean colour the landmark net's input is centred on.
var landmarkMean = [3]float32{122.782, 117.001, 104.298}

// denseBlock is four convolutions, each fed the sum of those before it;
// the first (a plain convolution in the first block) halves the size.
type denseBlock struct {
	conv0, bias0 *nn.Param // the first block only
	layers       [4]separable
}

// landmarker is the 68-point landmark net.
type landmarker struct {
	blocks     [4]denseBlock
	fc, fcBias *nn.Param
}

func newLandmarker(w nn.Weights) (*landmarker, error) {
	l := &landmarker{}
	var err error
	in := 3
	for i, out := range []int{32, 64, 128, 256} {
		b := &l.blocks[i]
		name := fmt.Sprintf("dense%d/conv", i)
		first := 0
		if i == 0 {
			if b.conv0, err = w.Get(name+"0/filters", 3, 3, in, out); err != nil {
				return nil, err
			}
			if b.bias0, err = w.Get(name+"0/bias", out); err != nil {
				return nil, err
			}
			first = 1
		}
		for j := first; j < 4; j++ {
			c := out
			if j == 0 {
				c = in
			}
			if b.layers[j], err = loadSeparable(w, fmt.Sprintf("%s%d", name, j), c, out); err != nil {
				return nil, err
			}
		}
		in = out
	}
	if l.fc, err = w.Get("fc/weights", 256, 136); err != nil {
		return nil, err
	}
	if l.fcBias, err = w.Get("fc/bias", 136); err != nil {
		return nil, err
	}
	return l, nil
}

func (b *denseBlock) forward(x *nn.Tensor) (*nn.Tensor, error) {
	var err error
	var out1 *nn.Tensor
	if b.conv0 != nil {
		out1, err = nn.Conv2D(x, b.conv0, b.bias0, 2, nn.Same)
	} else {
		l := b.layers[0]
		out1, err = nn.SeparableConv(x, l.depthwise, l.pointwise, l.bias, 2, nn.Same)
	}
	if err != nil {
		return nil, err
	}
	nn.ReLU(out1)
	// sum holds out1 + … + outN; each layer sees ReLU(sum).
	sum := &nn.Tensor{H: out1.H, W: out1.W, C: out1.C, Data: append([]float32(nil), out1.Data...)}
	in := out1
	for _, l := range b.layers[1:] {
		out, err := nn.SeparableConv(in, l.depthwise, l.pointwise, l.bias, 1, nn.Same)
		if err != nil {
			return nil, err
		}
		if _, err := nn.Add(sum, out); err != nil {
			return nil, err
		}
		in = nn.ReLU(&nn.Tensor{H: sum.H, W: sum.W, C: sum.C, Data: append([]float32(nil), sum.Data...)})
	}
	return in, nil
}

// forward runs the net on its normalised input, checking ctx between
// blocks; the result is x0, y0, x1, y1, … as fractions of the input's side.
func (l *landmarker) forward(ctx context.Context, x *nn.Tensor) ([]float32, error) {
	for i := range l.blocks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if x, err = l.blocks[i].forward(x); err != nil {
			return nil, err
		}
	}
	x = nn.AvgPool(x, 7, 2, nn.Valid)
	return nn.Dense(x.Data, l.fc, l.fcBias)
}

// landmarks returns the 68 points of the face in box (clipped to img), in
// img's pixels.
func (l *landmarker) landmarks(ctx context.Context, img image.Image, box image.Rectangle) ([]image.Point, error) {
	crop := box.Intersect(img.Bounds())
	if crop.Empty() {
		return nil, fmt.Errorf("landmarks: box %v outside the image %v", box, img.Bounds())
	}
	// The crop is padded around to a square of side, then scaled to
	// landmarkSize; the points come back as fractions of side.
	side := max(crop.Dx(), crop.Dy())
	scale := float64(landmarkSize) / float64(side)
	w := max(1, int(math.Round(float64(crop.Dx())*scale)))
	h := max(1, int(math.Round(float64(crop.Dy())*scale)))
	x := nn.FromImageResized(img, crop, h, w)
	x, top, left := nn.PadToSquare(x, true)
	if x.H != landmarkSize {
		x = nn.ResizeBilinear(x, landmarkSize, landmarkSize)
	}
	mul, add := &nn.Param{Data: make([]float32, 3)}, &nn.Param{Data: make([]float32, 3)}
	for c := range 3 {
		mul.Data[c], add.Data[c] = 1.0/255, -landmarkMean[c]/255
	}
	nn.Affine(x, mul, add)
	out, err := l.forward(ctx, x)
	if err != nil {
		return nil, fmt.Errorf("landmarks: %w", err)
	}
	pts := make([]image.Point, 68)
	for i := range pts {
		// Input pixels of the padded square, less the padding, back to
		// image pixels.
		px := float64(out[2*i])*landmarkSize - float64(left)
		py := float64(out[2*i+1])*landmarkSize - float64(top)
		pts[i] = image.Pt(
			crop.Min.X+int(math.Round(px/scale)),
			crop.Min.Y+int(math.Round(py/scale)),
		)
	}
	return pts, nil
}
