package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/accept"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/web/client"
	"golang.org/x/sync/errgroup"
)

// uploadSummary is what `upload --json` prints. Every file given is counted
// once: files = Sent + Skipped + len(Rejected) + len(OtherKind).
type uploadSummary struct {
	// Sent counts the files this upload stored on the server: a file the
	// server did not have when the upload began (its check call) is sent,
	// even when a retried request finds it stored by the first attempt.
	Sent int `json:"sent"`
	// Waiting counts the sent files that are stored and recorded but whose
	// processing waits for the queue (Redis was unavailable); the server
	// queues them when it is back.
	Waiting int `json:"waiting_for_queue"`
	// Skipped counts the files not sent because the server had them
	// before this upload, plus Repeated.
	Skipped int `json:"skipped"`
	// Repeated counts the files with the same content as another file of
	// this upload (sent once).
	Repeated int        `json:"repeated"`
	Rejected []rejected `json:"rejected"`
	// OtherKind lists the files the server has as another kind or
	// speaker than this upload asks for: nothing is changed, and each says
	// how to change it.
	OtherKind []otherKind `json:"other_kind"`
}

// otherKind is a file the server already has as another kind or speaker.
type otherKind struct {
	File string         `json:"file"`
	Has  web.KnownMedia `json:"has"`
	Fix  string         `json:"fix"` // the command that changes it
}

// count adds the server's answer to an upload of a file it did not have
// when this upload began.
func (s *uploadSummary) count(resp web.UploadResponse) {
	s.Sent++
	if !resp.Queued {
		s.Waiting++
	}
}

// line is the summary for people.
func (s *uploadSummary) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "uploaded %d", s.Sent)
	if s.Waiting > 0 {
		fmt.Fprintf(&b, " (%d stored, awaiting the queue)", s.Waiting)
	}
	fmt.Fprintf(&b, ", %d already on the server", s.Skipped-s.Repeated)
	if s.Repeated > 0 {
		fmt.Fprintf(&b, ", %d repeated in this upload", s.Repeated)
	}
	if len(s.OtherKind) > 0 {
		fmt.Fprintf(&b, ", %d already on the server as another kind", len(s.OtherKind))
	}
	fmt.Fprintf(&b, ", rejected %d", len(s.Rejected))
	return b.String()
}

type rejected struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// localFile is one file to upload, after the local checks.
type localFile struct {
	path string
	size int64
	id   string
}

