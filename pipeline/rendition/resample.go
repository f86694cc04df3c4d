package rendition

import "math"

// Resampling is separable (rows, then columns, or the other way round when
// that is cheaper) and in fixed point: each output sample is the sum of its
// window's samples times weights that add up to one, in units of
// 1/weightOne. Because a pixel's three samples sit in 21-bit lanes of one
// uint64 (pixels.go), one 64-bit multiply-add per tap filters all three: a
// lane starts at bias (so that negative lobes cannot take it below zero),
// never reaches 1<<21, and integer arithmetic modulo 2^64 keeps the lanes
// apart however the partial sums borrow and carry. After each pass the
// samples are rounded and clamped to 0..255 again.
const (
	weightBits = 12
	weightOne  = 1 << weightBits
	// biasUnits is the lane's starting value in units of weightOne: it
	// covers negative lobes up to biasUnits/255 of the window's weight.
	biasUnits = 96
	laneBias  = biasUnits<<weightBits + weightOne/2 // with rounding
	packBias  = laneBias | laneBias<<lane | laneBias<<(2*lane)
)

// filter is a resampling kernel.
type filter struct {
	name    string
	support float64 // the kernel is zero outside [-support, support]
	kernel  func(x float64) float64
}

// catmullRom is the cubic with B = 0, C = 1/2.
var catmullRom = filter{"Catmull-Rom", 2, func(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return (1.5*x-2.5)*x*x + 1
	}
	if x < 2 {
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}}

// lanczos3 is the reference filter the renditions are measured against.
var lanczos3 = filter{"Lanczos3", 3, func(x float64) float64 {
	x = math.Abs(x)
	if x >= 3 {
		return 0
	}
	return sinc(x) * sinc(x/3)
}}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

// taps holds the weights that make dst samples from src ones: output i is
// the sum over k < n of src[start[i]+k] * w[i*n+k], in units of 1/weightOne.
// w holds int32 weights as uint64 two's complement, ready for the packed
// multiply-add.
type taps struct {
	n     int
	start []int
	w     []uint64
}

// makeTaps computes the taps of f that resample src samples to dst (dst <=
// src, or any when f interpolates), windows clipped at the edges and
// renormalised.
func makeTaps(src, dst int, f filter) taps {
	scale := float64(src) / float64(dst)
	fscale := max(scale, 1) // widen the kernel when shrinking
	support := f.support * fscale
	// window returns the source samples output i reads, clipped to the
	// source.
	window := func(i int) (centre float64, lo, hi int) {
		centre = (float64(i)+0.5)*scale - 0.5
		lo = max(int(math.Floor(centre-support))+1, 0)
		hi = min(int(math.Ceil(centre+support))-1, src-1)
		return centre, lo, hi
	}
	n := 1
	for i := range dst {
		_, lo, hi := window(i)
		n = max(n, hi-lo+1)
	}
	t := taps{n: n, start: make([]int, dst), w: make([]uint64, dst*n)}
	fw := make([]float64, n)
	iw := make([]int64, n)
	for i := range dst {
		centre, lo, hi := window(i)
		// The window is n wide, kept inside the source; samples outside
		// [lo, hi] get weight zero.
		start := max(min(lo, src-n), 0)
		t.start[i] = start
		sum := 0.0
		for k := range n {
			j := start + k
			fw[k] = 0
			if j >= lo && j <= hi {
				fw[k] = f.kernel((float64(j) - centre) / fscale)
			}
			sum += fw[k]
		}
		// Round to fixed point, and give the rounding's remainder to the
		// largest weight so that a flat area stays exactly flat.
		var isum int64
		big := 0
		for k := range n {
			iw[k] = int64(math.Round(fw[k] / sum * weightOne))
			isum += iw[k]
			if iw[k] > iw[big] {
				big = k
			}
		}
		iw[big] += weightOne - isum
		for k := range n {
			t.w[i*n+k] = uint64(iw[k])
		}
	}
	return t
}

// clampLUT maps the top bits of a filtered lane, lane>>weightBits (0..511),
// to the clamped sample, already in place in each of the three lanes.
var clampLUT = func() (t [3][512]uint64) {
	for i := range t[0] {
		v := uint64(min(max(i-biasUnits, 0), 255))
		t[0][i], t[1][i], t[2][i] = v, v<<lane, v<<(2*lane)
	}
	return t
}()

// settle turns an accumulated packed sum into a packed pixel.
func settle(acc uint64) uint64 {
	const top = 1<<(lane-weightBits) - 1
	return clampLUT[0][acc>>weightBits&top] |
		clampLUT[1][acc>>(lane+weightBits)&top] |
		clampLUT[2][acc>>(2*lane+weightBits)&top]
}

