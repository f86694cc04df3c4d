package rendition

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"io"
)

// scanLimitError is a decoder's refusal of a JPEG of more than limit scans.
type scanLimitError struct{ limit int }

func (e scanLimitError) Error() string { return fmt.Sprintf("more than %d scans", e.limit) }

// countScans counts the scans (SOS markers) of the JPEG stream jpg,
// stopping once there are more than limit: marker segments are skipped by
// their length, entropy-coded data up to the next marker, so an SOS inside
// metadata (an EXIF thumbnail) is not counted.
func countScans(jpg []byte, limit int) int {
	n := 0
	for i := 2; i+1 < len(jpg); {
		if jpg[i] != 0xFF {
			// Entropy-coded data: on to the next 0xFF.
			j := bytes.IndexByte(jpg[i:], 0xFF)
			if j < 0 {
				break
			}
			i += j
			continue
		}
		m := jpg[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
		case m == 0x00 || m == 0x01 || m == markerSOI || (m >= 0xD0 && m <= 0xD7):
			i += 2 // a stuffed byte or a marker with no segment
		case m == markerEOI:
			return n
		default:
			if m == markerSOS {
				if n++; n > limit {
					return n
				}
			}
			if i+4 > len(jpg) {
				return n
			}
			i += 2 + (int(jpg[i+2])<<8 | int(jpg[i+3]))
		}
	}
	return n
}

// decodeStdJPEG decodes a JPEG with image/jpeg, refusing one of more than
// maxScans scans (image/jpeg cannot be told a limit, so they are counted
// first) and stopping with ctx.Err() once ctx is done.
func decodeStdJPEG(ctx context.Context, data []byte, needW, needH, maxScans int) (*pixels, error) {
	if countScans(data, maxScans) > maxScans {
		return nil, scanLimitError{maxScans}
	}
	img, err := jpeg.Decode(ctxReader{ctx, bytes.NewReader(data)})
	if err != nil {
		return nil, err
	}
	return fromImage(img, needW, needH), nil
}

// ctxReader reads from r until ctx is done, then fails with ctx.Err(). It
// hands out at most 512 bytes a read, so that a decoder that spends long on
// few bytes (a progressive JPEG's tiny scans) still sees ctx often.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p[:min(len(p), 512)])
}
