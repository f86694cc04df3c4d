package api

import (
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// ReviewList is the review queue: what needs a person's decision.
type ReviewList struct {
	Items []ReviewItem `json:"items"`
}

// ReviewItem is one media item or recording in the review queue. Media
// items carry kind, source name, status, capture time, room, camera and a
// thumbnail; recordings carry title, URL and whether they are still waiting
// to be matched (pending).
type ReviewItem struct {
	Type       string            `json:"type"` // "media" or "recording"
	ID         string            `json:"id"`
	Kind       catalog.MediaKind `json:"kind,omitempty"`
	SourceName string            `json:"source_name,omitempty"`
	Status     string            `json:"status"` // media status, or recording state
	Title      string            `json:"title,omitempty"`
	URL        string            `json:"url,omitempty"`
	Reason     string            `json:"reason"`
	TakenAt    string            `json:"taken_at,omitempty"` // RFC 3339, venue offset
	Room       string            `json:"room,omitempty"`
	Camera     string            `json:"camera,omitempty"`
	Pending    bool              `json:"pending,omitempty"`
	Candidates []ReviewCandidate `json:"candidates"`
	Thumbnail  string            `json:"thumbnail,omitempty"` // absolute URL of the square rendition
	// Preview is the absolute URL of the medium (else large) rendition, for a closer
	// look; Photographer is the credit given at upload.
	Preview      string `json:"preview,omitempty"`
	Photographer string `json:"photographer,omitempty"`
}

// ReviewCandidate is a talk (title, start, room) or a speaker (name) a
// reviewer can choose.
type ReviewCandidate struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	Name  string `json:"name,omitempty"`
	Start string `json:"start,omitempty"`
	Room  string `json:"room,omitempty"`
}

// ResolveRequest is a reviewer's decision: exactly one field is set.
type ResolveRequest struct {
	Talk     string `json:"talk,omitempty"`     // a photo or recording shows this talk
	Speaker  string `json:"speaker,omitempty"`  // a headshot shows this speaker (id or name)
	Untagged bool   `json:"untagged,omitempty"` // public, with no talk or speaker; a recording is dismissed
	Hide     bool   `json:"hide,omitempty"`     // not published; a recording is dismissed
}

// DecidedItem is a media item or recording after a person decided it.
type DecidedItem struct {
	Type       string            `json:"type"` // "media" or "recording"
	ID         string            `json:"id"`
	Kind       catalog.MediaKind `json:"kind,omitempty"`
	SourceName string            `json:"source_name,omitempty"`
	Title      string            `json:"title,omitempty"`
	Status     string            `json:"status"` // media status, or recording state
	Reason     string            `json:"reason,omitempty"`
	TalkIDs    []string          `json:"talk_ids"`
	SpeakerIDs []string          `json:"speaker_ids"`
	DecidedBy  string            `json:"decided_by,omitempty"`
	// CameraOffsetChanged says that resolving a photo to a talk corrected
	// its camera's clock offset, and the camera's photos are re-tagged.
	CameraOffsetChanged bool `json:"camera_offset_changed,omitempty"`
	// CameraNote says why resolving a photo to a talk left its camera's
	// clock offset as it was (no plausible offset puts it in the talk).
	CameraNote string `json:"camera_note,omitempty"`
}

// HideRequest is the body of a takedown.
type HideRequest struct {
	Reason string `json:"reason,omitempty"`
}

// OptOutRequest marks a person as not to be shown in published photos.
type OptOutRequest struct {
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
}

