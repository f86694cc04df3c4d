package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"
)

// pubItem is a media item of the published document as a Publisher keeps
// it between publishes: encoded, with what the talks and speakers take of
// it. Its DocMedia is not kept: pages and catalog.json are put together
// from enc.
type pubItem struct {
	takenAt    time.Time // ListMedia's order
	id         string
	kind       MediaKind
	status     Status
	talkIDs    []string
	speakerIDs []string
	enc        []byte // the DocMedia as an element of a list two levels deep
}

// hidden reports whether the published document leaves it out (headshots
// when speakers are private).
func (it *pubItem) hidden(private bool) bool { return private && it.kind == Headshot }

// pubEnc is a talk or speaker of the document and its encoding as an
// element of the document's list.
type pubEnc[T any] struct {
	v   T
	enc []byte
}

// pubState is the catalog as a Publisher last read it (Version version),
// with what it encoded of it, so that the next publish reads only the
// changes since (Store.Changes) and encodes only what they touch.
type pubState struct {
	version int64
	sched   Schedule
	recs    []*Recording
	items   map[string]*pubItem           // the items the document lists, by id
	order   []*pubItem                    // the same in ListMedia's order
	doc     Document                      // built from the above
	talks   map[string]pubEnc[DocTalk]    // the talks of doc, encoded two levels deep
	spkrs   map[string]pubEnc[DocSpeaker] // the speakers of doc, the same
	conf    []byte                        // doc's conference, one level deep
}

// maxFeedMedia is the most changed items a publish reads one by one; more
// than that, and reading the whole catalog is as quick.
const maxFeedMedia = 2000

