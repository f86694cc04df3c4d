//go:build cgo && !purego

package rendition

// #cgo LDFLAGS: -ljpeg
// #include <stdlib.h>
// #include "libjpeg.h"
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"strings"
	"unsafe"
)

// decodeJPEG decodes a JPEG with libjpeg-turbo, scaled down in the DCT
// domain by the smallest factor (in eighths) that keeps it at least needW x
// needH: most of the cost of a large photo is avoided there. Corrupt image
// data is an error, never a grey patch. CMYK and YCCK JPEGs go to image/jpeg.
func decodeJPEG(data []byte, needW, needH int) (*pixels, error) {
	if len(data) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	var h C.cm_header
	p := (*C.uchar)(unsafe.Pointer(&data[0]))
	rc := C.cm_jpeg_header(p, C.size_t(len(data)), C.int(needW), C.int(needH), &h)
	if rc == C.CM_UNSUPPORTED {
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return fromImage(img, needW, needH), nil
	}
	if err := libjpegError(rc, &h); err != nil {
		return nil, err
	}
	out := newPixels(int(h.out_width), int(h.out_height))
	rc = C.cm_jpeg_decode(p, C.size_t(len(data)), h.scale, (*C.uint64_t)(unsafe.Pointer(&out.buf[0])), C.size_t(out.stride), &h)
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
