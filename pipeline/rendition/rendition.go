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
	"github.com/confmedia/confmedia/pipeline/internal/heif"
	"github.com/confmedia/confmedia/pipeline/rendition/internal/pngrows"
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
	// MaxSide bounds an image's width and height, the most a JPEG can
	// declare. It bounds what decoding a row takes: a PNG of 100 MP in one
	// row would need gigabytes for the two rows its filters read.
	MaxSide = 65535
	// DefaultMaxScans bounds the scans of a JPEG, as djpeg -maxscans
	// does: each scan of a progressive JPEG is a pass over the whole
	// image, however few bytes it takes, so thousands of tiny scans cost
	// minutes. Encoders write 1 scan (baseline) or about 10 (libjpeg's
	// and mozjpeg's progressive scripts, at most 20 or so with scan
	// optimisation); even a script refining every coefficient band bit by
	// bit stays in the low hundreds. 500 scans of a 100 MP image decode in
	// seconds.
	DefaultMaxScans = 500
)

// Options control a render. The zero value renders Standard at quality 85
// with a 100 MP limit, upright, with no Artist or Copyright.
type Options struct {
	Specs       []Spec // default Standard
	Quality     int    // JPEG quality 1..100, default 85
	MaxPixels   int64  // refuse larger images by their header; default 100_000_000
	Orientation int    // EXIF orientation 1..8 of the source; any other value means 1
	MaxScans    int    // refuse JPEGs of more scans; default DefaultMaxScans
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
// the header is unreadable; TooLarge when width x height exceeds maxPixels
// or a side MaxSide.
func CheckConfig(r io.Reader, maxPixels int64) (format string, width, height int, err error) {
	h, _, err := readHeader("rendition.CheckConfig", r, maxPixels)
	return h.Format, h.Width, h.Height, err
}

// Header is what an image's header says about it, read without decoding
// the image.
type Header struct {
	Format string // "jpeg", "png" or "heif"
	// Width and Height are the stored size, before any EXIF orientation
	// (for HEIF: the coded size, before the container's rotation).
	Width, Height int
	// Channels is the samples per decoded pixel: a JPEG's components (1
	// grey, 3 colour, 4 CMYK); for a PNG 1 (grey), 2 (grey and alpha), 3
	// (RGB, and palette images, which decode to colour) or 4 (RGBA).
	Channels int
	BitDepth int // bits per sample: 8 for JPEG; 1, 2, 4, 8 or 16 for PNG; 8 to 16 for HEIF
}

// Bytes is the size of the image decoded whole at its bit depth: width x
// height x channels x bytes per sample, a sample under 8 bits taking a
// byte. It is what a render of the image is charged, whatever the decoder
// manages to save.
func (h Header) Bytes() int64 {
	return int64(h.Width) * int64(h.Height) * int64(h.Channels) * int64((h.BitDepth+7)/8)
}

// ReadHeader reads only the header of the image in r. maxPixels <= 0 means
// DefaultMaxPixels. Its errors are CheckConfig's.
func ReadHeader(r io.Reader, maxPixels int64) (Header, error) {
	h, _, err := readHeader("rendition.ReadHeader", r, maxPixels)
	return h, err
}

var (
	jpegMagic = []byte{0xFF, 0xD8}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// readHeader is ReadHeader, also reporting whether a HEIF container turns
// or mirrors the image (which its decoder then does).
func readHeader(op string, r io.Reader, maxPixels int64) (Header, bool, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(heifHead)
	// What the decoder reads of the header, to find what image.Config
	// leaves out (bit depth, channels).
	var seen bytes.Buffer
	tee := io.TeeReader(br, &seen)
	var (
		h   Header
		cfg image.Config
		err error
	)
	var turned bool
	switch {
	case heif.Sniff(head) == heif.HEIC:
		if h, turned, err = readHEIFHeader(op, br); err != nil {
			return Header{}, false, err
		}
		cfg.Width, cfg.Height = h.Width, h.Height
	case bytes.HasPrefix(head, jpegMagic):
		h.Format = "jpeg"
		if cfg, err = jpeg.DecodeConfig(tee); err == nil {
			h.Channels, h.BitDepth = jpegSOF(seen.Bytes())
		}
	case bytes.HasPrefix(head, pngMagic):
		h.Format = "png"
		if cfg, err = png.DecodeConfig(tee); err == nil {
			h.Channels, h.BitDepth = pngIHDR(seen.Bytes())
		}
	default:
		formats := "a JPEG or PNG"
		if heifSupported {
			formats = "a JPEG, PNG or HEIC"
		}
		return Header{}, false, catalog.E(catalog.Invalid, op, nil, "cannot decode image: not %s file", formats)
	}
	if err != nil {
		return Header{}, false, catalog.E(catalog.Invalid, op, err, "cannot decode image: %s", decodeReason(err))
	}
	h.Width, h.Height = cfg.Width, cfg.Height
	if h.Width <= 0 || h.Height <= 0 {
		return Header{}, false, catalog.E(catalog.Invalid, op, nil, "cannot decode image: it is %dx%d pixels", h.Width, h.Height)
	}
	if px := int64(h.Width) * int64(h.Height); px > maxPixels {
		return Header{}, false, tooManyPixels(op, h.Width, h.Height, maxPixels)
	}
	if h.Width > MaxSide || h.Height > MaxSide {
		return Header{}, false, tooWide(op, h.Width, h.Height)
	}
	return h, turned, nil
}

// heifHead is how much of the file readHeader looks at to tell its format:
// a HEIF ftyp box with its compatible brands.
const heifHead = 64

func tooManyPixels(op string, w, h int, maxPixels int64) error {
	return catalog.E(catalog.TooLarge, op, nil,
		"image is %dx%d (%.0f MP), over the %s limit", w, h, float64(int64(w)*int64(h))/1e6, pixelLimit(maxPixels))
}

func tooWide(op string, w, h int) error {
	return catalog.E(catalog.TooLarge, op, nil, "image is %dx%d, over the limit of %d pixels a side", w, h, MaxSide)
}

// jpegSOF returns the components and sample precision from the SOF segment
// of the JPEG header jpg (which image/jpeg has read and found good), or 3
// and 8 when it cannot find one.
func jpegSOF(jpg []byte) (channels, depth int) {
	channels, depth = 3, 8
	_ = walkHeader(jpg, func(m byte, p []byte) bool {
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && len(p) >= 6 {
			channels, depth = int(p[5]), int(p[0])
			return false
		}
		return true
	})
	return channels, depth
}

// pngIHDR returns the channels and bit depth from the IHDR chunk that starts
// every PNG (png.DecodeConfig has checked it).
func pngIHDR(b []byte) (channels, depth int) {
	if len(b) < 26 {
		return 4, 16
	}
	channels = map[byte]int{0: 1, 2: 3, 3: 3, 4: 2, 6: 4}[b[25]]
	depth = int(b[24])
	if b[25] == 3 {
		depth = 8 // palette indices decode to 8-bit colour
	}
	return channels, depth
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
	hdr, turned, err := readHeader(op, bytes.NewReader(data), opts.MaxPixels)
	if err != nil {
		return developed{}, err
	}
	format, sw, sh := hdr.Format, hdr.Width, hdr.Height
	orient := opts.Orientation
	if orient < 1 || orient > 8 || turned {
		// A HEIF container's rotation and mirroring, which libheif
		// applies, supersede its EXIF orientation.
		orient = 1
	}
	var heifImg *heifImage
	if format == "heif" {
		if !heifSupported {
			return developed{}, heifUnsupported(op)
		}
		// libheif decodes whole and turned: the display size is
		// known once it has.
		if heifImg, err = decodeHEIF(ctx, data, opts.MaxPixels); err == nil {
			defer heifImg.close()
			sw, sh = heifImg.w, heifImg.h
		}
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
	var profile []byte
	switch {
	case format == "heif" && err == nil:
		src, err = shrinkRGB(heifImg.read, sw, sh, shrinkFactor(sw, sh, needW, needH))
		profile = heifImg.profile
	case format == "jpeg":
		src, err = decodeJPEG(ctx, data, needW, needH, opts.MaxScans)
	case format == "png":
		src, err = decodePNG(ctx, data, needW, needH)
	}
	var (
		tooMany scanLimitError
		tooBig  heifTooLarge
	)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return developed{}, cancelled(op, ctx.Err())
	case errors.As(err, &tooBig):
		if tooBig.w > MaxSide || tooBig.h > MaxSide {
			return developed{}, tooWide(op, tooBig.w, tooBig.h)
		}
		return developed{}, tooManyPixels(op, tooBig.w, tooBig.h, opts.MaxPixels)
	case errors.As(err, &tooMany):
		return developed{}, catalog.E(catalog.TooLarge, op, err,
			"the JPEG has more than %d scans, over the limit (a progressive photo has about 10)", tooMany.limit)
	default:
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

	switch format {
	case "jpeg":
		profile = jpegICCProfile(data)
	case "png":
		profile = pngICCProfile(data)
	default:
		if !usableProfile(profile) {
			profile = nil
		}
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
// at least needW x needH, a row at a time (pngrows): whatever its bit depth,
// the image is never held whole at that depth.
func decodePNG(ctx context.Context, data []byte, needW, needH int) (*pixels, error) {
	d, err := pngrows.New(ctx, data)
	if err != nil {
		return nil, err
	}
	w, h := d.Size()
	return shrinkRGB(func(_ int, dst []uint8) error { return d.Next(dst) }, w, h, shrinkFactor(w, h, needW, needH))
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
	if o.MaxScans <= 0 {
		o.MaxScans = DefaultMaxScans
	}
	return o, nil
}

func cancelled(op string, err error) error {
	return catalog.E(catalog.Other, op, err, "rendering was interrupted")
}
