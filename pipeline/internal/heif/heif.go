// Package heif reads what confmedia needs from the box structure of a HEIF
// file (ISO/IEC 23008-12, the container of an iPhone's HEIC photos) without
// decoding any image: the brand, the primary image's size, its rotation and
// mirroring, and where its Exif and XMP metadata items lie. It reads only
// the boxes before the image data, and bounds every length it is given.
package heif

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxMeta bounds the size of the meta box: real ones take a few kilobytes,
// a grid of a 48 MP phone photo some tens.
const MaxMeta = 4 << 20

// maxBoxes bounds the top-level boxes read before the meta box.
const maxBoxes = 64

// Kind is what the brands of a file say it is.
type Kind int

const (
	NotHEIF Kind = iota
	HEIC         // HEVC-coded HEIF: what phones and cameras write
	AVIF         // AV1-coded HEIF, which confmedia does not take
)

var heicBrands = map[string]bool{"heic": true, "heix": true, "hevc": true, "hevx": true, "heim": true, "heis": true}

// Sniff tells from the first bytes of a file (its ftyp box) whether it is a
// HEIF file and of which kind. A generic major brand (mif1, msf1) is decided
// by the compatible brands that follow it in head.
func Sniff(head []byte) Kind {
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return NotHEIF
	}
	major := string(head[8:12])
	switch {
	case heicBrands[major]:
		return HEIC
	case major == "avif" || major == "avis":
		return AVIF
	case major != "mif1" && major != "msf1":
		return NotHEIF
	}
	n := int(binary.BigEndian.Uint32(head))
	if n > len(head) {
		n = len(head)
	}
	for i := 16; i+4 <= n; i += 4 {
		switch b := string(head[i : i+4]); {
		case heicBrands[b]:
			return HEIC
		case b == "avif" || b == "avis":
			return AVIF
		}
	}
	return HEIC // mif1 alone: libheif decides by the item's coding
}

// Extent is a run of bytes of an item, at an offset in the file.
type Extent struct{ Offset, Length int64 }

// File is what the boxes before the image data say.
type File struct {
	Width, Height int // the primary image as coded (ispe), before rotation
	// Rotation is the anticlockwise quarter turns (irot) a reader applies
	// to the primary image; Mirrored that it is mirrored (imir) too.
	Rotation int
	Mirrored bool
	// Channels and BitDepth are from the pixi property: 3 and 8 when absent.
	Channels, BitDepth int
	Exif, XMP          []Extent // the primary image's metadata items; nil when absent
	// Idat holds the meta box's idat payload, which extents of
	// construction method 1 point into (offsets are then within it).
	Idat     []byte
	ExifIdat bool // Exif's extents are within Idat
	XMPIdat  bool
}

// Transformed reports whether a reader turns or mirrors the primary image.
func (f File) Transformed() bool { return f.Rotation != 0 || f.Mirrored }

// ErrNotHEIF is returned by Parse for a file that does not start with a
// HEIF ftyp box.
var ErrNotHEIF = errors.New("not a HEIF file")

// Parse reads the boxes of a HEIF file from r up to and including the meta
// box. It fails when there is no meta box, no primary image or no size for
// it, or a box is malformed.
func Parse(r io.Reader) (File, error) {
	br := &countReader{r: r}
	for i := 0; i < maxBoxes; i++ {
		typ, body, size, err := nextBox(br)
		if err != nil {
			if i > 0 && errors.Is(err, io.EOF) {
				return File{}, errors.New("no meta box")
			}
			return File{}, err
		}
		if i == 0 && typ != "ftyp" {
			return File{}, ErrNotHEIF
		}
		switch typ {
		case "ftyp":
			if _, err := readBody(body, size, 4096); err != nil {
				return File{}, err
			}
		case "meta":
			b, err := readBody(body, size, MaxMeta)
			if err != nil {
				return File{}, err
			}
			return parseMeta(b)
		default:
			if size < 0 {
				return File{}, errors.New("no meta box before the image data")
			}
			if _, err := io.CopyN(io.Discard, body, size); err != nil {
				return File{}, fmt.Errorf("box %q: %w", typ, truncated(err))
			}
		}
	}
	return File{}, errors.New("no meta box among the first boxes")
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// nextBox reads a box header and returns its type, a reader of its body and
// the body's size (-1: to the end of the file).
func nextBox(r io.Reader) (string, io.Reader, int64, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "", nil, 0, err
		}
		return "", nil, 0, err
	}
	size, typ := int64(binary.BigEndian.Uint32(h[:])), string(h[4:])
	hdr := int64(8)
	switch size {
	case 0:
		return typ, r, -1, nil
	case 1:
		var l [8]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return "", nil, 0, truncated(err)
		}
		size, hdr = int64(binary.BigEndian.Uint64(l[:])), 16
	}
	if size < hdr {
		return "", nil, 0, fmt.Errorf("box %q: bad size %d", typ, size)
	}
	return typ, r, size - hdr, nil
}