func (m *Main) runUpload(ctx context.Context, args []string) error {
	fs := m.newFlagSet("upload", "[--kind photo|headshot] [--room ROOM] [--photographer NAME] [--clock-offset DURATION] [--sync FILE=TIME]... [--speaker NAME] [--license LICENSE] [--json] PATH...")
	kind := fs.String("kind", "photo", "photo or headshot")
	room := fs.String("room", "", "the room the photos were taken in, as the schedule spells it")
	photographer := fs.String("photographer", "", "credit line")
	clockOffset := fs.String("clock-offset", "", "what to add to the camera's clock to get true local time (+1h, -7m30s, +400d2h)")
	speaker := fs.String("speaker", "", "the speaker a headshot shows")
	license := fs.String("license", "", "licence of the photos (e.g. CC-BY-4.0)")
	var syncs syncFlag
	fs.Var(&syncs, "sync", "FILE=TIME: FILE is a photo of a clock or of a known moment, TIME the venue's time it shows (HH:MM[:SS] on the photo's date, or YYYY-MM-DDTHH:MM:SS); sets the clock offset of FILE's camera before uploading (repeatable)")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object on stdout")
	maxBytes := fs.Int64("max-bytes", DefaultMaxBytes, "refuse files larger than this")
	maxPixels := fs.Int64("max-pixels", DefaultMaxPixels, "refuse images with more pixels than this (read from the header)")
	parallel := fs.Int("parallel", 3, "files sent at once")
	settings := m.clientFlags(fs)
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 && len(syncs) == 0 {
		fs.Usage()
		return usageErr("upload takes one or more files or folders")
	}
	mk := catalog.MediaKind(*kind)
	if !mk.Valid() {
		return usageErr("--kind %q: want photo or headshot", *kind)
	}
	if *clockOffset != "" {
		d, err := match.ParseOffset(*clockOffset)
		if err != nil {
			return usageErr("--clock-offset %q: want a duration like +1h, -7m30s or +400d2h", *clockOffset)
		}
		*clockOffset = d.String()
	}
	synced, err := readSyncs(syncs)
	if err != nil {
		return err
	}
	c := m.client(settings())

	// Validate room and speaker before reading any file.
	chk, err := c.CheckMedia(ctx, web.CheckRequest{IDs: []string{}, Room: *room, Speaker: *speaker})
	if err != nil {
		if catalog.ErrorKind(err) == catalog.Invalid {
			return &exitError{code: exitUsage, err: err}
		}
		return err
	}

	// Clock offsets from --sync photos go first, so that the photos below
	// are tagged with them.
	if len(synced) > 0 {
		out := m.Stdout
		if *asJSON {
			out = m.Stderr
		}
		if _, err := applySyncs(ctx, c, synced, *photographer, out); err != nil {
			return err
		}
		if len(paths) == 0 {
			return nil
		}
	}

	files, sum, err := m.collect(ctx, paths, *maxBytes, *maxPixels)
	if err != nil {
		return err
	}
	sum.OtherKind = []otherKind{}
	var todo []localFile
	seen := map[string]bool{}
	var ids []string
	for _, f := range files {
		if seen[f.id] {
			sum.Skipped++
			sum.Repeated++
			continue
		}
		seen[f.id] = true
		ids = append(ids, f.id)
		todo = append(todo, f)
	}
	known := map[string]bool{}
	has := map[string]web.KnownMedia{}
	for start := 0; start < len(ids); start += 1000 {
		resp, err := c.CheckMedia(ctx, web.CheckRequest{IDs: ids[start:min(start+1000, len(ids))]})
		if err != nil {
			return err
		}
		for _, id := range resp.Known {
			known[id] = true
		}
		for _, it := range resp.Items {
			has[it.ID] = it
		}
	}
	var send []localFile
	var total int64
	for _, f := range todo {
		if it, ok := has[f.id]; ok && otherKindThan(it, mk, chk.Speaker) {
			sum.OtherKind = append(sum.OtherKind, newOtherKind(f.path, it, mk, chk.Speaker))
			continue
		}
		if known[f.id] {
			sum.Skipped++
			continue
		}
		send = append(send, f)
		total += f.size
	}

	meta := client.UploadMeta{Kind: mk, Room: chk.Room, Photographer: *photographer, ClockOffset: *clockOffset,
		Speaker: chk.Speaker, License: *license}
	p := newProgress(m.Stderr, isTerminal(m.Stderr), "upload", int64(len(send)), total)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(*parallel, 1))
	for _, f := range send {
		g.Go(func() error {
			resp, err := m.sendOne(gctx, c, f, meta, p)
			p.addItem()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && resp.Status == web.UploadDuplicate && resp.Existing != nil && otherKindThan(*resp.Existing, mk, chk.Speaker):
				// Another uploader sent the same bytes as another kind
				// since this upload's check.
				sum.OtherKind = append(sum.OtherKind, newOtherKind(f.path, *resp.Existing, mk, chk.Speaker))
			case err == nil:
				// The server did not have the file when this upload began,
				// so a "duplicate" answer means an earlier attempt of this
				// upload stored it (its answer was lost), or another
				// uploader sent the same bytes meanwhile: either way it is
				// on the server because it was sent now.
				sum.count(resp)
			default:
				switch catalog.ErrorKind(err) {
				case catalog.Unauthorized, catalog.Forbidden:
					return err // every other file would fail the same way
				}
				sum.Rejected = append(sum.Rejected, rejected{File: f.path, Reason: reasonOf(f.path, err)})
			}
			return nil
		})
	}
	err = g.Wait()
	p.finish()
	if err != nil {
		return err
	}
	sort.Slice(sum.Rejected, func(i, j int) bool { return sum.Rejected[i].File < sum.Rejected[j].File })
	if *asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(m.Stdout, sum.line())
	}
	for _, r := range sum.Rejected {
		fmt.Fprintf(m.Stderr, "rejected %s: %s\n", r.File, r.Reason)
	}
	sort.Slice(sum.OtherKind, func(i, j int) bool { return sum.OtherKind[i].File < sum.OtherKind[j].File })
	for _, o := range sum.OtherKind {
		fmt.Fprintf(m.Stderr, "not uploaded %s: %s\n  to change it: %s\n", o.File, o.message(mk, chk.Speaker), o.Fix)
	}
	if sum.Waiting > 0 {
		fmt.Fprintf(m.Stderr, "%d %s stored, but the server's queue is unavailable: processed when the queue is back (`confmedia wait` waits for them)\n",
			sum.Waiting, plural(sum.Waiting, "file is", "files are"))
	}
	if len(sum.Rejected) > 0 || len(sum.OtherKind) > 0 {
		return &exitError{code: exitRejected}
	}
	return nil
}

