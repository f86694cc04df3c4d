// Package jpegscale decodes baseline JPEGs scaled down in the DCT domain, in
// pure Go: each 8x8 block becomes an m x m block (scale m/8) computed from
// its m x m lowest-frequency coefficients, so that the inverse transform,
// the colour planes and the memory all shrink with the scale. The entropy
// decoding, which no scale avoids, is most of what remains.
//
// It handles what cameras and phones write: baseline (and extended
// sequential) Huffman-coded 8-bit JPEGs, grey or YCbCr in one interleaved
// scan, with restart intervals. Everything else (progressive, arithmetic,
// CMYK, unusual sampling) is ErrUnsupported, for image/jpeg to decode.
package jpegscale

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
)

// ErrUnsupported is returned for JPEGs this package leaves to image/jpeg.
var ErrUnsupported = errors.New("jpegscale: unsupported JPEG")

// A FormatError reports damaged JPEG data.
type FormatError string

func (e FormatError) Error() string { return "invalid JPEG format: " + string(e) }

// errTruncated reports data that ends before the image does.
var errTruncated = fmt.Errorf("invalid JPEG format: the data ends early: %w", io.ErrUnexpectedEOF)

// Size returns the size of a w x h image decoded at scale m/8.
func Size(w, h, m int) (int, int) {
	return (w*m + 7) / 8, (h*m + 7) / 8
}

// Decode decodes the JPEG in data at scale m/8 (1 <= m <= 8), as an
// *image.YCbCr or an *image.Gray of Size(width, height, m).
//
// Errors: ErrUnsupported for JPEGs outside what the package handles; a
// FormatError for damaged data; an error wrapping io.ErrUnexpectedEOF when
// the data ends before the image does.
func Decode(data []byte, m int) (image.Image, error) {
	return DecodeContext(context.Background(), data, m)
}

// DecodeContext is Decode that stops between rows of blocks once ctx is
// done, returning ctx.Err().
func DecodeContext(ctx context.Context, data []byte, m int) (image.Image, error) {
	if m < 1 || m > 8 {
		return nil, fmt.Errorf("jpegscale: scale %d/8 out of range", m)
	}
	d := &decoder{ctx: ctx, data: data, n: m}
	return d.decode()
}

type component struct {
	id, h, v int // identifier, sampling factors
	tq       int // quantisation table
	td, ta   int // DC and AC Huffman tables of the scan
	plane    []byte
	stride   int
	pred     int32 // DC predictor
}

type decoder struct {
	ctx  context.Context
	data []byte
	pos  int
	n    int // output block side: scale n/8

	width, height int
	comp          []component
	hmax, vmax    int
	quant         [4][64]int32 // in zigzag order
	haveQuant     [4]bool
	dc, ac        [4]huffman
	restart       int // MCUs between restart markers; 0 for none
	adobe         bool
	adobeRGB      bool
	sof           bool

	// The bit reader: acc holds nbits bits, left-aligned; the last pad of
	// them are zeros standing in for data past a marker or the end.
	acc    uint64
	nbits  int
	pad    int
	ended  bool          // no more data bytes for this scan segment
	atEOF  bool          // and the reason is the end of the data
	keep   [64]int8      // for a zigzag index, the kept coefficient's place, or -1
	basis  [8][8]float32 // basis[i][u]: C(u)/2 * cos((2i+1)uπ/2n)
	tmp    [64]float32   // between the passes of idct
	coeffs [64]int32     // the kept coefficients of a block, n x n
}

// Markers.
const (
	sof0  = 0xC0
	sof1  = 0xC1
	dht   = 0xC4
	soi   = 0xD8
	eoi   = 0xD9
	sos   = 0xDA
	dqt   = 0xDB
	dnl   = 0xDC
	dri   = 0xDD
	app14 = 0xEE
)

// zigzag maps a coefficient's position in the stream to its row*8+column.
var zigzag = [64]int8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

