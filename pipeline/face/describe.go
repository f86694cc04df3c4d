package face

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"

	"github.com/confmedia/confmedia/pipeline/face/internal/nn"
)

// Threshold is the Distance below which two descriptors are taken as the
// same person. It was chosen on real photos (describe_test.go): the same
// person in different photos came out 0.31 to 0.47 apart (0.1 for a
// smaller copy of a photo), different people 0.79 to 0.90; 0.6 leaves
// more than 0.12 either side.
const Threshold = 0.6

// recognitionManifest is the recognition net's weights manifest in the
// models' file system.
const recognitionManifest = "face_recognition_model-weights_manifest.json"

// inputSize is the side of the square face the recognition net reads.
const inputSize = 150

// meanRGB is the average pixel of the net's training faces, taken off
// every input pixel before it is scaled to about -0.5..0.5.
var meanRGB = [3]float32{122.782, 117.001, 104.298}

// The aligned face is a square of side eye-to-mouth distance / alignScale
// around the centre of the eyes and mouth, that centre at alignX, alignY
// of the square (the placement the net was trained with).
const (
	alignScale = 0.45
	alignX     = 0.5
	alignY     = 0.43
)

// convLayer is a convolution, its bias, then a per-channel scale and
// shift.
type convLayer struct {
	filter, bias, mul, add *nn.Param
}

// residual is two 3×3 convolution layers and a shortcut; a down block
// halves the size (its first convolution has stride 2) and its shortcut
// is the input averaged over 2×2, zero-extended to the output's channels.
type residual struct {
	conv1, conv2 convLayer
	down         bool
}

// recognizer is the face recognition net: a 29-layer ResNet (dlib's face
// recognition model, as ported by face-api) that turns a 150×150 face into
// a 128-number descriptor.
type recognizer struct {
	first  convLayer
	blocks []residual
	fc     *nn.Param
	norm   [2]*nn.Param // the input normalisation, as a scale and a shift
}

// loadRecognizer reads the recognition net's weights from fsys, checking
// every tensor's shape.
func loadRecognizer(fsys fs.FS) (*recognizer, error) {
	w, err := nn.Load(fsys, recognitionManifest)
	if err != nil {
		return nil, fmt.Errorf("face recognition model: %w", err)
	}
	r := &recognizer{}
	var errs []error
	get := func(name string, shape ...int) *nn.Param {
		p, err := w.Get(name, shape...)
		errs = append(errs, err)
		return p
	}
	layer := func(prefix string, k, in, out int) convLayer {
		return convLayer{
			filter: get(prefix+"/conv/filters", k, k, in, out),
			bias:   get(prefix+"/conv/bias", out),
			mul:    get(prefix+"/scale/weights", out),
			add:    get(prefix+"/scale/biases", out),
		}
	}
	r.first = layer("conv32_down", 7, 3, 32)
	in := 32
	for _, b := range []struct {
		name string
		out  int
		down bool
	}{
		{"conv32_1", 32, false}, {"conv32_2", 32, false}, {"conv32_3", 32, false},
		{"conv64_down", 64, true}, {"conv64_1", 64, false}, {"conv64_2", 64, false}, {"conv64_3", 64, false},
		{"conv128_down", 128, true}, {"conv128_1", 128, false}, {"conv128_2", 128, false},
		{"conv256_down", 256, true}, {"conv256_1", 256, false}, {"conv256_2", 256, false},
		{"conv256_down_out", 256, true},
	} {
		r.blocks = append(r.blocks, residual{
			conv1: layer(b.name+"/conv1", 3, in, b.out),
			conv2: layer(b.name+"/conv2", 3, b.out, b.out),
			down:  b.down,
		})
		in = b.out
	}
	r.fc = get("fc", 256, len(Descriptor{}))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("face recognition model: %w", err)
	}
	r.norm[0] = &nn.Param{Shape: []int{3}, Data: []float32{1.0 / 255, 1.0 / 255, 1.0 / 255}}
	r.norm[1] = &nn.Param{Shape: []int{3}}
	for _, m := range meanRGB {
		r.norm[1].Data = append(r.norm[1].Data, -m/255)
	}
	return r, nil
}

// describe aligns the face with the given 68 landmarks (alignBox), and
// returns the net's descriptor of it.
func (r *recognizer) describe(img image.Image, landmarks []image.Point) (*Descriptor, error) {
	box, err := alignBox(landmarks)
	if err != nil {
		return nil, err
	}
	return r.run(nn.ResizeBilinear(crop(img, box), inputSize, inputSize))
}

