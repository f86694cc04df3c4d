//go:build cgo && !purego

// libjpeg-turbo bindings: a JPEG decoder with DCT scaling that writes packed
// RGB pixels (see pixels.go: red in bits 0-20, green 21-41, blue 42-62) and
// an encoder that reads them. libjpeg reports fatal errors through
// error_exit, which must not return: here it jumps back to the function that
// called into libjpeg, which cleans up and returns an error code.

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "libjpeg.h"

#define LANE 21

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	int truncated;
	int stop;  // CM_TOO_MANY_SCANS or CM_CANCELLED when the progress monitor stopped decoding
	char *msg; // 200 bytes, the caller's
} cm_error;

static void cm_format(j_common_ptr c, char *msg) {
	char buf[JMSG_LENGTH_MAX];
	(*c->err->format_message)(c, buf);
	snprintf(msg, 200, "%s", buf);
}

static void cm_error_exit(j_common_ptr c) {
	cm_error *e = (cm_error *)c->err;
	cm_format(c, e->msg);
	longjmp(e->jump, 1);
}

// cm_emit_message turns the warnings that mean damaged image data into
// errors, and ignores trace messages and harmless warnings.
static void cm_emit_message(j_common_ptr c, int level) {
	cm_error *e = (cm_error *)c->err;
	if (level >= 0) {
		return;
	}
	switch (c->err->msg_code) {
	case JWRN_EXTRANEOUS_DATA: // stray bytes before a marker: cameras write them
	case JWRN_JFIF_MAJOR:
	case JWRN_ADOBE_XFORM:
	case JWRN_BOGUS_ICC: // the profile is read elsewhere
		c->err->num_warnings++;
		return;
	case JWRN_JPEG_EOF:
		e->truncated = 1;
		break;
	}
	cm_format(c, e->msg);
	longjmp(e->jump, 1);
}

static void cm_init_error(cm_error *e, char *msg) {
	jpeg_std_error(&e->pub);
	e->pub.error_exit = cm_error_exit;
	e->pub.emit_message = cm_emit_message;
	e->truncated = 0;
	e->stop = 0;
	e->msg = msg;
	msg[0] = 0;
}

// cm_progress watches a decode: libjpeg calls its monitor for every row of
// blocks read or output and at every scan, which is where a decode stops
// when it has too many scans (as djpeg -maxscans does) or is cancelled.
typedef struct {
	struct jpeg_progress_mgr pub;
	int max_scans;
	const int *cancel;
} cm_progress;

static void cm_stop(j_common_ptr c, int code) {
	cm_error *e = (cm_error *)c->err;
	e->stop = code;
	longjmp(e->jump, 1);
}

static void cm_progress_monitor(j_common_ptr c) {
	cm_progress *p = (cm_progress *)c->progress;
	j_decompress_ptr d = (j_decompress_ptr)c;
	if (p->max_scans > 0 && d->input_scan_number > p->max_scans) {
		cm_error *e = (cm_error *)c->err;
		snprintf(e->msg, 200, "more than %d scans", p->max_scans);
		cm_stop(c, CM_TOO_MANY_SCANS);
	}
	if (p->cancel != NULL && __atomic_load_n(p->cancel, __ATOMIC_RELAXED)) {
		cm_stop(c, CM_CANCELLED);
	}
}

void cm_cancel(int *flag) {
	__atomic_store_n(flag, 1, __ATOMIC_RELAXED);
}

// cm_start reads the header and sets up decoding to packable RGB.
static int cm_start(struct jpeg_decompress_struct *d, const unsigned char *data, size_t len, cm_header *h) {
	jpeg_mem_src(d, data, (unsigned long)len);
	jpeg_read_header(d, TRUE);
	h->width = (int)d->image_width;
	h->height = (int)d->image_height;
	switch (d->jpeg_color_space) {
	case JCS_GRAYSCALE:
	case JCS_YCbCr:
	case JCS_RGB:
		break;
	default:
		snprintf(h->msg, sizeof h->msg, "colour space %d", (int)d->jpeg_color_space);
		return CM_UNSUPPORTED;
	}
	d->out_color_space = JCS_RGB;
	d->scale_denom = 8;
	return CM_OK;
}

