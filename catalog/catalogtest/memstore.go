package catalogtest

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// MemStore is an in-memory catalog.Store for tests. It keeps copies: nothing
// a caller passes in or gets back is shared with the store. It behaves as
// sqlstore does, down to keeping times to the microsecond and returning
// empty lists as nil.
type MemStore struct {
	mu         sync.Mutex
	conf       *catalog.Conference // nil until a schedule is imported
	talks      map[string]catalog.Talk
	speakers   map[string]catalog.Speaker
	media      map[string]*catalog.Media
	cameras    map[string]catalog.Camera
	recordings map[string]*catalog.Recording
	tokens     map[string]catalog.Token
	sessions   map[string]catalog.Session
	optOuts    map[string]catalog.OptOut
	faces      map[string]catalog.KnownFace // by headshot media id
	version    int64                        // changes to the schedule, media and recordings
	// The change feed (Changes): the version of each item's last change,
	// and of the last change to the schedule and to the recordings.
	mediaChanged      map[string]int64
	scheduleChanged   int64
	recordingsChanged int64
}

var _ catalog.Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{
		talks:      map[string]catalog.Talk{},
		speakers:   map[string]catalog.Speaker{},
		media:      map[string]*catalog.Media{},
		cameras:    map[string]catalog.Camera{},
		recordings: map[string]*catalog.Recording{},
		tokens:     map[string]catalog.Token{},
		sessions:   map[string]catalog.Session{},
		optOuts:    map[string]catalog.OptOut{},
		faces:      map[string]catalog.KnownFace{},
	}
}

// Ping always succeeds.
func (s *MemStore) Ping(context.Context) error { return nil }

// Close does nothing.
func (s *MemStore) Close() error { return nil }

