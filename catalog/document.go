package catalog

import (
	"slices"
	"sort"
	"time"
)

// FormatVersion is the version of the catalog document's format
// (catalog.schema.json) that this code writes. It grows when a change
// would break a reader: a field removed, renamed or changing meaning.
// Fields added do not change it.
const FormatVersion = 2

// Document is the catalog document of catalog.schema.json: what `confmedia
// catalog export` prints and `confmedia publish` writes as catalog.json.
// Absent values are left out, never null; lists are never null.
type Document struct {
	FormatVersion       int            `json:"format_version"`
	Conference          DocConference  `json:"conference"`
	GeneratedAt         string         `json:"generated_at"`
	Talks               []DocTalk      `json:"talks"`
	Speakers            []DocSpeaker   `json:"speakers"`
	Media               []DocMedia     `json:"media"`
	UnmatchedRecordings []DocUnmatched `json:"unmatched_recordings"`
}

// DocConference is the document's conference.
type DocConference struct {
	Title    string `json:"title"`
	Acronym  string `json:"acronym,omitempty"`
	Timezone string `json:"timezone"`
	URL      string `json:"url,omitempty"`
	// Days are the dates of the conference in the venue's zone
	// ("2006-01-02"), those on which a talk starts, in order.
	Days []string `json:"days"`
}

// DocTalk is a talk in the document.
type DocTalk struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Start       string         `json:"start"`
	End         string         `json:"end"`
	Room        string         `json:"room"`
	SpeakerIDs  []string       `json:"speaker_ids"`
	PhotoIDs    []string       `json:"photo_ids"`
	Recordings  []DocRecording `json:"recordings"`
	DoNotRecord bool           `json:"do_not_record,omitempty"`
	Track       string         `json:"track,omitempty"`
	Type        string         `json:"type,omitempty"`
	GUID        string         `json:"guid,omitempty"`
	Code        string         `json:"code,omitempty"`
	Slug        string         `json:"slug,omitempty"`
	URL         string         `json:"url,omitempty"`
	Abstract    string         `json:"abstract,omitempty"`
	Language    string         `json:"language,omitempty"`
}

// DocRecording is a recording attached to a talk.
type DocRecording struct {
	ID              string `json:"id"`
	URL             string `json:"url"`
	Title           string `json:"title,omitempty"`
	SourceID        string `json:"source_id,omitempty"`
	DurationSeconds int    `json:"duration_seconds,omitempty"`
	Thumbnail       string `json:"thumbnail_url,omitempty"`
}

// DocSpeaker is a speaker in the document.
type DocSpeaker struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	TalkIDs     []string `json:"talk_ids"`
	HeadshotIDs []string `json:"headshot_ids"`
	// AvatarURL is the picture the schedule links for the speaker, given
	// only while no headshot of theirs is published.
	AvatarURL string `json:"avatar_url,omitempty"`
}

// DocMedia is a media item in the document.
type DocMedia struct {
	ID           string                  `json:"id"`
	Kind         MediaKind               `json:"kind"`
	SourceName   string                  `json:"source_name"`
	Status       Status                  `json:"status"`
	Reason       string                  `json:"reason,omitempty"`
	TakenAt      string                  `json:"taken_at,omitempty"`
	Width        int                     `json:"width,omitempty"`
	Height       int                     `json:"height,omitempty"`
	TalkIDs      []string                `json:"talk_ids"`
	SpeakerIDs   []string                `json:"speaker_ids"`
	Renditions   map[string]DocRendition `json:"renditions"`
	Photographer string                  `json:"photographer,omitempty"`
	License      string                  `json:"license,omitempty"`
	// Organizers' view only.
	Candidates []string `json:"candidate_ids,omitempty"`
	Camera     string   `json:"camera,omitempty"`
}