func (d *decoder) decode() (image.Image, error) {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != soi {
		return nil, FormatError("missing SOI marker")
	}
	d.pos = 2
	for {
		m, seg, err := d.segment()
		if err != nil {
			return nil, err
		}
		switch {
		case m == sof0 || m == sof1:
			if err := d.parseSOF(seg); err != nil {
				return nil, err
			}
		case m >= 0xC2 && m <= 0xCF && m != dht && m != 0xC8 && m != 0xCC:
			return nil, ErrUnsupported // progressive, lossless, arithmetic
		case m == dqt:
			if err := d.parseDQT(seg); err != nil {
				return nil, err
			}
		case m == dht:
			if err := d.parseDHT(seg); err != nil {
				return nil, err
			}
		case m == dri:
			if len(seg) != 2 {
				return nil, FormatError("bad DRI length")
			}
			d.restart = int(binary.BigEndian.Uint16(seg))
		case m == app14:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe = true
				d.adobeRGB = seg[11] == 0
			}
		case m == dnl:
			return nil, ErrUnsupported
		case m == sos:
			img, err := d.scan(seg)
			if err != nil {
				return nil, err
			}
			// Whatever follows the one scan up to EOI is not image
			// data this decoder uses; a second scan means a layout it
			// does not handle.
			for {
				m, _, err := d.segment()
				if err != nil {
					return nil, err
				}
				if m == eoi {
					return img, nil
				}
				if m == sos {
					return nil, ErrUnsupported
				}
			}
		case m == eoi:
			return nil, FormatError("no image data")
		}
	}
}

// segment reads the next marker and its payload (nil for markers without
// one).
func (d *decoder) segment() (byte, []byte, error) {
	if d.pos >= len(d.data) {
		return 0, nil, errTruncated
	}
	if d.data[d.pos] != 0xFF {
		// Stray bytes before a marker: cameras write them, and libjpeg
		// and image/jpeg both skip them.
		for d.pos < len(d.data) && d.data[d.pos] != 0xFF {
			d.pos++
		}
	}
	for d.pos < len(d.data) && d.data[d.pos] == 0xFF {
		d.pos++
	}
	if d.pos >= len(d.data) {
		return 0, nil, errTruncated
	}
	m := d.data[d.pos]
	d.pos++
	if m == soi || m == eoi || (m >= 0xD0 && m <= 0xD7) || m == 0x01 {
		return m, nil, nil
	}
	if d.pos+2 > len(d.data) {
		return 0, nil, errTruncated
	}
	n := int(binary.BigEndian.Uint16(d.data[d.pos:]))
	if n < 2 {
		return 0, nil, FormatError("bad segment length")
	}
	if d.pos+n > len(d.data) {
		return 0, nil, errTruncated
	}
	seg := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return m, seg, nil
}

