package rendition

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
)

// encodeTestJPEG encodes img at quality 95.
func encodeTestJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodeTestPNG encodes img as PNG.
func encodeTestPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gradient returns a w x h image whose red channel grows with x and green
// channel with y, so that a pixel's colour tells where it came from.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		g := uint8(y * 255 / max(1, h-1))
		for x := range w {
			copy(row[4*x:], []byte{uint8(x * 255 / max(1, w-1)), g, 128, 255})
		}
	}
	return img
}

// fill paints r on img with c.
func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// meanColor averages the pixels of img inside r.
func meanColor(img image.Image, r image.Rectangle) (rr, gg, bb float64) {
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			rr += float64(c.R)
			gg += float64(c.G)
			bb += float64(c.B)
			n++
		}
	}
	return rr / n, gg / n, bb / n
}

// meanAbsDiff is the mean absolute difference of the R, G, B samples of two
// images of the same size, in 0..255.
func meanAbsDiff(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Size() != bb.Size() {
		t.Fatalf("sizes differ: %v and %v", ab.Size(), bb.Size())
	}
	if ya, ok := a.(*image.YCbCr); ok {
		if yb, ok := b.(*image.YCbCr); ok && ya.SubsampleRatio == yb.SubsampleRatio {
			return ycbcrDiff(ya, yb)
		}
	}
	var sum float64
	for y := range ab.Dy() {
		for x := range ab.Dx() {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			sum += math.Abs(float64(r1)-float64(r2)) + math.Abs(float64(g1)-float64(g2)) + math.Abs(float64(b1)-float64(b2))
		}
	}
	return sum / float64(3*ab.Dx()*ab.Dy()) / 257
}

// ycbcrDiff is meanAbsDiff for two JPEG decodings, comparing their Y, Cb and
// Cr planes, which is fast enough for -race.
func ycbcrDiff(a, b *image.YCbCr) float64 {
	var sum, n float64
	plane := func(pa, pb []byte, sa, sb, w, h int) {
		for y := range h {
			ra, rb := pa[y*sa:y*sa+w], pb[y*sb:y*sb+w]
			for x := range w {
				d := int(ra[x]) - int(rb[x])
				sum += float64(max(d, -d))
			}
			n += float64(w)
		}
	}
	w, h := a.Rect.Dx(), a.Rect.Dy()
	plane(a.Y, b.Y, a.YStride, b.YStride, w, h)
	cw := a.COffset(a.Rect.Max.X-1, a.Rect.Max.Y-1) % a.CStride
	ch := a.COffset(a.Rect.Max.X-1, a.Rect.Max.Y-1) / a.CStride
	plane(a.Cb, b.Cb, a.CStride, b.CStride, cw+1, ch+1)
	plane(a.Cr, b.Cr, a.CStride, b.CStride, cw+1, ch+1)
	return sum / n
}

func decodeTestJPEG(t testing.TB, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("output is not a JPEG: %v", err)
	}
	return img
}

// tiffEntry is one IFD entry for buildTIFF. When sub is non-zero the entry
// is a LONG pointer to ifds[sub].
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte
	sub      int
}

func asciiEntry(tag uint16, s string) tiffEntry {
	return tiffEntry{tag: tag, typ: 2, count: uint32(len(s) + 1), val: append([]byte(s), 0)}
}

func rationalEntry(tag uint16, nums ...uint32) tiffEntry {
	var v []byte
	for _, n := range nums {
		v = binary.LittleEndian.AppendUint32(v, n)
		v = binary.LittleEndian.AppendUint32(v, 1)
	}
	return tiffEntry{tag: tag, typ: 5, count: uint32(len(nums)), val: v}
}

func shortEntry(tag uint16, n uint16) tiffEntry {
	return tiffEntry{tag: tag, typ: 3, count: 1, val: binary.LittleEndian.AppendUint16(nil, n)}
}

// buildExif returns an APP1 Exif payload (little-endian TIFF) holding ifds;
// ifds[0] is IFD0 and the others are reached through pointer entries.
func buildExif(ifds [][]tiffEntry) []byte {
	off := make([]int, len(ifds))
	pos := 8
	for i, ifd := range ifds {
		off[i] = pos
		pos += 2 + 12*len(ifd) + 4
	}
	base := pos
	var vals []byte
	le := binary.LittleEndian
	t := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	for _, ifd := range ifds {
		t = le.AppendUint16(t, uint16(len(ifd)))
		for _, e := range ifd {
			t = le.AppendUint16(t, e.tag)
			if e.sub != 0 {
				t = le.AppendUint16(t, 4)
				t = le.AppendUint32(t, 1)
				t = le.AppendUint32(t, uint32(off[e.sub]))
				continue
			}
			t = le.AppendUint16(t, e.typ)
			t = le.AppendUint32(t, e.count)
			if len(e.val) <= 4 {
				var in [4]byte
				copy(in[:], e.val)
				t = append(t, in[:]...)
				continue
			}
			t = le.AppendUint32(t, uint32(base+len(vals)))
			vals = append(vals, e.val...)
			if len(vals)%2 == 1 {
				vals = append(vals, 0)
			}
		}
		t = le.AppendUint32(t, 0)
	}
	return append(append([]byte("Exif\x00\x00"), t...), vals...)
}

// testProfile returns a syntactically whole ICC profile of n bytes (n >=
// 128) with the given data colour space, filled with a recognisable pattern.
func testProfile(n int, space string) []byte {
	p := make([]byte, n)
	for i := 128; i < n; i++ {
		p[i] = byte(i * 7)
	}
	binary.BigEndian.PutUint32(p, uint32(n))
	copy(p[12:], "mntr")
	copy(p[16:], space)
	copy(p[20:], "XYZ ")
	copy(p[36:], "acsp")
	return p
}

// segment encodes one marker segment.
func segment(t testing.TB, marker byte, payload []byte) []byte {
	t.Helper()
	s, err := appendSegment(nil, marker, payload)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withSegments inserts raw marker segments after the SOI of jpg.
func withSegments(t testing.TB, jpg []byte, segs ...[]byte) []byte {
	t.Helper()
	out, err := insertAfterSOI(jpg, bytes.Join(segs, nil))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withICCChunk inserts an iCCP chunk holding profile right after the IHDR
// chunk of the PNG stream p.
func withICCChunk(t testing.TB, p, profile []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(profile)
	zw.Close()
	body := append([]byte("test profile\x00\x00"), z.Bytes()...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	chunk = append(chunk, "iCCP"...)
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	ihdrEnd := 8 + 12 + 13
	out := append([]byte(nil), p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

// markers lists the markers of a JPEG stream's header, before SOS.
func markers(t testing.TB, jpg []byte) []byte {
	t.Helper()
	var ms []byte
	if err := walkHeader(jpg, func(m byte, _ []byte) bool { ms = append(ms, m); return true }); err != nil {
		t.Fatalf("output header: %v", err)
	}
	return ms
}