// otherKindThan reports whether the server's item it is of another kind
// than an upload of kind for speaker (the schedule's spelling; "" when
// none was given) asks for: another kind, or a headshot of another
// speaker.
func otherKindThan(it web.KnownMedia, kind catalog.MediaKind, speaker string) bool {
	if it.Kind != kind {
		return true
	}
	return kind == catalog.Headshot && speaker != "" && !strings.EqualFold(it.Speaker, speaker)
}

func newOtherKind(path string, it web.KnownMedia, kind catalog.MediaKind, speaker string) otherKind {
	fix := "confmedia media set-kind " + short(it.ID, idWidth) + " --kind " + string(kind)
	if kind == catalog.Headshot && speaker != "" {
		fix += " --speaker " + shellQuote(speaker)
	}
	return otherKind{File: path, Has: it, Fix: fix}
}

// message says what the server has and what this upload asked for:
// "already uploaded on 2026-05-15 as an event photo by Pat (id
// 1a2b3c4d5e6f, tagged), not as a headshot of Ana Lima".
func (o otherKind) message(kind catalog.MediaKind, speaker string) string {
	var b strings.Builder
	b.WriteString("already uploaded")
	if !o.Has.UploadedAt.IsZero() {
		b.WriteString(" on " + o.Has.UploadedAt.Format(time.DateOnly))
	}
	b.WriteString(" as " + kindPhrase(o.Has.Kind, o.Has.Speaker))
	if o.Has.Photographer != "" {
		b.WriteString(" by " + o.Has.Photographer)
	}
	fmt.Fprintf(&b, " (id %s", short(o.Has.ID, idWidth))
	if o.Has.SourceName != "" && o.Has.SourceName != filepath.Base(o.File) {
		b.WriteString(", named " + o.Has.SourceName)
	}
	fmt.Fprintf(&b, ", %s), not as %s", o.Has.Status, kindPhrase(kind, speaker))
	return b.String()
}

// kindPhrase says what an item of kind showing speaker is: "an event
// photo", "a headshot of Ana Lima".
func kindPhrase(kind catalog.MediaKind, speaker string) string {
	switch {
	case kind != catalog.Headshot:
		return "an event photo"
	case speaker == "":
		return "a headshot"
	}
	return "a headshot of " + speaker
}

