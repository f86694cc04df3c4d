package jpegscale

// lutBits is how many bits of a code the lookup table resolves at once:
// nearly every code in a photo is shorter.
const lutBits = 9

// huffman is a decoding table.
type huffman struct {
	ok      bool
	lut     [1 << lutBits]uint16 // length<<8 | value, 0 for a longer code
	maxcode [17]int32            // the largest code of each length, -1 for none
	valptr  [17]int32            // index in vals of each length's first code, less that code
	vals    [256]uint8
	// fast resolves, for an AC table, a code and the coefficient bits
	// after it at once when together they fit in lutBits: the
	// coefficient<<8 | run<<4 | bits used, 0 otherwise.
	fast [1 << lutBits]int32
}

// build makes the table of a DHT segment: counts[i] codes of length i+1,
// for the values vals in order.
func (h *huffman) build(counts [16]int, vals []byte) error {
	*h = huffman{ok: true}
	copy(h.vals[:], vals)
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		h.maxcode[l] = -1
		if n > 0 {
			h.valptr[l] = int32(k) - code
			for range n {
				if code >= 1<<l {
					return FormatError("bad Huffman table")
				}
				if l <= lutBits {
					shift := lutBits - l
					base := code << shift
					for j := range int32(1) << shift {
						h.lut[base+j] = uint16(l)<<8 | uint16(vals[k])
					}
				}
				code++
				k++
			}
			h.maxcode[l] = code - 1
		}
		code <<= 1
	}
	for i, e := range h.lut {
		l, r, size := int(e>>8), int(e>>4&15), int(e&15)
		if e == 0 || size == 0 || l+size > lutBits {
			continue
		}
		v := int32(i>>(lutBits-l-size)) & (1<<size - 1)
		h.fast[i] = extend(v, size)<<8 | int32(r)<<4 | int32(l+size)
	}
	return nil
}

// decode reads one value coded with h.
func (h *huffman) decode(d *decoder) (uint8, error) {
	if d.nbits < 16 {
		d.fill()
	}
	if e := h.lut[d.acc>>(64-lutBits)]; e != 0 {
		l := int(e >> 8)
		d.acc <<= l
		d.nbits -= l
		return uint8(e), nil
	}
	return h.slow(d)
}

// slow reads a value whose code is longer than lutBits; d holds at least 16
// bits.
func (h *huffman) slow(d *decoder) (uint8, error) {
	code := int32(d.acc >> 48)
	for l := lutBits + 1; l <= 16; l++ {
		if c := code >> (16 - l); c <= h.maxcode[l] {
			d.acc <<= l
			d.nbits -= l
			return h.vals[h.valptr[l]+c], nil
		}
	}
	return 0, FormatError("bad Huffman code")
}
