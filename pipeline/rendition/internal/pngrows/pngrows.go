// Package pngrows decodes a PNG a row at a time into 8-bit RGB composited
// on white, so that an image of any bit depth is never held whole at that
// depth: a non-interlaced PNG needs two rows of its own samples at a time;
// an interlaced (Adam7) one is gathered into one byte per pixel (grey) or
// three (colour) before its rows are handed out.
//
// The samples are those image/png gives (a 16-bit sample's high byte after
// compositing, low-depth grey scaled to 0..255, palette indices past the
// palette opaque black) so that either decoder renders a PNG the same.
package pngrows

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/color"
	"io"
)

// A FormatError reports a damaged PNG.
type FormatError string

func (e FormatError) Error() string { return "png: invalid format: " + string(e) }

var signature = []byte("\x89PNG\r\n\x1a\n")

// Colour types.
const (
	ctGrey      = 0
	ctRGB       = 2
	ctPalette   = 3
	ctGreyAlpha = 4
	ctRGBA      = 6
)

// Decoder hands out the rows of one PNG, top to bottom.
type Decoder struct {
	ctx         context.Context
	data        []byte
	w, h        int
	depth       int
	ctype       int
	interlaced  bool
	channels    int           // samples per pixel in the file
	palette     [256][4]uint8 // RGBA, not premultiplied
	flat        [256][3]uint8 // the palette composited on white
	trns        bool          // a tRNS colour key (grey, RGB) is set
	key         [3]int        // its samples, at the file's depth
	z           io.Reader     // the inflated IDAT stream
	zc          io.Closer
	cur, prev   []byte // filtered rows, filter byte excluded
	y           int
	whole       []uint8 // interlaced: the image, gray or RGB
	wholeColour bool
}

// New reads the header chunks of the PNG in data, up to its first IDAT.
// ctx is checked while rows are decoded: Next returns ctx.Err() once it is
// done. Errors: a FormatError for a damaged or unsupported header, an error
// wrapping io.ErrUnexpectedEOF when data ends early.
func New(ctx context.Context, data []byte) (*Decoder, error) {
	if !bytes.HasPrefix(data, signature) {
		return nil, FormatError("not a PNG file")
	}
	d := &Decoder{ctx: ctx, data: data}
	for i := range d.palette {
		d.palette[i] = [4]uint8{0, 0, 0, 0xFF}
	}
	pos := len(signature)
	seenIHDR, seenPLTE := false, false
	for {
		typ, body, next, err := chunk(data, pos)
		if err != nil {
			return nil, err
		}
		if !seenIHDR && typ != "IHDR" {
			return nil, FormatError("missing IHDR")
		}
		switch typ {
		case "IHDR":
			if seenIHDR {
				return nil, FormatError("two IHDR chunks")
			}
			seenIHDR = true
			if err := d.parseIHDR(body); err != nil {
				return nil, err
			}
		case "PLTE":
			if len(body)%3 != 0 || len(body) == 0 || len(body) > 3*256 {
				return nil, FormatError("bad PLTE length")
			}
			seenPLTE = true
			for i := range len(body) / 3 {
				d.palette[i] = [4]uint8{body[3*i], body[3*i+1], body[3*i+2], 0xFF}
			}
		case "tRNS":
			if err := d.parseTRNS(body, seenPLTE); err != nil {
				return nil, err
			}
		case "IDAT":
			if d.ctype == ctPalette && !seenPLTE {
				return nil, FormatError("palette image with no PLTE")
			}
			for i, p := range d.palette {
				// As image/png's palette colours and color.Color do.
				r, g, b, a := color.NRGBA{p[0], p[1], p[2], p[3]}.RGBA()
				d.flat[i] = [3]uint8{uint8((r + 0xFFFF - a) >> 8), uint8((g + 0xFFFF - a) >> 8), uint8((b + 0xFFFF - a) >> 8)}
			}
			r := &idatReader{data: data, pos: pos}
			z, err := zlib.NewReader(r)
			if err != nil {
				return nil, fixEOF(err)
			}
			d.z, d.zc = z, z
			n := d.rowBytes(d.w)
			d.cur, d.prev = make([]byte, n), make([]byte, n)
			return d, nil
		case "IEND":
			return nil, FormatError("no image data")
		}
		pos = next
	}
}

