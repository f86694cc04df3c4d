package rendition

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/confmedia/confmedia/catalog"
)

// Spec names one rendition and its size.
type Spec struct {
	Name   string
	Size   int  // the long edge, or the side of the square
	Square bool // a centre (landscape) or high (portrait) square crop
}

// Standard is the named table of renditions: large 2048 long edge, medium
// 1024 long edge, square 400x400.
var Standard = []Spec{
	{Name: "large", Size: 2048},
	{Name: "medium", Size: 1024},
	{Name: "square", Size: 400, Square: true},
}

// Headshot is the renditions table of speaker headshots: the standard ones
// plus a large square (1200×1200) for programmes and promotion material.
var Headshot = append(append([]Spec(nil), Standard...), Spec{Name: "square-large", Size: 1200, Square: true})

// Defaults applied by Render to zero Options fields.
const (
	DefaultQuality   = 85
	DefaultMaxPixels = 100_000_000
)

// Options control a render. The zero value renders Standard at quality 85
// with a 100 MP limit, upright, with no Artist or Copyright.
type Options struct {
	Specs       []Spec // default Standard
	Quality     int    // JPEG quality 1..100, default 85
	MaxPixels   int64  // refuse larger images by their header; default 100_000_000
	Orientation int    // EXIF orientation 1..8 of the source; any other value means 1
	// Artist and Copyright are the only EXIF kept, written as a minimal
	// APP1 Exif block with IFD0 Artist and Copyright. Empty means absent.
	Artist, Copyright string
}

// Output is one rendition: its name, pixel size and JPEG bytes.
type Output struct {
	Name          string
	Width, Height int
	Data          []byte
}

// Result is what Render produces.
type Result struct {
	Width, Height int      // of the original after orientation
	Renditions    []Output // in the order of Options.Specs
}

// Render decodes a JPEG or PNG, auto-orients it from opts.Orientation and
// produces opts.Specs in order, as stripped baseline JPEGs (see the package
// documentation for the rules).
//
// Errors are *catalog.Error: Invalid when data is not a JPEG or PNG, cannot
// be decoded, or opts.Specs holds a spec with no name or size; TooLarge when
// the header declares more than opts.MaxPixels pixels (the image is then not
// decoded). When ctx is done Render stops between steps and returns an error
// wrapping ctx.Err().
func Render(ctx context.Context, data []byte, opts Options) (Result, error) {
	return render(ctx, data, opts, resizeDefault)
}

// CheckConfig reads only the header of the image in r and returns its format
// ("jpeg" or "png") and stored pixel size (before any EXIF orientation).
// maxPixels <= 0 means DefaultMaxPixels.
//
// Errors are *catalog.Error: Invalid when r holds neither a JPEG nor a PNG or
// the header is unreadable; TooLarge when width x height exceeds maxPixels.
func CheckConfig(r io.Reader, maxPixels int64) (format string, width, height int, err error) {
	return checkConfig("rendition.CheckConfig", r, maxPixels)
}

var (
	jpegMagic = []byte{0xFF, 0xD8}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

func checkConfig(op string, r io.Reader, maxPixels int64) (string, int, int, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(len(pngMagic))
	var (
		format string
		cfg    image.Config
		err    error
	)
	switch {
	case bytes.HasPrefix(head, jpegMagic):
		format = "jpeg"
		cfg, err = jpeg.DecodeConfig(br)
	case bytes.HasPrefix(head, pngMagic):
		format = "png"
		cfg, err = png.DecodeConfig(br)
	default:
		return "", 0, 0, catalog.E(catalog.Invalid, op, nil, "cannot decode image: not a JPEG or PNG file")
	}
	if err != nil {
		return "", 0, 0, catalog.E(catalog.Invalid, op, err, "cannot decode image: %s", decodeReason(err))
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return "", 0, 0, catalog.E(catalog.Invalid, op, nil, "cannot decode image: it is %dx%d pixels", w, h)
	}
	if px := int64(w) * int64(h); px > maxPixels {
		return "", 0, 0, catalog.E(catalog.TooLarge, op, nil,
			"image is %dx%d (%.0f MP), over the %s limit", w, h, float64(px)/1e6, pixelLimit(maxPixels))
	}
	return format, w, h, nil
}

// pixelLimit spells a pixel limit in megapixels, or in pixels when it is
// below one megapixel.
func pixelLimit(n int64) string {
	if n < 1_000_000 {
		return fmt.Sprintf("%d pixel", n)
	}
	return fmt.Sprintf("%d MP", n/1_000_000)
}

// decodeReason turns a decoder error into a reason a user can read.
func decodeReason(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the file is truncated"
	}
	return err.Error()
}

// hasEOI reports whether the JPEG stream jpg ends with an EOI marker,
// ignoring trailing zero padding.
func hasEOI(jpg []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(jpg, "\x00"), []byte{0xFF, markerEOI})
}

