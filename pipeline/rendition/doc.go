// Package rendition renders a photo's public renditions: bytes in, JPEG bytes
// out, with no I/O, clock or global state.
//
// Render decodes a JPEG or PNG once, after refusing oversized images from
// their header alone (CheckConfig), and produces a named table of renditions
// (Standard: large 2048 long edge, medium 1024, square 400x400):
//
//   - Never upscaled: a rendition is at most the original's size, so a
//     320x240 original gives large 320x240, medium 320x240, square 240x240.
//   - Shrunk on load: the decoder scales the original down on the way in,
//     to no less than a third over the largest size made from it (a JPEG by
//     libjpeg-turbo's DCT scaling in eighths, or by whole-pixel box
//     filtering after image/jpeg or image/png).
//   - Cascaded: the largest full-frame rendition is resized from the decoded
//     original; every smaller one is resized from the smallest rendition
//     already made that is large enough (medium from large, square from
//     medium). Resizing is Lanczos3, separable, in fixed point (resample.go).
//   - Auto-oriented cheaply: the EXIF orientation (1..8) is applied after the
//     first resize, to the rendition rather than to the full-size original.
//   - Square crops: one rule for every square (SquareWindow). With no face
//     known, centred for landscape and square images; for portraits the
//     window sits high, with one sixth of the spare height above it and
//     five sixths below, which keeps the head in both head-and-shoulders and
//     full-length portraits. Once faces are known, Large.Squares cuts the
//     squares again from the decoded large rendition around them: the
//     whole group when it fits, centred, eyes near the upper third of a
//     portrait; else as many whole faces as fit, largest first, never
//     cutting a face the square could hold.
//   - Stripped: the output is a baseline 4:2:0 JPEG carrying only an APP1
//     Exif block with Artist and Copyright (when given) and the source's RGB
//     ICC colour profile (APP2 ICC_PROFILE, from a JPEG's APP2 segments or a
//     PNG's iCCP chunk). GPS, serial numbers, maker notes, XMP and IPTC never
//     reach a rendition.
//   - PNG transparency is flattened on white.
//
// Two builds, one behaviour: with cgo (the default where libjpeg-turbo's
// headers are installed: libjpeg62-turbo-dev on Debian), JPEGs are decoded
// and encoded by libjpeg-turbo; with CGO_ENABLED=0 or the purego build tag,
// by image/jpeg. Both pass the same tests; the figures are in
// docs/BENCHMARKS.md.
//
// Hostile input is bounded before and during decoding:
//
//   - Pixels: an image over Options.MaxPixels (100 MP), or over MaxSide
//     (65535) pixels a side, by its header is refused without decoding. ReadHeader also gives the channels and bit
//     depth, and Header.Bytes the image's size decoded whole at its depth,
//     by which a worker's render budget charges a render.
//   - Bit depth: PNGs are decoded a row at a time to 8-bit RGB
//     (internal/pngrows) and shrunk as they come, so a 16-bit PNG is never
//     held whole at 16 bits; an interlaced one is gathered at 1 (grey) or 3
//     bytes a pixel.
//   - Scans: a JPEG of more than Options.MaxScans scans (500) is refused, as
//     djpeg -maxscans does: its SOS markers are counted before decoding
//     starts (microseconds), and libjpeg-turbo's progress monitor also stops
//     at the first scan over.
//   - Time: decoding stops soon after ctx ends — libjpeg-turbo at its next
//     row of blocks or scan, image/jpeg at its next read (of at most 512
//     bytes), jpegscale and the PNG decoder between rows.
//
// Errors are *catalog.Error: Invalid when the input is not a decodable JPEG
// or PNG (damaged or truncated image data included: never a grey patch),
// TooLarge when it has more pixels or scans than allowed. Both are
// permanent.
package rendition
