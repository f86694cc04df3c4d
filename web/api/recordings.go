package api

import (
	"github.com/confmedia/confmedia/catalog"
)

// RecordingInfo is a recording as the video team handles it.
type RecordingInfo struct {
	ID         string                 `json:"id"`
	URL        string                 `json:"url"`
	Title      string                 `json:"title,omitempty"`
	State      catalog.RecordingState `json:"state"`
	TalkID     string                 `json:"talk_id,omitempty"`
	Reason     string                 `json:"reason,omitempty"`
	Candidates []string               `json:"candidate_talk_ids"`
	Decided    bool                   `json:"decided,omitempty"`
	DecidedBy  string                 `json:"decided_by,omitempty"`
}

// AttachRequest attaches a recording to a talk.
type AttachRequest struct {
	Talk string `json:"talk"`
}

// AddRecordingRequest is a recording a person adds to a talk by its URL.
type AddRecordingRequest struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"` // default: the talk's title
}
