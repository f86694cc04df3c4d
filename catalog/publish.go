package catalog

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"sync"
	"time"
)

// PublishStore is what publishing reads of the catalog.
type PublishStore interface {
	Schedule(ctx context.Context) (Schedule, error)
	ListMedia(ctx context.Context, f MediaFilter) ([]*Media, error)
	ListRecordings(ctx context.Context) ([]*Recording, error)
	Media(ctx context.Context, id string) (*Media, error)
	// Changes is Store.Changes: a publisher that published the catalog
	// of one version reads only the items changed since.
	Changes(ctx context.Context, since int64) (Changes, error)
	// Version is Store.Version: a publish that reads the same number
	// after writing knows the catalog did not change meanwhile.
	Version(ctx context.Context) (int64, error)
}

// PublishBlobs is what publishing needs of the bucket.
type PublishBlobs interface {
	BlobPutter
	BlobStatter
	BlobDeleter
	BlobLister
}

// PublishResult says what a publish wrote.
type PublishResult struct {
	Objects  int   // objects written
	Bytes    int64 // bytes written
	Talks    int
	Speakers int
	Media    int
	Removed  int // pages of talks and speakers no longer in the catalog
	// Unchanged counts the pages not rewritten because the bucket already
	// holds what this publisher last wrote there.
	Unchanged int
	Rounds    int // times the catalog was written: more than one when it changed meanwhile
}

// Publisher writes the public catalog document to the bucket as
// CatalogKey, with one page per talk (TalkKey) and per speaker (SpeakerKey)
// beside it. The web app (an organizer's publish, a takedown, a review
// hide) and the workers (a photo hidden by an opt-out, a rejection or a
// re-tag) publish through it, so that every hide reaches the bucket.
//
// Publishes in one process run one at a time, and a Republish asked for
// while one runs shares the next one. Publishes in several processes (web
// nodes, workers) need no lock between them: after writing, a publish
// reads the catalog again and, if it changed meanwhile, writes it again,
// whole. So whichever publish writes last has written a catalog at least as
// new as the moment it checked, and a change after that check has a
// publish of its own to follow it: an older document is never left last.
//
// Only what changed is read and rewritten: a publisher keeps the catalog it
// last published, encoded item by item, and the store's Version it read;
// the next publish reads only the changes since (Store.Changes), and puts
// the pages of the talks and speakers they touch together from the kept
// encodings. It reads everything again when it keeps nothing (the first
// publish of a process), when the feed cannot answer and every
// FullRewriteEvery. It remembers the SHA-256 of each talk and speaker page
// it wrote and skips a page whose bytes are the same and that is still in
// the bucket. catalog.json, the document that names the pages, is written
// every time, whole (the catalog contract), from the kept encodings. A page another publisher overwrote with
// older bytes is set right by that publisher's own check: it wrote an older
// document, so it finds the catalog changed and writes again, comparing
// with what it wrote itself. Should that publisher die before its check,
// the stale page stays until a publisher forgets what it wrote: each one
// rewrites every page at least once every FullRewriteEvery.
//
// Its fields are its dependencies; set them before the first call. The
// zero value of the rest is ready to use.
type Publisher struct {
	Store PublishStore
	Blobs PublishBlobs
	// URL turns a public blob key into the absolute URL a browser GETs.
	URL func(key string) string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger, when set, records each publish.
	Logger *slog.Logger
	// PrivateSpeakers publishes speakers' names and ids only
	// (WithoutSpeakerPages) and no speaker pages; those written before are
	// removed.
	PrivateSpeakers bool

	once    sync.Once
	running chan struct{} // holds a token while a publish runs
	mu      sync.Mutex
	asked   uint64 // Republish calls so far
	covered uint64 // asks a publish that has started covers
	lastErr error  // of the last publish

	// sums holds the SHA-256 of each page this publisher last wrote, by
	// key; read and written only by the publish that holds running.
	sums map[string][sha256.Size]byte
	// forgetAt is when sums and state are next cleared (FullRewriteEvery).
	forgetAt time.Time
	// state is the catalog as last published, kept so that the next
	// publish reads and encodes only what changed; nil until the first.
	state *pubState
}

// FullRewriteEvery is how often a Publisher rewrites every page whatever
// it remembers writing: the longest a page left stale by a publisher that
// died between writing an older page and checking the catalog can stay.
const FullRewriteEvery = 10 * time.Minute

