package catalog

import (
	"strconv"
	"time"
)

// Conference describes the event a schedule belongs to.
type Conference struct {
	Title    string
	Acronym  string // the schedule's short name, e.g. "pynorth2031"; "" if it names none
	Timezone string // IANA zone of the venue, e.g. "Europe/Dublin"
	URL      string // the conference's schedule or website (frab base_url, pretalx url); "" if none
}

// Location loads the venue's zone. An empty Timezone is an Invalid error:
// confmedia never falls back to the server's zone.
func (c Conference) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return nil, E(Invalid, "catalog.Location", nil, "the schedule names no time zone")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, E(Invalid, "catalog.Location", err, "unknown time zone %q", c.Timezone)
	}
	return loc, nil
}

// Talk is one session of the schedule: a talk, panel, lightning talk block,
// workshop… Its ID is the schedule's own (see the catalog schema).
type Talk struct {
	ID          string
	Title       string
	Start, End  time.Time // in the venue's zone
	Room        string
	SpeakerIDs  []string
	Track       string
	Type        string // e.g. "Talk", "Keynote", "Lightning talks"
	GUID        string
	Code        string // pretalx submission code
	Slug        string
	URL         string
	DoNotRecord bool   // pretalx do_not_record, frab optout
	Abstract    string // as the schedule gives it (frab and pretalx abstracts may hold HTML)
	Language    string // the schedule's language code, e.g. "en"
}

// Speaker is one person across all of their talks.
type Speaker struct {
	ID   string
	Name string
	// AvatarURL is the picture the schedule links (pretalx "avatar"), a
	// fallback until a headshot is published; "" if none.
	AvatarURL string
}

// Schedule is everything a schedule import yields.
type Schedule struct {
	Conference Conference
	Talks      []Talk
	Speakers   []Speaker
}

// ScheduleDiff says what a schedule import changed.
type ScheduleDiff struct {
	Added, Changed, Removed []string // talk ids; Changed = moved, retimed, renamed or re-staffed
	Moved                   []string // the talks of Changed that moved room or time
	Speakers                int      // speakers in the new schedule
}

// Empty reports whether the import changed no talk.
func (d ScheduleDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Changed) == 0 && len(d.Removed) == 0
}

// MediaKind says what a media item is for.
type MediaKind string

const (
	Photo    MediaKind = "photo"    // an event photo, tagged with a talk
	Headshot MediaKind = "headshot" // a speaker portrait, tagged with a speaker
)

// Valid reports whether k is a known kind.
func (k MediaKind) Valid() bool { return k == Photo || k == Headshot }

// Status is where a media item stands. See the catalog schema for meanings.
type Status string

const (
	Pending     Status = "pending"
	Tagged      Status = "tagged"
	Untagged    Status = "untagged"
	NeedsReview Status = "needs_review"
	Failed      Status = "failed"
	Hidden      Status = "hidden"
)

// Public reports whether items with this status are published.
func (s Status) Public() bool { return s == Tagged || s == Untagged }

// CameraTime is a capture time as the camera recorded it: a wall-clock
// reading, plus the UTC offset the camera stated (EXIF OffsetTimeOriginal,
// an XMP or IPTC zone), when it stated one. It is resolved to an instant only
// by pipeline/match, with the camera's clock offset and the venue's zone.
type CameraTime struct {
	// Wall holds the clock's reading in its date and time fields; its
	// location is UTC and carries no meaning.
	Wall      time.Time
	HasOffset bool
	Offset    int    // seconds east of UTC, when HasOffset
	Source    string // where it came from: "exif", "xmp", "iptc", "makernote"
}

// IsZero reports whether no capture time is known.
func (c CameraTime) IsZero() bool { return c.Wall.IsZero() }

// String formats the reading as "2006-01-02T15:04:05.000", followed by the
// stated offset as "+07:00" when there is one.
func (c CameraTime) String() string {
	if c.IsZero() {
		return ""
	}
	s := c.Wall.Format("2006-01-02T15:04:05.000")
	if c.HasOffset {
		s += time.Unix(0, 0).In(time.FixedZone("", c.Offset)).Format("-07:00")
	}
	return s
}

