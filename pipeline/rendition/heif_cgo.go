//go:build cgo && !purego

package rendition

// #cgo LDFLAGS: -lheif
// #include <stdio.h>
// #include <stdlib.h>
// #include <string.h>
// #include <stdint.h>
// #include <libheif/heif.h>
//
// typedef struct {
// 	int width, height, stride;
// 	const uint8_t *plane;
// 	struct heif_image *img;
// 	uint8_t *profile;
// 	size_t profile_len;
// 	char msg[256];
// } cm_heif;
//
// enum { CM_HEIF_OK = 0, CM_HEIF_ERROR = 1, CM_HEIF_TOO_LARGE = 2 };
//
// static int cm_heif_fail(cm_heif *o, struct heif_error err) {
// 	snprintf(o->msg, sizeof o->msg, "%s", err.message ? err.message : "libheif failed");
// 	return CM_HEIF_ERROR;
// }
//
// // cm_heif_decode decodes the primary image of the HEIF file data with
// // its transformations (irot, imir, clap) applied, to interleaved 8-bit
// // RGB, after checking its size against max_side and max_pixels. The
// // file is not referenced after it returns; o->img holds the pixels until
// // heif_image_release.
// static int cm_heif_decode(const void *data, size_t n, int max_side, int64_t max_pixels, cm_heif *o) {
// 	memset(o, 0, sizeof *o);
// 	struct heif_context *ctx = heif_context_alloc();
// 	if (!ctx) { snprintf(o->msg, sizeof o->msg, "out of memory"); return CM_HEIF_ERROR; }
// 	heif_context_set_maximum_image_size_limit(ctx, max_side);
// 	struct heif_image_handle *h = NULL;
// 	int rc = CM_HEIF_OK;
// 	struct heif_error err = heif_context_read_from_memory_without_copy(ctx, data, n, NULL);
// 	if (err.code == heif_error_Ok) err = heif_context_get_primary_image_handle(ctx, &h);
// 	if (err.code != heif_error_Ok) { rc = cm_heif_fail(o, err); goto done; }
// 	o->width = heif_image_handle_get_width(h);
// 	o->height = heif_image_handle_get_height(h);
// 	if (o->width <= 0 || o->height <= 0 || o->width > max_side || o->height > max_side ||
// 	    (int64_t)o->width * o->height > max_pixels) { rc = CM_HEIF_TOO_LARGE; goto done; }
// 	enum heif_color_profile_type pt = heif_image_handle_get_color_profile_type(h);
// 	if (pt == heif_color_profile_type_prof || pt == heif_color_profile_type_rICC) {
// 		size_t pn = heif_image_handle_get_raw_color_profile_size(h);
// 		if (pn > 0 && pn <= (4 << 20) && (o->profile = malloc(pn)) != NULL) {
// 			if (heif_image_handle_get_raw_color_profile(h, o->profile).code == heif_error_Ok) o->profile_len = pn;
// 		}
// 	}
// 	struct heif_decoding_options *opt = heif_decoding_options_alloc();
// 	opt->ignore_transformations = 0;
// 	opt->convert_hdr_to_8bit = 1;
// 	opt->strict_decoding = 1;
// 	err = heif_decode_image(h, &o->img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, opt);
// 	heif_decoding_options_free(opt);
// 	if (err.code != heif_error_Ok) { rc = cm_heif_fail(o, err); goto done; }
// 	o->width = heif_image_get_width(o->img, heif_channel_interleaved);
// 	o->height = heif_image_get_height(o->img, heif_channel_interleaved);
// 	o->plane = heif_image_get_plane_readonly(o->img, heif_channel_interleaved, &o->stride);
// 	if (!o->plane || heif_image_get_bits_per_pixel_range(o->img, heif_channel_interleaved) != 8) {
// 		snprintf(o->msg, sizeof o->msg, "libheif returned no 8-bit RGB image");
// 		rc = CM_HEIF_ERROR;
// 	}
// done:
// 	if (rc != CM_HEIF_OK) {
// 		if (o->img) heif_image_release(o->img);
// 		free(o->profile);
// 		o->img = NULL; o->profile = NULL; o->plane = NULL;
// 	}
// 	if (h) heif_image_handle_release(h);
// 	heif_context_free(ctx);
// 	return rc;
// }
//
// static void cm_heif_release(cm_heif *o) {
// 	if (o->img) heif_image_release(o->img);
// 	free(o->profile);
// 	o->img = NULL; o->profile = NULL; o->plane = NULL;
// }
import "C"

import (
	"context"
	"errors"
	"io"
	"unsafe"
)

const heifSupported = true

// decodeHEIF decodes the primary image of a HEIF file with libheif, which
// applies its container's rotation, mirroring and crop: the pixels come out
// upright and the image's EXIF orientation must not be applied again. libheif
// checks the size against MaxSide and maxPixels before decoding. Decoding
// cannot be interrupted: ctx is checked before and after.
func decodeHEIF(ctx context.Context, data []byte, maxPixels int64) (*heifImage, error) {
	if len(data) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := (*C.cm_heif)(C.calloc(1, C.sizeof_cm_heif))
	if o == nil {
		return nil, errors.New("out of memory")
	}
	rc := C.cm_heif_decode(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(MaxSide), C.int64_t(maxPixels), o)
	switch rc {
	case C.CM_HEIF_TOO_LARGE:
		w, h := int(o.width), int(o.height)
		C.free(unsafe.Pointer(o))
		return nil, heifTooLarge{w, h}
	case C.CM_HEIF_ERROR:
		msg := C.GoString(&o.msg[0])
		C.free(unsafe.Pointer(o))
		return nil, errors.New("libheif: " + msg)
	}
	w, h, stride := int(o.width), int(o.height), int(o.stride)
	plane := unsafe.Slice((*byte)(unsafe.Pointer(o.plane)), stride*(h-1)+3*w)
	img := &heifImage{
		w: w, h: h,
		read: func(y int, dst []uint8) error {
			copy(dst, plane[y*stride:y*stride+3*w])
			return nil
		},
		close: func() {
			C.cm_heif_release(o)
			C.free(unsafe.Pointer(o))
		},
	}
	if o.profile_len > 0 {
		img.profile = C.GoBytes(unsafe.Pointer(o.profile), C.int(o.profile_len))
	}
	if err := ctx.Err(); err != nil {
		img.close()
		return nil, err
	}
	return img, nil
}
