package nn

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Tensor is an H×W×C array of float32, channels innermost.
type Tensor struct {
	H, W, C int
	Data    []float32
}

// New returns a zero H×W×C tensor.
func New(h, w, c int) *Tensor {
	return &Tensor{H: h, W: w, C: c, Data: make([]float32, h*w*c)}
}

// Pixel returns the C values at (y, x), sharing t's storage.
func (t *Tensor) Pixel(y, x int) []float32 {
	i := (y*t.W + x) * t.C
	return t.Data[i : i+t.C : i+t.C]
}

// Padding is how a window op treats the border, as TensorFlow does.
type Padding int

const (
	// Same pads the input (more after than before when odd) so that the
	// output has ceil(in/stride) positions.
	Same Padding = iota
	// Valid uses only windows entirely inside the input.
	Valid
)

// window returns the output length and the padding before, for an input of
// n, a kernel of k and a stride s.
func window(n, k, s int, p Padding) (out, before int) {
	if p == Valid {
		return (n-k)/s + 1, 0
	}
	out = (n + s - 1) / s
	total := max((out-1)*s+k-n, 0)
	return out, total / 2
}

// rows runs fn over [0, n) split in contiguous parts, one per CPU.
func rows(n int, fn func(y0, y1 int)) {
	parts := min(runtime.GOMAXPROCS(0), n)
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range parts {
		y0, y1 := i*n/parts, (i+1)*n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(y0, y1)
		}()
	}
	wg.Wait()
}

// Conv2D convolves x with filter [kh, kw, in, out], adds bias [out] when
// not nil, with the given stride in both directions.
func Conv2D(x *Tensor, filter, bias *Param, stride int, pad Padding) (*Tensor, error) {
	if len(filter.Shape) != 4 || filter.Shape[2] != x.C {
		return nil, fmt.Errorf("conv2d: filter %v on %d channels", filter.Shape, x.C)
	}
	kh, kw, cin, cout := filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]
	if bias != nil && len(bias.Data) != cout {
		return nil, fmt.Errorf("conv2d: bias of %d for %d outputs", len(bias.Data), cout)
	}
	oh, top := window(x.H, kh, stride, pad)
	ow, left := window(x.W, kw, stride, pad)
	if oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("conv2d: %dx%d input smaller than its %dx%d kernel", x.W, x.H, kw, kh)
	}
	out := New(oh, ow, cout)
	if kh == 1 && kw == 1 && top == 0 && left == 0 {
		// A pointwise convolution: each input pixel is its own window.
		rows(oh, func(y0, y1 int) {
			for oy := y0; oy < y1; oy++ {
				for ox := range ow {
					o := out.Pixel(oy, ox)
					if bias != nil {
						copy(o, bias.Data)
					}
					accumulate(o, x.Pixel(oy*stride, ox*stride), filter.Data)
				}
			}
		})
		return out, nil
	}
	// Each window is kh*kw*cin values, rounded up to kp, a multiple of 4,
	// with zero weights for the extra values: accumulate then takes the
	// window four values at a time to the end (27 values, a 3x3 kernel on
	// RGB, would otherwise be 6 passes over the output of 4 and 3 of 1).
	k := kh * kw * cin
	kp := (k + 3) &^ 3
	w := filter.Data
	if kp != k {
		w = make([]float32, kp*cout)
		copy(w, filter.Data)
	}
	rows(oh, func(y0, y1 int) {
		// patch holds the windows of one output row, kp values a pixel.
		patch := make([]float32, ow*kp)
		for oy := y0; oy < y1; oy++ {
			im2col(patch, kp, x, oy, ow, kh, kw, stride, top, left)
			for ox := range ow {
				o := out.Pixel(oy, ox)
				if bias != nil {
					copy(o, bias.Data)
				}
				accumulate(o, patch[ox*kp:(ox+1)*kp], w)
			}
		}
	})
	return out, nil
}

// im2col fills patch (ow rows of kp ≥ kh*kw*x.C values) with the windows
// of the output pixels of row oy, in the filter's order, zero outside x;
// the values past kh*kw*x.C in each row are left alone.
func im2col(patch []float32, kp int, x *Tensor, oy, ow, kh, kw, stride, top, left int) {
	cin := x.C
	k := kh * kw * cin
	for ox := range ow {
		row := patch[ox*kp : ox*kp+k]
		for ky := range kh {
			iy := oy*stride + ky - top
			seg := row[ky*kw*cin : (ky+1)*kw*cin]
			ix0 := ox*stride - left
			if iy < 0 || iy >= x.H {
				clear(seg)
				continue
			}
			if ix0 >= 0 && ix0+kw <= x.W {
				// the kw pixels are contiguous in x
				src := x.Data[(iy*x.W+ix0)*cin : (iy*x.W+ix0+kw)*cin]
				if len(seg) <= 16 {
					// copy calls memmove, too dear for a few values
					for c := range seg {
						seg[c] = src[c]
					}
				} else {
					copy(seg, src)
				}
				continue
			}
			for kx := range kw {
				p := seg[kx*cin : (kx+1)*cin]
				if ix := ix0 + kx; ix >= 0 && ix < x.W {
					copy(p, x.Pixel(iy, ix))
				} else {
					clear(p)
				}
			}
		}
	}
}

