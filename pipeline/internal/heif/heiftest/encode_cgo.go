//go:build cgo && !purego

package heiftest

// #cgo LDFLAGS: -lheif
// #include <stdlib.h>
// #include <string.h>
// #include <stdint.h>
// #include <stdio.h>
// #include <libheif/heif.h>
//
// typedef struct { uint8_t *buf; size_t len; } cm_buf;
//
// static struct heif_error cm_write(struct heif_context *ctx, const void *data, size_t size, void *userdata) {
// 	cm_buf *b = userdata;
// 	struct heif_error e = { heif_error_Ok, heif_suberror_Unspecified, "ok" };
// 	uint8_t *n = realloc(b->buf, b->len + size);
// 	if (!n) { e.code = heif_error_Memory_allocation_error; e.message = "out of memory"; return e; }
// 	memcpy(n + b->len, data, size);
// 	b->buf = n; b->len += size;
// 	return e;
// }
//
// // cm_encode encodes the w x h interleaved RGB pixels rgb (stride 3w) as
// // HEVC at quality, with orientation (1..8) written as irot/imir, and
// // exif (when n_exif > 0) as the Exif item. 0 and out filled, or an error
// // message copied to msg.
// static int cm_encode(const uint8_t *rgb, int w, int h, int quality, int orientation,
// 		const uint8_t *exif, size_t n_exif, cm_buf *out, char *msg, size_t n_msg) {
// 	struct heif_context *ctx = heif_context_alloc();
// 	struct heif_encoder *enc = NULL;
// 	struct heif_image *img = NULL;
// 	struct heif_image_handle *handle = NULL;
// 	struct heif_encoding_options *opt = NULL;
// 	struct heif_error err = heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc);
// 	if (err.code) { heif_context_free(ctx); return 2; }
// 	heif_encoder_set_lossy_quality(enc, quality);
// 	err = heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img);
// 	if (err.code) goto fail;
// 	err = heif_image_add_plane(img, heif_channel_interleaved, w, h, 8);
// 	if (err.code) goto fail;
// 	int stride;
// 	uint8_t *p = heif_image_get_plane(img, heif_channel_interleaved, &stride);
// 	for (int y = 0; y < h; y++) memcpy(p + (size_t)y * stride, rgb + (size_t)y * 3 * w, 3 * (size_t)w);
// 	opt = heif_encoding_options_alloc();
// 	opt->image_orientation = (enum heif_orientation)orientation;
// 	err = heif_context_encode_image(ctx, img, enc, opt, &handle);
// 	if (err.code) goto fail;
// 	if (n_exif > 0) {
// 		err = heif_context_add_exif_metadata(ctx, handle, exif, (int)n_exif);
// 		if (err.code) goto fail;
// 	}
// 	struct heif_writer wr = { 1, cm_write };
// 	err = heif_context_write(ctx, &wr, out);
// 	if (err.code) goto fail;
// 	heif_image_handle_release(handle);
// 	heif_encoding_options_free(opt);
// 	heif_image_release(img);
// 	heif_encoder_release(enc);
// 	heif_context_free(ctx);
// 	return 0;
// fail:
// 	snprintf(msg, n_msg, "%s", err.message ? err.message : "libheif failed");
// 	if (handle) heif_image_handle_release(handle);
// 	if (opt) heif_encoding_options_free(opt);
// 	if (img) heif_image_release(img);
// 	if (enc) heif_encoder_release(enc);
// 	heif_context_free(ctx);
// 	free(out->buf);
// 	out->buf = NULL;
// 	return 1;
// }
import "C"

import (
	"errors"
	"image"
	"image/draw"
	"unsafe"
)

// Encode encodes img as a HEIC with libheif's HEVC encoder at quality
// (1..100). orientation 2..8 is written as the irot/imir transformation
// that shows img as a JPEG of that EXIF orientation would be shown; exif,
// when not nil, is the TIFF structure of an Exif item. It fails when
// libheif has no HEVC encoder (Debian's libheif1 has x265) with
// ErrNoEncoder.
func Encode(img image.Image, quality, orientation int, exif []byte) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	rgb := make([]byte, 0, 3*w*h)
	for i := 0; i < len(rgba.Pix); i += 4 {
		rgb = append(rgb, rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2])
	}
	if orientation < 1 || orientation > 8 {
		orientation = 1
	}
	var (
		out  C.cm_buf
		msg  [256]C.char
		ex   *C.uint8_t
		cRGB = C.CBytes(rgb)
	)
	defer C.free(cRGB)
	if len(exif) > 0 {
		p := C.CBytes(exif)
		defer C.free(p)
		ex = (*C.uint8_t)(p)
	}
	switch C.cm_encode((*C.uint8_t)(cRGB), C.int(w), C.int(h), C.int(quality), C.int(orientation),
		ex, C.size_t(len(exif)), &out, &msg[0], C.size_t(len(msg))) {
	case 0:
	case 2:
		return nil, ErrNoEncoder
	default:
		return nil, errors.New("heiftest: libheif: " + C.GoString(&msg[0]))
	}
	defer C.free(unsafe.Pointer(out.buf))
	return C.GoBytes(unsafe.Pointer(out.buf), C.int(out.len)), nil
}
