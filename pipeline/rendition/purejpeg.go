//go:build !cgo || purego

package rendition

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"

	"github.com/confmedia/confmedia/pipeline/rendition/internal/jpegscale"
)

// decodeJPEG decodes a JPEG scaled down in the DCT domain by the smallest
// factor (in eighths) that keeps it at least needW x needH (jpegscale), or,
// for JPEGs that package leaves aside (progressive, CMYK), with image/jpeg
// and box filtering. A JPEG of more than maxScans scans is a
// scanLimitError; once ctx is done decoding stops with ctx.Err().
func decodeJPEG(ctx context.Context, data []byte, needW, needH, maxScans int) (*pixels, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	m := 8
	for s := 1; s < 8; s++ {
		if w, h := jpegscale.Size(cfg.Width, cfg.Height, s); w >= needW && h >= needH {
			m = s
			break
		}
	}
	img, err := jpegscale.DecodeContext(ctx, data, m)
	if errors.Is(err, jpegscale.ErrUnsupported) {
		return decodeStdJPEG(ctx, data, needW, needH, maxScans)
	}
	if err != nil {
		return nil, err
	}
	return fromImage(img, needW, needH), nil
}

// encodeJPEG encodes m with image/jpeg (baseline, 4:2:0) and inserts the
// metadata segments right after SOI.
func encodeJPEG(m *pixels, quality int, segments []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(m.w*m.h/4 + 1024)
	if err := jpeg.Encode(&buf, m.rgba(), &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return insertAfterSOI(buf.Bytes(), segments)
}
