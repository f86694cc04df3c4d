package catalog

// WithoutSpeakerPages returns the document as those who are neither staff
// nor the speaker see it when speaker pages are private: every speaker
// keeps their id and name (the schedule's), and nothing else — no talk
// list, no headshots — and headshots are left out of the media. Talks keep
// their speaker ids, photos the ids of the speakers they show. d is not
// changed.
func WithoutSpeakerPages(d Document) Document {
	out := d
	out.Speakers = make([]DocSpeaker, len(d.Speakers))
	for i, s := range d.Speakers {
		out.Speakers[i] = DocSpeaker{ID: s.ID, Name: s.Name, TalkIDs: []string{}, HeadshotIDs: []string{}}
	}
	out.Media = make([]DocMedia, 0, len(d.Media))
	for _, m := range d.Media {
		if m.Kind != Headshot {
			out.Media = append(out.Media, m)
		}
	}
	return out
}
