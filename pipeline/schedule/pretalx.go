package schedule

import (
	"encoding/json"

	"github.com/confmedia/confmedia/catalog"
)

// sniffJSON tells the JSON schedule formats apart by their shape.
func sniffJSON(b []byte) (string, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		// Let the reader report the syntax error with its line.
		if b[0] == '{' {
			return FormatPretalxJSON, nil
		}
		return FormatPretalxSubmissions, nil
	}
	if top, ok := v.(map[string]any); ok {
		if s, ok := top["schedule"].(map[string]any); ok {
			if _, ok := s["events"].([]any); ok {
				return FormatSchedule2JSON, nil
			}
			if _, ok := s["conference"].(map[string]any); ok {
				return FormatPretalxJSON, nil
			}
		}
	}
	if hasSubmission(v, 0) {
		return FormatPretalxSubmissions, nil
	}
	return "", catalog.E(catalog.Invalid, "schedule.Sniff", nil,
		"JSON, but not a schedule: want a schedule.json (schedule.conference.days), a schedule 2 JSON (schedule.events) or pretalx submissions (objects with code, title and a start or slot)")
}

// hasSubmission reports whether v holds a pretalx submission with a slot.
func hasSubmission(v any, depth int) bool {
	if depth > 8 {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		if isSubmission(t) {
			return true
		}
		for _, c := range t {
			if hasSubmission(c, depth+1) {
				return true
			}
		}
	case []any:
		for _, c := range t {
			if hasSubmission(c, depth+1) {
				return true
			}
		}
	}
	return false
}

func isSubmission(m map[string]any) bool {
	_, code := m["code"].(string)
	_, title := m["title"]
	_, slot := m["slot"]
	_, start := m["start"]
	return code && title && (slot || start)
}

// validCode reports whether s looks like a pretalx code: ASCII capitals
// and digits only.
func validCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// readPretalxJSON reads a c3voc "schedule 1" JSON as frab and pretalx
// export it: schedule.conference.days[].rooms{name: [event]}.
func readPretalxJSON(name string, data []byte) (*document, error) {
	d, root, err := parseJSON(name, data)
	if err != nil {
		return nil, err
	}
	sched, err := d.member(root, "schedule", '{')
	if err != nil {
		return nil, err
	}
	conf, err := d.member(sched, "conference", '{')
	if err != nil {
		return nil, err
	}
	cf, err := d.fields(conf)
	if err != nil {
		return nil, err
	}
	cm := fieldMap(cf)
	doc := &document{}
	if doc.title, err = d.text(cm["title"]); err != nil {
		return nil, err
	}
	if doc.acronym, err = d.text(cm["acronym"]); err != nil {
		return nil, err
	}
	if doc.zone, err = d.text(cm["time_zone_name"]); err != nil {
		return nil, err
	}
	if doc.url, err = d.text(cm["url"]); err != nil {
		return nil, err
	}
	days, ok := cm["days"]
	if !ok {
		return nil, d.failf(conf, "no days")
	}
	dayList, err := d.items(days)
	if err != nil {
		return nil, err
	}
	for _, day := range dayList {
		df, err := d.fields(day)
		if err != nil {
			return nil, err
		}
		dm := fieldMap(df)
		date, err := d.text(dm["date"])
		if err != nil {
			return nil, err
		}
		dayStart, err := d.text(dm["day_start"])
		if err != nil {
			return nil, err
		}
		rooms, ok := dm["rooms"]
		if !ok || rooms.isNull() {
			continue
		}
		rf, err := d.fields(rooms)
		if err != nil {
			return nil, err
		}
		for _, room := range rf {
			if room.val.isNull() {
				continue
			}
			events, err := d.items(room.val)
			if err != nil {
				return nil, err
			}
			for _, ev := range events {
				r, err := d.event(ev)
				if err != nil {
					return nil, err
				}
				if r.room == "" {
					r.room = room.key
				}
				r.dayDate, r.dayStart = date, dayStart
				doc.talks = append(doc.talks, r)
			}
		}
	}
	return doc, nil
}

// member returns member key of object n, which must be there and be of the
// JSON kind want ('{' or '[').
func (d *jdoc) member(n jnode, key string, want byte) (jnode, error) {
	v, ok, err := d.field(n, key)
	if err != nil {
		return jnode{}, err
	}
	if !ok {
		return jnode{}, d.failf(n, "no %q", key)
	}
	if v.kind() != want {
		kind := "an object"
		if want == '[' {
			kind = "an array"
		}
		return jnode{}, d.failf(v, "want %s, found %s", kind, describe(v))
	}
	return v, nil
}

