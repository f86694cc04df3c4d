package api

import (
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// UploadSettings are chosen once for a batch of files.
type UploadSettings struct {
	Kind         catalog.MediaKind `json:"kind,omitempty"` // photo (default) or headshot
	Room         string            `json:"room,omitempty"`
	Photographer string            `json:"photographer,omitempty"`
	ClockOffset  string            `json:"clock_offset,omitempty"` // a Go duration: "+1h", "-7m30s"
	Speaker      string            `json:"speaker,omitempty"`
	License      string            `json:"license,omitempty"` // of the photos, e.g. CC-BY-4.0, as the CLI's --license
}

// InspectRequest asks whether a batch's settings and files are acceptable
// before the browser spends time hashing them.
type InspectRequest struct {
	UploadSettings
	Files []InspectFile `json:"files"`
}

// InspectFile is one file of a batch: its base name, size and first bytes
// (base64, up to 512 bytes).
type InspectFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Head string `json:"head"`
}

// InspectResponse answers an InspectRequest: the settings as the schedule
// spells them and, in the same order as asked, each file's content type or
// the reason it is refused.
type InspectResponse struct {
	Room    string          `json:"room,omitempty"`
	Speaker string          `json:"speaker,omitempty"`
	Files   []InspectResult `json:"files"`
}

// InspectResult is the verdict on one file: ContentType when it can be
// uploaded, else Error, the reason (without the file name).
type InspectResult struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Error       string `json:"error,omitempty"`
}

// UploadRequest asks to send one file (POST /api/uploads) and, repeated,
// says it has been sent (POST /api/uploads/{id}/complete).
type UploadRequest struct {
	UploadSettings
	ID   string `json:"id"` // the sha256 hex of the file
	Name string `json:"name"`
	Size int64  `json:"size"`
	Head string `json:"head,omitempty"` // base64 of the first bytes (up to 512); required to plan
	// PartSHA256 holds the base64 SHA-256 of each part, in order, for a
	// file of multipartFrom bytes or more.
	PartSHA256 []string `json:"part_sha256,omitempty"`
	// UploadID is the multipart upload to resume (plan) or complete.
	UploadID string `json:"upload_id,omitempty"`
	// Proxy asks for a plan through the web app: the browser cannot reach
	// the bucket.
	Proxy bool `json:"proxy,omitempty"`
}

// UploadPlan says how to send one file. Mode is one of ModePut (PUT the
// whole file to URL with Header), ModeMultipart (PUT each part not yet Done
// to its URL with its Header), ModeProxy (PUT the whole file to URL, on the
// web app, with the usual credentials) or ModeDuplicate (nothing to send).
// Presigned URLs stop working at Expires.
type UploadPlan struct {
	ID          string            `json:"id"`
	Mode        string            `json:"mode"`
	Room        string            `json:"room,omitempty"`
	Speaker     string            `json:"speaker,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	URL         string            `json:"url,omitempty"`
	Header      map[string]string `json:"header,omitempty"`
	UploadID    string            `json:"upload_id,omitempty"`
	PartSize    int64             `json:"part_size,omitempty"`
	Parts       []PlanPart        `json:"parts,omitempty"`
	Expires     time.Time         `json:"expires,omitzero"`
}

// PlanPart is one part of a multipart plan.
type PlanPart struct {
	N      int               `json:"n"`
	Size   int64             `json:"size"`
	Done   bool              `json:"done,omitempty"` // the store has it: skip
	URL    string            `json:"url,omitempty"`
	Header map[string]string `json:"header,omitempty"`
}

// AbortRequest abandons a multipart upload.
type AbortRequest struct {
	UploadID string `json:"upload_id"`
}