// DocRendition is one rendition of a media item.
type DocRendition struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// DocUnmatched is a recording that could not be attached with confidence.
type DocUnmatched struct {
	ID               string   `json:"id"`
	URL              string   `json:"url"`
	Title            string   `json:"title,omitempty"`
	Reason           string   `json:"reason"`
	CandidateTalkIDs []string `json:"candidate_talk_ids,omitempty"`
	SourceID         string   `json:"source_id,omitempty"`
	SpeakerNames     []string `json:"speakers,omitempty"`
	RecordingPending bool     `json:"pending,omitempty"`
}

// DocumentInput is what BuildDocument needs.
type DocumentInput struct {
	Schedule   Schedule
	Media      []*Media
	Recordings []*Recording
	Now        time.Time
	// URL turns a blob key into an absolute URL a browser can GET: a
	// public key into a public URL, a staff key (StaffRenditionKey) into
	// one organizers can GET.
	URL func(key string) string
	// Public leaves out everything that is not published: media that are
	// not tagged or untagged, reasons, candidates and unmatched recordings.
	Public bool
}

// BuildDocument assembles the catalog document. Times are written in the
// venue's zone (UTC if the zone cannot be loaded), whole seconds.
func BuildDocument(in DocumentInput) Document {
	b := newDocBuilder(in)
	doc := b.head()
	for _, m := range in.Media {
		if dm, ok := b.media(m); ok {
			doc.Media = append(doc.Media, dm)
		}
	}
	b.finish(&doc, in.Recordings)
	return doc
}

// docBuilder builds a document item by item: the conference first, then
// each media item (media), then the talks, speakers and recordings
// (finish), which name the media ids seen. It keeps only those ids.
// WriteDocument uses docMedia, which keeps nothing, and finish with no ids
// seen, and writes the ids itself.
type docBuilder struct {
	in                 DocumentInput
	loc                *time.Location
	photosByTalk       map[string][]string
	headshotsBySpeaker map[string][]string
}

func newDocBuilder(in DocumentInput) *docBuilder {
	loc, err := in.Schedule.Conference.Location()
	if err != nil {
		loc = time.UTC
	}
	return &docBuilder{in: in, loc: loc, photosByTalk: map[string][]string{}, headshotsBySpeaker: map[string][]string{}}
}

func (b *docBuilder) stamp(t time.Time) string {
	return t.In(b.loc).Truncate(time.Second).Format(time.RFC3339)
}

// head returns the document with its conference and empty lists.
func (b *docBuilder) head() Document {
	c := b.in.Schedule.Conference
	days := []string{}
	for _, t := range b.in.Schedule.Talks {
		if !t.Start.IsZero() {
			days = append(days, t.Start.In(b.loc).Format(time.DateOnly))
		}
	}
	slices.Sort(days)
	return Document{
		FormatVersion:       FormatVersion,
		Conference:          DocConference{Title: c.Title, Acronym: c.Acronym, Timezone: c.Timezone, URL: c.URL, Days: slices.Compact(days)},
		GeneratedAt:         b.in.Now.UTC().Truncate(time.Second).Format(time.RFC3339),
		Talks:               []DocTalk{},
		Speakers:            []DocSpeaker{},
		Media:               []DocMedia{},
		UnmatchedRecordings: []DocUnmatched{},
	}
}

// media returns m as the document lists it, and false when the document
// leaves it out.
func (b *docBuilder) media(m *Media) (DocMedia, bool) {
	dm, ok := b.docMedia(m)
	if ok {
		b.note(dm.ID, dm.Kind, dm.Status, dm.TalkIDs, dm.SpeakerIDs)
	}
	return dm, ok
}

// note records that the document lists item id, for the talks and
// speakers that finish builds.
func (b *docBuilder) note(id string, kind MediaKind, status Status, talkIDs, speakerIDs []string) {
	if status != Tagged {
		return
	}
	switch kind {
	case Photo:
		for _, t := range talkIDs {
			b.photosByTalk[t] = append(b.photosByTalk[t], id)
		}
	case Headshot:
		for _, s := range speakerIDs {
			b.headshotsBySpeaker[s] = append(b.headshotsBySpeaker[s], id)
		}
	}
}

