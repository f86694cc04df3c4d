package main

// #cgo pkg-config: vips
// #include <stdlib.h>
// #include <vips/vips.h>
//
// typedef struct {
// 	void *buf[3];
// 	size_t len[3];
// 	int w[3], h[3];
// } cv_result;
//
// static int cv_init(const char *argv0) {
// 	if (VIPS_INIT(argv0)) {
// 		return -1;
// 	}
// 	vips_concurrency_set(1); // one worker per photo; photos run in parallel
// 	vips_cache_set_max(0);
// 	return 0;
// }
//
// static int cv_save(VipsImage *in, int q, cv_result *r, int i) {
// 	r->w[i] = in->Xsize;
// 	r->h[i] = in->Ysize;
// 	return vips_jpegsave_buffer(in, &r->buf[i], &r->len[i], "Q", q, "strip", TRUE,
// 		"interlace", FALSE, "optimize_coding", FALSE,
// 		"subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON, NULL);
// }
//
// // cv_resize resizes in to exactly w x h with Lanczos3 into memory.
// static VipsImage *cv_resize(VipsImage *in, int w, int h) {
// 	VipsImage *t = NULL, *m;
// 	if (vips_resize(in, &t, (double)w / in->Xsize, "vscale", (double)h / in->Ysize,
// 			"kernel", VIPS_KERNEL_LANCZOS3, NULL)) {
// 		return NULL;
// 	}
// 	m = vips_image_copy_memory(t);
// 	g_object_unref(t);
// 	return m;
// }
//
// // cv_render makes large (shrink-on-load thumbnail, auto-rotated, held in
// // memory), medium (mw x mh, from large) and a side x side square cut from
// // medium at (sx, sy) with edge sq, as q JPEGs.
// static int cv_render(const void *buf, size_t len, int large, int mw, int mh,
// 		int sx, int sy, int sq, int side, int q, cv_result *r) {
// 	VipsImage *t = NULL, *l = NULL, *m = NULL, *c = NULL, *s = NULL;
// 	int rc = -1;
// 	if (vips_thumbnail_buffer((void *)buf, len, &t, large, "height", large, "size", VIPS_SIZE_DOWN, NULL)) {
// 		goto out;
// 	}
// 	if (!(l = vips_image_copy_memory(t)) || cv_save(l, q, r, 0)) {
// 		goto out;
// 	}
// 	if (!(m = cv_resize(l, mw, mh)) || cv_save(m, q, r, 1)) {
// 		goto out;
// 	}
// 	if (vips_extract_area(m, &c, sx, sy, sq, sq, NULL)) {
// 		goto out;
// 	}
// 	if (!(s = cv_resize(c, side, side)) || cv_save(s, q, r, 2)) {
// 		goto out;
// 	}
// 	rc = 0;
// out:
// 	if (t) g_object_unref(t);
// 	if (l) g_object_unref(l);
// 	if (m) g_object_unref(m);
// 	if (c) g_object_unref(c);
// 	if (s) g_object_unref(s);
// 	return rc;
// }
//
// static const char *cv_error(void) {
// 	return vips_error_buffer();
// }
//
// static void cv_error_clear(void) {
// 	vips_error_clear();
// }
import "C"

import (
	"errors"
	"os"
	"strings"
	"unsafe"
)

func vipsInit() error {
	argv0 := C.CString(os.Args[0])
	defer C.free(unsafe.Pointer(argv0))
	if C.cv_init(argv0) != 0 {
		return errors.New("cannot start libvips")
	}
	return nil
}

// vipsRender renders data the way confmedia does, with libvips: large
// (2048 long edge) by vips_thumbnail with shrink-on-load, held in memory;
// medium (1024) resized from large with Lanczos3; the 400 square cut from
// medium by confmedia's window rule and resized from it; all JPEG q85,
// 4:2:0, baseline, stripped.
func vipsRender(data []byte, p plan) ([3][]byte, error) {
	var r C.cv_result
	var out [3][]byte
	rc := C.cv_render(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(p.large),
		C.int(p.mw), C.int(p.mh), C.int(p.sx), C.int(p.sy), C.int(p.sq), C.int(p.side), C.int(p.quality), &r)
	for i := range out {
		if r.buf[i] != nil {
			out[i] = C.GoBytes(r.buf[i], C.int(r.len[i]))
			C.g_free(C.gpointer(r.buf[i]))
		}
	}
	if rc != 0 {
		msg := strings.TrimSpace(C.GoString(C.cv_error()))
		C.cv_error_clear()
		return out, errors.New("libvips: " + msg)
	}
	return out, nil
}
