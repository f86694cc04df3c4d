package nn

import (
	"encoding/binary"
	"image"
	"image/color"
	"io/fs"
	"math"
	"os"
	"slices"
	"testing"
	"testing/fstest"
)

func tensor(h, w, c int, vals ...float32) *Tensor {
	t := New(h, w, c)
	copy(t.Data, vals)
	return t
}

func param(shape []int, vals ...float32) *Param { return &Param{Shape: shape, Data: vals} }

func TestWindow(t *testing.T) {
	tests := []struct {
		n, k, s  int
		p        Padding
		out, pre int
	}{
		{5, 3, 1, Same, 5, 1},
		{5, 3, 2, Same, 3, 1},
		{4, 3, 2, Same, 2, 0}, // total 1: all after, as TensorFlow
		{4, 2, 2, Same, 2, 0},
		{5, 2, 2, Same, 3, 0},
		{7, 7, 2, Valid, 1, 0},
		{150, 7, 2, Valid, 72, 0},
		{5, 3, 2, Valid, 2, 0},
	}
	for _, tt := range tests {
		out, pre := window(tt.n, tt.k, tt.s, tt.p)
		if out != tt.out || pre != tt.pre {
			t.Errorf("window(%d, %d, %d, %v) = %d, %d; want %d, %d", tt.n, tt.k, tt.s, tt.p, out, pre, tt.out, tt.pre)
		}
	}
}

func TestConv2D(t *testing.T) {
	// 3x3 single channel, 2x2 kernel of ones, two outputs (the second
	// doubled), bias 1 and 0.
	x := tensor(3, 3, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	f := param([]int{2, 2, 1, 2}, 1, 2, 1, 2, 1, 2, 1, 2)
	b := param([]int{2}, 1, 0)
	got, err := Conv2D(x, f, b, 1, Valid)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{13, 24, 17, 32, 25, 48, 29, 56}
	if got.H != 2 || got.W != 2 || !slices.Equal(got.Data, want) {
		t.Errorf("valid: %dx%d %v, want 2x2 %v", got.H, got.W, got.Data, want)
	}
	// Same, stride 2: the 2x2 window starts at the top left (padding after).
	got, err = Conv2D(x, f, nil, 2, Same)
	if err != nil {
		t.Fatal(err)
	}
	want = []float32{12, 24, 9, 18, 15, 30, 9, 18}
	if got.H != 2 || got.W != 2 || !slices.Equal(got.Data, want) {
		t.Errorf("same/2: %dx%d %v, want 2x2 %v", got.H, got.W, got.Data, want)
	}
	if _, err := Conv2D(x, param([]int{2, 2, 3, 1}, make([]float32, 12)...), nil, 1, Same); err == nil {
		t.Error("a filter for 3 channels on 1 was accepted")
	}
}

func TestDepthwise(t *testing.T) {
	// Two channels: the first summed over 3x3 same, the second its centre
	// doubled.
	x := New(3, 3, 2)
	for i := range 9 {
		x.Data[2*i], x.Data[2*i+1] = float32(i+1), float32(i+1)
	}
	f := New(3, 3, 2)
	for i := range 9 {
		f.Data[2*i] = 1
	}
	f.Data[2*4+1] = 2
	got, err := Depthwise(x, &Param{Shape: []int{3, 3, 2, 1}, Data: f.Data}, nil, 1, Same)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pixel(1, 1)[0] != 45 || got.Pixel(0, 0)[0] != 12 || got.Pixel(2, 2)[1] != 18 {
		t.Errorf("depthwise: %v", got.Data)
	}
}

func TestPools(t *testing.T) {
	x := tensor(3, 3, 1, -1, -2, -3, -4, -5, -6, -7, -8, -9)
	m := MaxPool(x, 2, 2, Same)
	if !slices.Equal(m.Data, []float32{-1, -3, -7, -9}) {
		t.Errorf("max pool: %v (padding must never win)", m.Data)
	}
	a := AvgPool(x, 2, 2, Same)
	if !slices.Equal(a.Data, []float32{-3, -4.5, -7.5, -9}) {
		t.Errorf("avg pool: %v (padding is not counted)", a.Data)
	}
	if v := MaxPool(x, 3, 2, Valid); v.H != 1 || v.Data[0] != -1 {
		t.Errorf("valid max pool: %v", v.Data)
	}
}

func TestResizeBilinear(t *testing.T) {
	x := tensor(2, 2, 1, 0, 10, 20, 30)
	got := ResizeBilinear(x, 4, 4)
	// Sampled at 0, 0.5, 1, 1.5 in each direction, clamped at the edge.
	want := []float32{0, 5, 10, 10, 10, 15, 20, 20, 20, 25, 30, 30, 20, 25, 30, 30}
	if !slices.Equal(got.Data, want) {
		t.Errorf("resize: %v, want %v", got.Data, want)
	}
}

func TestDenseMeanAffine(t *testing.T) {
	v, err := Dense([]float32{1, 2}, param([]int{2, 3}, 1, 2, 3, 4, 5, 6), param([]int{3}, 1, 1, 1))
	if err != nil || !slices.Equal(v, []float32{10, 13, 16}) {
		t.Errorf("dense: %v %v", v, err)
	}
	x := tensor(1, 2, 2, 1, 2, 3, 4)
	if m := Mean(x); !slices.Equal(m, []float32{2, 3}) {
		t.Errorf("mean: %v", m)
	}
	Affine(x, param([]int{2}, 2, 3), param([]int{2}, 1, 0))
	if !slices.Equal(x.Data, []float32{3, 6, 7, 12}) {
		t.Errorf("affine: %v", x.Data)
	}
	LeakyReLU(x, 0.1)
	if _, err := Add(x, New(1, 1, 2)); err == nil {
		t.Error("add of different shapes accepted")
	}
}

func TestFromImagePad(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 1))
	img.Set(2, 0, color.RGBA{10, 20, 30, 255})
	x := FromImage(img, img.Bounds())
	if !slices.Equal(x.Pixel(0, 2), []float32{10, 20, 30}) {
		t.Fatalf("pixel: %v", x.Pixel(0, 2))
	}
	sq, top, _ := PadToSquare(x, false)
	if sq.H != 3 || top != 0 || !slices.Equal(sq.Pixel(0, 2), []float32{10, 20, 30}) || sq.Pixel(1, 0)[0] != 0 {
		t.Errorf("pad after: %v", sq.Data)
	}
	sq, top, _ = PadToSquare(x, true)
	if top != 1 || !slices.Equal(sq.Pixel(1, 2), []float32{10, 20, 30}) {
		t.Errorf("pad centred: top %d %v", top, sq.Data)
	}
	ycc := image.NewYCbCr(image.Rect(0, 0, 2, 2), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = 200
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	if p := FromImage(ycc, ycc.Bounds()).Pixel(1, 1); p[0] != 200 || p[2] != 200 {
		t.Errorf("YCbCr grey: %v", p)
	}
}