int cm_jpeg_header(const unsigned char *data, size_t len, int need_w, int need_h, cm_header *h) {
	struct jpeg_decompress_struct d;
	cm_error e;
	cm_init_error(&e, h->msg);
	d.err = &e.pub;
	jpeg_create_decompress(&d);
	cm_error *volatile ep = &e; // read from memory after a longjmp
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&d);
		return ep->truncated ? CM_TRUNCATED : CM_ERROR;
	}
	int rc = cm_start(&d, data, len, h);
	if (rc != CM_OK) {
		jpeg_destroy_decompress(&d);
		return rc;
	}
	h->scale = 8;
	for (int s = 1; s <= 8; s++) {
		d.scale_num = s;
		jpeg_calc_output_dimensions(&d);
		if ((int)d.output_width >= need_w && (int)d.output_height >= need_h) {
			h->scale = s;
			break;
		}
	}
	d.scale_num = h->scale;
	jpeg_calc_output_dimensions(&d);
	h->out_width = (int)d.output_width;
	h->out_height = (int)d.output_height;
	jpeg_destroy_decompress(&d);
	return CM_OK;
}

int cm_jpeg_decode(const unsigned char *data, size_t len, int scale, uint64_t *dst, size_t stride,
	int max_scans, const int *cancel, cm_header *h) {
	struct jpeg_decompress_struct d;
	cm_error e;
	cm_progress progress;
	JSAMPLE *volatile rows = NULL;
	cm_init_error(&e, h->msg);
	d.err = &e.pub;
	jpeg_create_decompress(&d);
	progress.pub.progress_monitor = cm_progress_monitor;
	progress.max_scans = max_scans;
	progress.cancel = cancel;
	d.progress = &progress.pub;
	cm_error *volatile ep = &e;
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&d);
		free(rows);
		if (ep->stop) {
			return ep->stop;
		}
		return ep->truncated ? CM_TRUNCATED : CM_ERROR;
	}
	int rc = cm_start(&d, data, len, h);
	if (rc != CM_OK) {
		jpeg_destroy_decompress(&d);
		return rc;
	}
	d.scale_num = scale;
	jpeg_start_decompress(&d);
	int w = (int)d.output_width, n = d.rec_outbuf_height;
	if (w != h->out_width || (int)d.output_height != h->out_height) {
		snprintf(h->msg, sizeof h->msg, "decoded size %dx%d, expected %dx%d",
			w, (int)d.output_height, h->out_width, h->out_height);
		jpeg_destroy_decompress(&d);
		return CM_ERROR;
	}
	rows = malloc((size_t)w * 3 * n);
	if (rows == NULL) {
		snprintf(h->msg, sizeof h->msg, "out of memory");
		jpeg_destroy_decompress(&d);
		return CM_ERROR;
	}
	JSAMPROW ptrs[16];
	for (int i = 0; i < n && i < 16; i++) {
		ptrs[i] = rows + (size_t)i * w * 3;
	}
	while (d.output_scanline < d.output_height) {
		int y = (int)d.output_scanline;
		int got = (int)jpeg_read_scanlines(&d, ptrs, n < 16 ? n : 16);
		for (int i = 0; i < got; i++) {
			const JSAMPLE *p = ptrs[i];
			uint64_t *o = dst + (size_t)(y + i) * stride;
			for (int x = 0; x < w; x++, p += 3) {
				o[x] = (uint64_t)p[0] | (uint64_t)p[1] << LANE | (uint64_t)p[2] << (2 * LANE);
			}
		}
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	free(rows);
	return CM_OK;
}

