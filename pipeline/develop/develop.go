// Package develop turns a photo's bytes into its metadata and renditions: the
// code path shared by the worker and `confmedia render`.
package develop

import (
	"context"

	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// Developed is what Develop makes of one photo.
type Developed struct {
	Metadata exif.Metadata
	Result   rendition.Result
}

// Develop reads a photo's metadata and renders its renditions: the code path
// shared by the worker and `confmedia render`. opts holds sizes, quality and
// the pixel limit; orientation, artist and copyright come from the photo.
// Errors of kind Invalid or TooLarge are the file's fault and permanent.
func Develop(ctx context.Context, data []byte, opts rendition.Options) (Developed, error) {
	md, err := exif.Read(data)
	if err != nil {
		return Developed{}, err
	}
	opts.Orientation = md.Orientation
	opts.Artist, opts.Copyright = md.Artist, md.Copyright
	res, err := rendition.Render(ctx, data, opts)
	if err != nil {
		return Developed{}, err
	}
	return Developed{Metadata: md, Result: res}, nil
}