func readBody(r io.Reader, size int64, limit int64) ([]byte, error) {
	if size < 0 || size > limit {
		return nil, fmt.Errorf("box of %d bytes is over the %d byte limit", size, limit)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, truncated(err)
	}
	return b, nil
}

// boxes splits b into its child boxes, calling fn for each.
func boxes(b []byte, fn func(typ string, body []byte) error) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return errors.New("truncated box")
		}
		size, typ, hdr := uint64(binary.BigEndian.Uint32(b)), string(b[4:8]), uint64(8)
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return errors.New("truncated box")
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < hdr || size > uint64(len(b)) {
			return fmt.Errorf("box %q: bad size %d", typ, size)
		}
		if err := fn(typ, b[hdr:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}

// cursor reads big-endian fields, remembering the first overrun.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) n(k int) uint64 {
	if k == 0 {
		return 0
	}
	if k > len(c.b) || k > 8 {
		c.bad, c.b = true, nil
		return 0
	}
	var v uint64
	for _, x := range c.b[:k] {
		v = v<<8 | uint64(x)
	}
	c.b = c.b[k:]
	return v
}

func (c *cursor) str() string {
	i := bytes.IndexByte(c.b, 0)
	if i < 0 {
		s := string(c.b)
		c.b = nil
		return s
	}
	s := string(c.b[:i])
	c.b = c.b[i+1:]
	return s
}

type item struct {
	typ, contentType string
	method           int
	extents          []Extent
}

func parseMeta(b []byte) (File, error) {
	if len(b) < 4 {
		return File{}, errors.New("meta box: truncated")
	}
	var (
		f       File
		primary = -1
		items   = map[uint64]*item{}
		props   [][2]any // type, body
		assoc   = map[uint64][]int{}
		refs    = map[uint64][]uint64{} // cdsc: metadata item -> the items it describes
	)
	get := func(id uint64) *item {
		if items[id] == nil {
			items[id] = &item{}
		}
		return items[id]
	}
	err := boxes(b[4:], func(typ string, body []byte) error {
		c := &cursor{b: body}
		switch typ {
		case "pitm":
			v := c.n(1)
			c.n(3)
			if v == 0 {
				primary = int(c.n(2))
			} else {
				primary = int(c.n(4))
			}
		case "iinf":
			v := c.n(1)
			c.n(3)
			if v == 0 {
				c.n(2)
			} else {
				c.n(4)
			}
			return boxes(c.b, func(typ string, body []byte) error {
				if typ != "infe" {
					return nil
				}
				e := &cursor{b: body}
				v := e.n(1)
				e.n(3)
				if v < 2 {
					return nil
				}
				var id uint64
				if v == 2 {
					id = e.n(2)
				} else {
					id = e.n(4)
				}
				e.n(2)
				it := get(id)
				it.typ = string(e.b[:min(4, len(e.b))])
				e.n(4)
				e.str() // name
				if it.typ == "mime" {
					it.contentType = e.str()
				}
				return nil
			})
		case "iloc":
			return parseIloc(c, get)
		case "idat":
			f.Idat = body
		case "iref":
			v := c.n(1)
			c.n(3)
			w := 2
			if v != 0 {
				w = 4
			}
			return boxes(c.b, func(typ string, body []byte) error {
				e := &cursor{b: body}
				from := e.n(w)
				n := int(e.n(2))
				for i := 0; i < n && !e.bad; i++ {
					if typ == "cdsc" {
						refs[from] = append(refs[from], e.n(w))
					} else {
						e.n(w)
					}
				}
				return nil
			})
		case "iprp":
			return boxes(body, func(typ string, body []byte) error {
				switch typ {
				case "ipco":
					return boxes(body, func(typ string, body []byte) error {
						props = append(props, [2]any{typ, body})
						return nil
					})
				case "ipma":
					return parseIpma(&cursor{b: body}, assoc)
				}
				return nil
			})
		}
		if c.bad {
			return fmt.Errorf("box %q: truncated", typ)
		}
		return nil
	})
	if err != nil {
		return File{}, fmt.Errorf("meta box: %w", err)
	}
	if primary < 0 {
		return File{}, errors.New("no primary image")
	}
	f.Channels, f.BitDepth = 3, 8
	for _, i := range assoc[uint64(primary)] {
		if i < 1 || i > len(props) {
			continue
		}
		typ, body := props[i-1][0].(string), props[i-1][1].([]byte)
		c := &cursor{b: body}
		switch typ {
		case "ispe":
			c.n(4)
			f.Width, f.Height = int(c.n(4)), int(c.n(4))
		case "irot":
			f.Rotation = int(c.n(1) & 3)
		case "imir":
			f.Mirrored = true
		case "pixi":
			c.n(4)
			if n := int(c.n(1)); n > 0 && !c.bad {
				f.Channels, f.BitDepth = n, int(c.n(1))
			}
		}
		if c.bad {
			return File{}, fmt.Errorf("property %q: truncated", typ)
		}
	}
	if f.Width <= 0 || f.Height <= 0 {
		return File{}, errors.New("the primary image has no size (ispe)")
	}
	for id, to := range refs {
		it := items[id]
		if it == nil || !describes(to, uint64(primary)) {
			continue
		}
		switch {
		case it.typ == "Exif" && f.Exif == nil:
			f.Exif, f.ExifIdat = it.extents, it.method == 1
		case it.typ == "mime" && it.contentType == "application/rdf+xml" && f.XMP == nil:
			f.XMP, f.XMPIdat = it.extents, it.method == 1
		}
	}
	return f, nil
}

