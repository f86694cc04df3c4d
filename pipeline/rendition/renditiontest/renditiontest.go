// Package renditiontest writes the image files the rendition tests need,
// in code: PNGs of any colour type, bit depth and interlacing, streamed so
// that large ones never exist whole in memory, and progressive JPEGs of
// hundreds of scans.
package renditiontest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"math/bits"
)

// MaxScans is the most scans ProgressiveJPEG writes: a valid progression
// for one component, the DC coefficient and each AC coefficient in a band
// of its own, each first at point transform 13 and then refined bit by bit.
const MaxScans = 896

// PNGSpec describes a PNG for PNG.
type PNGSpec struct {
	W, H, Depth, ColorType int
	Interlaced             bool
	Palette                []byte // PLTE body
	TRNS                   []byte // tRNS body
	// Sample returns sample c of pixel (x, y), at the image's depth.
	Sample func(x, y, c int) int
}

func (p PNGSpec) channels() int {
	return map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[p.ColorType]
}

// PNG writes p with every filter type in turn, streaming its rows
// into zlib, so that large images never exist whole.
func PNG(p PNGSpec) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		b = append(append(b, typ...), body...)
		out.Write(binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:])))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(p.W))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(p.H))
	il := byte(0)
	if p.Interlaced {
		il = 1
	}
	chunk("IHDR", append(ihdr, byte(p.Depth), byte(p.ColorType), 0, 0, il))
	if p.Palette != nil {
		chunk("PLTE", p.Palette)
	}
	if p.TRNS != nil {
		chunk("tRNS", p.TRNS)
	}
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	ch := p.channels()
	bpp := max(1, ch*p.Depth/8)
	passes := [][4]int{{0, 0, 1, 1}}
	if p.Interlaced {
		passes = [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	}
	n := 0
	for _, ps := range passes {
		pw, ph := (p.W-ps[0]+ps[2]-1)/ps[2], (p.H-ps[1]+ps[3]-1)/ps[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		rowLen := (pw*ch*p.Depth + 7) / 8
		prev, cur, filtered := make([]byte, rowLen), make([]byte, rowLen), make([]byte, rowLen+1)
		for py := range ph {
			clear(cur)
			for x := range pw {
				for c := range ch {
					v := p.Sample(ps[0]+x*ps[2], ps[1]+py*ps[3], c)
					i := x*ch + c
					switch p.Depth {
					case 16:
						cur[2*i], cur[2*i+1] = byte(v>>8), byte(v)
					case 8:
						cur[i] = byte(v)
					default:
						per := 8 / p.Depth
						cur[i/per] |= byte(v << (8 - p.Depth*(i%per+1)))
					}
				}
			}
			f := n % 5
			n++
			filtered[0] = byte(f)
			for i := range cur {
				var a, b, c int
				if i >= bpp {
					a, c = int(cur[i-bpp]), int(prev[i-bpp])
				}
				b = int(prev[i])
				pred := 0
				switch f {
				case 1:
					pred = a
				case 2:
					pred = b
				case 3:
					pred = (a + b) / 2
				case 4:
					pred = int(paethTest(a, b, c))
				}
				filtered[i+1] = cur[i] - byte(pred)
			}
			z.Write(filtered)
			prev, cur = cur, prev
		}
	}
	z.Close()
	for b := idat.Bytes(); len(b) > 0; {
		n := min(len(b), 1<<16) // several IDAT chunks
		chunk("IDAT", b[:n])
		b = b[n:]
	}
	chunk("IEND", nil)
	return out.Bytes()
}

func paethTest(a, b, c int) int {
	p := a + b - c
	pa, pb, pc := p-a, p-b, p-c
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

// progressiveScript is a valid progression of MaxScans scans for one component:
// the DC coefficient and each AC coefficient in a band of its own, first at
// point transform 13, then refined bit by bit down to 0.
func progressiveScript() [][4]int {
	var s [][4]int // Ss, Se, Ah, Al
	s = append(s, [4]int{0, 0, 0, 13})
	for k := 1; k < 64; k++ {
		s = append(s, [4]int{k, k, 0, 13})
	}
	for al := 12; al >= 0; al-- {
		s = append(s, [4]int{0, 0, al + 1, al})
		for k := 1; k < 64; k++ {
			s = append(s, [4]int{k, k, al + 1, al})
		}
	}
	return s
}

// bitWriter writes entropy-coded data, stuffing a zero after each 0xFF.
type bitWriter struct {
	out   []byte
	acc   uint32
	nbits int
}

func (w *bitWriter) put(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | v>>i&1
		if w.nbits++; w.nbits == 8 {
			w.out = append(w.out, byte(w.acc))
			if byte(w.acc) == 0xFF {
				w.out = append(w.out, 0)
			}
			w.acc, w.nbits = 0, 0
		}
	}
}

func (w *bitWriter) flush() []byte {
	if w.nbits > 0 {
		w.put(1<<(8-w.nbits)-1, 8-w.nbits) // pad with ones
	}
	return w.out
}

// ProgressiveJPEG writes a w x h grey progressive JPEG of the first n scans
// of a valid progression (n <= MaxScans), every coefficient zero: it decodes to
// flat grey 128, and each scan takes a few bytes but a pass over every
// block.
func ProgressiveJPEG(w, h, n int) []byte {
	script := progressiveScript()[:n]
	b := []byte{0xFF, 0xD8}
	b = append(b, 0xFF, 0xDB, 0, 67, 0)
	for range 64 {
		b = append(b, 1)
	}
	b = append(b, 0xFF, 0xC2, 0, 11, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 1, 1, 0x11, 0)
	// DC table 0: category 0 only, code 0. AC table 0: the end-of-band
	// runs r<<4 (r = 0..14), codes of 4 bits in that order.
	b = append(b, 0xFF, 0xC4, 0, 2+17+1+17+15, 0x00, 1)
	b = append(b, make([]byte, 15)...)
	b = append(b, 0, 0x10, 0, 0, 0, 15)
	b = append(b, make([]byte, 12)...)
	for r := range 15 {
		b = append(b, byte(r<<4))
	}
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	for _, s := range script {
		b = append(b, 0xFF, 0xDA, 0, 8, 1, 1, 0x00, byte(s[0]), byte(s[1]), byte(s[2]<<4|s[3]))
		var bw bitWriter
		switch {
		case s[0] == 0: // DC: a zero difference (first) or a zero bit (refinement) a block
			for range blocks {
				bw.put(0, 1)
			}
		default: // AC: every block in end-of-band runs of at most 32767
			for left := blocks; left > 0; {
				run := min(left, 32767)
				r := bits.Len(uint(run)) - 1
				bw.put(uint32(r), 4)
				bw.put(uint32(run-1<<r), r)
				left -= run
			}
		}
		b = append(b, bw.flush()...)
	}
	return append(b, 0xFF, 0xD9)
}