// sendOne uploads one file, retrying when the server is briefly unreachable.
func (m *Main) sendOne(ctx context.Context, c *client.Client, f localFile, meta client.UploadMeta, p *progress) (web.UploadResponse, error) {
	meta.Name = filepath.Base(f.path)
	var last error
	for attempt := range 4 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return web.UploadResponse{}, ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * time.Second):
			}
		}
		fh, err := os.Open(f.path)
		if err != nil {
			return web.UploadResponse{}, err
		}
		var sent int64
		cr := countingReader{r: io.TeeReader(fh, writerFunc(func(b []byte) { sent += int64(len(b)) })), p: p}
		resp, err := c.UploadMedia(ctx, f.id, meta, cr, f.size)
		fh.Close()
		if err == nil {
			if sent < f.size {
				p.addBytes(f.size - sent) // a duplicate answered before the body was read
			}
			return resp, nil
		}
		p.addBytes(-sent)
		last = err
		if catalog.ErrorKind(err) != catalog.Unavailable || ctx.Err() != nil {
			break
		}
	}
	return web.UploadResponse{}, last
}

type writerFunc func([]byte)

func (w writerFunc) Write(b []byte) (int, error) { w(b); return len(b), nil }

// collect walks paths, checks each file locally (empty, not an image, too
// many bytes, too many pixels by its header) and hashes the ones that pass.
func (m *Main) collect(ctx context.Context, paths []string, maxBytes, maxPixels int64) ([]localFile, uploadSummary, error) {
	sum := uploadSummary{Rejected: []rejected{}}
	var cands []localFile
	var total int64
	for _, root := range paths {
		fi, err := os.Stat(root)
		if err != nil {
			sum.Rejected = append(sum.Rejected, rejected{File: root, Reason: strings.TrimPrefix(err.Error(), "stat "+root+": ")})
			continue
		}
		if !fi.IsDir() {
			cands = append(cands, localFile{path: root, size: fi.Size()})
			total += fi.Size()
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				sum.Rejected = append(sum.Rejected, rejected{File: path, Reason: err.Error()})
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") && path != root {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil // hidden files: .DS_Store, AppleDouble ._ files
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				sum.Rejected = append(sum.Rejected, rejected{File: path, Reason: err.Error()})
				return nil
			}
			cands = append(cands, localFile{path: path, size: info.Size()})
			total += info.Size()
			return nil
		})
		if err != nil {
			return nil, sum, err
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].path < cands[j].path })

	p := newProgress(m.Stderr, isTerminal(m.Stderr), "hashing", int64(len(cands)), total)
	var mu sync.Mutex
	var ok []localFile
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for _, f := range cands {
		g.Go(func() error {
			id, err := checkAndHash(gctx, f, maxBytes, maxPixels, p)
			p.addItem()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				sum.Rejected = append(sum.Rejected, rejected{File: f.path, Reason: reasonOf(f.path, err)})
				return nil
			}
			f.id = id
			ok = append(ok, f)
			return nil
		})
	}
	err := g.Wait()
	p.finish()
	sort.Slice(ok, func(i, j int) bool { return ok[i].path < ok[j].path })
	return ok, sum, err
}

// reasonOf is err's message without the file name the listing shows anyway.
func reasonOf(path string, err error) string {
	msg := catalog.ErrorMessage(err)
	return strings.TrimPrefix(msg, filepath.Base(path)+": ")
}

// checkAndHash reads a local file once through the check every upload
// passes (accept.Check: empty, --max-bytes, type, pixel count by the
// header) and returns its SHA-256, the media id.
func checkAndHash(ctx context.Context, f localFile, maxBytes, maxPixels int64, p *progress) (string, error) {
	name := filepath.Base(f.path)
	lim := accept.Limits{MaxBytes: maxBytes, MaxPixels: maxPixels}
	if err := accept.Size(name, f.size, lim); err != nil {
		p.addBytes(f.size)
		return "", err
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	cr := countingReader{r: ctxReader{ctx, fh}, p: p}
	var read int64
	res, err := accept.Check(accept.File{Name: name, Size: -1}, io.TeeReader(cr, writerFunc(func(b []byte) { read += int64(len(b)) })), lim)
	if err != nil {
		if read < f.size {
			p.addBytes(f.size - read) // refused before its end: count it as done
		}
		var re *accept.ReadError
		if errors.As(err, &re) {
			return "", re.Err
		}
		return "", err
	}
	return res.SHA256, nil
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}