// resizeFunc scales img to exactly w x h pixels, returning img itself when
// it has that size already. Render uses resizeDefault; tests substitute a
// recording one.
type resizeFunc func(img *pixels, w, h int) *pixels

// resizeDefault resamples with Lanczos3. Catmull-Rom takes a third fewer
// taps, but on detailed photos its renditions fell short of SSIM 0.98
// against a Lanczos3 reference (docs/BENCHMARKS.md).
func resizeDefault(img *pixels, w, h int) *pixels {
	return resample(img, w, h, lanczos3)
}

func render(ctx context.Context, data []byte, opts Options, resize resizeFunc) (Result, error) {
	const op = "rendition.Render"
	d, err := develop(ctx, data, opts, resize)
	defer releaseAll(d.made...)
	if err != nil {
		return Result{}, err
	}
	res := Result{Width: d.w, Height: d.h, Renditions: make([]Output, len(d.specs))}
	for i, s := range d.specs {
		if err := ctx.Err(); err != nil {
			return Result{}, cancelled(op, err)
		}
		out, err := encodeJPEG(d.imgs[i], d.quality, d.header)
		if err != nil {
			return Result{}, catalog.E(catalog.Other, op, err, "cannot encode the %s rendition", s.Name)
		}
		res.Renditions[i] = Output{Name: s.Name, Width: d.imgs[i].w, Height: d.imgs[i].h, Data: out}
	}
	return res, nil
}

// developed is a render before encoding.
type developed struct {
	specs   []Spec
	quality int
	w, h    int       // the original's display size
	imgs    []*pixels // by spec
	made    []*pixels // every image made, to release after encoding
	header  []byte    // metadata segments for every rendition
}

// develop does all of Render but the encoding. Its errors are Render's.
func develop(ctx context.Context, data []byte, opts Options, resize resizeFunc) (developed, error) {
	const op = "rendition.Render"
	opts, err := withDefaults(opts)
	if err != nil {
		return developed{}, err
	}
	if err := ctx.Err(); err != nil {
		return developed{}, cancelled(op, err)
	}
	format, sw, sh, err := checkConfig(op, bytes.NewReader(data), opts.MaxPixels)
	if err != nil {
		return developed{}, err
	}
	orient := opts.Orientation
	if orient < 1 || orient > 8 {
		orient = 1
	}
	w, h := sw, sh // display size
	if orient >= 5 {
		w, h = h, w
	}
	targets := plan(opts.Specs, w, h)
	needW, needH := decodeSize(targets, w, h)
	if orient >= 5 {
		needW, needH = needH, needW
	}

	var src *pixels
	if format == "jpeg" {
		src, err = decodeJPEG(data, needW, needH)
	} else {
		src, err = decodePNG(data, needW, needH)
	}
	if err != nil {
		reason := decodeReason(err)
		if format == "jpeg" && !errors.Is(err, io.ErrUnexpectedEOF) && !hasEOI(data) {
			reason += " (the file appears truncated)"
		}
		return developed{}, catalog.E(catalog.Invalid, op, err, "cannot decode image: %s", reason)
	}
	d := developed{specs: opts.Specs, quality: opts.Quality, w: w, h: h, made: []*pixels{src}}
	if err := ctx.Err(); err != nil {
		return d, cancelled(op, err)
	}

	var profile []byte
	if format == "jpeg" {
		profile = jpegICCProfile(data)
	} else {
		profile = pngICCProfile(data)
	}
	if d.header, err = metadataSegments(opts.Artist, opts.Copyright, profile); err != nil {
		return d, catalog.E(catalog.Other, op, err, "cannot write rendition metadata")
	}
	var made []*pixels
	d.imgs, made, err = derive(ctx, src, orient, w, h, targets, len(opts.Specs), resize)
	d.made = append(d.made, made...)
	if err != nil {
		return d, cancelled(op, err)
	}
	return d, nil
}

// decodePNG decodes a PNG to packed pixels, box-shrunk as far as it stays
// at least needW x needH.
func decodePNG(data []byte, needW, needH int) (*pixels, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return fromImage(img, needW, needH), nil
}

func withDefaults(o Options) (Options, error) {
	if o.Specs == nil {
		o.Specs = Standard
	}
	for i, s := range o.Specs {
		if s.Name == "" || s.Size <= 0 {
			return o, catalog.E(catalog.Invalid, "rendition.Render", nil,
				"rendition %d (%q) needs a name and a positive size", i, s.Name)
		}
	}
	if o.Quality <= 0 {
		o.Quality = DefaultQuality
	}
	if o.Quality > 100 {
		o.Quality = 100
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	return o, nil
}

func cancelled(op string, err error) error {
	return catalog.E(catalog.Other, op, err, "rendering was interrupted")
}
