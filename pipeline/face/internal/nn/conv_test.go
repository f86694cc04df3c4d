package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randTensor(r *rand.Rand, h, w, c int) *Tensor {
	t := New(h, w, c)
	for i := range t.Data {
		t.Data[i] = r.Float32()*2 - 1
	}
	return t
}

func randParam(r *rand.Rand, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		n *= s
	}
	p := &Param{Shape: shape, Data: make([]float32, n)}
	for i := range p.Data {
		p.Data[i] = r.Float32()*2 - 1
	}
	return p
}

// conv2DNaive is Conv2D written as its definition, in float64: the
// reference for the fast paths.
func conv2DNaive(x *Tensor, filter, bias *Param, stride int, pad Padding) *Tensor {
	kh, kw, cin, cout := filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]
	oh, top := window(x.H, kh, stride, pad)
	ow, left := window(x.W, kw, stride, pad)
	out := New(oh, ow, cout)
	for oy := range oh {
		for ox := range ow {
			for co := range cout {
				var s float64
				if bias != nil {
					s = float64(bias.Data[co])
				}
				for ky := range kh {
					for kx := range kw {
						iy, ix := oy*stride+ky-top, ox*stride+kx-left
						if iy < 0 || iy >= x.H || ix < 0 || ix >= x.W {
							continue
						}
						for ci := range cin {
							s += float64(x.Pixel(iy, ix)[ci]) * float64(filter.Data[((ky*kw+kx)*cin+ci)*cout+co])
						}
					}
				}
				out.Pixel(oy, ox)[co] = float32(s)
			}
		}
	}
	return out
}

// TestConv2DRandom compares Conv2D with its definition on random tensors,
// through the pointwise path (1x1, no padding) and the general one, with
// channel counts that are and are not multiples of 4 and inputs with
// zeros (as after a ReLU, which Conv2D skips).
func TestConv2DRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		h, w, k, cin, cout, stride int
		pad                        Padding
		zeros                      bool
	}{
		{7, 5, 1, 8, 12, 1, Valid, false},
		{7, 5, 1, 13, 25, 1, Same, true},
		{9, 9, 3, 3, 16, 1, Valid, false},
		{9, 8, 3, 6, 7, 2, Same, true},
		{15, 15, 7, 3, 5, 2, Valid, false},
		{5, 5, 3, 32, 32, 1, Same, true},
	} {
		name := fmt.Sprintf("%dx%dx%d_k%d_out%d_s%d_pad%d", c.h, c.w, c.cin, c.k, c.cout, c.stride, c.pad)
		x := randTensor(r, c.h, c.w, c.cin)
		if c.zeros {
			ReLU(x)
		}
		f := randParam(r, c.k, c.k, c.cin, c.cout)
		b := randParam(r, c.cout)
		got, err := Conv2D(x, f, b, c.stride, c.pad)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := conv2DNaive(x, f, b, c.stride, c.pad)
		if got.H != want.H || got.W != want.W || got.C != want.C {
			t.Fatalf("%s: %dx%dx%d, want %dx%dx%d", name, got.H, got.W, got.C, want.H, want.W, want.C)
		}
		for i := range got.Data {
			if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > 1e-5*max(1, math.Abs(float64(want.Data[i]))) {
				t.Fatalf("%s: value %d = %g, want %g", name, i, got.Data[i], want.Data[i])
			}
		}
	}
}

// BenchmarkConv2D runs Conv2D on the shapes the face nets spend their time
// on: the detector's first layer, pointwise layers of its separable
// convolutions, and a 3x3 layer of the recognition net.
func BenchmarkConv2D(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name               string
		h, k, cin, cout, s int
	}{
		{"detector-conv0", 512, 3, 3, 16, 1},
		{"pointwise-128x32x64", 128, 1, 32, 64, 1},
		{"pointwise-32x128x256", 32, 1, 128, 256, 1},
		{"3x3-18x128x128", 18, 3, 128, 128, 1},
	} {
		x := randTensor(r, c.h, c.h, c.cin)
		f := randParam(r, c.k, c.k, c.cin, c.cout)
		bias := randParam(r, c.cout)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Conv2D(x, f, bias, c.s, Same); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// depthwiseNaive is Depthwise written as its definition, summing in the
// order Depthwise does (bias, then the kernel row by row), in float32.
func depthwiseNaive(x *Tensor, filter, bias *Param, stride int, pad Padding) *Tensor {
	kh, kw, c := filter.Shape[0], filter.Shape[1], x.C
	oh, top := window(x.H, kh, stride, pad)
	ow, left := window(x.W, kw, stride, pad)
	out := New(oh, ow, c)
	for oy := range oh {
		for ox := range ow {
			for ch := range c {
				var s float32
				if bias != nil {
					s = bias.Data[ch]
				}
				for ky := range kh {
					for kx := range kw {
						iy, ix := oy*stride+ky-top, ox*stride+kx-left
						if iy >= 0 && iy < x.H && ix >= 0 && ix < x.W {
							s += x.Pixel(iy, ix)[ch] * filter.Data[(ky*kw+kx)*c+ch]
						}
					}
				}
				out.Pixel(oy, ox)[ch] = s
			}
		}
	}
	return out
}

// TestDepthwiseRandom compares Depthwise, whose 3x3 kernels take a path of
// their own away from the border, with its definition: equal to the bit,
// the sums running in the same order.
func TestDepthwiseRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		h, w, k, c, stride int
		pad                Padding
		bias               bool
	}{
		{6, 7, 3, 5, 1, Same, true},
		{6, 7, 3, 16, 1, Valid, false},
		{9, 8, 3, 3, 2, Same, true},
		{3, 3, 3, 2, 1, Valid, true},
		{5, 6, 2, 4, 2, Same, true},
	} {
		name := fmt.Sprintf("%dx%dx%d_k%d_s%d_pad%d_bias%v", c.h, c.w, c.c, c.k, c.stride, c.pad, c.bias)
		x := randTensor(r, c.h, c.w, c.c)
		f := randParam(r, c.k, c.k, c.c, 1)
		var b *Param
		if c.bias {
			b = randParam(r, c.c)
		}
		got, err := Depthwise(x, f, b, c.stride, c.pad)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := depthwiseNaive(x, f, b, c.stride, c.pad)
		if got.H != want.H || got.W != want.W || !slices.Equal(got.Data, want.Data) {
			t.Errorf("%s: %dx%d %v, want %dx%d %v", name, got.H, got.W, got.Data, want.H, want.W, want.Data)
		}
	}
}

// BenchmarkDepthwise runs the detector's largest depthwise convolution.
func BenchmarkDepthwise(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := randTensor(r, 255, 255, 16)
	f := randParam(r, 3, 3, 16, 1)
	for b.Loop() {
		if _, err := Depthwise(x, f, nil, 1, Same); err != nil {
			b.Fatal(err)
		}
	}
}