// docMedia is media without note.
func (b *docBuilder) docMedia(m *Media) (DocMedia, bool) {
	in := b.in
	if in.Public && !m.Status.Public() {
		return DocMedia{}, false
	}
	dm := DocMedia{
		ID:           m.ID,
		Kind:         m.Kind,
		SourceName:   m.SourceName,
		Status:       m.Status,
		Width:        m.Width,
		Height:       m.Height,
		TalkIDs:      nonNil(m.TalkIDs),
		SpeakerIDs:   nonNil(m.SpeakerIDs),
		Renditions:   map[string]DocRendition{},
		Photographer: m.Photographer,
		License:      m.License,
	}
	if !m.TakenAt.IsZero() {
		dm.TakenAt = b.stamp(m.TakenAt)
	}
	if !in.Public {
		dm.Reason = m.Reason
		dm.Candidates = m.Candidates
		dm.Camera = m.Camera
	}
	// A public item's renditions are under their public keys; the
	// organizers' view shows an undecided item's staff copies (see
	// RenditionsFor), which only organizers can fetch.
	staff, public := RenditionsFor(m.Status)
	for _, r := range m.Renditions {
		switch {
		case public:
			dm.Renditions[r.Name] = DocRendition{URL: in.URL(r.Key), Width: r.Width, Height: r.Height}
		case staff && !in.Public:
			dm.Renditions[r.Name] = DocRendition{URL: in.URL(StaffRenditionKey(m.ID, r.Name)), Width: r.Width, Height: r.Height}
		}
	}
	return dm, true
}

// finish fills in doc's talks, speakers and unmatched recordings, with the
// media ids seen so far.
func (b *docBuilder) finish(doc *Document, recordings []*Recording) {
	in := b.in
	recsByTalk := map[string][]DocRecording{}
	talkByID := map[string]Talk{}
	for _, t := range in.Schedule.Talks {
		talkByID[t.ID] = t
	}
	for _, r := range recordings {
		if r.State == RecordingDismissed {
			continue // a person decided it belongs to no talk
		}
		reason := r.Reason
		if r.State == RecordingAttached && r.TalkID != "" {
			t, ok := talkByID[r.TalkID]
			switch {
			case ok && !t.DoNotRecord:
				recsByTalk[r.TalkID] = append(recsByTalk[r.TalkID], DocRecording{
					ID: r.ID, URL: r.URL, Title: r.Title, SourceID: r.SourceID,
					DurationSeconds: r.Duration, Thumbnail: r.Thumbnail,
				})
				continue
			case ok:
				reason = "talk " + r.TalkID + " is marked do not record"
			default:
				reason = "talk " + r.TalkID + " left the schedule"
			}
		}
		if in.Public {
			continue
		}
		if reason == "" {
			reason = "not matched yet"
		}
		doc.UnmatchedRecordings = append(doc.UnmatchedRecordings, DocUnmatched{
			ID: r.ID, URL: r.URL, Title: r.Title, Reason: reason,
			CandidateTalkIDs: r.Candidates, SourceID: r.SourceID, SpeakerNames: r.Speakers,
			RecordingPending: r.State == RecordingPending || r.State == "",
		})
	}

	talksBySpeaker := map[string][]string{}
	for _, t := range in.Schedule.Talks {
		for _, s := range t.SpeakerIDs {
			talksBySpeaker[s] = append(talksBySpeaker[s], t.ID)
		}
		recs := recsByTalk[t.ID]
		if recs == nil {
			recs = []DocRecording{}
		}
		sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
		doc.Talks = append(doc.Talks, DocTalk{
			ID: t.ID, Title: t.Title, Start: b.stamp(t.Start), End: b.stamp(t.End), Room: t.Room,
			SpeakerIDs: nonNil(t.SpeakerIDs), PhotoIDs: nonNil(b.photosByTalk[t.ID]), Recordings: recs,
			DoNotRecord: t.DoNotRecord, Track: t.Track, Type: t.Type, GUID: t.GUID, Code: t.Code,
			Slug: t.Slug, URL: t.URL, Abstract: t.Abstract, Language: t.Language,
		})
	}
	for _, s := range in.Schedule.Speakers {
		ds := DocSpeaker{
			ID: s.ID, Name: s.Name,
			TalkIDs:     nonNil(talksBySpeaker[s.ID]),
			HeadshotIDs: nonNil(b.headshotsBySpeaker[s.ID]),
		}
		if len(ds.HeadshotIDs) == 0 {
			ds.AvatarURL = s.AvatarURL
		}
		doc.Speakers = append(doc.Speakers, ds)
	}
}

