package exiftest

import "image"

// Stored returns the picture of s as a camera would store it for
// s.Orientation: Upright(s.Width, s.Height) turned so that applying the
// orientation shows it upright. It lets other containers (HEIF) carry the
// same picture as JPEG and PNG.
func Stored(s Spec) (*image.RGBA, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	return stored(s), nil
}

// TIFF returns the EXIF TIFF structure (without the "Exif\0\0" header) the
// JPEG of s carries, or nil when s sets no EXIF field.
func TIFF(s Spec) ([]byte, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	return exifTIFF(s), nil
}
