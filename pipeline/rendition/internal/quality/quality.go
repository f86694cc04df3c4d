// Package quality measures renditions against a reference: the structural
// similarity (SSIM) of two images, and Lanczos3 references resized straight
// from the full-size original. The rendition tests and the libvips
// comparator (vipscompare) use it.
package quality

import (
	"image"
	"math"

	"github.com/disintegration/imaging"
)

// Reference returns the Lanczos3 reference of a w x h rendition of the
// upright original orig: the part of it inside crop (all of it when crop is
// empty) resized to w x h.
func Reference(orig image.Image, crop image.Rectangle, w, h int) image.Image {
	if !crop.Empty() {
		orig = imaging.Crop(orig, crop.Add(orig.Bounds().Min))
	}
	return imaging.Resize(orig, w, h, imaging.Lanczos)
}

// SquareCrop returns, in the coordinates of a w x h original, the square
// that a rendition cuts from a fw x fh frame resized from it: the largest
// square of the frame, centred for landscape frames, one sixth of the spare
// height above it for portraits.
func SquareCrop(w, h, fw, fh int) image.Rectangle {
	side := min(fw, fh)
	var x, y int
	if fw >= fh {
		x = (fw - side) / 2
	} else {
		y = (fh - side) / 6
	}
	sx, sy := float64(w)/float64(fw), float64(h)/float64(fh)
	round := func(v float64) int { return int(math.Round(v)) }
	return image.Rect(round(float64(x)*sx), round(float64(y)*sy), round(float64(x+side)*sx), round(float64(y+side)*sy))
}

// SSIM constants for 8-bit samples (Wang et al. 2004).
const (
	c1 = (0.01 * 255) * (0.01 * 255)
	c2 = (0.03 * 255) * (0.03 * 255)
)

// SSIM returns the mean structural similarity of the luma (BT.601) of a and
// b, with the usual 11x11 Gaussian window of σ 1.5: 1 for identical
// images. It returns 0 when their sizes differ.
func SSIM(a, b image.Image) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 0
	}
	x, y := luma(a), luma(b)
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	n := w * h
	xx, yy, xy := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		xx[i], yy[i], xy[i] = x[i]*x[i], y[i]*y[i], x[i]*y[i]
	}
	k := gaussian(1.5, 5)
	mx, my := blur(x, w, h, k), blur(y, w, h, k)
	sxx, syy, sxy := blur(xx, w, h, k), blur(yy, w, h, k), blur(xy, w, h, k)
	var sum float64
	for i := range n {
		vx := sxx[i] - mx[i]*mx[i]
		vy := syy[i] - my[i]*my[i]
		cov := sxy[i] - mx[i]*my[i]
		sum += (2*mx[i]*my[i] + c1) * (2*cov + c2) / ((mx[i]*mx[i] + my[i]*my[i] + c1) * (vx + vy + c2))
	}
	return sum / float64(n)
}

// luma returns the BT.601 luma of img, row by row.
func luma(img image.Image) []float64 {
	b := img.Bounds()
	n := imaging.Clone(img) // *image.NRGBA, opaque for JPEG renditions
	out := make([]float64, b.Dx()*b.Dy())
	for i := range out {
		p := n.Pix[4*i : 4*i+3]
		out[i] = 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
	}
	return out
}

// gaussian returns a normalised kernel of radius r.
func gaussian(sigma float64, r int) []float64 {
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// blur convolves the w x h plane p with k in both directions, the window
// renormalised where it overhangs the edges.
func blur(p []float64, w, h int, k []float64) []float64 {
	r := len(k) / 2
	tmp := make([]float64, len(p))
	out := make([]float64, len(p))
	pass := func(dst, src []float64, n, m, step, stride int) {
		// n lines of m samples; sample j of line i at i*stride + j*step.
		for i := range n {
			for j := range m {
				var s, ws float64
				for t := -r; t <= r; t++ {
					if jj := j + t; jj >= 0 && jj < m {
						s += k[t+r] * src[i*stride+jj*step]
						ws += k[t+r]
					}
				}
				dst[i*stride+j*step] = s / ws
			}
		}
	}
	pass(tmp, p, h, w, 1, w)   // rows
	pass(out, tmp, w, h, w, 1) // columns
	return out
}
