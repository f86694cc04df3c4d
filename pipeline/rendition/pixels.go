package rendition

import "image"

// An RGB pixel is packed in one uint64, each 8-bit sample in a 21-bit lane:
// red in bits 0-20, green in 21-41, blue in 42-62. The lanes leave room for
// a filter's weighted sum of a whole window, so that resample.go filters the
// three samples with one multiply-add per tap (see there).
const lane = 21

func pack(r, g, b uint8) uint64 {
	return uint64(r) | uint64(g)<<lane | uint64(b)<<(2*lane)
}

func unpack(v uint64) (r, g, b uint8) {
	return uint8(v), uint8(v >> lane), uint8(v >> (2 * lane))
}

// pixels is an RGB image of packed pixels: pixel (x, y) is
// buf[off+y*stride+x]. Images cut from another share its memory.
type pixels struct {
	w, h, stride, off int
	buf               []uint64
	mem               *block // holds buf
}

// newPixels returns a w x h image whose contents are undefined. Release it
// with releaseAll.
func newPixels(w, h int) *pixels {
	mem := getBlock(w * h)
	return &pixels{w: w, h: h, stride: w, buf: mem.b, mem: mem}
}

func (m *pixels) row(y int) []uint64 {
	i := m.off + y*m.stride
	return m.buf[i : i+m.w : i+m.w]
}

// sub returns the part of m inside r, sharing its pixels.
func (m *pixels) sub(r image.Rectangle) *pixels {
	r = r.Intersect(image.Rect(0, 0, m.w, m.h))
	return &pixels{w: r.Dx(), h: r.Dy(), stride: m.stride, off: m.off + r.Min.Y*m.stride + r.Min.X, buf: m.buf, mem: m.mem}
}

// releaseAll gives back the memory of imgs (putBlock), once however many of
// imgs share it. None of them may be used afterwards.
func releaseAll(imgs ...*pixels) {
	seen := make(map[*block]bool, len(imgs))
	for _, m := range imgs {
		if m == nil || m.mem == nil || seen[m.mem] {
			continue
		}
		seen[m.mem] = true
		putBlock(m.mem)
		m.buf, m.mem = nil, nil
	}
}

// rgba returns m as an *image.RGBA (for image/jpeg and tests).
func (m *pixels) rgba() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, m.w, m.h))
	for y := range m.h {
		d := img.Pix[y*img.Stride : y*img.Stride+4*m.w]
		for x, v := range m.row(y) {
			q := d[4*x : 4*x+4 : 4*x+4]
			q[0], q[1], q[2] = unpack(v)
			q[3] = 0xFF
		}
	}
	return img
}

// orient turns m, stored with EXIF orientation o, upright, into a new image.
// It returns m itself for orientation 1.
func (m *pixels) orient(o int) *pixels {
	if o < 2 || o > 8 {
		return m
	}
	dw, dh := m.w, m.h
	if o >= 5 {
		dw, dh = m.h, m.w
	}
	// Display pixel (x, y) shows stored pixel base + x*dx + y*dy (as
	// offsets into m.p), from the EXIF definitions of where the stored
	// first row and column go.
	s := m.stride
	last := m.w - 1 // last stored column
	bottom := (m.h - 1) * s
	var base, dx, dy int
	switch o {
	case 2: // mirrored: stored (w-1-x, y)
		base, dx, dy = last, -1, s
	case 3: // turned 180°: (w-1-x, h-1-y)
		base, dx, dy = bottom+last, -1, -s
	case 4: // flipped: (x, h-1-y)
		base, dx, dy = bottom, 1, -s
	case 5: // transposed: (y, x)
		base, dx, dy = 0, s, 1
	case 6: // stored turned 90° anticlockwise: (y, h-1-x)
		base, dx, dy = bottom, -s, 1
	case 7: // transverse: (w-1-y, h-1-x)
		base, dx, dy = bottom+last, -s, -1
	case 8: // stored turned 90° clockwise: (w-1-y, x)
		base, dx, dy = last, s, -1
	}
	out := newPixels(dw, dh)
	for y := range dh {
		i := m.off + base + y*dy
		row := out.row(y)
		if dx == 1 {
			copy(row, m.buf[i:i+dw])
			continue
		}
		for x := range row {
			row[x] = m.buf[i]
			i += dx
		}
	}
	return out
}
