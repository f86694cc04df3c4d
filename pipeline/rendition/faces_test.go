package rendition

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

func box(x0, y0, x1, y1 int) Face { return Face{Box: image.Rect(x0, y0, x1, y1)} }

func TestSquareWindowFaces(t *testing.T) {
	tests := []struct {
		name  string
		w, h  int
		faces []Face
		want  image.Rectangle
	}{
		{"landscape, no face: centred", 3000, 2000, nil, image.Rect(500, 0, 2500, 2000)},
		{"portrait, no face: high", 2000, 3000, nil, image.Rect(0, 166, 2000, 2166)},
		{"landscape, face in the middle: centred as before", 3000, 2000, []Face{box(1400, 600, 1600, 900)}, image.Rect(500, 0, 2500, 2000)},
		{"landscape, face off-centre: centred on it", 4000, 2000, []Face{box(2600, 500, 2800, 800)}, image.Rect(1700, 0, 3700, 2000)},
		{"landscape, face at the right edge", 3000, 2000, []Face{box(2800, 500, 3000, 800)}, image.Rect(1000, 0, 3000, 2000)},
		{"landscape, face at the left edge", 3000, 2000, []Face{box(0, 500, 300, 800)}, image.Rect(0, 0, 2000, 2000)},
		{"landscape, face partly outside the image", 3000, 2000, []Face{box(-100, 500, 200, 800)}, image.Rect(0, 0, 2000, 2000)},
		{"portrait, eyes at the upper third", 2000, 3000, []Face{{Box: image.Rect(800, 1200, 1100, 1500), Eyes: image.Pt(950, 1320)}}, image.Rect(0, 654, 2000, 2654)},
		{"portrait, eyes unknown: two fifths down the box", 2000, 3000, []Face{box(800, 1200, 1100, 1500)}, image.Rect(0, 654, 2000, 2654)},
		{"portrait, face at the top", 2000, 3000, []Face{box(800, 50, 1100, 400)}, image.Rect(0, 0, 2000, 2000)},
		{"portrait, face at the bottom", 2000, 3000, []Face{box(800, 2700, 1100, 3000)}, image.Rect(0, 1000, 2000, 3000)},
		{"portrait, face low: the whole face, not the upper third", 400, 1000, []Face{{Box: image.Rect(100, 500, 300, 800), Eyes: image.Pt(200, 520)}}, image.Rect(0, 400, 400, 800)},
		{"landscape, two faces that fit: centred on the group", 3000, 2000, []Face{box(600, 500, 900, 800), box(2100, 500, 2400, 800)}, image.Rect(500, 0, 2500, 2000)},
		{"landscape, two faces far apart: the larger", 6000, 2000, []Face{box(5000, 500, 5300, 800), box(100, 500, 600, 1000)}, image.Rect(0, 0, 2000, 2000)},
		{"landscape, far apart, larger on the right", 6000, 2000, []Face{box(100, 500, 400, 800), box(4000, 500, 4600, 1100)}, image.Rect(3300, 0, 5300, 2000)},
		{"landscape, a face it cannot hold is not cut", 4000, 2000, []Face{box(1800, 500, 2300, 1100), box(2900, 500, 3900, 550)}, image.Rect(900, 0, 2900, 2000)},
		{"landscape, a face larger than the square: cut evenly", 3000, 1000, []Face{box(1000, 0, 2200, 1000)}, image.Rect(1100, 0, 2100, 1000)},
		{"square image: all of it", 1000, 1000, []Face{box(800, 800, 900, 900)}, image.Rect(0, 0, 1000, 1000)},
		{"empty box: as no face", 3000, 2000, []Face{box(2800, 500, 2800, 800)}, image.Rect(500, 0, 2500, 2000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SquareWindow(tt.w, tt.h, tt.faces)
			if got != tt.want {
				t.Errorf("SquareWindow(%dx%d, %v) = %v, want %v", tt.w, tt.h, tt.faces, got, tt.want)
			}
		})
	}
}

