package nn

import (
	"image"
	"image/color"
)

// FromImage returns the pixels of img inside r (clipped to its bounds) as an
// RGB tensor of values 0..255.
func FromImage(img image.Image, r image.Rectangle) *Tensor {
	r = r.Intersect(img.Bounds())
	t := New(r.Dy(), r.Dx(), 3)
	rows(t.H, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			sy := r.Min.Y + y
			for x := range t.W {
				sx := r.Min.X + x
				var cr, cg, cb uint8
				switch m := img.(type) {
				case *image.YCbCr:
					yi, ci := m.YOffset(sx, sy), m.COffset(sx, sy)
					cr, cg, cb = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				case *image.RGBA:
					i := m.PixOffset(sx, sy)
					cr, cg, cb = m.Pix[i], m.Pix[i+1], m.Pix[i+2]
				case *image.Gray:
					cr = m.Pix[m.PixOffset(sx, sy)]
					cg, cb = cr, cr
				default:
					c := color.NRGBAModel.Convert(img.At(sx, sy)).(color.NRGBA)
					cr, cg, cb = c.R, c.G, c.B
				}
				p := t.Pixel(y, x)
				p[0], p[1], p[2] = float32(cr), float32(cg), float32(cb)
			}
		}
	})
	return t
}

// PadToSquare pads x with zeros to a square: after its content (right or
// below), or around it, the odd pixel after, when centre is set. It returns
// x itself when square, and the padding added before, in pixels.
func PadToSquare(x *Tensor, centre bool) (sq *Tensor, top, left int) {
	if x.H == x.W {
		return x, 0, 0
	}
	side := max(x.H, x.W)
	if centre {
		top, left = (side-x.H)/2, (side-x.W)/2
	}
	sq = New(side, side, x.C)
	for y := range x.H {
		copy(sq.Data[((y+top)*side+left)*x.C:], x.Data[y*x.W*x.C:(y+1)*x.W*x.C])
	}
	return sq, top, left
}

// FromImageResized returns the pixels of img inside r (clipped to its
// bounds) as an h×w RGB tensor of values 0..255. Shrinking averages the
// source pixels each output pixel covers (so a large photo is read once and
// never held as floats at full size); enlarging interpolates bilinearly.
func FromImageResized(img image.Image, r image.Rectangle, h, w int) *Tensor {
	r = r.Intersect(img.Bounds())
	if r.Dx() < w || r.Dy() < h {
		return ResizeBilinear(FromImage(img, r), h, w)
	}
	if r.Dx() == w && r.Dy() == h {
		return FromImage(img, r)
	}
	// Output pixel x covers source columns [xs[x], xs[x+1]).
	span := func(n, out int) []int {
		s := make([]int, out+1)
		for i := range s {
			s[i] = i * n / out
		}
		return s
	}
	xs, ys := span(r.Dx(), w), span(r.Dy(), h)
	t := New(h, w, 3)
	rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			band := FromImage(img, image.Rect(r.Min.X, r.Min.Y+ys[y], r.Max.X, r.Min.Y+ys[y+1]))
			for x := range w {
				var sum [3]float32
				for by := range band.H {
					for bx := xs[x]; bx < xs[x+1]; bx++ {
						p := band.Pixel(by, bx)
						sum[0] += p[0]
						sum[1] += p[1]
						sum[2] += p[2]
					}
				}
				n := float32(band.H * (xs[x+1] - xs[x]))
				o := t.Pixel(y, x)
				o[0], o[1], o[2] = sum[0]/n, sum[1]/n, sum[2]/n
			}
		}
	})
	return t
}
