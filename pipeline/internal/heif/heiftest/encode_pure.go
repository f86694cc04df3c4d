//go:build !cgo || purego

package heiftest

import "image"

// Encode needs libheif: in the pure-Go build it always fails with
// ErrNoEncoder.
func Encode(img image.Image, quality, orientation int, exif []byte) ([]byte, error) {
	return nil, ErrNoEncoder
}