// chunk reads the chunk at pos, checking its CRC, and returns its type,
// body and the offset of the next chunk.
func chunk(data []byte, pos int) (typ string, body []byte, next int, err error) {
	if pos+8 > len(data) {
		return "", nil, 0, fmt.Errorf("png: the data ends early: %w", io.ErrUnexpectedEOF)
	}
	n := binary.BigEndian.Uint32(data[pos:])
	if n > 0x7FFFFFFF {
		return "", nil, 0, FormatError("bad chunk length")
	}
	end := pos + 8 + int(n)
	if end+4 > len(data) || end < pos {
		return "", nil, 0, fmt.Errorf("png: the data ends early: %w", io.ErrUnexpectedEOF)
	}
	if crc32.ChecksumIEEE(data[pos+4:end]) != binary.BigEndian.Uint32(data[end:]) {
		return "", nil, 0, FormatError("invalid checksum")
	}
	return string(data[pos+4 : pos+8]), data[pos+8 : end], end + 4, nil
}

func (d *Decoder) parseIHDR(b []byte) error {
	if len(b) != 13 {
		return FormatError("bad IHDR length")
	}
	w, h := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if w == 0 || h == 0 || w > 0x7FFFFFFF || h > 0x7FFFFFFF {
		return FormatError("bad image size")
	}
	d.w, d.h, d.depth, d.ctype = int(w), int(h), int(b[8]), int(b[9])
	if b[10] != 0 || b[11] != 0 {
		return FormatError("unknown compression or filter method")
	}
	switch b[12] {
	case 0:
	case 1:
		d.interlaced = true
	default:
		return FormatError("unknown interlace method")
	}
	ok := false
	switch d.ctype {
	case ctGrey:
		d.channels = 1
		ok = d.depth == 1 || d.depth == 2 || d.depth == 4 || d.depth == 8 || d.depth == 16
	case ctPalette:
		d.channels = 1
		ok = d.depth == 1 || d.depth == 2 || d.depth == 4 || d.depth == 8
	case ctRGB, ctGreyAlpha, ctRGBA:
		d.channels = map[int]int{ctRGB: 3, ctGreyAlpha: 2, ctRGBA: 4}[d.ctype]
		ok = d.depth == 8 || d.depth == 16
	}
	if !ok {
		return FormatError(fmt.Sprintf("bit depth %d with colour type %d", d.depth, d.ctype))
	}
	return nil
}

func (d *Decoder) parseTRNS(b []byte, seenPLTE bool) error {
	switch d.ctype {
	case ctGrey:
		if len(b) != 2 {
			return FormatError("bad tRNS length")
		}
		d.trns, d.key[0] = true, int(binary.BigEndian.Uint16(b))
	case ctRGB:
		if len(b) != 6 {
			return FormatError("bad tRNS length")
		}
		d.trns = true
		for i := range 3 {
			d.key[i] = int(binary.BigEndian.Uint16(b[2*i:]))
		}
	case ctPalette:
		if !seenPLTE || len(b) > 256 {
			return FormatError("bad tRNS")
		}
		for i, a := range b {
			d.palette[i][3] = a
		}
	default:
		return FormatError("tRNS with an alpha channel")
	}
	return nil
}

// Size returns the image's width and height.
func (d *Decoder) Size() (w, h int) { return d.w, d.h }

// rowBytes is the length of a filtered row of w pixels.
func (d *Decoder) rowBytes(w int) int { return (w*d.channels*d.depth + 7) / 8 }

// Next writes the next row, 3*width bytes of RGB, to dst. After the last
// row it reads the rest of the image data, so that the last call fails for
// a damaged stream. Errors: a FormatError for damaged data, an error
// wrapping io.ErrUnexpectedEOF when the data ends early, ctx.Err() when the
// context is done.
func (d *Decoder) Next(dst []uint8) error {
	if d.y >= d.h {
		return errors.New("pngrows: no more rows")
	}
	if d.y%16 == 0 {
		if err := d.ctx.Err(); err != nil {
			return err
		}
	}
	if d.interlaced {
		if d.whole == nil {
			if err := d.readInterlaced(); err != nil {
				return err
			}
		}
		d.wholeRow(d.y, dst)
	} else {
		if err := d.readRow(d.w); err != nil {
			return err
		}
		d.convert(d.cur, d.w, func(x int, r, g, b uint8) {
			dst[3*x], dst[3*x+1], dst[3*x+2] = r, g, b
		})
	}
	d.y++
	if d.y == d.h {
		return d.finish()
	}
	return nil
}