// resample returns src scaled to w x h with filter f, or src itself when it
// already has that size. The two passes are fused: no intermediate image is
// made, only a few filtered rows at a time.
func resample(src *pixels, w, h int, f filter) *pixels {
	if src.w == w && src.h == h {
		return src
	}
	tx, ty := makeTaps(src.w, w, f), makeTaps(src.h, h, f)
	out := newPixels(w, h)
	switch {
	case src.h == h:
		for y := range h {
			filterRow(out.row(y), src.row(y), tx)
		}
	case src.w == w:
		rows := make([][]uint64, ty.n)
		for y := range h {
			for k := range rows {
				rows[k] = src.row(ty.start[y] + k)
			}
			filterColumn(out.row(y), rows, ty.w[y*ty.n:(y+1)*ty.n])
		}
	case rowsFirst(src.w, src.h, w, h, tx.n, ty.n):
		// Output row y needs the filtered source rows ty.start[y]
		// onwards, which only ever move down: each is filtered once,
		// into a ring of ty.n rows.
		mem := getBlock(ty.n * w)
		defer putBlock(mem)
		ring := mem.b
		rows := make([][]uint64, ty.n)
		next := 0 // the next source row to filter
		for y := range h {
			lo := ty.start[y]
			for r := max(next, lo); r < lo+ty.n; r++ {
				filterRow(ring[r%ty.n*w:][:w], src.row(r), tx)
			}
			next = lo + ty.n
			for k := range rows {
				rows[k] = ring[(lo+k)%ty.n*w:][:w]
			}
			filterColumn(out.row(y), rows, ty.w[y*ty.n:(y+1)*ty.n])
		}
	default:
		// Columns first: each output row is one filtered source row,
		// filtered again along the row.
		mem := getBlock(src.w)
		defer putBlock(mem)
		tmp := mem.b
		rows := make([][]uint64, ty.n)
		for y := range h {
			for k := range rows {
				rows[k] = src.row(ty.start[y] + k)
			}
			filterColumn(tmp[:src.w], rows, ty.w[y*ty.n:(y+1)*ty.n])
			filterRow(out.row(y), tmp[:src.w], tx)
		}
	}
	return out
}

// rowsFirst reports whether resizing sw x sh to w x h with tx taps along
// rows and ty along columns costs fewer multiply-adds filtering the rows
// first (w*sh*tx + w*h*ty) than the columns first (sw*h*ty + w*h*tx).
func rowsFirst(sw, sh, w, h, tx, ty int) bool {
	return w*sh*tx+w*h*ty <= sw*h*ty+w*h*tx
}

// filterRow filters the pixels of in into dst with t.
func filterRow(dst, in []uint64, t taps) {
	n := t.n
	for x := range dst {
		wt := t.w[x*n : x*n+n : x*n+n]
		s := in[t.start[x]:]
		s = s[:len(wt)]
		acc := uint64(packBias)
		k := 0
		for ; k+4 <= len(wt); k += 4 {
			acc += s[k]*wt[k] + s[k+1]*wt[k+1] + s[k+2]*wt[k+2] + s[k+3]*wt[k+3]
		}
		for ; k < len(wt); k++ {
			acc += s[k] * wt[k]
		}
		dst[x] = settle(acc)
	}
}

// filterColumn sets dst to the sum of rows weighted by wt, pixel by pixel.
func filterColumn(dst []uint64, rows [][]uint64, wt []uint64) {
	w := len(dst)
	k := 0
	// Four source rows at a time, then one at a time; dst holds the sums
	// until they are settled.
	for ; k+4 <= len(wt); k += 4 {
		r0, r1, r2, r3 := rows[k][:w], rows[k+1][:w], rows[k+2][:w], rows[k+3][:w]
		w0, w1, w2, w3 := wt[k], wt[k+1], wt[k+2], wt[k+3]
		if k == 0 {
			for x := range dst {
				dst[x] = packBias + r0[x]*w0 + r1[x]*w1 + r2[x]*w2 + r3[x]*w3
			}
			continue
		}
		for x := range dst {
			dst[x] += r0[x]*w0 + r1[x]*w1 + r2[x]*w2 + r3[x]*w3
		}
	}
	if k == 0 {
		for x := range dst {
			dst[x] = packBias
		}
	}
	for ; k < len(wt); k++ {
		r, wk := rows[k][:w], wt[k]
		for x := range dst {
			dst[x] += r[x] * wk
		}
	}
	for x, a := range dst {
		dst[x] = settle(a)
	}
}