// memTime is t as a database keeps it: UTC, to the microsecond.
func memTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func memList(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func memMedia(m *catalog.Media) *catalog.Media {
	c := *m
	c.UploadedAt = memTime(m.UploadedAt)
	c.TakenAt = memTime(m.TakenAt)
	c.ProcessedAt = memTime(m.ProcessedAt)
	c.DecidedAt = memTime(m.DecidedAt)
	// The camera time keeps what its string form keeps, and its source.
	c.CameraTime, _ = catalog.ParseCameraTime(m.CameraTime.String())
	c.CameraTime.Source = m.CameraTime.Source
	c.People = memList(m.People)
	c.Subjects = memList(m.Subjects)
	c.TalkIDs = memList(m.TalkIDs)
	c.SpeakerIDs = memList(m.SpeakerIDs)
	c.Candidates = memList(m.Candidates)
	c.Recognized = memList(m.Recognized)
	c.Renditions = nil
	if len(m.Renditions) > 0 {
		c.Renditions = slices.Clone(m.Renditions)
	}
	c.Faces = nil
	if len(m.Faces) > 0 {
		c.Faces = slices.Clone(m.Faces)
	}
	return &c
}

func memRecording(r *catalog.Recording) *catalog.Recording {
	c := *r
	c.Speakers = memList(r.Speakers)
	c.Candidates = memList(r.Candidates)
	c.Raw = nil
	if len(r.Raw) > 0 {
		c.Raw = bytes.Clone(r.Raw)
	}
	return &c
}

func memTalk(t catalog.Talk) catalog.Talk {
	t.Start = memTime(t.Start)
	t.End = memTime(t.End)
	t.SpeakerIDs = memList(t.SpeakerIDs)
	return t
}

// ReplaceSchedule makes sc the schedule, authoritatively, and reports what
// changed, as sqlstore.Store.ReplaceSchedule does.
func (s *MemStore) ReplaceSchedule(_ context.Context, sc catalog.Schedule) (catalog.ScheduleDiff, error) {
	const op = "catalogtest.ReplaceSchedule"
	if err := sc.Validate(op); err != nil {
		return catalog.ScheduleDiff{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	talks := make(map[string]catalog.Talk, len(sc.Talks))
	for _, t := range sc.Talks {
		t = memTalk(t)
		talks[t.ID] = t
	}
	d := sc.Diff(s.talks)
	speakers := make(map[string]catalog.Speaker, len(sc.Speakers))
	for _, sp := range sc.Speakers {
		speakers[sp.ID] = sp
	}
	conf := sc.Conference
	s.conf, s.talks, s.speakers = &conf, talks, speakers
	s.version++
	s.scheduleChanged = s.version
	return d, nil
}

func (s *MemStore) mediaChangedAt(id string) {
	if s.mediaChanged == nil {
		s.mediaChanged = map[string]int64{}
	}
	s.mediaChanged[id] = s.version
}

// Changes reports what changed after version since.
func (s *MemStore) Changes(_ context.Context, since int64) (catalog.Changes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if since < 0 || since > s.version {
		return catalog.Changes{}, catalog.E(catalog.Invalid, "memstore.Changes", nil,
			"no changes after version %d: the store is at %d", since, s.version)
	}
	c := catalog.Changes{Version: s.version, Schedule: s.scheduleChanged > since, Recordings: s.recordingsChanged > since}
	for id, v := range s.mediaChanged {
		if v > since {
			c.Media = append(c.Media, id)
		}
	}
	slices.Sort(c.Media)
	return c, nil
}

// Version counts the changes to the schedule, media and recordings.
func (s *MemStore) Version(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

// Schedule returns the current schedule: talks ordered by start then id, in
// the venue's zone, speakers ordered by id; an empty Schedule when none was
// imported.
func (s *MemStore) Schedule(context.Context) (catalog.Schedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conf == nil {
		return catalog.Schedule{}, nil
	}
	sc := catalog.Schedule{Conference: *s.conf}
	loc, err := sc.Conference.Location()
	if err != nil {
		return catalog.Schedule{}, err
	}
	for _, t := range s.talks {
		t = memTalk(t)
		if !t.Start.IsZero() {
			t.Start = t.Start.In(loc)
		}
		if !t.End.IsZero() {
			t.End = t.End.In(loc)
		}
		sc.Talks = append(sc.Talks, t)
	}
	slices.SortFunc(sc.Talks, func(a, b catalog.Talk) int {
		if c := memCmpTime(a.Start, b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, sp := range s.speakers {
		sc.Speakers = append(sc.Speakers, sp)
	}
	slices.SortFunc(sc.Speakers, func(a, b catalog.Speaker) int { return cmp.Compare(a.ID, b.ID) })
	return sc, nil
}

// memCmpTime orders times, the zero time last.
func memCmpTime(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// CreateMedia records a copy of m unless an item with its ID exists.
func (s *MemStore) CreateMedia(_ context.Context, m *catalog.Media) (bool, error) {
	const op = "catalogtest.CreateMedia"
	if m.ID == "" {
		return false, catalog.E(catalog.Invalid, op, nil, "media item %s has no id", m.SourceName)
	}
	if !m.Kind.Valid() {
		return false, catalog.E(catalog.Invalid, op, nil, "media item %s has unknown kind %q", m.SourceName, m.Kind)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.media[m.ID]; ok {
		return false, nil
	}
	s.media[m.ID] = memMedia(m)
	s.version++
	s.mediaChangedAt(m.ID)
	return true, nil
}

// Media returns a copy of one item, or a NotFound error.
func (s *MemStore) Media(_ context.Context, id string) (*catalog.Media, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return nil, catalog.E(catalog.NotFound, "catalogtest.Media", nil, "media %s not found", id)
	}
	return memMedia(m), nil
}

// KnownMedia reports which of ids are stored.
func (s *MemStore) KnownMedia(_ context.Context, ids []string) (map[string]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	known := map[string]bool{}
	for _, id := range ids {
		if _, ok := s.media[id]; ok {
			known[id] = true
		}
	}
	return known, nil
}

// ListMedia returns copies of the items f selects, ordered by capture time
// (items without one last), then id.
func (s *MemStore) ListMedia(_ context.Context, f catalog.MediaFilter) ([]*catalog.Media, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*catalog.Media
	for _, m := range s.media {
		if len(f.Status) > 0 && !slices.Contains(f.Status, m.Status) ||
			f.Kind != "" && m.Kind != f.Kind ||
			f.Camera != "" && m.Camera != f.Camera ||
			f.TalkID != "" && !slices.Contains(m.TalkIDs, f.TalkID) ||
			f.SpeakerID != "" && !slices.Contains(m.SpeakerIDs, f.SpeakerID) ||
			f.Recognized != "" && !slices.Contains(m.Recognized, f.Recognized) {
			continue
		}
		out = append(out, memMedia(m))
	}
	slices.SortFunc(out, func(a, b *catalog.Media) int {
		if c := memCmpTime(a.TakenAt, b.TakenAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// WalkMedia calls fn with each item of ListMedia, a copy, with the store
// unlocked.
func (s *MemStore) WalkMedia(ctx context.Context, f catalog.MediaFilter, fn func(*catalog.Media) error) error {
	ms, err := s.ListMedia(ctx, f)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMedia lets fn change a copy of item id and stores it if fn returns
// nil. fn runs under the store's lock: it must not call the store.
func (s *MemStore) UpdateMedia(_ context.Context, id string, fn func(*catalog.Media) error) error {
	const op = "catalogtest.UpdateMedia"
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return catalog.E(catalog.NotFound, op, nil, "media %s not found", id)
	}
	c := memMedia(m)
	if err := fn(c); err != nil {
		return err
	}
	if c.ID != id {
		return catalog.E(catalog.Invalid, op, nil, "media %s cannot change its id to %s", id, c.ID)
	}
	if !c.Kind.Valid() {
		return catalog.E(catalog.Invalid, op, nil, "media %s cannot take unknown kind %q", id, c.Kind)
	}
	s.media[id] = memMedia(c)
	s.pruneFaces(id)
	s.version++
	s.mediaChangedAt(id)
	return nil
}

// DeleteMedia removes item id; a missing item is a NotFound error.
func (s *MemStore) DeleteMedia(_ context.Context, id string) error {
	const op = "catalogtest.DeleteMedia"
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.media[id]; !ok {
		return catalog.E(catalog.NotFound, op, nil, "media %s not found", id)
	}
	delete(s.media, id)
	delete(s.faces, id)
	s.version++
	s.mediaChangedAt(id)
	return nil
}

// Camera returns one camera, or a NotFound error.
func (s *MemStore) Camera(_ context.Context, key string) (catalog.Camera, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cameras[key]
	if !ok {
		return catalog.Camera{}, catalog.E(catalog.NotFound, "catalogtest.Camera", nil, "camera %s not found", key)
	}
	return c, nil
}

// EnsureCamera records c unless its key exists; an existing camera without
// an offset takes c's.
func (s *MemStore) EnsureCamera(_ context.Context, c catalog.Camera) (catalog.Camera, error) {
	if c.Key == "" {
		return catalog.Camera{}, catalog.E(catalog.Invalid, "catalogtest.EnsureCamera", nil, "the camera has no key")
	}
	if !c.HasOffset {
		c.Offset = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.cameras[c.Key]
	switch {
	case !ok:
		s.cameras[c.Key] = c
	case !old.HasOffset && c.HasOffset:
		old.Offset, old.HasOffset = c.Offset, true
		s.cameras[c.Key] = old
	}
	return s.cameras[c.Key], nil
}

// SetCameraOffset sets a camera's offset, creating the camera if needed.
func (s *MemStore) SetCameraOffset(_ context.Context, key string, offset time.Duration) (catalog.Camera, error) {
	if key == "" {
		return catalog.Camera{}, catalog.E(catalog.Invalid, "catalogtest.SetCameraOffset", nil, "the camera has no key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cameras[key]
	c.Key, c.Offset, c.HasOffset = key, offset, true
	s.cameras[key] = c
	return c, nil
}

// Cameras lists all cameras ordered by key.
func (s *MemStore) Cameras(context.Context) ([]catalog.Camera, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Camera
	for _, c := range s.cameras {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b catalog.Camera) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

func memSameMetadata(a, b *catalog.Recording) bool {
	return a.URL == b.URL && a.Title == b.Title && slices.Equal(a.Speakers, b.Speakers) &&
		a.Description == b.Description && a.Recorded == b.Recorded && a.Room == b.Room &&
		a.Start == b.Start && a.Duration == b.Duration && a.SourceID == b.SourceID &&
		a.TalkRef == b.TalkRef && a.Thumbnail == b.Thumbnail && a.Event == b.Event && bytes.Equal(a.Raw, b.Raw)
}

// PutRecording stores a copy of r as sqlstore.Store.PutRecording does: new
// or changed records become pending and undecided, a changed one with the
// stored Generation plus one, except that a changed re-import of a Decided
// recording keeps its State, TalkID, Reason, Decided and DecidedBy; an
// identical re-import changes nothing.
func (s *MemStore) PutRecording(_ context.Context, r *catalog.Recording) (bool, error) {
	if r.ID == "" {
		return false, catalog.E(catalog.Invalid, "catalogtest.PutRecording", nil, "recording %q has no id", r.URL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	put := memRecording(r)
	put.State, put.Decided, put.DecidedBy = catalog.RecordingPending, false, ""
	if old, ok := s.recordings[r.ID]; ok {
		if memSameMetadata(old, r) {
			return false, nil
		}
		put.Generation = old.Generation + 1
		if old.Decided {
			put.State, put.TalkID, put.Reason = old.State, old.TalkID, old.Reason
			put.Decided, put.DecidedBy = true, old.DecidedBy
		}
	}
	s.recordings[r.ID] = put
	s.version++
	s.recordingsChanged = s.version
	return true, nil
}

// Recording returns a copy of one recording, or a NotFound error.
func (s *MemStore) Recording(_ context.Context, id string) (*catalog.Recording, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recordings[id]
	if !ok {
		return nil, catalog.E(catalog.NotFound, "catalogtest.Recording", nil, "recording %s not found", id)
	}
	return memRecording(r), nil
}

// ListRecordings returns copies of all recordings ordered by id.
func (s *MemStore) ListRecordings(context.Context) ([]*catalog.Recording, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*catalog.Recording
	for _, r := range s.recordings {
		out = append(out, memRecording(r))
	}
	slices.SortFunc(out, func(a, b *catalog.Recording) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// UpdateRecording is UpdateMedia for recordings.
func (s *MemStore) UpdateRecording(_ context.Context, id string, fn func(*catalog.Recording) error) error {
	const op = "catalogtest.UpdateRecording"
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recordings[id]
	if !ok {
		return catalog.E(catalog.NotFound, op, nil, "recording %s not found", id)
	}
	c := memRecording(r)
	if err := fn(c); err != nil {
		return err
	}
	if c.ID != id {
		return catalog.E(catalog.Invalid, op, nil, "recording %s cannot change its id to %s", id, c.ID)
	}
	s.recordings[id] = memRecording(c)
	s.version++
	s.recordingsChanged = s.version
	return nil
}

// PutToken stores t, replacing any token with the same hash.
func (s *MemStore) PutToken(_ context.Context, t catalog.Token) error {
	if t.Hash == "" {
		return catalog.E(catalog.Invalid, "catalogtest.PutToken", nil, "token %q has no hash", t.Name)
	}
	t.Created, t.Expires = memTime(t.Created), memTime(t.Expires)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.Hash] = t
	return nil
}

// TokenByHash returns the token with that hash, or a NotFound error.
func (s *MemStore) TokenByHash(_ context.Context, hash string) (catalog.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[hash]
	if !ok {
		return catalog.Token{}, catalog.E(catalog.NotFound, "catalogtest.TokenByHash", nil, "no such token")
	}
	return t, nil
}

// DeleteToken removes the token with that hash, or returns a NotFound error.
func (s *MemStore) DeleteToken(_ context.Context, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[hash]; !ok {
		return catalog.E(catalog.NotFound, "catalogtest.DeleteToken", nil, "no such token")
	}
	delete(s.tokens, hash)
	return nil
}

// Tokens lists every token, newest first (then by hash).
func (s *MemStore) Tokens(_ context.Context) ([]catalog.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Token
	for _, t := range s.tokens {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].Hash < out[j].Hash
	})
	return out, nil
}

// PutSession stores ss, replacing a session with the same hash. A session
// without a hash, a token hash or an expiry is Invalid.
func (s *MemStore) PutSession(_ context.Context, ss catalog.Session) error {
	if ss.Hash == "" || ss.TokenHash == "" || ss.Expires.IsZero() {
		return catalog.E(catalog.Invalid, "catalogtest.PutSession", nil, "a session needs a hash, a token and an expiry")
	}
	ss.Created, ss.Expires = memTime(ss.Created), memTime(ss.Expires)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[ss.Hash] = ss
	return nil
}

// SessionByHash returns the session with that hash, or a NotFound error.
func (s *MemStore) SessionByHash(_ context.Context, hash string) (catalog.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[hash]
	if !ok {
		return catalog.Session{}, catalog.E(catalog.NotFound, "catalogtest.SessionByHash", nil, "no such session")
	}
	return ss, nil
}

// DeleteSession removes the session with that hash, if there is one.
func (s *MemStore) DeleteSession(_ context.Context, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, hash)
	return nil
}

// DeleteTokenSessions removes every session of the token with tokenHash.
func (s *MemStore) DeleteTokenSessions(_ context.Context, tokenHash string) (int, error) {
	return s.deleteSessions(func(ss catalog.Session) bool { return ss.TokenHash == tokenHash }), nil
}

// DeleteExpiredSessions removes the sessions that ended by now.
func (s *MemStore) DeleteExpiredSessions(_ context.Context, now time.Time) (int, error) {
	now = memTime(now)
	return s.deleteSessions(func(ss catalog.Session) bool { return !ss.Expires.After(now) }), nil
}

func (s *MemStore) deleteSessions(match func(catalog.Session) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for h, ss := range s.sessions {
		if match(ss) {
			delete(s.sessions, h)
			n++
		}
	}
	return n
}

// PutOptOut records o, replacing the opt-out with the same Name (compared
// exactly, after trimming surrounding space). An empty name is Invalid.
func (s *MemStore) PutOptOut(_ context.Context, o catalog.OptOut) error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return catalog.E(catalog.Invalid, "catalogtest.PutOptOut", nil, "the opt-out names nobody")
	}
	o.Created = memTime(o.Created)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.optOuts[o.Name]
	s.optOuts[o.Name] = o
	s.pruneFaces("", old.SpeakerID)
	return nil
}

// OptOuts lists all opt-outs ordered by name.
func (s *MemStore) OptOuts(context.Context) ([]catalog.OptOut, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.OptOut
	for _, o := range s.optOuts {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b catalog.OptOut) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteOptOut removes the opt-out of name (trimmed), or returns a NotFound
// error.
func (s *MemStore) DeleteOptOut(_ context.Context, name string) error {
	name = strings.TrimSpace(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.optOuts[name]; !ok {
		return catalog.E(catalog.NotFound, "catalogtest.DeleteOptOut", nil, "no opt-out for %q", name)
	}
	old := s.optOuts[name]
	delete(s.optOuts, name)
	s.pruneFaces("", old.SpeakerID)
	return nil
}

// optedOut reports whether an opt-out names speaker id; s.mu is held.
func (s *MemStore) optedOut(id string) bool {
	for _, o := range s.optOuts {
		if id != "" && o.SpeakerID == id {
			return true
		}
	}
	return false
}

// pruneFaces deletes the descriptors catalog.DescriptorUse no longer keeps:
// of item id, or (id "") those of the speakers given; s.mu is held.
func (s *MemStore) pruneFaces(id string, speakers ...string) {
	for mid, k := range s.faces {
		if (id == "" && !slices.Contains(speakers, k.SpeakerID)) || (id != "" && mid != id) {
			continue
		}
		if catalog.DescriptorUse(s.media[mid], k.SpeakerID, s.optedOut(k.SpeakerID)) == catalog.DescriptorNone {
			delete(s.faces, mid)
		}
	}
}

// PutFaceDescriptor stores v for headshot mediaID of speakerID, while
// catalog.DescriptorUse keeps it.
func (s *MemStore) PutFaceDescriptor(_ context.Context, mediaID, speakerID string, v catalog.FaceVector) error {
	const op = "catalogtest.PutFaceDescriptor"
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[mediaID]
	if !ok {
		return catalog.E(catalog.NotFound, op, nil, "media %s not found", mediaID)
	}
	if catalog.DescriptorUse(m, speakerID, s.optedOut(speakerID)) == catalog.DescriptorNone {
		return catalog.E(catalog.Conflict, op, nil, "%s is not a tagged headshot of speaker %s", m.SourceName, speakerID)
	}
	s.faces[mediaID] = catalog.KnownFace{MediaID: mediaID, SpeakerID: speakerID, Vector: v}
	return nil
}

// FaceDescriptors returns the descriptors catalog.DescriptorUse keeps, by
// speaker, then media id.
func (s *MemStore) FaceDescriptors(context.Context) ([]catalog.KnownFace, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.KnownFace
	for id, k := range s.faces {
		switch catalog.DescriptorUse(s.media[id], k.SpeakerID, s.optedOut(k.SpeakerID)) {
		case catalog.DescriptorRecognizes:
			out = append(out, k)
		case catalog.DescriptorProtects:
			k.Protects = true
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b catalog.KnownFace) int {
		return cmp.Or(cmp.Compare(a.SpeakerID, b.SpeakerID), cmp.Compare(a.MediaID, b.MediaID))
	})
	return out, nil
}

// DeleteFaceDescriptors removes every descriptor.
func (s *MemStore) DeleteFaceDescriptors(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.faces)
	clear(s.faces)
	return n, nil
}