// cm_dest is a libjpeg destination writing to a buffer that grows with
// realloc, owned by the encoder until it succeeds.
typedef struct {
	struct jpeg_destination_mgr pub;
	unsigned char *buf;
	size_t cap;
} cm_dest;

static void cm_dest_init(j_compress_ptr c) {
	cm_dest *d = (cm_dest *)c->dest;
	d->pub.next_output_byte = d->buf;
	d->pub.free_in_buffer = d->cap;
}

static boolean cm_dest_grow(j_compress_ptr c) {
	cm_dest *d = (cm_dest *)c->dest;
	size_t used = d->cap; // libjpeg calls this when the buffer is full
	unsigned char *b = realloc(d->buf, d->cap * 2);
	if (b == NULL) {
		ERREXIT1(c, JERR_OUT_OF_MEMORY, 10);
	}
	d->buf = b;
	d->cap *= 2;
	d->pub.next_output_byte = b + used;
	d->pub.free_in_buffer = d->cap - used;
	return TRUE;
}

static void cm_dest_term(j_compress_ptr c) {
	(void)c;
}

int cm_jpeg_encode(const uint64_t *src, int w, int h, size_t stride, int quality,
	const unsigned char *segs, size_t seglen, unsigned char **out, unsigned long *outlen, char *msg) {
	struct jpeg_compress_struct c;
	cm_error e;
	cm_dest dest;
	JSAMPLE *volatile row = NULL;
	cm_init_error(&e, msg);
	c.err = &e.pub;
	*out = NULL;
	*outlen = 0;
	dest.cap = (size_t)w * h / 4 + seglen + 4096;
	dest.buf = malloc(dest.cap);
	row = malloc((size_t)w * 3);
	if (dest.buf == NULL || row == NULL) {
		snprintf(msg, 200, "out of memory");
		free(dest.buf);
		free(row);
		return CM_ERROR;
	}
	jpeg_create_compress(&c);
	cm_dest *volatile dp = &dest; // read from memory after a longjmp
	if (setjmp(e.jump)) {
		jpeg_destroy_compress(&c);
		free(row);
		free(dp->buf);
		return CM_ERROR;
	}
	dest.pub.init_destination = cm_dest_init;
	dest.pub.empty_output_buffer = cm_dest_grow;
	dest.pub.term_destination = cm_dest_term;
	c.dest = &dest.pub;
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c); // YCbCr, 4:2:0, baseline, standard Huffman tables
	jpeg_set_quality(&c, quality, TRUE);
	c.write_JFIF_header = FALSE;
	jpeg_start_compress(&c, TRUE);
	for (size_t i = 0; i + 4 <= seglen;) {
		size_t n = ((size_t)segs[i + 2] << 8 | segs[i + 3]);
		if (segs[i] != 0xFF || n < 2 || i + 2 + n > seglen) {
			ERREXIT(&c, JERR_BAD_LENGTH);
		}
		jpeg_write_marker(&c, segs[i + 1], segs + i + 4, (unsigned int)(n - 2));
		i += 2 + n;
	}
	JSAMPROW ptr = row;
	for (int y = 0; y < h; y++) {
		const uint64_t *s = src + (size_t)y * stride;
		JSAMPLE *p = row;
		for (int x = 0; x < w; x++, p += 3) {
			uint64_t v = s[x];
			p[0] = (JSAMPLE)(v & 0xFF);
			p[1] = (JSAMPLE)(v >> LANE & 0xFF);
			p[2] = (JSAMPLE)(v >> (2 * LANE) & 0xFF);
		}
		jpeg_write_scanlines(&c, &ptr, 1);
	}
	jpeg_finish_compress(&c);
	*out = dest.buf;
	*outlen = (unsigned long)(dest.cap - dest.pub.free_in_buffer);
	jpeg_destroy_compress(&c);
	free(row);
	return CM_OK;
}