// alignBox returns the square of the image the recognition net is given
// for a face with the given 68 landmarks: its side is the mean distance
// from the eyes' centres to the mouth's centre over alignScale, and the
// centre of the eyes and mouth falls at alignX, alignY of it. The square
// may reach outside the image.
func alignBox(landmarks []image.Point) (image.Rectangle, error) {
	if len(landmarks) != 68 {
		return image.Rectangle{}, fmt.Errorf("describe: %d landmarks, want 68", len(landmarks))
	}
	left, right, mouth := mean(landmarks[36:42]), mean(landmarks[42:48]), mean(landmarks[48:68])
	dist := (math.Hypot(mouth[0]-left[0], mouth[1]-left[1]) + math.Hypot(mouth[0]-right[0], mouth[1]-right[1])) / 2
	side := int(dist / alignScale)
	if side < 1 {
		return image.Rectangle{}, errors.New("describe: the face's eyes and mouth are at one point")
	}
	cx, cy := (left[0]+right[0]+mouth[0])/3, (left[1]+right[1]+mouth[1])/3
	x0 := int(math.Floor(cx - alignX*float64(side)))
	y0 := int(math.Floor(cy - alignY*float64(side)))
	return image.Rect(x0, y0, x0+side, y0+side), nil
}

// mean returns the centre of pts as floats.
func mean(pts []image.Point) [2]float64 {
	var x, y float64
	for _, p := range pts {
		x += float64(p.X)
		y += float64(p.Y)
	}
	n := float64(len(pts))
	return [2]float64{x / n, y / n}
}

// crop returns the pixels of img inside r as a tensor, black where r
// reaches outside the image, so that the face keeps its place in the
// square.
func crop(img image.Image, r image.Rectangle) *nn.Tensor {
	in := nn.FromImage(img, r)
	if in.H == r.Dy() && in.W == r.Dx() {
		return in
	}
	out := nn.New(r.Dy(), r.Dx(), 3)
	at := r.Intersect(img.Bounds()).Min.Sub(r.Min)
	for y := range in.H {
		copy(out.Data[((y+at.Y)*out.W+at.X)*3:], in.Data[y*in.W*3:(y+1)*in.W*3])
	}
	return out
}

// run runs the net on a 150×150 RGB face of values 0..255.
func (r *recognizer) run(x *nn.Tensor) (*Descriptor, error) {
	x = nn.Affine(x, r.norm[0], r.norm[1])
	x, err := r.first.apply(x, 2, nn.Valid, true)
	if err != nil {
		return nil, err
	}
	x = nn.MaxPool(x, 3, 2, nn.Valid)
	for i, b := range r.blocks {
		if x, err = b.apply(x); err != nil {
			return nil, fmt.Errorf("describe: block %d: %w", i, err)
		}
	}
	v, err := nn.Dense(nn.Mean(x), r.fc, nil)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	var d Descriptor
	copy(d[:], v)
	return &d, nil
}

func (l convLayer) apply(x *nn.Tensor, stride int, pad nn.Padding, relu bool) (*nn.Tensor, error) {
	x, err := nn.Conv2D(x, l.filter, l.bias, stride, pad)
	if err != nil {
		return nil, err
	}
	x = nn.Affine(x, l.mul, l.add)
	if relu {
		x = nn.ReLU(x)
	}
	return x, nil
}

func (b residual) apply(x *nn.Tensor) (*nn.Tensor, error) {
	stride, pad := 1, nn.Same
	if b.down {
		stride, pad = 2, nn.Valid
	}
	out, err := b.conv1.apply(x, stride, pad, true)
	if err != nil {
		return nil, err
	}
	if out, err = b.conv2.apply(out, 1, nn.Same, false); err != nil {
		return nil, err
	}
	if b.down {
		out = nn.AddPadded(out, nn.AvgPool(x, 2, 2, nn.Valid))
	} else if out, err = nn.Add(out, x); err != nil {
		return nil, err
	}
	return nn.ReLU(out), nil
}

// descriptorSize is the length of a marshalled Descriptor.
const descriptorSize = len(Descriptor{}) * 4

// MarshalBinary encodes d as its 128 numbers, float32 little endian
// (512 bytes).
func (d *Descriptor) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, descriptorSize)
	for _, v := range d {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded; it refuses any other
// length, and values that are not finite numbers.
func (d *Descriptor) UnmarshalBinary(b []byte) error {
	if len(b) != descriptorSize {
		return fmt.Errorf("face descriptor: %d bytes, want %d", len(b), descriptorSize)
	}
	var out Descriptor
	for i := range out {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("face descriptor: value %d is %v", i, v)
		}
		out[i] = v
	}
	*d = out
	return nil
}