func TestLoad(t *testing.T) {
	var bin []byte
	bin = append(bin, 0, 255, 128) // uint8 quantized, scale 0.5, min -1
	bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(2.5))
	bin = binary.LittleEndian.AppendUint32(bin, uint32(0xFFFFFFFF)) // int32 -1
	manifest := `[{"paths":["m.bin"],"weights":[
		{"name":"a","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}},
		{"name":"b","shape":[1,1],"dtype":"float32"},
		{"name":"c","shape":[1],"dtype":"int32"}]}]`
	fsys := fstest.MapFS{"d/m.json": {Data: []byte(manifest)}, "d/m.bin": {Data: bin}}
	w, err := Load(fsys, "d/m.json")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := w.Get("a", 3); a == nil || !slices.Equal(a.Data, []float32{-1, 126.5, 63}) {
		t.Errorf("a: %v", w["a"])
	}
	if b, err := w.Get("b", 1, 1); err != nil || b.Data[0] != 2.5 {
		t.Errorf("b: %v %v", b, err)
	}
	if c, _ := w.Get("c", 1); c == nil || c.Data[0] != -1 {
		t.Errorf("c: %v", w["c"])
	}
	if _, err := w.Get("b", 2); err == nil {
		t.Error("wrong shape accepted")
	}
	fsys["d/m.bin"] = &fstest.MapFile{Data: bin[:5]}
	if _, err := Load(fsys, "d/m.json"); err == nil {
		t.Error("short shard accepted")
	}
	fsys["d/m.bin"] = &fstest.MapFile{Data: append(bin, 0)}
	if _, err := Load(fsys, "d/m.json"); err == nil {
		t.Error("long shard accepted")
	}
}

func TestLoadRealModels(t *testing.T) {
	// The models make build copies in; each skipped in a clone without it.
	want := map[string]int{"tiny_face_detector": 19, "face_landmark_68": 49, "face_recognition": 117}
	for m, n := range want {
		t.Run(m, func(t *testing.T) {
			name := m + "_model-weights_manifest.json"
			fsys := os.DirFS("../../model")
			if _, err := fs.Stat(fsys, name); err != nil {
				t.Skipf("not fetched: make pipeline/face/model/%s", name)
			}
			w, err := Load(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			if len(w) != n {
				t.Errorf("%d weights, want %d (the manifest lists them)", len(w), n)
			}
		})
	}
}

func TestAddPadded(t *testing.T) {
	// x: 1x1 with 2 channels (the strided path, a row and a column short);
	// y: 2x2 with 1 channel (the pooled input, half the channels).
	x := tensor(1, 1, 2, 10, 20)
	y := tensor(2, 2, 1, 1, 2, 3, 4)
	got := AddPadded(x, y)
	// (0,0): 10+1, 20+0; (0,1): 0+2, 0; (1,0): 0+3, 0; (1,1): 0+4, 0.
	want := []float32{11, 20, 2, 0, 3, 0, 4, 0}
	if got.H != 2 || got.W != 2 || got.C != 2 || !slices.Equal(got.Data, want) {
		t.Errorf("got %dx%dx%d %v, want 2x2x2 %v", got.H, got.W, got.C, got.Data, want)
	}
	if !slices.Equal(x.Data, []float32{10, 20}) || !slices.Equal(y.Data, []float32{1, 2, 3, 4}) {
		t.Errorf("inputs changed: %v %v", x.Data, y.Data)
	}
	// Same shapes: a plain sum.
	same := AddPadded(tensor(1, 2, 1, 1, 2), tensor(1, 2, 1, 3, 4))
	if !slices.Equal(same.Data, []float32{4, 6}) {
		t.Errorf("same shapes: %v, want [4 6]", same.Data)
	}
}
