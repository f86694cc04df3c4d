// Package accept is the one check every upload passes, wherever it arrives:
// the CLI before it sends a file, the web app when it receives one or when a
// browser says it sent one straight to the bucket, and the worker before it
// processes an original. A file is accepted when it is not empty, within
// the byte limit, a JPEG, PNG or (in the cgo build, which decodes it) HEIC
// by its first bytes (and not camera RAW by its name), within the pixel
// limit by its header, of the size
// announced and with the SHA-256 it claims as its id.
//
// It does no I/O beyond reading the reader it is given.
package accept

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/filetype"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// HeadSize is how many leading bytes Head needs to decide a file's type.
const HeadSize = filetype.HeadSize

// Limits bounds what is accepted.
type Limits struct {
	MaxBytes  int64 // largest file; <= 0: no limit
	MaxPixels int64 // largest image by its header; <= 0: rendition.DefaultMaxPixels
}

// File is what is claimed about one upload.
type File struct {
	Name string // base name, for the type check and every message
	Size int64  // announced size in bytes; < 0 when unknown
	ID   string // claimed SHA-256, lowercase hex; "" when not known yet
	// Stored, when set, is what an object store reports it holds, having
	// checked the bytes on arrival: Check compares it with Size and ID and
	// reads only the header.
	Stored *Stored
}

// Stored is what an object store reports about an object.
type Stored struct {
	Size   int64
	SHA256 []byte // nil when the store does not report one
}

// Result is what Check learned about an accepted file.
type Result struct {
	ContentType   string // "image/jpeg", "image/png" or "image/heic"
	Size          int64  // bytes read (the stored size when File.Stored is set)
	SHA256        string // lowercase hex ("" when File.Stored vouched for it)
	Width, Height int    // stored pixel size, before EXIF orientation
}

// ReadError is an error of the reader Check was given (an interrupted
// upload, a store that stopped answering), not a fault of the file.
type ReadError struct {
	Name string
	Err  error
}

func (e *ReadError) Error() string { return e.Name + ": read: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

const op = "accept.Check"

// Size refuses an empty file and one over lim.MaxBytes: an Invalid or
// TooLarge error naming the file.
func Size(name string, size int64, lim Limits) error {
	switch {
	case size == 0:
		return catalog.E(catalog.Invalid, op, nil, "%s: empty file", name)
	case lim.MaxBytes > 0 && size > lim.MaxBytes:
		return catalog.E(catalog.TooLarge, op, nil, "%s: %d bytes is over the %d byte limit", name, size, lim.MaxBytes)
	}
	return nil
}

// Head checks what the name, the size (< 0: unknown) and the first bytes
// of a file tell (see Size and filetype.Sniff) and returns its content
// type. It lets a client refuse a file before hashing or sending it.
func Head(name string, size int64, head []byte, lim Limits) (string, error) {
	if err := Size(name, size, lim); err != nil {
		return "", err
	}
	if len(head) > HeadSize {
		head = head[:HeadSize]
	}
	return filetype.Sniff(name, head)
}

// Check reads the file from r and checks all of it: Head, the pixel count
// by the image header, the size read against f.Size and the SHA-256 against
// f.ID (when they are known). It reads r to its end unless f.Stored vouches
// for the size and hash, or a check fails first. Errors are *catalog.Error
// naming the file (Invalid or TooLarge), or a *ReadError from r.
func Check(f File, r io.Reader, lim Limits) (Result, error) {
	if f.Stored != nil {
		return checkStored(f, r, lim)
	}
	if f.Size >= 0 {
		if err := Size(f.Name, f.Size, lim); err != nil {
			return Result{}, err
		}
	}
	if lim.MaxBytes > 0 {
		r = io.LimitReader(r, lim.MaxBytes+1)
	}
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(r, h)}
	over := func() bool { return lim.MaxBytes > 0 && cr.n > lim.MaxBytes }
	res, br, err := header(f.Name, cr, lim)
	if err != nil && !over() {
		return Result{}, err
	}
	if err == nil {
		if _, err := io.Copy(io.Discard, br); err != nil {
			return Result{}, &ReadError{Name: f.Name, Err: err}
		}
		if cr.err != nil {
			return Result{}, &ReadError{Name: f.Name, Err: cr.err}
		}
	}
	if over() {
		// The header check saw the stream cut at the limit; the limit
		// is the reason.
		return Result{}, catalog.E(catalog.TooLarge, op, nil, "%s: over the %d byte limit", f.Name, lim.MaxBytes)
	}
	res.Size, res.SHA256 = cr.n, hex.EncodeToString(h.Sum(nil))
	if err := Size(f.Name, res.Size, lim); err != nil {
		return Result{}, err
	}
	if f.Size >= 0 && res.Size != f.Size {
		return Result{}, catalog.E(catalog.Invalid, op, nil, "%s arrived with %d bytes, not the %d announced", f.Name, res.Size, f.Size)
	}
	if f.ID != "" && res.SHA256 != f.ID {
		return Result{}, mismatch(f.Name, res.SHA256)
	}
	return res, nil
}

// checkStored checks an object whose size and hash the store reports.
func checkStored(f File, r io.Reader, lim Limits) (Result, error) {
	st := f.Stored
	if err := Size(f.Name, st.Size, lim); err != nil {
		return Result{}, err
	}
	if f.Size >= 0 && st.Size != f.Size {
		return Result{}, catalog.E(catalog.Invalid, op, nil, "%s arrived with %d bytes, not the %d announced", f.Name, st.Size, f.Size)
	}
	if st.SHA256 != nil && f.ID != "" && hex.EncodeToString(st.SHA256) != f.ID {
		return Result{}, mismatch(f.Name, hex.EncodeToString(st.SHA256))
	}
	if st.SHA256 == nil {
		// Nothing vouches for the bytes: read them all.
		g := f
		g.Stored = nil
		return Check(g, r, lim)
	}
	res, _, err := header(f.Name, &countingReader{r: r}, lim)
	res.Size = st.Size
	return res, err
}

// header sniffs the type and checks the pixel count by the image header,
// returning a reader positioned after what it has read.
func header(name string, r *countingReader, lim Limits) (Result, *bufio.Reader, error) {
	br := bufio.NewReaderSize(r, HeadSize)
	if _, err := br.Peek(HeadSize); r.err != nil {
		return Result{}, nil, &ReadError{Name: name, Err: r.err}
	} else if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Result{}, nil, &ReadError{Name: name, Err: err}
	}
	head, _ := br.Peek(min(HeadSize, br.Buffered()))
	ctype, err := filetype.Sniff(name, head)
	if err != nil {
		return Result{}, nil, err
	}
	_, w, h, err := rendition.CheckConfig(br, lim.MaxPixels)
	if r.err != nil {
		return Result{}, nil, &ReadError{Name: name, Err: r.err}
	}
	if err != nil {
		return Result{}, nil, catalog.E(catalog.ErrorKind(err), op, err, "%s", name)
	}
	return Result{ContentType: ctype, Width: w, Height: h}, br, nil
}

func mismatch(name, got string) error {
	return catalog.E(catalog.Invalid, op, nil, "%s: content does not match its id (sha256 %s)", name, got)
}

// Bytes is Check for a file held in memory.
func Bytes(f File, data []byte, lim Limits) (Result, error) {
	return Check(f, bytes.NewReader(data), lim)
}

// countingReader counts the bytes read through it and keeps the reader's
// first error other than io.EOF, so that a reader that fails is not taken
// for a damaged file.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) && c.err == nil {
		c.err = err
	}
	return n, err
}