// accumulate adds to o (length cout) the product of in (length cin) and
// w (cin×cout, row major): the inner loop of Conv2D, eight input channels
// at a time, then four, so that o is loaded and stored an eighth as often.
func accumulate(o, in, w []float32) {
	cout := len(o)
	ci := 0
	for ; ci+8 <= len(in); ci += 8 {
		v := in[ci : ci+8 : ci+8]
		v0, v1, v2, v3, v4, v5, v6, v7 := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
		if v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0 && v4 == 0 && v5 == 0 && v6 == 0 && v7 == 0 {
			continue // after a ReLU, often
		}
		w0 := w[ci*cout : (ci+1)*cout]
		w1 := w[(ci+1)*cout : (ci+2)*cout]
		w2 := w[(ci+2)*cout : (ci+3)*cout]
		w3 := w[(ci+3)*cout : (ci+4)*cout]
		w4 := w[(ci+4)*cout : (ci+5)*cout]
		w5 := w[(ci+5)*cout : (ci+6)*cout]
		w6 := w[(ci+6)*cout : (ci+7)*cout]
		w7 := w[(ci+7)*cout : (ci+8)*cout]
		w0, w1, w2, w3 = w0[:len(o)], w1[:len(o)], w2[:len(o)], w3[:len(o)]
		w4, w5, w6, w7 = w4[:len(o)], w5[:len(o)], w6[:len(o)], w7[:len(o)]
		for co := range o {
			o[co] += (v0*w0[co] + v1*w1[co] + v2*w2[co] + v3*w3[co]) + (v4*w4[co] + v5*w5[co] + v6*w6[co] + v7*w7[co])
		}
	}
	for ; ci+4 <= len(in); ci += 4 {
		v0, v1, v2, v3 := in[ci], in[ci+1], in[ci+2], in[ci+3]
		if v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0 {
			continue
		}
		w0 := w[ci*cout : (ci+1)*cout]
		w1 := w[(ci+1)*cout : (ci+2)*cout]
		w2 := w[(ci+2)*cout : (ci+3)*cout]
		w3 := w[(ci+3)*cout : (ci+4)*cout]
		w0, w1, w2, w3 = w0[:len(o)], w1[:len(o)], w2[:len(o)], w3[:len(o)]
		for co := range o {
			o[co] += v0*w0[co] + v1*w1[co] + v2*w2[co] + v3*w3[co]
		}
	}
	for ; ci < len(in); ci++ {
		v := in[ci]
		if v == 0 {
			continue
		}
		row := w[ci*cout : (ci+1)*cout]
		for co := range o {
			o[co] += v * row[co]
		}
	}
}

// Depthwise convolves each channel of x with its own kernel, filter
// [kh, kw, C, 1], and adds bias [C] when not nil.
func Depthwise(x *Tensor, filter, bias *Param, stride int, pad Padding) (*Tensor, error) {
	if len(filter.Shape) != 4 || filter.Shape[2] != x.C || filter.Shape[3] != 1 {
		return nil, fmt.Errorf("depthwise: filter %v on %d channels", filter.Shape, x.C)
	}
	kh, kw, c := filter.Shape[0], filter.Shape[1], x.C
	oh, top := window(x.H, kh, stride, pad)
	ow, left := window(x.W, kw, stride, pad)
	if oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("depthwise: %dx%d input smaller than its %dx%d kernel", x.W, x.H, kw, kh)
	}
	out := New(oh, ow, c)
	rows(oh, func(y0, y1 int) {
		for oy := y0; oy < y1; oy++ {
			for ox := range ow {
				o := out.Pixel(oy, ox)
				iy, ix := oy*stride-top, ox*stride-left
				if kh == 3 && kw == 3 && iy >= 0 && iy+3 <= x.H && ix >= 0 && ix+3 <= x.W {
					depthwise3x3(o, x, iy, ix, filter.Data, bias)
					continue
				}
				if bias != nil {
					copy(o, bias.Data)
				}
				for ky := range kh {
					iy := oy*stride + ky - top
					if iy < 0 || iy >= x.H {
						continue
					}
					for kx := range kw {
						ix := ox*stride + kx - left
						if ix < 0 || ix >= x.W {
							continue
						}
						in := x.Pixel(iy, ix)
						w := filter.Data[(ky*kw+kx)*c : (ky*kw+kx+1)*c]
						for ch := range o {
							o[ch] += in[ch] * w[ch]
						}
					}
				}
			}
		}
	})
	return out, nil
}

