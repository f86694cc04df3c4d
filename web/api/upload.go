package api

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
}
