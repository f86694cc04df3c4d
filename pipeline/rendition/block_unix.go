//go:build unix

package rendition

import (
	"runtime"
	"syscall"
	"unsafe"
)

// newMapped maps a block of n pixels from the operating system, or returns
// nil when it cannot. A mapped block that is never given back is unmapped
// by the collector once unreachable.
func newMapped(n int) *block {
	mem, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	// Huge pages where the kernel offers them on request: a fraction of
	// the page faults. Refused where unsupported, which is harmless.
	_ = syscall.Madvise(mem, 14) // MADV_HUGEPAGE on Linux
	blk := &block{b: unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(mem))), n)}
	unmap := func(mem []byte) { _ = syscall.Munmap(mem) }
	c := runtime.AddCleanup(blk, unmap, mem)
	blk.unmap = func() {
		c.Stop()
		unmap(mem)
	}
	return blk
}