// cmpItem is ListMedia's order: capture time, items without one last,
// then id.
func cmpItem(a, b *pubItem) int {
	switch {
	case a.takenAt.IsZero() && !b.takenAt.IsZero():
		return 1
	case !a.takenAt.IsZero() && b.takenAt.IsZero():
		return -1
	}
	if c := a.takenAt.Compare(b.takenAt); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

func (p *Publisher) builder(sched Schedule) *docBuilder {
	return newDocBuilder(DocumentInput{Schedule: sched, Now: p.now(), URL: p.URL, Public: true})
}

// item returns m as the document lists it, encoded, and false when the
// published document leaves it out.
func (p *Publisher) item(b *docBuilder, m *Media) (*pubItem, bool, error) {
	dm, ok := b.docMedia(m)
	if !ok {
		return nil, false, nil
	}
	enc, err := json.MarshalIndent(dm, "    ", "  ")
	if err != nil {
		return nil, false, err
	}
	return &pubItem{takenAt: m.TakenAt, id: dm.ID, kind: dm.Kind, status: dm.Status,
		talkIDs: dm.TalkIDs, speakerIDs: dm.SpeakerIDs, enc: enc}, true, nil
}

// load reads the whole catalog.
func (p *Publisher) load(ctx context.Context) (*pubState, error) {
	// The version first: whatever changes after it is read again.
	v, err := p.Store.Version(ctx)
	if err != nil {
		return nil, err
	}
	sched, err := p.Store.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	media, err := p.Store.ListMedia(ctx, MediaFilter{})
	if err != nil {
		return nil, err
	}
	recs, err := p.Store.ListRecordings(ctx)
	if err != nil {
		return nil, err
	}
	st := &pubState{version: v, sched: sched, recs: recs, items: make(map[string]*pubItem, len(media)),
		talks: map[string]pubEnc[DocTalk]{}, spkrs: map[string]pubEnc[DocSpeaker]{}}
	b := p.builder(sched)
	for _, m := range media {
		it, ok, err := p.item(b, m)
		if err != nil {
			return nil, err
		}
		if ok {
			st.items[m.ID] = it
			st.order = append(st.order, it)
		}
	}
	st.doc = p.assemble(st)
	return st, nil
}

// update brings p.state up to the store's catalog: the whole catalog read
// when p has none, or when the change feed cannot answer; only the
// changes since p.state's version otherwise. It returns the keys of the
// pages whose bytes may have changed (nil: any page) and whether the
// document changed at all (its generation time aside). On an error
// p.state is dropped, so that the next publish reads everything.
func (p *Publisher) update(ctx context.Context) (affected map[string]bool, changed bool, err error) {
	st := p.state
	p.state = nil
	if st == nil {
		if st, err = p.load(ctx); err != nil {
			return nil, false, err
		}
		p.state = st
		return nil, true, nil
	}
	c, err := p.Store.Changes(ctx, st.version)
	switch {
	case err != nil:
	case len(c.Media) > maxFeedMedia:
		err = E(Invalid, "catalog.Publish", nil, "%d items changed", len(c.Media))
	case c.Version != st.version && len(c.Media) == 0 && !c.Schedule && !c.Recordings:
		// Every change the store counts is in its feed, unless a writer
		// that does not keep the feed (a program older than it, during an
		// upgrade) made it.
		err = E(Invalid, "catalog.Publish", nil, "the catalog changed (version %d to %d) with nothing in the change feed", st.version, c.Version)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if p.Logger != nil {
			p.Logger.Info("publish reads the whole catalog", "reason", err)
		}
		if st, err = p.load(ctx); err != nil {
			return nil, false, err
		}
		p.state = st
		return nil, true, nil
	}
	if c.Schedule {
		sched, err := p.Store.Schedule(ctx)
		if err != nil {
			return nil, false, err
		}
		if sched.Conference.Timezone != st.sched.Conference.Timezone {
			// Every time in the document moves: read it all again.
			if st, err = p.load(ctx); err != nil {
				return nil, false, err
			}
			p.state = st
			return nil, true, nil
		}
		st.sched = sched
	}
	if c.Recordings {
		if st.recs, err = p.Store.ListRecordings(ctx); err != nil {
			return nil, false, err
		}
	}
	b := p.builder(st.sched)
	moved := map[string]bool{} // items that left, joined or changed place
	media := map[string]bool{} // items whose listing changed
	for _, id := range c.Media {
		m, err := p.Store.Media(ctx, id)
		var it *pubItem
		listed := false
		switch {
		case IsNotFound(err): // removed
		case err != nil:
			return nil, false, err
		default:
			if it, listed, err = p.item(b, m); err != nil {
				return nil, false, err
			}
		}
		old := st.items[id]
		switch {
		case old == nil && !listed:
			continue
		case old != nil && listed && old.takenAt.Equal(it.takenAt):
			if !bytes.Equal(old.enc, it.enc) {
				media[id] = true
				*old = *it // same place in order
			}
			continue
		}
		media[id], moved[id] = true, true
		delete(st.items, id)
		if listed {
			st.items[id] = it
		}
	}
	if len(moved) > 0 {
		kept := st.order[:0]
		for _, it := range st.order {
			if !moved[it.id] {
				kept = append(kept, it)
			}
		}
		st.order = kept
		for id := range moved {
			it := st.items[id]
			if it == nil {
				continue
			}
			i, _ := slices.BinarySearchFunc(st.order, it, cmpItem)
			st.order = slices.Insert(st.order, i, it)
		}
	}
	st.version = c.Version
	next := p.assemble(st)
	affected, changed = pagesChanged(&st.doc, &next, media)
	st.doc = next
	p.state = st
	return affected, changed, nil
}

// assemble builds st's document from its schedule, recordings and listed
// items.
func (p *Publisher) assemble(st *pubState) Document {
	b := p.builder(st.sched)
	doc := b.head()
	for _, it := range st.order {
		b.note(it.id, it.kind, it.status, it.talkIDs, it.speakerIDs)
	}
	b.finish(&doc, st.recs)
	if p.PrivateSpeakers {
		doc = WithoutSpeakerPages(doc)
	}
	return doc
}

// pagesChanged compares two documents, the items of media aside, and
// returns the keys of the talk and speaker pages of next whose bytes may
// differ from prev's (nil: any) given that the items of media changed, and
// whether the documents differ at all.
func pagesChanged(prev, next *Document, media map[string]bool) (map[string]bool, bool) {
	if !reflect.DeepEqual(prev.Conference, next.Conference) {
		return nil, true
	}
	changed := len(media) > 0 || len(prev.Talks) != len(next.Talks) || len(prev.Speakers) != len(next.Speakers)
	oldTalks := make(map[string]*DocTalk, len(prev.Talks))
	for i := range prev.Talks {
		oldTalks[prev.Talks[i].ID] = &prev.Talks[i]
	}
	oldSpeakers := make(map[string]*DocSpeaker, len(prev.Speakers))
	for i := range prev.Speakers {
		oldSpeakers[prev.Speakers[i].ID] = &prev.Speakers[i]
	}
	talks, speakers := map[string]bool{}, map[string]bool{}
	for i, t := range next.Talks {
		if old, ok := oldTalks[t.ID]; !ok || !reflect.DeepEqual(*old, t) {
			talks[t.ID], changed = true, true
		} else if !changed && prev.Talks[i].ID != t.ID {
			changed = true // the same talks in another order
		}
	}
	for i, s := range next.Speakers {
		if old, ok := oldSpeakers[s.ID]; !ok || !reflect.DeepEqual(*old, s) {
			speakers[s.ID], changed = true, true
		} else if !changed && prev.Speakers[i].ID != s.ID {
			changed = true
		}
	}
	// A talk or speaker that left the document changes the pages that
	// named it.
	nextTalks := make(map[string]bool, len(next.Talks))
	for _, t := range next.Talks {
		nextTalks[t.ID] = true
	}
	for _, t := range prev.Talks {
		if !nextTalks[t.ID] {
			talks[t.ID], changed = true, true
		}
	}
	nextSpeakers := make(map[string]bool, len(next.Speakers))
	for _, s := range next.Speakers {
		nextSpeakers[s.ID] = true
	}
	for _, s := range prev.Speakers {
		if !nextSpeakers[s.ID] {
			speakers[s.ID], changed = true, true
		}
	}
	anyMedia := func(ids []string) bool {
		for _, id := range ids {
			if media[id] {
				return true
			}
		}
		return false
	}
	byID := make(map[string]*DocSpeaker, len(next.Speakers))
	for i := range next.Speakers {
		byID[next.Speakers[i].ID] = &next.Speakers[i]
	}
	talkTouched := make(map[string]bool, len(next.Talks)) // the talk or its photos
	affected := map[string]bool{}
	for _, t := range next.Talks {
		touched := talks[t.ID] || anyMedia(t.PhotoIDs)
		talkTouched[t.ID] = touched
		for _, sid := range t.SpeakerIDs {
			if s := byID[sid]; speakers[sid] || s != nil && anyMedia(s.HeadshotIDs) {
				touched = true
			}
		}
		if touched {
			affected[TalkKey(t.ID)] = true
		}
	}
	for _, s := range next.Speakers {
		touched := speakers[s.ID] || anyMedia(s.HeadshotIDs)
		for _, tid := range s.TalkIDs {
			touched = touched || talkTouched[tid]
		}
		if touched {
			affected[SpeakerKey(s.ID)] = true
		}
	}
	return affected, changed
}

// encode returns st's document as json.MarshalIndent(st.doc, "", "  ")
// would, from the encodings kept of each item, talk and speaker: only
// those new or changed since the last call are encoded, and none is
// copied: the body reads them one after the other. It keeps the
// encodings of the talks, speakers and conference for the pages.
func (p *Publisher) encode(st *pubState) (*segments, error) {
	doc := &st.doc
	talks := make(map[string]pubEnc[DocTalk], len(doc.Talks))
	for _, t := range doc.Talks {
		e, ok := st.talks[t.ID]
		if !ok || !reflect.DeepEqual(e.v, t) {
			b, err := json.MarshalIndent(t, "    ", "  ")
			if err != nil {
				return nil, err
			}
			e = pubEnc[DocTalk]{v: t, enc: b}
		}
		talks[t.ID] = e
	}
	spkrs := make(map[string]pubEnc[DocSpeaker], len(doc.Speakers))
	for _, s := range doc.Speakers {
		e, ok := st.spkrs[s.ID]
		if !ok || !reflect.DeepEqual(e.v, s) {
			b, err := json.MarshalIndent(s, "    ", "  ")
			if err != nil {
				return nil, err
			}
			e = pubEnc[DocSpeaker]{v: s, enc: b}
		}
		spkrs[s.ID] = e
	}
	st.talks, st.spkrs = talks, spkrs
	var err error
	if st.conf, err = json.MarshalIndent(doc.Conference, "  ", "  "); err != nil {
		return nil, err
	}

	fv, err := json.Marshal(doc.FormatVersion)
	if err != nil {
		return nil, err
	}
	gen, err := json.Marshal(doc.GeneratedAt)
	if err != nil {
		return nil, err
	}
	var o object
	o.field("format_version", fv)
	o.field("conference", st.conf)
	o.field("generated_at", gen)
	o.list("talks", func(yield func([]byte) bool) {
		for _, t := range doc.Talks {
			if !yield(talks[t.ID].enc) {
				return
			}
		}
	})
	o.list("speakers", func(yield func([]byte) bool) {
		for _, s := range doc.Speakers {
			if !yield(spkrs[s.ID].enc) {
				return
			}
		}
	})
	o.list("media", func(yield func([]byte) bool) {
		for _, it := range st.order {
			if !it.hidden(p.PrivateSpeakers) && !yield(it.enc) {
				return
			}
		}
	})
	b, err := json.MarshalIndent(doc.UnmatchedRecordings, "  ", "  ")
	if err != nil {
		return nil, err
	}
	o.field("unmatched_recordings", b)
	return o.end(), nil
}

// listed returns the encodings of the items ids the document lists, in
// that order, as Index.mediaList does.
func (st *pubState) listed(ids []string, private bool, keep func(*pubItem) bool) [][]byte {
	var out [][]byte
	for _, id := range ids {
		if it := st.items[id]; it != nil && !it.hidden(private) && (keep == nil || keep(it)) {
			out = append(out, it.enc)
		}
	}
	return out
}

// talkPage is Index.TalkPage of talk t, encoded as json.MarshalIndent
// would, from the encodings encode kept.
func (p *Publisher) talkPage(st *pubState, t *DocTalk) (*segments, error) {
	var o object
	o.field("conference", st.conf)
	b, err := json.MarshalIndent(t, "  ", "  ")
	if err != nil {
		return nil, err
	}
	o.field("talk", b)
	var speakers, headshots [][]byte
	for _, sid := range t.SpeakerIDs {
		if e, ok := st.spkrs[sid]; ok {
			speakers = append(speakers, e.enc)
			headshots = append(headshots, st.listed(e.v.HeadshotIDs, p.PrivateSpeakers, nil)...)
		}
	}
	o.list("speakers", slices.Values(speakers))
	o.list("photos", slices.Values(st.listed(t.PhotoIDs, p.PrivateSpeakers, nil)))
	o.list("headshots", slices.Values(headshots))
	return o.end(), nil
}

// speakerPage is Index.SpeakerPage of speaker s, encoded as
// json.MarshalIndent would, from the encodings encode kept.
func (p *Publisher) speakerPage(st *pubState, s *DocSpeaker) (*segments, error) {
	var o object
	o.field("conference", st.conf)
	b, err := json.MarshalIndent(s, "  ", "  ")
	if err != nil {
		return nil, err
	}
	o.field("speaker", b)
	var talks, photos [][]byte
	for _, tid := range s.TalkIDs {
		if e, ok := st.talks[tid]; ok {
			talks = append(talks, e.enc)
			photos = append(photos, st.listed(e.v.PhotoIDs, p.PrivateSpeakers, func(it *pubItem) bool {
				return len(it.speakerIDs) == 0 || slices.Contains(it.speakerIDs, s.ID)
			})...)
		}
	}
	o.list("talks", slices.Values(talks))
	o.list("headshots", slices.Values(st.listed(s.HeadshotIDs, p.PrivateSpeakers, nil)))
	o.list("photos", slices.Values(photos))
	return o.end(), nil
}

// object writes a JSON object as json.MarshalIndent(v, "", "  ") does,
// from values already encoded one level deep (field) or lists of values
// encoded two levels deep (list).
type object struct {
	s segments
	n int
}

func (o *object) name(name string) {
	sep := ",\n  \""
	if o.n == 0 {
		sep = "{\n  \""
	}
	o.n++
	o.s.add([]byte(sep + name + "\": "))
}

func (o *object) field(name string, enc []byte) {
	o.name(name)
	o.s.add(enc)
}

func (o *object) list(name string, encs func(yield func([]byte) bool)) {
	o.name(name)
	o.s.add(openList)
	n := 0
	for e := range encs {
		if n > 0 {
			o.s.add(nextElem)
		} else {
			o.s.add(firstElem)
		}
		o.s.add(e)
		n++
	}
	if n > 0 {
		o.s.add(endList)
	} else {
		o.s.add(closeList)
	}
}

func (o *object) end() *segments {
	o.s.add(endObject)
	return &o.s
}

// The pieces of JSON around a list's elements, as json.MarshalIndent
// writes them two levels deep.
var (
	openList  = []byte("[")
	firstElem = []byte("\n    ")
	nextElem  = []byte(",\n    ")
	endList   = []byte("\n  ]")
	closeList = []byte("]")
	endObject = []byte("\n}")
)

// segments reads pieces of bytes one after the other, as one body that
// can seek (what BlobPutter.Put takes), without copying them together.
type segments struct {
	segs [][]byte
	ends []int64 // ends[i] is the offset just after segs[i]
	pos  int64
}

func (s *segments) add(b []byte) {
	if len(b) == 0 {
		return
	}
	s.segs = append(s.segs, b)
	s.ends = append(s.ends, s.Size()+int64(len(b)))
}

// sum returns the SHA-256 of the body.
func (s *segments) sum() [sha256.Size]byte {
	h := sha256.New()
	for _, b := range s.segs {
		h.Write(b)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// Size is the length of the body.
func (s *segments) Size() int64 {
	if len(s.ends) == 0 {
		return 0
	}
	return s.ends[len(s.ends)-1]
}

func (s *segments) Read(p []byte) (int, error) {
	if s.pos >= s.Size() {
		return 0, io.EOF
	}
	i, _ := slices.BinarySearch(s.ends, s.pos+1)
	n := 0
	for n < len(p) && i < len(s.segs) {
		start := s.ends[i] - int64(len(s.segs[i]))
		c := copy(p[n:], s.segs[i][s.pos-start:])
		n += c
		s.pos += int64(c)
		if s.pos == s.ends[i] {
			i++
		}
	}
	return n, nil
}

func (s *segments) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += s.pos
	case io.SeekEnd:
		offset += s.Size()
	default:
		return 0, errors.New("segments: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("segments: negative position")
	}
	s.pos = offset
	return offset, nil
}
