package nn

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestSeparableConv(t *testing.T) {
	// Two channels: the depthwise kernel sums the first 2x2 and takes the
	// second's top left; the pointwise adds them (output 0) and doubles
	// the second (output 1), plus bias 1 and 0.
	x := New(2, 2, 2)
	for i := range 4 {
		x.Data[2*i], x.Data[2*i+1] = float32(i+1), float32(10*(i+1))
	}
	dw := param([]int{2, 2, 2, 1}, 1, 1, 1, 0, 1, 0, 1, 0)
	pw := param([]int{1, 1, 2, 2}, 1, 0, 1, 2)
	b := param([]int{2}, 1, 0)
	got, err := SeparableConv(x, dw, pw, b, 1, Valid)
	if err != nil {
		t.Fatal(err)
	}
	// Depthwise: 1+2+3+4 = 10 and 10; pointwise: 10+10+1 = 21, 2*10 = 20.
	if got.H != 1 || got.W != 1 || got.Data[0] != 21 || got.Data[1] != 20 {
		t.Errorf("separable: %dx%d %v, want 1x1 [21 20]", got.H, got.W, got.Data)
	}
	if _, err := SeparableConv(x, dw, param([]int{3, 3, 2, 2}, make([]float32, 36)...), nil, 1, Valid); err == nil {
		t.Error("a 3x3 pointwise filter was accepted")
	}
}

func TestSigmoid(t *testing.T) {
	for _, tt := range []struct{ v, want float32 }{{0, 0.5}, {100, 1}, {-100, 0}, {2, 0.8807971}} {
		if got := Sigmoid(tt.v); math.Abs(float64(got-tt.want)) > 1e-6 {
			t.Errorf("Sigmoid(%g) = %g, want %g", tt.v, got, tt.want)
		}
	}
}

func TestFromImageResized(t *testing.T) {
	// A 6x4 image at (10, 20): columns of 2 pixels are 0 and 60, 90 and
	// 30, 200 and 0 in red; green is the row.
	img := image.NewRGBA(image.Rect(10, 20, 16, 24))
	reds := []uint8{0, 60, 90, 30, 200, 0}
	for y := range 4 {
		for x := range 6 {
			img.Set(10+x, 20+y, color.RGBA{reds[x], uint8(y * 10), 7, 255})
		}
	}
	// Shrunk to 3x2: each output pixel averages a 2x2 block.
	got := FromImageResized(img, img.Bounds(), 2, 3)
	wantR := []float32{30, 60, 100}
	for y := range 2 {
		for x := range 3 {
			p := got.Pixel(y, x)
			if p[0] != wantR[x] || p[1] != float32(20*y+5) || p[2] != 7 {
				t.Errorf("shrunk (%d, %d) = %v, want [%g %d 7]", x, y, p, wantR[x], 20*y+5)
			}
		}
	}
	// Same size: the pixels themselves; a region is clipped to the image.
	got = FromImageResized(img, image.Rect(14, 22, 30, 30), 2, 2)
	if p := got.Pixel(1, 0); got.H != 2 || got.W != 2 || p[0] != 200 || p[1] != 30 {
		t.Errorf("same size: %dx%d (0, 1) = %v", got.H, got.W, p)
	}
	// Enlarged: bilinear, so the first output pixel is the first input.
	got = FromImageResized(img, img.Bounds(), 8, 12)
	if p := got.Pixel(0, 1); got.H != 8 || got.W != 12 || p[0] != 30 {
		t.Errorf("enlarged: %dx%d (1, 0) = %v, want red 30", got.H, got.W, p)
	}
}

func TestConv2DManyChannels(t *testing.T) {
	// 6 input channels (four at a time, then two), some zero, against
	// the sum written out.
	x := New(2, 3, 6)
	for i := range x.Data {
		if i%5 != 0 {
			x.Data[i] = float32(i%7) - 2
		}
	}
	f := param([]int{1, 2, 6, 3}, make([]float32, 36)...)
	for i := range f.Data {
		f.Data[i] = float32(i%11)/4 - 1
	}
	got, err := Conv2D(x, f, nil, 1, Valid)
	if err != nil {
		t.Fatal(err)
	}
	for y := range 2 {
		for ox := range 2 {
			for co := range 3 {
				var want float32
				for kx := range 2 {
					for ci := range 6 {
						want += x.Pixel(y, ox+kx)[ci] * f.Data[(kx*6+ci)*3+co]
					}
				}
				if g := got.Pixel(y, ox)[co]; math.Abs(float64(g-want)) > 1e-5 {
					t.Errorf("(%d, %d, %d) = %g, want %g", ox, y, co, g, want)
				}
			}
		}
	}
}