// ParseCameraTime parses the String form back. An empty string is the zero
// CameraTime.
func ParseCameraTime(s string) (CameraTime, error) {
	if s == "" {
		return CameraTime{}, nil
	}
	const layout = "2006-01-02T15:04:05.000"
	if len(s) < len(layout) {
		return CameraTime{}, E(Invalid, "catalog.ParseCameraTime", nil, "bad camera time %q", s)
	}
	w, err := time.Parse(layout, s[:len(layout)])
	if err != nil {
		return CameraTime{}, E(Invalid, "catalog.ParseCameraTime", err, "bad camera time %q", s)
	}
	ct := CameraTime{Wall: w}
	if rest := s[len(layout):]; rest != "" {
		t, err := time.Parse("-07:00", rest)
		if err != nil {
			return CameraTime{}, E(Invalid, "catalog.ParseCameraTime", err, "bad camera time offset %q", s)
		}
		_, off := t.Zone()
		ct.HasOffset, ct.Offset = true, off
	}
	return ct, nil
}

// Rendition is one resized copy of a media item. Its bytes are kept at
// StaffRenditionKey(id, Name) and published at Key while the item is public.
type Rendition struct {
	Name   string // "large", "medium", "square"
	Key    string // public blob key, RenditionKey(id, Name)
	Width  int
	Height int
	Bytes  int64
}

// Media is one uploaded file, identified by the SHA-256 of its bytes.
type Media struct {
	ID           string // lowercase sha256 hex of the original bytes
	Kind         MediaKind
	SourceName   string // base name as uploaded
	ContentType  string // of the original
	Bytes        int64  // of the original
	OriginalKey  string // private blob key
	Photographer string
	Room         string // as given at upload (empty: unknown)
	SpeakerHint  string // --speaker at upload
	ClockOffset  time.Duration
	HasOffset    bool // ClockOffset was given at upload
	UploadedAt   time.Time

	// Filled in by the worker.
	Status      Status
	Reason      string
	Generation  int // bumped for every re-processing; part of the task id
	Camera      string
	Make, Model string
	Serial      string
	CameraTime  CameraTime // as the camera recorded it
	TakenAt     time.Time  // corrected; zero when unknown
	Width       int        // after auto-orientation
	Height      int
	People      []string // XMP Iptc4xmpExt:PersonInImage
	Subjects    []string // XMP dc:subject
	Rating      int      // xmp:Rating; -1 = rejected
	HasGPS      bool     // the original carries GPS (never published)
	Artist      string
	Copyright   string
	License     string
	TalkIDs     []string
	SpeakerIDs  []string
	Candidates  []string // talk or speaker ids a reviewer can choose from
	// Recognized are the speakers (of any talk) whose face recognition
	// found in the photo (CONFMEDIA_FACE_RECOGNITION), sorted: what their
	// "photos of you" lists. Biometric: never in the catalog document or
	// any public answer.
	Recognized  []string
	Renditions  []Rendition
	ProcessedAt time.Time
	// Faces are the faces found in the item (the faces task), largest
	// first; nil when none were found or faces were not looked for. Staff
	// data: never in the public document.
	Faces []FaceBox

	// Decided is set when a person decided the item's status, talks and
	// speakers (review, takedown): re-tagging never overrides it.
	Decided   bool
	DecidedBy string // who decided (the token's name)
	DecidedAt time.Time
}

// FaceBox is a face found in a media item: its box in the item's display
// pixels (Width x Height, after orientation) and the detector's confidence,
// 0..1. It says where a face is, not whose it is.
type FaceBox struct {
	X, Y, W, H int
	Score      float64
}

// Rendition returns the rendition with that name.
func (m *Media) Rendition(name string) (Rendition, bool) {
	for _, r := range m.Renditions {
		if r.Name == name {
			return r, true
		}
	}
	return Rendition{}, false
}

// MediaFilter selects media items. The zero value selects all.
type MediaFilter struct {
	Status []Status
	Kind   MediaKind
	Camera string
	// TalkID selects the items whose TalkIDs hold it.
	TalkID string
	// SpeakerID selects the items whose SpeakerIDs hold it.
	SpeakerID string
	// Recognized selects the items whose Recognized holds this speaker id.
	Recognized string
}

// Camera is one camera of one photographer, and its clock's offset.
type Camera struct {
	Key          string        // serial, else make+model (see CameraKey)
	Offset       time.Duration // what to add to the camera's clock to get true local time
	HasOffset    bool
	Photographer string
}

