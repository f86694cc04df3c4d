//go:build cgo && !purego

package rendition

// #cgo LDFLAGS: -ljpeg
// #include <stdlib.h>
// #include "libjpeg.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// decodeJPEG decodes a JPEG with libjpeg-turbo, scaled down in the DCT
// domain by the smallest factor (in eighths) that keeps it at least needW x
// needH: most of the cost of a large photo is avoided there. Corrupt image
// data is an error, never a grey patch. CMYK and YCCK JPEGs go to image/jpeg.
// A JPEG of more than maxScans scans is a scanLimitError; once ctx is done
// decoding stops with ctx.Err().
func decodeJPEG(ctx context.Context, data []byte, needW, needH, maxScans int) (*pixels, error) {
	// Counting takes microseconds; libjpeg would only stop at the first
	// scan over, after decoding all the others.
	if countScans(data, maxScans) > maxScans {
		return nil, scanLimitError{maxScans}
	}
	return decodeLibjpeg(ctx, data, needW, needH, maxScans)
}

// decodeLibjpeg is decodeJPEG without counting the scans first: libjpeg's
// progress monitor stops at the first scan over maxScans.
func decodeLibjpeg(ctx context.Context, data []byte, needW, needH, maxScans int) (*pixels, error) {
	if len(data) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	var h C.cm_header
	p := (*C.uchar)(unsafe.Pointer(&data[0]))
	rc := C.cm_jpeg_header(p, C.size_t(len(data)), C.int(needW), C.int(needH), &h)
	if rc == C.CM_UNSUPPORTED {
		return decodeStdJPEG(ctx, data, needW, needH, maxScans)
	}
	if err := libjpegError(rc, &h); err != nil {
		return nil, err
	}
	out := newPixels(int(h.out_width), int(h.out_height))

	// The decoder watches a flag in C memory, which ctx ending sets.
	cancel := (*C.int)(C.calloc(1, C.sizeof_int))
	if cancel == nil {
		releaseAll(out)
		return nil, errors.New("out of memory")
	}
	defer C.free(unsafe.Pointer(cancel))
	set := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		C.cm_cancel(cancel)
		close(set)
	})
	rc = C.cm_jpeg_decode(p, C.size_t(len(data)), h.scale, (*C.uint64_t)(unsafe.Pointer(&out.buf[0])), C.size_t(out.stride),
		C.int(maxScans), cancel, &h)
	if !stop() {
		<-set // the flag is not freed under cm_cancel
	}
	switch rc {
	case C.CM_TOO_MANY_SCANS:
		releaseAll(out)
		return nil, scanLimitError{maxScans}
	case C.CM_CANCELLED:
		releaseAll(out)
		return nil, ctx.Err()
	}
	if err := libjpegError(rc, &h); err != nil {
		releaseAll(out)
		return nil, err
	}
	return out, nil
}

// libjpegError turns a return code and message into an error, nil for
// CM_OK. A truncated stream wraps io.ErrUnexpectedEOF.
func libjpegError(rc C.int, h *C.cm_header) error {
	msg := C.GoString(&h.msg[0])
	if msg != "" {
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	switch rc {
	case C.CM_OK:
		return nil
	case C.CM_TRUNCATED:
		return fmt.Errorf("%s: %w", msg, io.ErrUnexpectedEOF)
	}
	if msg == "" {
		msg = "libjpeg failed"
	}
	return errors.New(msg)
}

// encodeJPEG encodes m with libjpeg-turbo as a baseline 4:2:0 JPEG with the
// metadata segments right after SOI.
func encodeJPEG(m *pixels, quality int, segments []byte) ([]byte, error) {
	var (
		out    *C.uchar
		outLen C.ulong
		msg    [200]C.char
		seg    *C.uchar
	)
	if len(segments) > 0 {
		seg = (*C.uchar)(unsafe.Pointer(&segments[0]))
	}
	src := (*C.uint64_t)(unsafe.Pointer(&m.buf[m.off]))
	rc := C.cm_jpeg_encode(src, C.int(m.w), C.int(m.h), C.size_t(m.stride), C.int(quality),
		seg, C.size_t(len(segments)), &out, &outLen, &msg[0])
	if rc != C.CM_OK {
		return nil, fmt.Errorf("libjpeg: %s", C.GoString(&msg[0]))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(outLen)), nil
}
