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