// CameraKey names a camera: by serial when it has one, else by make and model.
// It returns "" when nothing identifies the camera.
func CameraKey(make, model, serial string) string {
	switch {
	case serial != "":
		return "serial:" + make + ":" + serial
	case make != "" || model != "":
		return "model:" + make + ":" + model
	}
	return ""
}

// RecordingState says whether a recording has a talk.
type RecordingState string

const (
	RecordingPending   RecordingState = "pending"
	RecordingAttached  RecordingState = "attached"
	RecordingUnmatched RecordingState = "unmatched"
	RecordingDismissed RecordingState = "dismissed" // a person decided it belongs to no talk
)

// Recording is the metadata of one video, as the video team supplied it.
type Recording struct {
	ID          string // the record's own id, else derived from its URL
	URL         string
	Title       string
	Speakers    []string
	Description string
	Recorded    string // date as the record gives it, "2006-01-02"; often wrong
	Room        string
	Start       string // wall clock "2006-01-02T15:04" when the record has one
	Duration    int    // seconds
	SourceID    string // the video team's own id or filename
	TalkRef     string // an explicit talk id, guid, code or URL
	Thumbnail   string
	Event       string // the event the archive files it under (a pyvideo category's title); "" if none
	Raw         []byte // the record as imported (pyvideo JSON), for export

	State      RecordingState
	TalkID     string
	Reason     string
	Candidates []string
	Generation int
	// Decided is set when a person attached or dismissed the recording:
	// re-matching never overrides it.
	Decided   bool
	DecidedBy string
}

// OptOut records a person who asked not to appear in published photos: a
// speaker (SpeakerID set) or anyone named in people tags (Name).
type OptOut struct {
	Name      string // as given; compared folded with people tags and speaker names
	SpeakerID string // when the person is a speaker of the schedule
	Reason    string
	Created   time.Time
}

// Token is a hashed credential and the role it grants.
type Token struct {
	Hash    string // sha256 hex of the secret
	Role    Role
	Name    string
	Created time.Time
	Expires time.Time // zero: never
	// SpeakerID, for a speaker token, is the speaker it belongs to: it
	// opens that speaker's page and downloads and no other's. "" for other
	// roles (and for speaker tokens made before tokens named a speaker,
	// which open no private speaker page).
	SpeakerID string
}

// Session is a browser's login, opened with a token's login link. The
// browser's cookie carries a random session id; the catalog keeps only its
// sha256, so a copy of the catalog gives no sessions.
type Session struct {
	Hash      string // sha256 hex of the session id
	TokenHash string // the hash of the token it was opened with
	Created   time.Time
	Expires   time.Time // never zero: every session ends
}

// Role is what a token may do.
type Role string

const (
	RoleAdmin        Role = "admin"
	RolePhotographer Role = "photographer"
	RoleVideo        Role = "video"
	RoleSpeaker      Role = "speaker"
)

// Itoa formats an integer id the way schedules spell it.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// QueueStats is the state of the work queues. Its counts are summed over
// the queues whose work decides items; a background queue (QueueDepth.
// Background) is listed in Queues only, so that waiting for the work to end
// does not wait for it.
type QueueStats struct {
	Pending   int          `json:"pending"`
	Active    int          `json:"active"`
	Scheduled int          `json:"scheduled"`
	Retry     int          `json:"retry"`
	Archived  int          `json:"archived"`
	Queues    []QueueDepth `json:"queues"`
	Failed    []FailedTask `json:"failed"`
}

// Busy reports whether any task is pending, active, scheduled or waiting to
// be retried.
func (q QueueStats) Busy() bool { return q.Pending+q.Active+q.Scheduled+q.Retry > 0 }

// QueueDepth is one queue's counts.
type QueueDepth struct {
	Queue     string `json:"queue"`
	Pending   int    `json:"pending"`
	Active    int    `json:"active"`
	Scheduled int    `json:"scheduled"`
	Retry     int    `json:"retry"`
	Archived  int    `json:"archived"`
	// Background marks a queue whose work improves items already decided
	// (faces: squares cut again around the faces); it is not in the sums.
	Background bool `json:"background,omitempty"`
}

// FailedTask is a task that ended failed (archived): it will not be retried.
type FailedTask struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Queue   string    `json:"queue"`
	Subject string    `json:"subject,omitempty"` // media or recording id
	Error   string    `json:"error"`
	At      time.Time `json:"at"`
}