// finish checks that the image data ends with the last row and its zlib
// checksum is right.
func (d *Decoder) finish() error {
	defer d.zc.Close()
	d.whole = nil // an interlaced image is done with
	var b [1]byte
	n, err := io.ReadFull(d.z, b[:])
	if n != 0 {
		return FormatError("too much pixel data")
	}
	if err != io.EOF {
		return fixEOF(err)
	}
	return nil
}

// readRow reads and unfilters the next row of w pixels into d.cur, keeping
// the previous one in d.prev.
func (d *Decoder) readRow(w int) error {
	n := d.rowBytes(w)
	d.cur, d.prev = d.prev[:n], d.cur[:n]
	var f [1]byte
	if _, err := io.ReadFull(d.z, f[:]); err != nil {
		return fixEOF(err)
	}
	if _, err := io.ReadFull(d.z, d.cur); err != nil {
		return fixEOF(err)
	}
	bpp := max(1, d.channels*d.depth/8)
	cur, prev := d.cur, d.prev
	switch f[0] {
	case 0:
	case 1: // sub
		for i := bpp; i < n; i++ {
			cur[i] += cur[i-bpp]
		}
	case 2: // up
		for i := range cur {
			cur[i] += prev[i]
		}
	case 3: // average
		for i := range bpp {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < n; i++ {
			cur[i] += uint8((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case 4: // Paeth
		for i := range bpp {
			cur[i] += prev[i]
		}
		for i := bpp; i < n; i++ {
			cur[i] += paeth(cur[i-bpp], prev[i], prev[i-bpp])
		}
	default:
		return FormatError("bad filter type")
	}
	return nil
}

func paeth(a, b, c uint8) uint8 {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sample returns sample i of the unfiltered row at the file's depth.
func (d *Decoder) sample(row []byte, i int) int {
	switch d.depth {
	case 8:
		return int(row[i])
	case 16:
		return int(row[2*i])<<8 | int(row[2*i+1])
	}
	per := 8 / d.depth
	shift := 8 - d.depth*(i%per+1)
	return int(row[i/per]>>shift) & (1<<d.depth - 1)
}

// convert calls put with each of the w pixels of an unfiltered row as 8-bit
// RGB composited on white.
func (d *Decoder) convert(row []byte, w int, put func(x int, r, g, b uint8)) {
	switch d.ctype {
	case ctPalette:
		for x := range w {
			p := &d.flat[d.sample(row, x)]
			put(x, p[0], p[1], p[2])
		}
	case ctGrey:
		for x := range w {
			v := d.sample(row, x)
			if d.trns && d.isKey(v, 0) {
				put(x, 0xFF, 0xFF, 0xFF)
				continue
			}
			g := d.to8(v)
			put(x, g, g, g)
		}
	case ctRGB:
		for x := range w {
			r, g, b := d.sample(row, 3*x), d.sample(row, 3*x+1), d.sample(row, 3*x+2)
			if d.trns && d.isKey(r, 0) && d.isKey(g, 1) && d.isKey(b, 2) {
				put(x, 0xFF, 0xFF, 0xFF)
				continue
			}
			put(x, d.to8(r), d.to8(g), d.to8(b))
		}
	case ctGreyAlpha:
		for x := range w {
			v, a := d.sample(row, 2*x), d.sample(row, 2*x+1)
			g := d.over(v, a)
			put(x, g, g, g)
		}
	case ctRGBA:
		for x := range w {
			a := d.sample(row, 4*x+3)
			put(x, d.over(d.sample(row, 4*x), a), d.over(d.sample(row, 4*x+1), a), d.over(d.sample(row, 4*x+2), a))
		}
	}
}

// isKey reports whether sample v of channel c is the tRNS colour key's. As
// in image/png, below 16 bits only the key's low byte counts, scaled up
// like a sample (wrapping) for depths under 8.
func (d *Decoder) isKey(v, c int) bool {
	if d.depth == 16 {
		return v == d.key[c]
	}
	return d.to8(v) == uint8(d.key[c]&0xFF*(255/(1<<d.depth-1)))
}

// to8 turns an opaque sample of the file's depth into 8 bits as image/png
// and color.Color do: low depths scaled up, 16 bits to the high byte.
func (d *Decoder) to8(v int) uint8 {
	switch d.depth {
	case 16:
		return uint8(v >> 8)
	case 8:
		return uint8(v)
	}
	return uint8(v * 255 / (1<<d.depth - 1))
}

// over composites a non-premultiplied sample v with alpha a (both at the
// file's depth, 8 or 16) on white.
func (d *Decoder) over(v, a int) uint8 {
	if d.depth == 16 {
		// As color.NRGBA64's RGBA() premultiplies, then white shows
		// through by 0xFFFF-a.
		return uint8((v*a/0xFFFF + 0xFFFF - a) >> 8)
	}
	return over8(uint8(v), uint8(a))
}

// over8 composites an 8-bit non-premultiplied sample on white, rounded.
func over8(v, a uint8) uint8 {
	return uint8((uint32(v)*uint32(a) + 255*(255-uint32(a)) + 127) / 255)
}

// The Adam7 passes: the first column and row and the steps between them.
var adam7 = [7]struct{ x0, y0, dx, dy int }{
	{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
}

// readInterlaced decodes the seven passes into d.whole: one byte per pixel
// for grey images, three for colour ones.
func (d *Decoder) readInterlaced() error {
	d.wholeColour = d.ctype != ctGrey && d.ctype != ctGreyAlpha
	ch := 1
	if d.wholeColour {
		ch = 3
	}
	d.whole = make([]uint8, d.w*d.h*ch)
	rows := 0
	for _, p := range adam7 {
		pw, ph := (d.w-p.x0+p.dx-1)/p.dx, (d.h-p.y0+p.dy-1)/p.dy
		if pw <= 0 || ph <= 0 {
			continue
		}
		// A pass starts afresh: its first row has no row above.
		clear(d.cur[:cap(d.cur)])
		clear(d.prev[:cap(d.prev)])
		for py := range ph {
			if rows++; rows%16 == 0 {
				if err := d.ctx.Err(); err != nil {
					return err
				}
			}
			if err := d.readRow(pw); err != nil {
				return err
			}
			y := p.y0 + py*p.dy
			line := d.whole[y*d.w*ch : (y+1)*d.w*ch]
			d.convert(d.cur, pw, func(x int, r, g, b uint8) {
				i := (p.x0 + x*p.dx) * ch
				if ch == 1 {
					line[i] = r
					return
				}
				line[i], line[i+1], line[i+2] = r, g, b
			})
		}
	}
	return nil
}

// wholeRow copies row y of d.whole to dst as RGB.
func (d *Decoder) wholeRow(y int, dst []uint8) {
	if d.wholeColour {
		copy(dst, d.whole[y*d.w*3:(y+1)*d.w*3])
		return
	}
	for x, v := range d.whole[y*d.w : (y+1)*d.w] {
		dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
	}
}

// idatReader reads the bodies of consecutive IDAT chunks as one stream.
type idatReader struct {
	data []byte
	pos  int    // the next chunk
	body []byte // what is left of the current one
	done bool
}

func (r *idatReader) Read(p []byte) (int, error) {
	for len(r.body) == 0 {
		if r.done {
			return 0, io.EOF
		}
		typ, body, next, err := chunk(r.data, r.pos)
		if err != nil {
			return 0, err
		}
		if typ != "IDAT" {
			r.done = true
			return 0, io.EOF
		}
		r.body, r.pos = body, next
	}
	n := copy(p, r.body)
	r.body = r.body[n:]
	return n, nil
}

// fixEOF turns the end of the data inside the image data into an error
// wrapping io.ErrUnexpectedEOF.
func fixEOF(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("png: the image data ends early: %w", io.ErrUnexpectedEOF)
	}
	return err
}