// event reads one event of a schedule 1 or schedule 2 JSON.
func (d *jdoc) event(n jnode) (rawTalk, error) {
	fs, err := d.fields(n)
	if err != nil {
		return rawTalk{}, err
	}
	m := fieldMap(fs)
	r := rawTalk{where: d.where(n)}
	if r.id, err = d.idText(m["id"]); err != nil {
		return r, err
	}
	texts := []struct {
		dst *string
		key string
	}{
		{&r.title, "title"}, {&r.guid, "guid"}, {&r.code, "code"}, {&r.slug, "slug"},
		{&r.url, "url"}, {&r.typ, "type"}, {&r.stamp, "date"}, {&r.clock, "start"},
		{&r.end, "end"}, {&r.duration, "duration"}, {&r.feedbackURL, "feedback_url"},
		{&r.abstract, "abstract"}, {&r.language, "language"},
	}
	for _, t := range texts {
		if *t.dst, err = d.text(m[t.key]); err != nil {
			return r, err
		}
	}
	// Room and track are names in schedule 1, objects in schedule 2.
	if r.room, err = d.named(m["room"]); err != nil {
		return r, err
	}
	if r.track, err = d.named(m["track"]); err != nil {
		return r, err
	}
	if r.code != "" && !validCode(r.code) {
		return r, d.failf(m["code"], "submission code %q is not a pretalx code (want A-Z and 0-9 only)", r.code)
	}
	if r.doNotRecord, err = d.boolean(m["do_not_record"]); err != nil {
		return r, err
	}
	for _, key := range []string{"persons", "participants", "speakers"} {
		list, ok := m[key]
		if !ok || list.isNull() {
			continue
		}
		ps, err := d.persons(list)
		if err != nil {
			return r, err
		}
		r.persons = append(r.persons, ps...)
	}
	return r, nil
}

// named reads a name that is either a string or an object with a name
// (else a slug).
func (d *jdoc) named(n jnode) (string, error) {
	if n.kind() != '{' {
		return d.text(n)
	}
	fs, err := d.fields(n)
	if err != nil {
		return "", err
	}
	m := fieldMap(fs)
	if _, ok := m["name"]; ok {
		return d.text(m["name"])
	}
	if _, ok := m["slug"]; ok {
		return d.text(m["slug"])
	}
	return d.text(n)
}

