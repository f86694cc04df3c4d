package rendition

import "sync/atomic"

// A block is the memory of a pixel buffer.
//
// Rendering a photo takes a few buffers of tens of megabytes. Where the
// system allows (block_unix.go) they are mapped outside the Go heap and
// unmapped as soon as they are done with, so that neither the collector's
// heap target (twice the live heap) nor an allocator's retention sets a
// worker's resident memory. Rendering 45 MP photos two at a time, peak RSS
// was 294-305 MiB this way, against 332-423 MiB with the buffers on the Go
// heap and 351-425 MiB keeping freed buffers in a pool for the next photo,
// which was no faster either (docs/BENCHMARKS.md).
type block struct {
	b     []uint64
	unmap func() // for a mapped block
}

// minMapped is the smallest block worth mapping, in pixels; smaller ones
// come from the Go heap.
const minMapped = 1 << 14

// outstanding counts the blocks taken and not yet given back, for tests.
var outstanding atomic.Int64

// getBlock returns a block of n pixels, whose contents are undefined.
func getBlock(n int) *block {
	outstanding.Add(1)
	if n >= minMapped {
		if blk := newMapped(n); blk != nil {
			return blk
		}
	}
	return &block{b: make([]uint64, n)}
}

// putBlock gives blk back. Neither blk nor its memory may be used afterwards.
func putBlock(blk *block) {
	outstanding.Add(-1)
	if blk.unmap != nil {
		blk.unmap()
	}
	blk.b, blk.unmap = nil, nil
}
