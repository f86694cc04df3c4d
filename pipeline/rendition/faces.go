package rendition

import (
	"bytes"
	"context"
	"image"
	"math"
	"sort"

	"github.com/confmedia/confmedia/catalog"
)

// Face is a face in an image, for framing its squares: its box, and the
// point midway between its eyes (the zero Point when they are not known,
// taken then as two fifths down the box).
type Face struct {
	Box  image.Rectangle
	Eyes image.Point
}

// eyeLine returns the height of f's eyes.
func (f Face) eyeLine() int {
	if f.Eyes != (image.Point{}) {
		return f.Eyes.Y
	}
	return f.Box.Min.Y + f.Box.Dy()*2/5
}

// SquareWindow returns the square of a w x h image that a square rendition
// shows: the largest one (its side min(w, h)), placed along the image's
// long edge by the faces in it (boxes in the image's pixels).
//
// With no faces it is the rule of the package documentation: centred for
// landscape images, high for portraits. With faces, it holds the group of
// every face when the group fits, centred on it across a landscape image and
// with the eyes of the largest face at the upper third of a portrait one;
// when the group does not fit, it holds as many whole faces as fit together,
// taken largest first, and it avoids cutting the others where it can. A
// face larger than the square is cut around its centre: nothing could hold
// it.
func SquareWindow(w, h int, faces []Face) image.Rectangle {
	side := min(w, h)
	bounds := image.Rect(0, 0, w, h)
	fs := make([]Face, 0, len(faces))
	for _, f := range faces {
		if f.Box = f.Box.Canon().Intersect(bounds); !f.Box.Empty() {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 || w == h {
		return squareWindow(w, h)
	}
	sort.SliceStable(fs, func(i, j int) bool { return area(fs[i].Box) > area(fs[j].Box) })

	// The window moves along one axis only: x for landscapes, y for
	// portraits. Work in that axis; lo and hi are a box's extent on it.
	landscape := w > h
	extent := func(r image.Rectangle) (lo, hi int) {
		if landscape {
			return r.Min.X, r.Max.X
		}
		return r.Min.Y, r.Max.Y
	}
	long := max(w, h)

	// The group: the largest face, and every next one that fits with it.
	glo, ghi := extent(fs[0].Box)
	in := make([]bool, len(fs))
	in[0] = true
	for i, f := range fs[1:] {
		lo, hi := extent(f.Box)
		if max(ghi, hi)-min(glo, lo) <= side {
			glo, ghi = min(glo, lo), max(ghi, hi)
			in[i+1] = true
		}
	}

	// Where the window would like to start, and the starts that keep the
	// group whole and the window inside the image.
	var want int
	if landscape {
		want = (glo+ghi)/2 - side/2
	} else {
		want = fs[0].eyeLine() - side/3
	}
	minStart, maxStart := 0, long-side
	if ghi-glo <= side {
		minStart, maxStart = max(minStart, ghi-side), min(maxStart, glo)
	} else {
		// One face larger than the window: cut it evenly.
		minStart = max(minStart, min((glo+ghi)/2-side/2, maxStart))
		maxStart = minStart
	}
	clamp := func(s int) int { return max(minStart, min(s, maxStart)) }

	// Of the allowed starts, the nearest to want that cuts no face outside
	// the group: a start cuts a face when the window overlaps it in part.
	// The candidates are want and the starts that just clear a face.
	cuts := func(s int) int {
		n := 0
		for i, f := range fs {
			lo, hi := extent(f.Box)
			if !in[i] && s < hi && s+side > lo && (s > lo || s+side < hi) {
				n++
			}
		}
		return n
	}
	best := clamp(want)
	bestCuts := cuts(best)
	for i, f := range fs {
		if bestCuts == 0 {
			break
		}
		if in[i] {
			continue
		}
		lo, hi := extent(f.Box)
		for _, s := range []int{clamp(lo - side), clamp(hi), clamp(lo), clamp(hi - side)} {
			c := cuts(s)
			if c < bestCuts || (c == bestCuts && absInt(s-want) < absInt(best-want)) {
				best, bestCuts = s, c
			}
		}
	}
	if landscape {
		return image.Rect(best, 0, best+side, h)
	}
	return image.Rect(0, best, w, best+side)
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// scaleFaces maps faces from a w x h image to a tw x th one.
func scaleFaces(faces []Face, w, h, tw, th int) []Face {
	if len(faces) == 0 || (w == tw && h == th) || w <= 0 || h <= 0 {
		return faces
	}
	sx, sy := float64(tw)/float64(w), float64(th)/float64(h)
	pt := func(p image.Point) image.Point {
		return image.Pt(int(math.Round(float64(p.X)*sx)), int(math.Round(float64(p.Y)*sy)))
	}
	out := make([]Face, len(faces))
	for i, f := range faces {
		out[i].Box = image.Rectangle{Min: pt(f.Box.Min), Max: pt(f.Box.Max)}
		if f.Eyes != (image.Point{}) {
			out[i].Eyes = pt(f.Eyes)
		}
	}
	return out
}

// Large is a decoded rendition, the large one, from which square renditions
// are cut again once the faces in it are known (Squares): one decode serves
// the face finder (Image) and the squares.
type Large struct {
	px      *pixels
	profile []byte
}

// DecodeLarge decodes the JPEG rendition data, as Render made it, whole.
// Its errors are *catalog.Error: Invalid when data is not a decodable JPEG,
// TooLarge when it has more pixels than DefaultMaxPixels or more scans than
// DefaultMaxScans. Close releases its memory.
func DecodeLarge(ctx context.Context, data []byte) (*Large, error) {
	const op = "rendition.DecodeLarge"
	hdr, err := ReadHeader(bytes.NewReader(data), DefaultMaxPixels)
	if err != nil {
		return nil, err
	}
	if hdr.Format != "jpeg" {
		return nil, catalog.E(catalog.Invalid, op, nil, "cannot decode the rendition: it is not a JPEG")
	}
	px, err := decodeJPEG(ctx, data, hdr.Width, hdr.Height, DefaultMaxScans)
	if err != nil {
		if ctx.Err() != nil {
			return nil, cancelled(op, ctx.Err())
		}
		return nil, catalog.E(catalog.Invalid, op, err, "cannot decode the rendition: %s", decodeReason(err))
	}
	return &Large{px: px, profile: jpegICCProfile(data)}, nil
}

// Bounds returns the size of the decoded rendition.
func (l *Large) Bounds() image.Rectangle { return image.Rect(0, 0, l.px.w, l.px.h) }

// Image returns a copy of the decoded rendition, for a face finder.
func (l *Large) Image() *image.RGBA { return l.px.rgba() }

// Close releases the decoded pixels. l may not be used afterwards.
func (l *Large) Close() { releaseAll(l.px) }

// Squares cuts the square renditions of specs (the others are left out)
// from l, the large rendition of a w x h (display) image, around faces in
// that image's pixels (SquareWindow): each the size Render gives it, side
// min(Size, w, h), resampled and encoded as Render does with opts' Quality,
// Artist and Copyright, and l's colour profile. A square the rendition is
// too small to give at its size (a panorama's large rendition is short) is
// left out: its caller keeps the one Render made rather than upscale. Its
// errors are Render's for a bad spec or ctx ending.
func (l *Large) Squares(ctx context.Context, w, h int, faces []Face, specs []Spec, opts Options) ([]Output, error) {
	const op = "rendition.Squares"
	opts.Specs = specs
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	header, err := metadataSegments(opts.Artist, opts.Copyright, l.profile)
	if err != nil {
		return nil, catalog.E(catalog.Other, op, err, "cannot write rendition metadata")
	}
	var outs []Output
	for _, s := range specs {
		if !s.Square {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, cancelled(op, err)
		}
		side := min(s.Size, w, h)
		if min(l.px.w, l.px.h) < side {
			continue
		}
		sq := resizeDefault(squareCrop(l.px, w, h, faces), side, side)
		data, err := encodeJPEG(sq, opts.Quality, header)
		if sq.mem != l.px.mem {
			releaseAll(sq)
		}
		if err != nil {
			return nil, catalog.E(catalog.Other, op, err, "cannot encode the %s rendition", s.Name)
		}
		outs = append(outs, Output{Name: s.Name, Width: side, Height: side, Data: data})
	}
	return outs, nil
}