// maxRounds bounds how many times one publish writes the catalog while it
// keeps changing; the publish that follows each change carries on.
const maxRounds = 4

func (p *Publisher) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// acquire waits until no other publish of p runs, or ctx is done.
func (p *Publisher) acquire(ctx context.Context) (release func(), err error) {
	p.once.Do(func() { p.running = make(chan struct{}, 1) })
	select {
	case p.running <- struct{}{}:
		return func() { <-p.running }, nil
	case <-ctx.Done():
		return nil, E(Unavailable, "catalog.Publish", ctx.Err(), "publish: cancelled while another publish ran")
	}
}

// Document builds the public catalog document from the store.
func (p *Publisher) Document(ctx context.Context) (Document, error) {
	sched, err := p.Store.Schedule(ctx)
	if err != nil {
		return Document{}, err
	}
	media, err := p.Store.ListMedia(ctx, MediaFilter{})
	if err != nil {
		return Document{}, err
	}
	recs, err := p.Store.ListRecordings(ctx)
	if err != nil {
		return Document{}, err
	}
	doc := BuildDocument(DocumentInput{
		Schedule: sched, Media: media, Recordings: recs, Now: p.now(), URL: p.URL, Public: true,
	})
	if p.PrivateSpeakers {
		doc = WithoutSpeakerPages(doc)
	}
	return doc, nil
}

// Publish publishes the catalog, whether or not it was published before.
func (p *Publisher) Publish(ctx context.Context) (PublishResult, error) {
	release, err := p.acquire(ctx)
	if err != nil {
		return PublishResult{}, err
	}
	defer release()
	p.mu.Lock()
	p.covered = p.asked
	p.mu.Unlock()
	res, err := p.publish(ctx)
	p.mu.Lock()
	p.lastErr = err
	p.mu.Unlock()
	return res, err
}

// Republish publishes the catalog again if it was published before
// (CatalogKey exists), so that a change — a hide above all — reaches the
// bucket; a catalog never published stays unpublished. When it returns
// nil, a publish that started after the call has ended. published says
// whether the catalog was published.
func (p *Publisher) Republish(ctx context.Context) (published bool, err error) {
	p.mu.Lock()
	p.asked++
	ticket := p.asked
	p.mu.Unlock()
	release, err := p.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	p.mu.Lock()
	if p.covered >= ticket {
		// A publish that started after this call has ended meanwhile.
		err := p.lastErr
		p.mu.Unlock()
		return err == nil, err
	}
	p.covered = p.asked
	p.mu.Unlock()

	_, err = p.Blobs.Stat(ctx, CatalogKey)
	if IsNotFound(err) {
		p.setErr(nil)
		return false, nil
	}
	if err == nil {
		_, err = p.publish(ctx)
	}
	p.setErr(err)
	return err == nil, err
}

func (p *Publisher) setErr(err error) {
	p.mu.Lock()
	p.lastErr = err
	p.mu.Unlock()
}

// publish writes the catalog, then checks that it has not changed
// meanwhile, writing it again if it has.
//
// The check is the store's Version, read before the catalog was: the same
// number means nothing changed. When it moved, the changes since are read
// (Store.Changes) and, if the document changed, it is written again.
func (p *Publisher) publish(ctx context.Context) (PublishResult, error) {
	if now := p.now(); p.sums == nil || !now.Before(p.forgetAt) {
		p.sums, p.forgetAt = map[string][sha256.Size]byte{}, now.Add(FullRewriteEvery)
		p.state = nil // read and encode everything again too
	}
	var total PublishResult
	for round := 1; ; round++ {
		affected, changed, err := p.update(ctx)
		if err != nil {
			return total, err
		}
		if round > 1 && !changed {
			break
		}
		st := p.state
		body, err := p.encode(st)
		if err != nil {
			p.state = nil
			return total, err
		}
		res, err := p.write(ctx, st, body, affected)
		total.Objects += res.Objects
		total.Bytes += res.Bytes
		total.Removed += res.Removed
		total.Unchanged += res.Unchanged
		total.Talks, total.Speakers, total.Media, total.Rounds = res.Talks, res.Speakers, res.Media, round
		if err != nil {
			return total, err
		}
		now, err := p.Store.Version(ctx)
		if err != nil {
			return total, err
		}
		if now == st.version || round == maxRounds {
			break
		}
	}
	if p.Logger != nil {
		p.Logger.Info("catalog published", "objects", total.Objects, "bytes", total.Bytes,
			"unchanged", total.Unchanged, "rounds", total.Rounds)
	}
	return total, nil
}

