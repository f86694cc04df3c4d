//go:build !cgo || purego

package rendition

import "context"

const heifSupported = false

// decodeHEIF is not available without cgo: DecodesHEIF reports false and
// develop refuses HEIF before calling it.
func decodeHEIF(ctx context.Context, data []byte, maxPixels int64) (*heifImage, error) {
	return nil, heifUnsupported("rendition.Render")
}