// persons reads a list of speakers: pretalx {code, public_name}, frab
// {id, public_name}, schedule 2 {guid, name}, or plain names.
func (d *jdoc) persons(n jnode) ([]rawPerson, error) {
	items, err := d.items(n)
	if err != nil {
		return nil, err
	}
	out := make([]rawPerson, 0, len(items))
	for _, it := range items {
		if it.kind() == '"' {
			s, err := d.text(it)
			if err != nil {
				return nil, err
			}
			out = append(out, rawPerson{name: s})
			continue
		}
		fs, err := d.fields(it)
		if err != nil {
			return nil, err
		}
		m := fieldMap(fs)
		var p rawPerson
		if p.code, err = d.text(m["code"]); err != nil {
			return nil, err
		}
		if p.code != "" && !validCode(p.code) {
			return nil, d.failf(m["code"], "person code %q is not a pretalx code (want A-Z and 0-9 only)", p.code)
		}
		if p.id, err = d.idText(m["id"]); err != nil {
			return nil, err
		}
		if p.id == "" {
			if p.id, err = d.text(m["guid"]); err != nil {
				return nil, err
			}
		}
		for _, key := range []string{"public_name", "name", "full_public_name"} {
			if p.name != "" {
				break
			}
			if p.name, err = d.text(m[key]); err != nil {
				return nil, err
			}
		}
		if p.avatar, err = d.text(m["avatar"]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// readSchedule2JSON reads a c3voc "schedule 2" JSON (the hub's):
// schedule.conference plus a flat schedule.events list whose events carry a
// start and an end. A talk's id is the event's id, else its pretalx code,
// else its guid.
func readSchedule2JSON(name string, data []byte) (*document, error) {
	d, root, err := parseJSON(name, data)
	if err != nil {
		return nil, err
	}
	sched, err := d.member(root, "schedule", '{')
	if err != nil {
		return nil, err
	}
	doc := &document{}
	trackNames := make(map[string]string) // slug -> name
	if conf, ok, err := d.field(sched, "conference"); err != nil {
		return nil, err
	} else if ok && conf.kind() == '{' {
		cf, err := d.fields(conf)
		if err != nil {
			return nil, err
		}
		cm := fieldMap(cf)
		if doc.title, err = d.text(cm["title"]); err != nil {
			return nil, err
		}
		if doc.acronym, err = d.text(cm["acronym"]); err != nil {
			return nil, err
		}
		if doc.zone, err = d.text(cm["time_zone_name"]); err != nil {
			return nil, err
		}
		if tracks, ok := cm["tracks"]; ok && tracks.kind() == '[' {
			if err := d.trackNames(tracks, trackNames); err != nil {
				return nil, err
			}
		}
	}
	events, err := d.member(sched, "events", '[')
	if err != nil {
		return nil, err
	}
	list, err := d.items(events)
	if err != nil {
		return nil, err
	}
	for _, ev := range list {
		r, err := d.event(ev)
		if err != nil {
			return nil, err
		}
		if name, ok := trackNames[r.track]; ok {
			r.track = name
		}
		if r.id == "" {
			r.id = r.code
		}
		if r.id == "" {
			r.id = r.guid
		}
		// Schedule 2 calls the full start "start".
		if r.stamp == "" && len(r.clock) > len("15:04:05") {
			r.stamp, r.clock = r.clock, ""
		}
		doc.talks = append(doc.talks, r)
	}
	return doc, nil
}

// trackNames records the name of each track of a schedule 2 conference
// by its slug, as events name their track by slug only.
func (d *jdoc) trackNames(tracks jnode, names map[string]string) error {
	list, err := d.items(tracks)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.kind() != '{' {
			continue
		}
		fs, err := d.fields(t)
		if err != nil {
			return err
		}
		m := fieldMap(fs)
		slug, err := d.text(m["slug"])
		if err != nil {
			return err
		}
		name, err := d.text(m["name"])
		if err != nil {
			return err
		}
		if slug != "" && name != "" {
			names[slug] = name
		}
	}
	return nil
}

// readSubmissions reads pretalx submissions as pretalx-derived sites keep
// them: a list of submissions, or any nesting of objects and arrays (days,
// slots, rooms) around them. A submission is an object with a code, a title
// and a start (its own or its slot's); its code is the talk id. Submissions
// with no start are not on the timetable and are left out. Such files name
// no zone.
func readSubmissions(name string, data []byte) (*document, error) {
	d, root, err := parseJSON(name, data)
	if err != nil {
		return nil, err
	}
	doc := &document{}
	if err := d.collectSubmissions(root, doc, 0); err != nil {
		return nil, err
	}
	return doc, nil
}

func (d *jdoc) collectSubmissions(n jnode, doc *document, depth int) error {
	if depth > 8 {
		return nil
	}
	switch n.kind() {
	case '[':
		items, err := d.items(n)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := d.collectSubmissions(it, doc, depth+1); err != nil {
				return err
			}
		}
	case '{':
		fs, err := d.fields(n)
		if err != nil {
			return err
		}
		m := fieldMap(fs)
		code, hasCode := m["code"]
		_, hasTitle := m["title"]
		_, hasSlot := m["slot"]
		_, hasStart := m["start"]
		if !(hasCode && code.kind() == '"' && hasTitle && (hasSlot || hasStart)) {
			for _, f := range fs {
				if err := d.collectSubmissions(f.val, doc, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		r, ok, err := d.submission(n, m)
		if err != nil {
			return err
		}
		if ok {
			doc.talks = append(doc.talks, r)
		}
	}
	return nil
}

// submission reads one pretalx submission; ok is false when it has no
// start.
func (d *jdoc) submission(n jnode, m map[string]jnode) (r rawTalk, ok bool, err error) {
	r = rawTalk{where: d.where(n)}
	texts := []struct {
		dst *string
		key string
	}{
		{&r.id, "code"}, {&r.title, "title"}, {&r.slug, "slug"}, {&r.guid, "guid"},
		{&r.typ, "submission_type"}, {&r.track, "track"}, {&r.url, "url"},
		{&r.room, "room"}, {&r.stamp, "start"}, {&r.end, "end"}, {&r.duration, "duration"},
		{&r.abstract, "abstract"}, {&r.language, "content_locale"},
	}
	for _, t := range texts {
		if *t.dst, err = d.text(m[t.key]); err != nil {
			return r, false, err
		}
	}
	if r.url == "" {
		if r.url, err = d.text(m["website_url"]); err != nil {
			return r, false, err
		}
	}
	if !validCode(r.id) {
		return r, false, d.failf(m["code"], "submission code %q is not a pretalx code (want A-Z and 0-9 only)", r.id)
	}
	r.code = r.id
	if slot, ok := m["slot"]; ok && slot.kind() == '{' {
		sf, err := d.fields(slot)
		if err != nil {
			return r, false, err
		}
		sm := fieldMap(sf)
		for _, t := range []struct {
			dst *string
			key string
		}{{&r.room, "room"}, {&r.stamp, "start"}, {&r.end, "end"}} {
			if _, there := sm[t.key]; !there {
				continue
			}
			if *t.dst, err = d.text(sm[t.key]); err != nil {
				return r, false, err
			}
		}
	}
	if r.stamp == "" {
		return r, false, nil
	}
	if r.doNotRecord, err = d.boolean(m["do_not_record"]); err != nil {
		return r, false, err
	}
	if sp, ok := m["speakers"]; ok && !sp.isNull() {
		if r.persons, err = d.persons(sp); err != nil {
			return r, false, err
		}
	}
	return r, true, nil
}
