package rendition

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestTapsFitLanes checks the bound the packed arithmetic relies on: for
// every output sample, the negative weights cannot take a lane below zero
// and the positive ones cannot carry it into the next lane, whatever the
// samples.
func TestTapsFitLanes(t *testing.T) {
	for _, f := range []filter{lanczos3, catmullRom} {
		for _, c := range [][2]int{{3000, 2048}, {2048, 1024}, {683, 400}, {2064, 2048}, {100, 99}, {7, 3}, {5, 5}, {10, 1}, {1, 1}, {3, 7}} {
			tp := makeTaps(c[0], c[1], f)
			for i := range c[1] {
				var neg, pos, sum int64
				for _, w := range tp.w[i*tp.n : (i+1)*tp.n] {
					v := int64(w)
					sum += v
					if v < 0 {
						neg -= v
					} else {
						pos += v
					}
				}
				if sum != weightOne {
					t.Fatalf("%s %v: output %d weights sum to %d", f.name, c, i, sum)
				}
				if 255*neg > biasUnits<<weightBits || laneBias+255*pos >= 1<<lane {
					t.Fatalf("%s %v: output %d: negative %d, positive %d overflow a lane", f.name, c, i, neg, pos)
				}
			}
		}
	}
}

// floatResample is resample in floating point, with the same taps, in the
// same order and with the same rounding between the passes, for reference.
func floatResample(src *pixels, w, h int, f filter) [][3]float64 {
	tx, ty := makeTaps(src.w, w, f), makeTaps(src.h, h, f)
	round := func(v float64) float64 { return math.Min(math.Max(math.Floor(v+0.5), 0), 255) }
	img := make([][3]float64, src.w*src.h)
	for y := range src.h {
		for x, v := range src.row(y) {
			r, g, b := unpack(v)
			img[y*src.w+x] = [3]float64{float64(r), float64(g), float64(b)}
		}
	}
	iw, ih := src.w, src.h
	// pass filters img along rows (or columns) to n samples.
	pass := func(t taps, n int, alongRows bool) {
		ow, oh := n, ih
		if !alongRows {
			ow, oh = iw, n
		}
		out := make([][3]float64, ow*oh)
		for y := range oh {
			for x := range ow {
				i := x
				if !alongRows {
					i = y
				}
				var s [3]float64
				for k := range t.n {
					j := t.start[i] + k
					var p [3]float64
					if alongRows {
						p = img[y*iw+j]
					} else {
						p = img[j*iw+x]
					}
					wk := float64(int64(t.w[i*t.n+k])) / weightOne
					for c := range s {
						s[c] += p[c] * wk
					}
				}
				for c := range s {
					out[y*ow+x][c] = round(s[c])
				}
			}
		}
		img, iw, ih = out, ow, oh
	}
	if rowsFirst(src.w, src.h, w, h, tx.n, ty.n) {
		pass(tx, w, true)
		pass(ty, h, false)
	} else {
		pass(ty, h, false)
		pass(tx, w, true)
	}
	return img
}

func TestResample(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	noise := newPixels(97, 61)
	extremes := newPixels(97, 61)
	flat := newPixels(97, 61)
	defer releaseAll(noise, extremes, flat)
	for y := range 61 {
		for x := range 97 {
			noise.row(y)[x] = pack(uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)))
			v := uint8(255 * ((x + y) % 2)) // the worst case for the lobes
			extremes.row(y)[x] = pack(v, 255-v, v)
			flat.row(y)[x] = pack(17, 200, 255)
		}
	}
	for _, src := range []struct {
		name string
		img  *pixels
	}{{"noise", noise}, {"extremes", extremes}} {
		for _, size := range [][2]int{{50, 31}, {97, 20}, {40, 61}, {96, 60}, {13, 9}} {
			t.Run(fmt.Sprintf("%s/%dx%d", src.name, size[0], size[1]), func(t *testing.T) {
				got := resample(src.img, size[0], size[1], lanczos3)
				defer releaseAll(got)
				want := floatResample(src.img, size[0], size[1], lanczos3)
				for y := range size[1] {
					for x := range size[0] {
						r, g, b := unpack(got.row(y)[x])
						for c, v := range []uint8{r, g, b} {
							if d := math.Abs(float64(v) - want[y*size[0]+x][c]); d > 1 {
								t.Fatalf("(%d,%d) sample %d = %d, want %.0f", x, y, c, v, want[y*size[0]+x][c])
							}
						}
					}
				}
			})
		}
	}
	got := resample(flat, 40, 25, lanczos3)
	defer releaseAll(got)
	for y := range 25 {
		for x, v := range got.row(y) {
			if v != pack(17, 200, 255) {
				r, g, b := unpack(v)
				t.Fatalf("flat image: (%d,%d) = %d,%d,%d", x, y, r, g, b)
			}
		}
	}
}