// TalkPage is the published JSON of one talk: the talk with its speakers,
// photos and recordings resolved.
type TalkPage struct {
	Conference DocConference `json:"conference"`
	Talk       DocTalk       `json:"talk"`
	Speakers   []DocSpeaker  `json:"speakers"`
	Photos     []DocMedia    `json:"photos"`
	Headshots  []DocMedia    `json:"headshots"`
}

// SpeakerPage is the published JSON of one speaker.
type SpeakerPage struct {
	Conference DocConference `json:"conference"`
	Speaker    DocSpeaker    `json:"speaker"`
	Talks      []DocTalk     `json:"talks"`
	Headshots  []DocMedia    `json:"headshots"`
	Photos     []DocMedia    `json:"photos"`
}

// Index gives fast lookups into a Document.
type Index struct {
	Doc      *Document
	talks    map[string]int
	speakers map[string]int
	media    map[string]int
}

// NewIndex indexes d.
func NewIndex(d *Document) *Index {
	x := &Index{Doc: d, talks: map[string]int{}, speakers: map[string]int{}, media: map[string]int{}}
	for i, t := range d.Talks {
		x.talks[t.ID] = i
	}
	for i, s := range d.Speakers {
		x.speakers[s.ID] = i
	}
	for i, m := range d.Media {
		x.media[m.ID] = i
	}
	return x
}

// TalkPage returns the page of talk id.
func (x *Index) TalkPage(id string) (TalkPage, bool) {
	i, ok := x.talks[id]
	if !ok {
		return TalkPage{}, false
	}
	t := x.Doc.Talks[i]
	p := TalkPage{Conference: x.Doc.Conference, Talk: t, Speakers: []DocSpeaker{}, Photos: x.mediaList(t.PhotoIDs), Headshots: []DocMedia{}}
	for _, sid := range t.SpeakerIDs {
		if j, ok := x.speakers[sid]; ok {
			s := x.Doc.Speakers[j]
			p.Speakers = append(p.Speakers, s)
			p.Headshots = append(p.Headshots, x.mediaList(s.HeadshotIDs)...)
		}
	}
	return p, true
}

// SpeakerPage returns the page of speaker id.
func (x *Index) SpeakerPage(id string) (SpeakerPage, bool) {
	i, ok := x.speakers[id]
	if !ok {
		return SpeakerPage{}, false
	}
	s := x.Doc.Speakers[i]
	p := SpeakerPage{Conference: x.Doc.Conference, Speaker: s, Talks: []DocTalk{}, Headshots: x.mediaList(s.HeadshotIDs), Photos: []DocMedia{}}
	for _, tid := range s.TalkIDs {
		if j, ok := x.talks[tid]; ok {
			t := x.Doc.Talks[j]
			p.Talks = append(p.Talks, t)
			for _, m := range x.mediaList(t.PhotoIDs) {
				if len(m.SpeakerIDs) == 0 || slices.Contains(m.SpeakerIDs, id) {
					p.Photos = append(p.Photos, m)
				}
			}
		}
	}
	return p, true
}

// Media returns media item id of the document, and false when it has none.
func (x *Index) Media(id string) (DocMedia, bool) {
	i, ok := x.media[id]
	if !ok {
		return DocMedia{}, false
	}
	return x.Doc.Media[i], true
}

func (x *Index) mediaList(ids []string) []DocMedia {
	out := []DocMedia{}
	for _, id := range ids {
		if i, ok := x.media[id]; ok {
			out = append(out, x.Doc.Media[i])
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