// depthwise3x3 sets o to bias (or 0) plus the 3x3 window of x at (iy,
// ix), entirely inside x, times filter, channel by channel: Depthwise away
// from the border, where it would load and store o once per position of
// the kernel. The sum runs in the same order, so the result is the same.
func depthwise3x3(o []float32, x *Tensor, iy, ix int, filter []float32, bias *Param) {
	c := len(o)
	w := x.W * c
	r := x.Data[(iy*x.W+ix)*c:]
	r = r[:2*w+3*c]
	a0, a1, a2 := r[:c], r[c:2*c], r[2*c:3*c]
	a3, a4, a5 := r[w:w+c], r[w+c:w+2*c], r[w+2*c:w+3*c]
	a6, a7, a8 := r[2*w:2*w+c], r[2*w+c:2*w+2*c], r[2*w+2*c:2*w+3*c]
	f := filter[:9*c]
	f0, f1, f2 := f[:c], f[c:2*c], f[2*c:3*c]
	f3, f4, f5 := f[3*c:4*c], f[4*c:5*c], f[5*c:6*c]
	f6, f7, f8 := f[6*c:7*c], f[7*c:8*c], f[8*c:9*c]
	a0, a1, a2, a3, a4, a5, a6, a7, a8 = a0[:len(o)], a1[:len(o)], a2[:len(o)], a3[:len(o)], a4[:len(o)], a5[:len(o)], a6[:len(o)], a7[:len(o)], a8[:len(o)]
	f0, f1, f2, f3, f4, f5, f6, f7, f8 = f0[:len(o)], f1[:len(o)], f2[:len(o)], f3[:len(o)], f4[:len(o)], f5[:len(o)], f6[:len(o)], f7[:len(o)], f8[:len(o)]
	var b []float32
	if bias != nil {
		b = bias.Data[:len(o)]
	}
	for ch := range o {
		var s float32
		if b != nil {
			s = b[ch]
		}
		s += a0[ch] * f0[ch]
		s += a1[ch] * f1[ch]
		s += a2[ch] * f2[ch]
		s += a3[ch] * f3[ch]
		s += a4[ch] * f4[ch]
		s += a5[ch] * f5[ch]
		s += a6[ch] * f6[ch]
		s += a7[ch] * f7[ch]
		s += a8[ch] * f8[ch]
		o[ch] = s
	}
}

// MaxPool takes the largest value of each k×k window; padding never wins.
func MaxPool(x *Tensor, k, stride int, pad Padding) *Tensor {
	return pool(x, k, stride, pad, true)
}

// AvgPool averages each k×k window over the positions inside the input.
func AvgPool(x *Tensor, k, stride int, pad Padding) *Tensor {
	return pool(x, k, stride, pad, false)
}

func pool(x *Tensor, k, stride int, pad Padding, takeMax bool) *Tensor {
	oh, top := window(x.H, k, stride, pad)
	ow, left := window(x.W, k, stride, pad)
	out := New(max(oh, 0), max(ow, 0), x.C)
	rows(out.H, func(y0, y1 int) {
		for oy := y0; oy < y1; oy++ {
			for ox := range ow {
				o := out.Pixel(oy, ox)
				if takeMax {
					for i := range o {
						o[i] = float32(math.Inf(-1))
					}
				}
				n := 0
				for ky := range k {
					iy := oy*stride + ky - top
					if iy < 0 || iy >= x.H {
						continue
					}
					for kx := range k {
						ix := ox*stride + kx - left
						if ix < 0 || ix >= x.W {
							continue
						}
						n++
						for ch, v := range x.Pixel(iy, ix) {
							if takeMax {
								o[ch] = max(o[ch], v)
							} else {
								o[ch] += v
							}
						}
					}
				}
				if !takeMax && n > 0 {
					for i := range o {
						o[i] /= float32(n)
					}
				}
			}
		}
	})
	return out
}

// ReLU sets the negative values of x to zero, in place.
func ReLU(x *Tensor) *Tensor {
	for i, v := range x.Data {
		if v < 0 {
			x.Data[i] = 0
		}
	}
	return x
}

// LeakyReLU multiplies the negative values of x by alpha, in place.
func LeakyReLU(x *Tensor, alpha float32) *Tensor {
	for i, v := range x.Data {
		if v < 0 {
			x.Data[i] = v * alpha
		}
	}
	return x
}