func (d *decoder) parseSOF(p []byte) error {
	if d.sof {
		return FormatError("two SOF markers")
	}
	d.sof = true
	if len(p) < 6 {
		return FormatError("short SOF")
	}
	if p[0] != 8 {
		return ErrUnsupported // 12-bit
	}
	d.height = int(binary.BigEndian.Uint16(p[1:]))
	d.width = int(binary.BigEndian.Uint16(p[3:]))
	nc := int(p[5])
	if d.width == 0 || d.height == 0 {
		return ErrUnsupported // height from DNL, or nothing to decode
	}
	if nc != 1 && nc != 3 {
		return ErrUnsupported
	}
	if len(p) != 6+3*nc {
		return FormatError("bad SOF length")
	}
	d.comp = make([]component, nc)
	for i := range d.comp {
		c := &d.comp[i]
		c.id, c.h, c.v, c.tq = int(p[6+3*i]), int(p[7+3*i]>>4), int(p[7+3*i]&15), int(p[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return FormatError("bad component in SOF")
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	if nc == 1 {
		d.comp[0].h, d.comp[0].v, d.hmax, d.vmax = 1, 1, 1, 1
		return nil
	}
	// Chroma at one sample per MCU, luma at one of the ratios
	// image.YCbCr has.
	if d.comp[1].h != 1 || d.comp[1].v != 1 || d.comp[2].h != 1 || d.comp[2].v != 1 {
		return ErrUnsupported
	}
	if _, ok := ratio(d.comp[0].h, d.comp[0].v); !ok {
		return ErrUnsupported
	}
	return nil
}

func ratio(h, v int) (image.YCbCrSubsampleRatio, bool) {
	switch [2]int{h, v} {
	case [2]int{1, 1}:
		return image.YCbCrSubsampleRatio444, true
	case [2]int{2, 1}:
		return image.YCbCrSubsampleRatio422, true
	case [2]int{2, 2}:
		return image.YCbCrSubsampleRatio420, true
	case [2]int{1, 2}:
		return image.YCbCrSubsampleRatio440, true
	case [2]int{4, 1}:
		return image.YCbCrSubsampleRatio411, true
	case [2]int{4, 2}:
		return image.YCbCrSubsampleRatio410, true
	}
	return 0, false
}

func (d *decoder) parseDQT(p []byte) error {
	for len(p) > 0 {
		pq, tq := int(p[0]>>4), int(p[0]&15)
		if tq > 3 || pq > 1 {
			return FormatError("bad DQT")
		}
		p = p[1:]
		q := &d.quant[tq]
		if pq == 0 {
			if len(p) < 64 {
				return FormatError("short DQT")
			}
			for i := range q {
				q[i] = int32(p[i])
			}
			p = p[64:]
		} else {
			if len(p) < 128 {
				return FormatError("short DQT")
			}
			for i := range q {
				q[i] = int32(binary.BigEndian.Uint16(p[2*i:]))
			}
			p = p[128:]
		}
		d.haveQuant[tq] = true
	}
	return nil
}

func (d *decoder) parseDHT(p []byte) error {
	for len(p) > 0 {
		if len(p) < 17 {
			return FormatError("short DHT")
		}
		tc, th := int(p[0]>>4), int(p[0]&15)
		if tc > 1 || th > 3 {
			return FormatError("bad DHT")
		}
		var counts [16]int
		total := 0
		for i := range counts {
			counts[i] = int(p[1+i])
			total += counts[i]
		}
		if total > 256 || len(p) < 17+total {
			return FormatError("bad DHT")
		}
		h := &d.dc[th]
		if tc == 1 {
			h = &d.ac[th]
		}
		if err := h.build(counts, p[17:17+total]); err != nil {
			return err
		}
		p = p[17+total:]
	}
	return nil
}

// scan decodes the one scan of the image.
func (d *decoder) scan(p []byte) (image.Image, error) {
	if !d.sof {
		return nil, FormatError("SOS before SOF")
	}
	if len(p) < 1 || int(p[0]) != len(d.comp) || len(p) != 4+2*len(d.comp) {
		// A scan of some components only: baseline allows it, cameras
		// do not write it.
		return nil, ErrUnsupported
	}
	for i := range d.comp {
		id, t := int(p[1+2*i]), p[2+2*i]
		c := &d.comp[i]
		if id != c.id {
			return nil, ErrUnsupported
		}
		c.td, c.ta = int(t>>4), int(t&15)
		if c.td > 3 || c.ta > 3 || !d.dc[c.td].ok || !d.ac[c.ta].ok || !d.haveQuant[c.tq] {
			return nil, FormatError("scan uses a missing table")
		}
	}
	ss, se, ah := p[len(p)-3], p[len(p)-2], p[len(p)-1]
	if ss != 0 || se != 63 || ah != 0 {
		return nil, ErrUnsupported
	}
	if len(d.comp) == 3 && (d.adobeRGB || (!d.adobe && d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B')) {
		return nil, ErrUnsupported // RGB, not YCbCr
	}
	d.setup()

	n := d.n
	mcuW, mcuH := 8*d.hmax, 8*d.vmax
	mcusX, mcusY := (d.width+mcuW-1)/mcuW, (d.height+mcuH-1)/mcuH
	if len(d.comp) == 1 {
		// One component: its MCU is a single block.
		mcusX, mcusY = (d.width+7)/8, (d.height+7)/8
	}
	for i := range d.comp {
		c := &d.comp[i]
		c.stride = mcusX * c.h * n
		c.plane = make([]byte, c.stride*mcusY*c.v*n)
	}

	mcus := 0
	expectRST := 0
	for my := range mcusY {
		if err := d.ctx.Err(); err != nil {
			return nil, err
		}
		for mx := range mcusX {
			if d.restart > 0 && mcus > 0 && mcus%d.restart == 0 {
				if err := d.resync(expectRST); err != nil {
					return nil, err
				}
				expectRST = (expectRST + 1) & 7
			}
			mcus++
			for ci := range d.comp {
				c := &d.comp[ci]
				for by := range c.v {
					for bx := range c.h {
						ac, err := d.block(c)
						if err != nil {
							return nil, err
						}
						x, y := (mx*c.h+bx)*n, (my*c.v+by)*n
						d.idct(c.plane[y*c.stride+x:], c.stride, ac)
					}
				}
			}
		}
		if d.nbits < d.pad {
			return nil, d.overrun()
		}
	}
	// Skip the scan's remaining bytes up to the next marker.
	d.skipToMarker()

	w, h := Size(d.width, d.height, n)
	r := image.Rect(0, 0, w, h)
	if len(d.comp) == 1 {
		return &image.Gray{Pix: d.comp[0].plane, Stride: d.comp[0].stride, Rect: r}, nil
	}
	sr, _ := ratio(d.comp[0].h, d.comp[0].v)
	return &image.YCbCr{
		Y: d.comp[0].plane, Cb: d.comp[1].plane, Cr: d.comp[2].plane,
		YStride: d.comp[0].stride, CStride: d.comp[1].stride,
		SubsampleRatio: sr, Rect: r,
	}, nil
}

// setup prepares the tables of the n x n inverse transform.
func (d *decoder) setup() {
	n := d.n
	for k := range d.keep {
		z := int(zigzag[k])
		if r, c := z/8, z%8; r < n && c < n {
			d.keep[k] = int8(r*n + c)
		} else {
			d.keep[k] = -1
		}
	}
	for i := range n {
		for u := range n {
			cu := 1.0
			if u == 0 {
				cu = 1 / math.Sqrt2
			}
			d.basis[i][u] = float32(cu / 2 * math.Cos(float64((2*i+1)*u)*math.Pi/float64(2*n)))
		}
	}
}

// overrun is the error for a scan that needed more bits than its data had.
func (d *decoder) overrun() error {
	if d.atEOF {
		return errTruncated
	}
	return FormatError("premature end of data segment")
}

// resync expects restart marker RSTi at the end of an interval and starts
// the next one.
func (d *decoder) resync(i int) error {
	if d.nbits < d.pad {
		return d.overrun()
	}
	d.skipToMarker()
	if d.pos+2 > len(d.data) {
		return errTruncated
	}
	if d.data[d.pos] != 0xFF || d.data[d.pos+1] != 0xD0+byte(i) {
		return FormatError(fmt.Sprintf("found marker 0x%02x instead of RST%d", d.data[d.pos+1], i))
	}
	d.pos += 2
	d.acc, d.nbits, d.pad, d.ended, d.atEOF = 0, 0, 0, false, false
	for i := range d.comp {
		d.comp[i].pred = 0
	}
	return nil
}

// skipToMarker drops the bits left in the reader and moves to the next
// marker in the data (fill stops at one, or at the end).
func (d *decoder) skipToMarker() {
	for d.pos < len(d.data) {
		if d.data[d.pos] == 0xFF && d.pos+1 < len(d.data) && d.data[d.pos+1] == 0 {
			d.pos += 2
			continue
		}
		if d.data[d.pos] == 0xFF {
			break
		}
		d.pos++
	}
	d.acc, d.nbits, d.pad = 0, 0, 0
}

// fill tops the reader up to at least 57 bits, with zero padding past a
// marker or the end of the data.
func (d *decoder) fill() {
	// Whole words at a time while the data holds no 0xFF (a stuffed
	// byte or a marker): then up to seven bytes fit at once.
	if !d.ended && d.pos+8 <= len(d.data) {
		w := binary.BigEndian.Uint64(d.data[d.pos:])
		if x := ^w; (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
			nb := min((64-d.nbits)/8, 7)
			d.acc |= w >> (64 - 8*nb) << (64 - 8*nb - d.nbits)
			d.pos += nb
			d.nbits += 8 * nb
			return
		}
	}
	for d.nbits <= 56 {
		var b byte
		switch {
		case d.ended:
			d.pad += 8
		case d.pos >= len(d.data):
			d.ended, d.atEOF = true, true
			d.pad += 8
		default:
			b = d.data[d.pos]
			if b == 0xFF {
				if d.pos+1 < len(d.data) && d.data[d.pos+1] == 0 {
					d.pos += 2
				} else {
					// A marker: the segment's data ends here.
					d.ended = true
					d.atEOF = d.pos+1 >= len(d.data)
					b = 0
					d.pad += 8
				}
			} else {
				d.pos++
			}
		}
		d.acc |= uint64(b) << (56 - d.nbits)
		d.nbits += 8
	}
}

// bits returns the next s (1..16) bits as a number.
func (d *decoder) bits(s int) int32 {
	if d.nbits < s {
		d.fill()
	}
	v := int32(d.acc >> (64 - s))
	d.acc <<= s
	d.nbits -= s
	return v
}

// extend turns the s-bit value v into the signed coefficient it codes.
func extend(v int32, s int) int32 {
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// block decodes one block of c into d.coeffs (dequantised, the n x n kept
// ones, row-major), and reports whether any kept AC coefficient is not
// zero.
func (d *decoder) block(c *component) (ac bool, err error) {
	n2 := d.n * d.n
	co := d.coeffs[:n2]
	clear(co)
	q := &d.quant[c.tq]

	s, err := d.dc[c.td].decode(d)
	if err != nil {
		return false, err
	}
	if s > 16 {
		return false, FormatError("bad DC coefficient")
	}
	if s > 0 {
		c.pred += extend(d.bits(int(s)), int(s))
	}
	co[0] = c.pred * q[0]

	at := &d.ac[c.ta]
	for k := 1; k < 64; {
		if d.nbits < 32 { // a code and its coefficient's bits
			d.fill()
		}
		peek := d.acc >> (64 - lutBits)
		if f := at.fast[peek]; f != 0 {
			if k += int(f >> 4 & 15); k > 63 {
				return false, FormatError("bad AC coefficient run")
			}
			d.acc <<= f & 15
			d.nbits -= int(f & 15)
			if i := d.keep[k]; i >= 0 {
				co[i] = f >> 8 * q[k]
				ac = true
			}
			k++
			continue
		}
		var rs uint8
		if e := at.lut[peek]; e != 0 {
			l := int(e >> 8)
			d.acc <<= l
			d.nbits -= l
			rs = uint8(e)
		} else {
			var err error
			if rs, err = at.slow(d); err != nil {
				return false, err
			}
		}
		r, s := int(rs>>4), int(rs&15)
		if s == 0 {
			if r != 15 {
				break // end of block
			}
			k += 16
			continue
		}
		k += r
		if k > 63 {
			return false, FormatError("bad AC coefficient run")
		}
		v := int32(d.acc >> (64 - s))
		d.acc <<= s
		d.nbits -= s
		if i := d.keep[k]; i >= 0 {
			co[i] = extend(v, s) * q[k]
			ac = true
		}
		k++
	}
	return ac, nil
}

// idct writes the n x n samples of d.coeffs to dst, rows stride apart; ac
// false means only the DC coefficient can be non-zero, and the block is
// flat.
func (d *decoder) idct(dst []byte, stride int, ac bool) {
	n := d.n
	co := d.coeffs[:n*n]
	if !ac {
		v := clamp(float32(co[0])/8 + 128)
		for y := range n {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = v
			}
		}
		return
	}
	// Rows: tmp[v][x] = sum over u of basis[x][u] * F[v][u].
	for v := range n {
		f := co[v*n : v*n+n]
		for x := range n {
			b := &d.basis[x]
			var s float32
			for u, fu := range f {
				s += b[u] * float32(fu)
			}
			d.tmp[v*n+x] = s
		}
	}
	// Columns: out[y][x] = sum over v of basis[y][v] * tmp[v][x].
	for y := range n {
		b := &d.basis[y]
		row := dst[y*stride : y*stride+n]
		for x := range row {
			var s float32
			for v := range n {
				s += b[v] * d.tmp[v*n+x]
			}
			row[x] = clamp(s + 128)
		}
	}
}

func clamp(v float32) byte {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v + 0.5)
}
