package quality

import (
	"image"
	"image/color"
	"testing"
)

func TestSSIM(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			a.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8((x * y) % 256), 255})
		}
	}
	noisy := image.NewRGBA(a.Rect)
	copy(noisy.Pix, a.Pix)
	for i := 0; i < len(noisy.Pix); i += 4 * 7 {
		noisy.Pix[i] ^= 0x40
	}
	flat := image.NewRGBA(a.Rect)
	for i := range flat.Pix {
		flat.Pix[i] = 128
	}
	tests := []struct {
		name     string
		b        image.Image
		min, max float64
	}{
		{"identical", a, 1, 1},
		{"noisy", noisy, 0.3, 0.95},
		{"flat", flat, -1, 0.5},
		{"other size", image.NewRGBA(image.Rect(0, 0, 10, 10)), 0, 0},
	}
	for _, tt := range tests {
		if got := SSIM(a, tt.b); got < tt.min-1e-9 || got > tt.max+1e-9 {
			t.Errorf("%s: SSIM = %.4f, want %.2f..%.2f", tt.name, got, tt.min, tt.max)
		}
	}
}

func TestSquareCrop(t *testing.T) {
	tests := []struct {
		w, h, fw, fh int
		want         image.Rectangle
	}{
		{6000, 4000, 1024, 683, image.Rect(996, 0, 4998, 4000)},
		{4000, 6000, 683, 1024, image.Rect(0, 328, 4000, 4330)},
		{600, 600, 300, 300, image.Rect(0, 0, 600, 600)},
	}
	for _, tt := range tests {
		if got := SquareCrop(tt.w, tt.h, tt.fw, tt.fh); got != tt.want {
			t.Errorf("SquareCrop(%d, %d, %d, %d) = %v, want %v", tt.w, tt.h, tt.fw, tt.fh, got, tt.want)
		}
	}
}

func TestReference(t *testing.T) {
	// A portrait with a red band at rows 10..20 of 120: a 60x60 window
	// from y = 10 starts at the band.
	img := image.NewRGBA(image.Rect(0, 0, 60, 120))
	for y := range 120 {
		for x := range 60 {
			c := color.RGBA{255, 255, 255, 255}
			if y >= 10 && y < 20 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	ref := Reference(img, image.Rect(0, 10, 60, 70), 30, 30)
	if got := ref.Bounds().Size(); got != image.Pt(30, 30) {
		t.Fatalf("size %v", got)
	}
	if r, g, _, _ := ref.At(15, 1).RGBA(); r>>8 < 200 || g>>8 > 60 {
		t.Errorf("top of the square is %d,%d, want red", r>>8, g>>8)
	}
	if got := Reference(img, image.Rectangle{}, 30, 60).Bounds().Size(); got != image.Pt(30, 60) {
		t.Errorf("whole frame: size %v", got)
	}
}
