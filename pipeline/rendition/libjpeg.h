//go:build cgo && !purego

// The C side of the libjpeg-turbo decoder and encoder (libjpeg.go): plain
// functions that never abort the process, whatever the input.

#ifndef CONFMEDIA_LIBJPEG_H
#define CONFMEDIA_LIBJPEG_H

#include <stddef.h>
#include <stdint.h>

// Return codes.
enum {
	CM_OK = 0,
	CM_ERROR = 1,       // libjpeg failed; msg says why
	CM_TRUNCATED = 2,   // the data ends before the image does
	CM_UNSUPPORTED = 3, // a colour space this decoder leaves to image/jpeg
	CM_TOO_MANY_SCANS = 4, // more scans than the caller allows
	CM_CANCELLED = 5,      // *cancel became non-zero
};

// cm_header is what cm_jpeg_header learns, and the message of a failure.
typedef struct {
	int width, height;         // stored size
	int scale;                 // chosen DCT scale, in eighths (1..8)
	int out_width, out_height; // size once decoded at that scale
	char msg[200];
} cm_header;

// cm_jpeg_header reads the header of the JPEG stream data and chooses the
// smallest scale (in eighths) at which the decoded image is at least
// need_w x need_h, or 8/8 when none is smaller.
int cm_jpeg_header(const unsigned char *data, size_t len, int need_w, int need_h, cm_header *h);

// cm_jpeg_decode decodes data at scale/8 into dst, h->out_width x
// h->out_height packed RGB pixels, row after row with stride pixels between
// rows. Any corrupt-data warning is an error. It stops with
// CM_TOO_MANY_SCANS when the input has more than max_scans scans, and with
// CM_CANCELLED soon after *cancel becomes non-zero (set it with cm_cancel
// from another thread).
int cm_jpeg_decode(const unsigned char *data, size_t len, int scale, uint64_t *dst, size_t stride,
	int max_scans, const int *cancel, cm_header *h);

// cm_cancel sets *flag, which a running cm_jpeg_decode watches.
void cm_cancel(int *flag);

// cm_jpeg_encode encodes w x h packed RGB pixels (stride pixels between rows)
// as a baseline 4:2:0 JPEG of the given quality, with the already encoded
// marker segments segs written right after SOI and no JFIF header. *out is
// allocated with malloc: the caller frees it.
int cm_jpeg_encode(const uint64_t *src, int w, int h, size_t stride, int quality,
	const unsigned char *segs, size_t seglen, unsigned char **out, unsigned long *outlen, char *msg);

#endif
