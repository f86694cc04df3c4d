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
	rows(oh, func(y0, y1 int) {
		for oy := y0; oy < y1; oy++ {
			for ox := range ow {
				o := out.Pixel(oy, ox)
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
						base := (ky*kw + kx) * cin * cout
						for ci, v := range in {
							if v == 0 {
								continue
							}
							w := filter.Data[base+ci*cout : base+(ci+1)*cout]
							for co := range o {
								o[co] += v * w[co]
							}
						}
					}
				}
			}
		}
	})
	return out, nil
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