// OptOutItem is one stored opt-out.
type OptOutItem struct {
	Name      string    `json:"name"`
	SpeakerID string    `json:"speaker_id,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Created   time.Time `json:"created"`
}

// OptOutResponse answers an opt-out: the stored opt-out and how many media
// items were queued to be tagged again (and hidden where they show the
// person).
type OptOutResponse struct {
	OptOut   OptOutItem `json:"optout"`
	Retagged int        `json:"retagged"`
}

// OptOutList lists the opt-outs, ordered by name.
type OptOutList struct {
	OptOuts []OptOutItem `json:"optouts"`
}

// OptOutRemoved answers the removal of an opt-out.
type OptOutRemoved struct {
	Name string `json:"name"`
	Note string `json:"note"`
}

// SetKindRequest changes a media item's kind ("photo" or "headshot") and,
// for a headshot, the speaker it shows (an id or the exact name).
type SetKindRequest struct {
	Kind    string `json:"kind"`
	Speaker string `json:"speaker,omitempty"`
}

// SetKindResponse is the item after the change, and whether its processing
// is queued (false while the queue is down: it is queued when it is back).
type SetKindResponse struct {
	DecidedItem
	Queued bool `json:"queued"`
}

// BulkResolveRequest is one decision for many media items or recordings:
// the items IDs names (full ids or unique prefixes), or, with Camera, the
// photos of that camera that need review, taken from From to To (RFC 3339
// or "2006-01-02 15:04" in the venue's zone; either may be empty). Exactly
// one of the decision's fields is set, as in ResolveRequest.
type BulkResolveRequest struct {
	IDs    []string `json:"ids,omitempty"`
	Camera string   `json:"camera,omitempty"`
	From   string   `json:"from,omitempty"`
	To     string   `json:"to,omitempty"`
	ResolveRequest
}

// BulkResult is what happened to one item of a batch: the item after the
// decision, or the error that left it as it was.
type BulkResult struct {
	ID    string       `json:"id"`
	Item  *DecidedItem `json:"item,omitempty"`
	Error string       `json:"error,omitempty"`
}

// BulkResponse answers a batch (a bulk decision, retry or delete): how
// many items it changed, how many it could not, and each item's result in
// the order asked.
type BulkResponse struct {
	Done    int          `json:"done"`
	Failed  int          `json:"failed"`
	Results []BulkResult `json:"results"`
	// CameraNote says when a talk decided for a camera's photos did not
	// change the camera's clock offset, and why.
	CameraNote string `json:"camera_note,omitempty"`
}

// MediaIDs names media items: full ids or unique prefixes.
type MediaIDs struct {
	IDs []string `json:"ids"`
}

// FailedMedia is a media item whose processing failed, as a person acts
// on it: its file, who uploaded it and why it failed in plain words.
type FailedMedia struct {
	ID           string            `json:"id"`
	Kind         catalog.MediaKind `json:"kind"`
	SourceName   string            `json:"source_name"`
	Photographer string            `json:"photographer,omitempty"`
	Reason       string            `json:"reason"`
	UploadedAt   time.Time         `json:"uploaded_at,omitzero"`
}

// FailedList lists the failed media items, newest upload first.
type FailedList struct {
	Items []FailedMedia `json:"items"`
}

// OffsetPreview is what setting a camera's clock offset would do to its
// photos, without doing it: each photo whose talk or status would change,
// and how many stay as they are or keep a person's decision.
type OffsetPreview struct {
	Camera    string         `json:"camera"`
	Current   string         `json:"current"` // the offset now, "+1h0m0s"
	Offset    string         `json:"offset"`  // the offset previewed
	Photos    int            `json:"photos"`  // the camera's event photos with a capture time
	Unchanged int            `json:"unchanged"`
	Decided   int            `json:"decided"` // a person's decision stands
	Changes   []OffsetChange `json:"changes"`
}

// OffsetChange is one photo a new clock offset would re-tag.
type OffsetChange struct {
	ID         string   `json:"id"`
	SourceName string   `json:"source_name"`
	FromStatus string   `json:"from_status"`
	FromTalks  []string `json:"from_talks"`
	ToStatus   string   `json:"to_status"`
	ToTalks    []string `json:"to_talks"`
	ToReason   string   `json:"to_reason,omitempty"`
}