// Add adds y to x, in place; they have the same shape.
func Add(x, y *Tensor) (*Tensor, error) {
	if x.H != y.H || x.W != y.W || x.C != y.C {
		return nil, fmt.Errorf("add: %dx%dx%d and %dx%dx%d", x.H, x.W, x.C, y.H, y.W, y.C)
	}
	for i, v := range y.Data {
		x.Data[i] += v
	}
	return x, nil
}

// AddPadded returns x + y with both zero-extended, after their content
// (below, right and in the higher channels), to the larger of their
// heights, widths and channel counts: the shortcut of a residual block
// that halves the size and widens the channels, where the pooled input
// has fewer channels, and the strided path can be a row and a column
// smaller, than the block's output.
func AddPadded(x, y *Tensor) *Tensor {
	out := New(max(x.H, y.H), max(x.W, y.W), max(x.C, y.C))
	for _, t := range [2]*Tensor{x, y} {
		for yy := range t.H {
			for xx := range t.W {
				o := out.Pixel(yy, xx)
				for ch, v := range t.Pixel(yy, xx) {
					o[ch] += v
				}
			}
		}
	}
	return out
}

// Affine sets each channel ch of x to x*mul[ch] + add[ch], in place;
// either may be nil.
func Affine(x *Tensor, mul, add *Param) *Tensor {
	for i := 0; i < len(x.Data); i += x.C {
		px := x.Data[i : i+x.C]
		if mul != nil {
			for ch := range px {
				px[ch] *= mul.Data[ch]
			}
		}
		if add != nil {
			for ch := range px {
				px[ch] += add.Data[ch]
			}
		}
	}
	return x
}

// ResizeBilinear resizes x to h×w by bilinear interpolation, sampling the
// source at dst*in/out (TensorFlow's resize without aligned corners or
// half-pixel centres).
func ResizeBilinear(x *Tensor, h, w int) *Tensor {
	out := New(h, w, x.C)
	sy, sx := float64(x.H)/float64(h), float64(x.W)/float64(w)
	rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			fy := float64(y) * sy
			iy := min(int(fy), x.H-1)
			iy1 := min(iy+1, x.H-1)
			dy := float32(fy - float64(iy))
			for xx := range w {
				fx := float64(xx) * sx
				ix := min(int(fx), x.W-1)
				ix1 := min(ix+1, x.W-1)
				dx := float32(fx - float64(ix))
				a, b := x.Pixel(iy, ix), x.Pixel(iy, ix1)
				c, d := x.Pixel(iy1, ix), x.Pixel(iy1, ix1)
				o := out.Pixel(y, xx)
				for ch := range o {
					top := a[ch] + (b[ch]-a[ch])*dx
					bot := c[ch] + (d[ch]-c[ch])*dx
					o[ch] = top + (bot-top)*dy
				}
			}
		}
	})
	return out
}

// Mean averages x over its positions, one value per channel.
func Mean(x *Tensor) []float32 {
	out := make([]float32, x.C)
	for i := 0; i < len(x.Data); i += x.C {
		for ch, v := range x.Data[i : i+x.C] {
			out[ch] += v
		}
	}
	for ch := range out {
		out[ch] /= float32(x.H * x.W)
	}
	return out
}

// Dense multiplies v by weights [len(v), out] and adds bias [out] when not
// nil.
func Dense(v []float32, weights, bias *Param) ([]float32, error) {
	if len(weights.Shape) != 2 || weights.Shape[0] != len(v) {
		return nil, fmt.Errorf("dense: weights %v on %d values", weights.Shape, len(v))
	}
	n := weights.Shape[1]
	out := make([]float32, n)
	if bias != nil {
		copy(out, bias.Data)
	}
	for i, a := range v {
		row := weights.Data[i*n : (i+1)*n]
		for j := range out {
			out[j] += a * row[j]
		}
	}
	return out, nil
}

// SeparableConv is a depthwise convolution (filter [kh, kw, C, 1], no bias)
// followed by a pointwise one (filter [1, 1, C, out]) that adds bias [out]:
// TensorFlow's separable_conv2d, the building block of the face models.
func SeparableConv(x *Tensor, depthwise, pointwise, bias *Param, stride int, pad Padding) (*Tensor, error) {
	if len(pointwise.Shape) != 4 || pointwise.Shape[0] != 1 || pointwise.Shape[1] != 1 {
		return nil, fmt.Errorf("separable: pointwise filter %v", pointwise.Shape)
	}
	d, err := Depthwise(x, depthwise, nil, stride, pad)
	if err != nil {
		return nil, err
	}
	return Conv2D(d, pointwise, bias, 1, Valid)
}

// Sigmoid is the logistic function 1/(1+e^-v).
func Sigmoid(v float32) float32 {
	return float32(1 / (1 + math.Exp(-float64(v))))
}