// publishWorkers bounds the objects written at once.
const publishWorkers = 8

// write writes doc's pages, then doc (encoded as body), then deletes the
// pages of talks and speakers doc no longer has. A page not in affected
// (nil: every page is) is the same as when this publisher last encoded
// it: if it wrote those bytes and they are still there, it is left alone
// without being encoded again.
func (p *Publisher) write(ctx context.Context, st *pubState, body *segments, affected map[string]bool) (PublishResult, error) {
	doc := &st.doc
	res := PublishResult{Talks: len(doc.Talks), Speakers: len(doc.Speakers)}
	for _, it := range st.order {
		if !it.hidden(p.PrivateSpeakers) {
			res.Media++
		}
	}
	// Pages no longer in the bucket (removed by hand, a bucket restored
	// from a backup) are written whatever this publisher remembers.
	present := map[string]bool{}
	for _, prefix := range []string{PublicPrefix + "talks/", PublicPrefix + "speakers/"} {
		keys, err := p.Blobs.List(ctx, prefix)
		if err != nil {
			return res, err
		}
		for _, k := range keys {
			present[k] = true
		}
	}
	var mu sync.Mutex
	putBody := func(ctx context.Context, key string, body *segments) error {
		if err := p.Blobs.Put(ctx, key, body, body.Size(), "application/json"); err != nil {
			return err
		}
		mu.Lock()
		res.Objects++
		res.Bytes += body.Size()
		mu.Unlock()
		return nil
	}
	// put writes a page as key, unless the bytes are those this publisher
	// last wrote there and they are still there.
	put := func(ctx context.Context, key string, page func() (*segments, error)) error {
		b, err := page()
		if err != nil {
			return err
		}
		sum := b.sum()
		mu.Lock()
		old, ok := p.sums[key]
		if ok && old == sum && present[key] {
			res.Unchanged++
			mu.Unlock()
			return nil
		}
		// Until the put succeeds, what the bucket holds is unknown.
		delete(p.sums, key)
		mu.Unlock()
		if err := putBody(ctx, key, b); err != nil {
			return err
		}
		mu.Lock()
		p.sums[key] = sum
		mu.Unlock()
		return nil
	}

	type page struct {
		key string
		v   func() (*segments, error)
	}
	pages := make([]page, 0, len(doc.Talks)+len(doc.Speakers))
	written := make(map[string]bool, cap(pages))
	for i := range doc.Talks {
		t := &doc.Talks[i]
		pages = append(pages, page{TalkKey(t.ID), func() (*segments, error) { return p.talkPage(st, t) }})
	}
	for i := range doc.Speakers {
		if p.PrivateSpeakers {
			break // no speaker pages: those written before are removed below
		}
		s := &doc.Speakers[i]
		pages = append(pages, page{SpeakerKey(s.ID), func() (*segments, error) { return p.speakerPage(st, s) }})
	}
	// A page that may change is forgotten before any is written, so that
	// one left unwritten by an error is encoded by the next publish.
	todo := pages[:0:0]
	for _, pg := range pages {
		written[pg.key] = true
		_, known := p.sums[pg.key]
		if affected == nil || affected[pg.key] || !known || !present[pg.key] {
			delete(p.sums, pg.key)
			todo = append(todo, pg)
			continue
		}
		res.Unchanged++
	}
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		firstErr error
		errOnce  sync.Once
		slots    = make(chan struct{}, publishWorkers)
	)
	for _, pg := range todo {
		select {
		case slots <- struct{}{}:
		case <-ctx2.Done():
		}
		if ctx2.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := put(ctx2, pg.key, pg.v); err != nil {
				errOnce.Do(func() { firstErr = err; cancel() })
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// The catalog goes last, so that it never names a page not yet written.
	if err := putBody(ctx, CatalogKey, body); err != nil {
		return res, err
	}
	// Pages of talks and speakers that left the catalog go after it.
	for _, prefix := range []string{PublicPrefix + "talks/", PublicPrefix + "speakers/"} {
		keys, err := p.Blobs.List(ctx, prefix)
		if err != nil {
			return res, err
		}
		for _, k := range keys {
			if written[k] {
				continue
			}
			delete(p.sums, k)
			if err := p.Blobs.Delete(ctx, k); err != nil {
				return res, err
			}
			res.Removed++
		}
	}
	return res, nil
}
