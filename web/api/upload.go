package api

import (
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// CheckRequest asks which media the server has, and checks an upload's
// room and speaker before any byte is sent.
type CheckRequest struct {
	IDs     []string `json:"ids"`
	Room    string   `json:"room,omitempty"`
	Speaker string   `json:"speaker,omitempty"`
}

// CheckResponse answers a CheckRequest.
type CheckResponse struct {
	Known   []string `json:"known"`
	Room    string   `json:"room,omitempty"`    // as the schedule spells it
	Speaker string   `json:"speaker,omitempty"` // the speaker's name as the schedule spells it
	// Items says what the server has for each id in Known, in the same
	// order: its kind, speaker, uploader and date.
	Items []KnownMedia `json:"items,omitempty"`
}

// KnownMedia is what the server has for a file it knows, so that an upload
// of the same bytes can say so: "already uploaded on 2026-05-15 as an
// event photo by Pat".
type KnownMedia struct {
	ID           string            `json:"id"`
	Kind         catalog.MediaKind `json:"kind"`
	Speaker      string            `json:"speaker,omitempty"` // the speaker a headshot was uploaded for
	SourceName   string            `json:"source_name"`
	Photographer string            `json:"photographer,omitempty"`
	UploadedAt   time.Time         `json:"uploaded_at"`
	Status       string            `json:"status"`
}

// UploadResponse answers an upload.
type UploadResponse struct {
	ID string `json:"id"`
	// Status is UploadCreated, UploadStored or UploadDuplicate.
	Status string `json:"status"`
	// Queued is false while the item's processing waits for the queue:
	// the file is stored and recorded, but the queue (Redis) could not take
	// its task. It is queued when the queue is back. Queued is true for an
	// item whose processing is queued or done.
	Queued bool `json:"queued"`
	// Existing is what the server has, for a duplicate: it may be of
	// another kind or speaker than this upload asked for.
	Existing *KnownMedia `json:"existing,omitempty"`
}