func describes(to []uint64, id uint64) bool {
	for _, t := range to {
		if t == id {
			return true
		}
	}
	return false
}

func parseIloc(c *cursor, get func(uint64) *item) error {
	v := c.n(1)
	c.n(3)
	x := c.n(1)
	offSize, lenSize := int(x>>4), int(x&15)
	x = c.n(1)
	baseSize, idxSize := int(x>>4), int(x&15)
	if v == 0 {
		idxSize = 0
	}
	var count uint64
	if v < 2 {
		count = c.n(2)
	} else {
		count = c.n(4)
	}
	for i := uint64(0); i < count && !c.bad; i++ {
		var id uint64
		if v < 2 {
			id = c.n(2)
		} else {
			id = c.n(4)
		}
		it := get(id)
		if v >= 1 {
			it.method = int(c.n(2) & 15)
		}
		c.n(2) // data reference index
		base := c.n(baseSize)
		n := c.n(2)
		for j := uint64(0); j < n && !c.bad; j++ {
			c.n(idxSize)
			off, l := c.n(offSize), c.n(lenSize)
			if off > 1<<62 || l > 1<<62 || base > 1<<62 {
				return errors.New("iloc: extent out of range")
			}
			it.extents = append(it.extents, Extent{Offset: int64(base + off), Length: int64(l)})
		}
	}
	if c.bad {
		return errors.New("iloc: truncated")
	}
	return nil
}

func parseIpma(c *cursor, assoc map[uint64][]int) error {
	v := c.n(1)
	flags := c.n(3)
	n := c.n(4)
	for i := uint64(0); i < n && !c.bad; i++ {
		var id uint64
		if v < 1 {
			id = c.n(2)
		} else {
			id = c.n(4)
		}
		k := int(c.n(1))
		for j := 0; j < k && !c.bad; j++ {
			if flags&1 != 0 {
				assoc[id] = append(assoc[id], int(c.n(2)&0x7FFF))
			} else {
				assoc[id] = append(assoc[id], int(c.n(1)&0x7F))
			}
		}
	}
	if c.bad {
		return errors.New("ipma: truncated")
	}
	return nil
}

// Bytes returns the bytes of extents from data (the whole file) or, when
// inIdat, from idat. It fails when an extent lies outside them or the total
// is over limit.
func Bytes(data, idat []byte, extents []Extent, inIdat bool, limit int) ([]byte, error) {
	src := data
	if inIdat {
		src = idat
	}
	var out []byte
	for _, e := range extents {
		if e.Length == 0 { // to the end
			e.Length = int64(len(src)) - e.Offset
		}
		if e.Offset < 0 || e.Length < 0 || e.Offset > int64(len(src)) || e.Length > int64(len(src))-e.Offset {
			return nil, errors.New("item data lies outside the file")
		}
		if len(out)+int(e.Length) > limit {
			return nil, fmt.Errorf("item of over %d bytes", limit)
		}
		out = append(out, src[e.Offset:e.Offset+e.Length]...)
	}
	return out, nil
}
