package rendition

import (
	"image"
	"image/color"
)

// shrinkFactor returns the largest integer k such that a w x h image shrunk
// k times (partial blocks at the right and bottom edges included) is still
// at least needW x needH: the box filter that gets most of the way down
// cheaply, leaving at most a factor of two to the resampling filter.
func shrinkFactor(w, h, needW, needH int) int {
	k := 1
	for ceilDiv(w, k+1) >= needW && ceilDiv(h, k+1) >= needH && k < min(w, h) {
		k++
	}
	return k
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// fromImage converts img to packed pixels, flattened on white, shrunk by
// box filtering as far as it stays at least needW x needH.
func fromImage(img image.Image, needW, needH int) *pixels {
	b := img.Bounds()
	k := shrinkFactor(b.Dx(), b.Dy(), needW, needH)
	if y, ok := img.(*image.YCbCr); ok {
		return shrinkYCbCr(y, k)
	}
	read := rowReader(img)
	out, _ := shrinkRGB(func(y int, dst []uint8) error { read(y, dst); return nil }, b.Dx(), b.Dy(), k)
	return out
}

// boxes splits n samples into ceilDiv(n, k) blocks of k, the last one
// possibly shorter, and returns for each block 2^24 / its size, with which
// a block's sum is turned into its mean.
func boxes(n, k int) []uint32 {
	r := make([]uint32, ceilDiv(n, k))
	for i := range r {
		size := min(k, n-i*k)
		r[i] = uint32((1<<24 + size/2) / size)
	}
	return r
}

// mean returns the rounded mean of a block's sum given the reciprocals of
// its width and height from boxes.
func mean(sum uint32, rx, ry uint32) uint8 {
	// sum <= 255*k*k and rx*ry / 2^24 <= 2^24/(kx*ky): 64-bit is exact
	// enough.
	return uint8((uint64(sum)*uint64(rx)*uint64(ry) + 1<<47) >> 48)
}

// shrinkYCbCr box-filters the planes of img by k and converts the result to
// RGB: averaging before the colour conversion gives the same means for a
// fraction of the work.
func shrinkYCbCr(img *image.YCbCr, k int) *pixels {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	rx, ry := boxes(w, k), boxes(h, k)
	out := newPixels(len(rx), len(ry))
	// Chroma column of each luma column.
	cx := make([]int, w)
	for x := range cx {
		cx[x] = img.COffset(b.Min.X+x, b.Min.Y) - img.COffset(b.Min.X, b.Min.Y)
	}
	if k == 1 {
		for y := range h {
			yrow := img.Y[img.YOffset(b.Min.X, b.Min.Y+y):][:w]
			c0 := img.COffset(b.Min.X, b.Min.Y+y)
			cb, cr := img.Cb[c0:], img.Cr[c0:]
			row := out.row(y)
			for x, yy := range yrow {
				r, g, bl := color.YCbCrToRGB(yy, cb[cx[x]], cr[cx[x]])
				row[x] = pack(r, g, bl)
			}
		}
		return out
	}
	sy := make([]uint32, len(rx))
	scb := make([]uint32, len(rx))
	scr := make([]uint32, len(rx))
	for oy := range ry {
		clear(sy)
		clear(scb)
		clear(scr)
		for y := oy * k; y < min(oy*k+k, h); y++ {
			yrow := img.Y[img.YOffset(b.Min.X, b.Min.Y+y):][:w]
			c0 := img.COffset(b.Min.X, b.Min.Y+y)
			cb, cr := img.Cb[c0:], img.Cr[c0:]
			for ox := range rx {
				x0, x1 := ox*k, min(ox*k+k, w)
				var s, u, v uint32
				for x := x0; x < x1; x++ {
					s += uint32(yrow[x])
					u += uint32(cb[cx[x]])
					v += uint32(cr[cx[x]])
				}
				sy[ox] += s
				scb[ox] += u
				scr[ox] += v
			}
		}
		row := out.row(oy)
		for ox := range row {
			r, g, bl := color.YCbCrToRGB(mean(sy[ox], rx[ox], ry[oy]), mean(scb[ox], rx[ox], ry[oy]), mean(scr[ox], rx[ox], ry[oy]))
			row[ox] = pack(r, g, bl)
		}
	}
	return out
}

// shrinkRGB box-filters the w x h image whose rows read gives by k. read is
// called for every row once, top to bottom; its first error is returned.
func shrinkRGB(read func(y int, dst []uint8) error, w, h, k int) (*pixels, error) {
	rx, ry := boxes(w, k), boxes(h, k)
	out := newPixels(len(rx), len(ry))
	line := make([]uint8, 3*w)
	sums := make([]uint32, 3*len(rx))
	for oy := range ry {
		clear(sums)
		for y := oy * k; y < min(oy*k+k, h); y++ {
			if err := read(y, line); err != nil {
				releaseAll(out)
				return nil, err
			}
			for ox := range rx {
				var r, g, bl uint32
				for x := ox * k; x < min(ox*k+k, w); x++ {
					p := line[3*x : 3*x+3 : 3*x+3]
					r += uint32(p[0])
					g += uint32(p[1])
					bl += uint32(p[2])
				}
				s := sums[3*ox : 3*ox+3 : 3*ox+3]
				s[0] += r
				s[1] += g
				s[2] += bl
			}
		}
		row := out.row(oy)
		for ox := range row {
			s := sums[3*ox : 3*ox+3 : 3*ox+3]
			row[ox] = pack(mean(s[0], rx[ox], ry[oy]), mean(s[1], rx[ox], ry[oy]), mean(s[2], rx[ox], ry[oy]))
		}
	}
	return out, nil
}

// rowReader returns a function that reads row y of img as RGB samples,
// flattening transparency on white.
func rowReader(img image.Image) func(y int, dst []uint8) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return func(y int, dst []uint8) {
			for x, v := range m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()] {
				dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
			}
		}
	case *image.NRGBA:
		return func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range b.Dx() {
				p := src[4*x : 4*x+4 : 4*x+4]
				a := uint32(p[3])
				for c := range 3 {
					// c*a/255 + 255*(255-a)/255, rounded.
					dst[3*x+c] = uint8((uint32(p[c])*a + 255*(255-a) + 127) / 255)
				}
			}
		}
	case *image.RGBA:
		return func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range b.Dx() {
				p := src[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: white shows through by 255-a.
				for c := range 3 {
					dst[3*x+c] = uint8(min(uint32(p[c])+255-uint32(p[3]), 255))
				}
			}
		}
	case *image.Paletted:
		pal := make([][3]uint8, len(m.Palette))
		for i, c := range m.Palette {
			pal[i] = flatRGB(c)
		}
		return func(y int, dst []uint8) {
			for x, v := range m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()] {
				var p [3]uint8
				if int(v) < len(pal) {
					p = pal[v]
				}
				copy(dst[3*x:], p[:])
			}
		}
	}
	return func(y int, dst []uint8) {
		for x := range b.Dx() {
			p := flatRGB(img.At(b.Min.X+x, b.Min.Y+y))
			copy(dst[3*x:], p[:])
		}
	}
}

// flatRGB returns c composited on white, as 8-bit RGB.
func flatRGB(c color.Color) [3]uint8 {
	r, g, b, a := c.RGBA() // premultiplied, 16-bit
	return [3]uint8{uint8((r + 0xFFFF - a) >> 8), uint8((g + 0xFFFF - a) >> 8), uint8((b + 0xFFFF - a) >> 8)}
}