// TestSquareWindowHoldsFaces: on random faces, the window is always the
// largest square inside the image; it holds every face whenever the group
// fits in it, and always the largest face when that fits.
func TestSquareWindowHoldsFaces(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		w, h := 50+r.IntN(4000), 50+r.IntN(4000)
		n := 1 + r.IntN(4)
		faces := make([]Face, n)
		for j := range faces {
			fw, fh := 1+r.IntN(max(1, min(w, h)/2)), 1+r.IntN(max(1, min(w, h)/2))
			x, y := r.IntN(w-fw+1), r.IntN(h-fh+1)
			faces[j] = box(x, y, x+fw, y+fh)
			if r.IntN(2) == 0 {
				faces[j].Eyes = image.Pt(x+fw/2, y+r.IntN(fh))
			}
		}
		got := SquareWindow(w, h, faces)
		desc := fmt.Sprintf("case %d: SquareWindow(%dx%d, %v) = %v", i, w, h, faces, got)
		side := min(w, h)
		if got.Dx() != side || got.Dy() != side || !got.In(image.Rect(0, 0, w, h)) {
			t.Fatalf("%s: not the largest square inside the image", desc)
		}
		group := faces[0].Box
		largest := faces[0].Box
		for _, f := range faces[1:] {
			group = group.Union(f.Box)
			if area(f.Box) > area(largest) {
				largest = f.Box
			}
		}
		if group.Dx() <= side && group.Dy() <= side {
			for _, f := range faces {
				if !f.Box.In(got) {
					t.Fatalf("%s: the group %v fits, but face %v is cut", desc, group, f.Box)
				}
			}
		}
		if !largest.In(got) {
			t.Fatalf("%s: the largest face %v is cut", desc, largest)
		}
	}
}

// TestSquaresFromLarge cuts squares from a large rendition around a face:
// the face patch lands where the window puts it, the square keeps its
// stated size, and a square the rendition cannot give at its size is left
// out.
func TestSquaresFromLarge(t *testing.T) {
	// The large rendition (1200x800) of a 2400x1600 photo: grey, with a red
	// "face" at 1000..1100 x 300..400 (2000..2200 x 600..800 in the photo).
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	fill(img, img.Bounds(), color.RGBA{128, 128, 128, 255})
	fill(img, image.Rect(1000, 300, 1100, 400), color.RGBA{220, 20, 20, 255})
	large, err := DecodeLarge(context.Background(), encodeTestJPEG(t, img))
	if err != nil {
		t.Fatal(err)
	}
	defer large.Close()
	if b := large.Bounds(); b != img.Bounds() {
		t.Fatalf("decoded %v, want %v", b, img.Bounds())
	}
	faces := []Face{box(2000, 600, 2200, 800)}
	outs, err := large.Squares(context.Background(), 2400, 1600, faces, Headshot, Options{Artist: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Name != "square" {
		t.Fatalf("squares %v, want square only (square-large needs 1200 pixels, the rendition has 800)", outs)
	}
	sq := decodeTestJPEG(t, outs[0].Data)
	if b := sq.Bounds(); b.Dx() != 400 || b.Dy() != 400 || outs[0].Width != 400 || outs[0].Height != 400 {
		t.Fatalf("square is %v (%dx%d), want 400x400", b, outs[0].Width, outs[0].Height)
	}
	// Window 400..1200 of the large: the face at 600..700 x 300..400 of the
	// 800 square, 300..350 x 150..200 of the 400 one.
	if r, g, _ := meanColor(sq, image.Rect(305, 155, 345, 195)); r < 180 || g > 60 {
		t.Errorf("face area is (%.0f, %.0f), want red", r, g)
	}
	if r, _, _ := meanColor(sq, image.Rect(250, 155, 290, 195)); r > 160 {
		t.Errorf("left of the face is red (%.0f): the window is not where the face puts it", r)
	}
	// With no face, the old rule: centred, the face cut off to the right.
	outs, err = large.Squares(context.Background(), 2400, 1600, nil, Standard, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sq = decodeTestJPEG(t, outs[0].Data)
	if r, _, _ := meanColor(sq, image.Rect(380, 155, 400, 195)); r > 160 {
		t.Errorf("no face: right edge is red (%.0f), want the centred window (200..1000) without the face", r)
	}
}

func TestDecodeLargeRefusesNonJPEG(t *testing.T) {
	_, err := DecodeLarge(context.Background(), encodeTestPNG(t, gradient(64, 48)))
	if err == nil {
		t.Fatal("a PNG decoded as a large rendition")
	}
}

// BenchmarkRecutSquares times what the faces task costs besides finding
// the faces: decoding a large rendition (2048x1365, as Render makes it from
// a 24 MP photo) and cutting a headshot's two squares around a face.
func BenchmarkRecutSquares(b *testing.B) {
	res, err := Render(context.Background(), syntheticPhoto(b, 6000, 4000), Options{Specs: []Spec{{Name: "large", Size: 2048}}})
	if err != nil {
		b.Fatal(err)
	}
	data := res.Renditions[0].Data
	faces := []Face{box(4200, 900, 4900, 1700)}
	b.ReportAllocs()
	for b.Loop() {
		large, err := DecodeLarge(context.Background(), data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := large.Squares(context.Background(), 6000, 4000, faces, Headshot, Options{}); err != nil {
			b.Fatal(err)
		}
		large.Close()
	}
}
