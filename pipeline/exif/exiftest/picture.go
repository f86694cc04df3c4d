package exiftest

import (
	"image"
	"image/color"
)

// The marker colours, and the grey range of the background gradient, which
// stays far from both.
var (
	markerRed   = color.RGBA{220, 30, 30, 255}
	markerGreen = color.RGBA{30, 200, 30, 255}
)

// Upright returns the upright test picture of w×h pixels: a grey gradient
// with a red block in the middle of the top-left quarter and a green block
// in the middle of the top-right quarter. No flip or rotation of it shows
// both blocks in their places, so MarkerTopLeft tells all eight
// orientations apart.
func Upright(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(80 + 80*(x+y)/max(w+h-2, 1))
			c := color.RGBA{v, v, v, 255}
			switch {
			case inBlock(x, y, w, h, 1):
				c = markerRed
			case inBlock(x, y, w, h, 5):
				c = markerGreen
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// inBlock reports whether (x, y) lies in the marker block that starts at
// column left/8 of the picture: the middle half of a top quarter.
func inBlock(x, y, w, h, left int) bool {
	return x >= left*w/8 && x < (left+2)*w/8 && y >= h/8 && y < 3*h/8
}

// MarkerTopLeft reports whether img shows the test picture upright: mostly
// red where the red block belongs (the middle of the top-left quarter),
// mostly green where the green one belongs (the middle of the top-right
// quarter), and neither colour in the bottom half. It tolerates JPEG loss
// and resizing down to about 16 pixels a side.
func MarkerTopLeft(img image.Image) bool {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 2 || h < 2 {
		return false
	}
	step := max(1, min(w, h)/200)
	var red, green, bottom, samples int // hits in the red block, green block, bottom half
	var redN, greenN int                // samples in the blocks
	for y := 0; y < h; y += step {
		for x := 0; x < w; x += step {
			r, g, bl := rgb8(img.At(b.Min.X+x, b.Min.Y+y))
			isRed := r > 150 && g < 100 && bl < 100
			isGreen := g > 140 && r < 100 && bl < 100
			switch {
			case inBlock(x, y, w, h, 1):
				redN++
				if isRed {
					red++
				}
			case inBlock(x, y, w, h, 5):
				greenN++
				if isGreen {
					green++
				}
			case y >= h/2:
				samples++
				if isRed || isGreen {
					bottom++
				}
			}
		}
	}
	return red*2 > redN && green*2 > greenN && bottom*200 <= samples
}

func rgb8(c color.Color) (r, g, b uint8) {
	r16, g16, b16, _ := c.RGBA()
	return uint8(r16 >> 8), uint8(g16 >> 8), uint8(b16 >> 8)
}

// stored returns the pixels to store for s: the upright picture transformed
// by the inverse of s.Orientation, so that applying the orientation shows
// it upright.
func stored(s Spec) *image.RGBA {
	up := Upright(s.Width, s.Height)
	w, h := s.Width, s.Height
	sw, sh := w, h
	if s.Orientation >= 5 {
		sw, sh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for y := range h {
		for x := range w {
			// Where the display pixel (x, y) comes from in the stored image.
			sx, sy := x, y
			switch s.Orientation {
			case 2:
				sx = sw - 1 - x
			case 3:
				sx, sy = sw-1-x, sh-1-y
			case 4:
				sy = sh - 1 - y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, sh-1-x
			case 7:
				sx, sy = sw-1-y, sh-1-x
			case 8:
				sx, sy = sw-1-y, x
			}
			out.SetRGBA(sx, sy, up.RGBAAt(x, y))
		}
	}
	return out
}
