package exif

import (
	"bytes"
	"encoding/binary"

	"github.com/confmedia/confmedia/pipeline/internal/heif"
)

func isHEIF(data []byte) bool { return heif.Sniff(data[:min(len(data), 64)]) == heif.HEIC }

// scanHEIF finds the Exif and XMP items of a HEIF file's primary image. An
// Exif item starts with the offset of its TIFF header past those four bytes
// (usually 0; some writers put "Exif\0\0" there first). When the container
// turns or mirrors the image (irot, imir), which decoders apply, the EXIF
// orientation is not applied again: blocks.turned makes it 1.
func scanHEIF(data []byte, r *reader) blocks {
	var b blocks
	f, err := heif.Parse(bytes.NewReader(data))
	if err != nil {
		r.warn("heif", "%v", err)
		return b
	}
	b.turned = f.Transformed()
	if f.Exif != nil {
		item, err := heif.Bytes(data, f.Idat, f.Exif, f.ExifIdat, maxEXIF+4)
		switch {
		case err != nil:
			r.warn("heif", "exif item: %v", err)
		case len(item) < 4:
			r.warn("heif", "exif item is truncated")
		default:
			off := binary.BigEndian.Uint32(item)
			if uint64(off) > uint64(len(item)-4) {
				r.warn("heif", "exif item: TIFF header offset %d is past its end", off)
				break
			}
			b.exif = bytes.TrimPrefix(item[4+off:], []byte(exifHeader))
		}
	}
	if f.XMP != nil {
		item, err := heif.Bytes(data, f.Idat, f.XMP, f.XMPIdat, maxXMP)
		if err != nil {
			r.warn("heif", "xmp item: %v", err)
		} else {
			b.xmp = item
		}
	}
	return b
}
