package api

// CameraInfo is one camera in the camera list: its clock offset, how many
// media items it took and, when its photos mostly miss the talks of their
// rooms, a suggested offset.
type CameraInfo struct {
	Key          string            `json:"key"`
	Make         string            `json:"make,omitempty"`
	Model        string            `json:"model,omitempty"`
	Serial       string            `json:"serial,omitempty"`
	Photographer string            `json:"photographer,omitempty"`
	Offset       string            `json:"offset"` // "+1h0m0s", "-7m30s", "0s"
	HasOffset    bool              `json:"has_offset"`
	Photos       int               `json:"photos"`
	Sample       string            `json:"sample,omitempty"` // the id of one of its photos, to show
	Suggestion   *CameraSuggestion `json:"suggestion,omitempty"`
}

// CameraSuggestion is a clock offset proposed for a camera (see
// match.SuggestOffset): with Offset, Inside of Total photos fall in a talk
// of their room, against CurrentInside now. Nothing changes until someone
// sets it.
type CameraSuggestion struct {
	Offset        string `json:"offset"`
	Inside        int    `json:"inside"`
	CurrentInside int    `json:"current_inside"`
	Total         int    `json:"total"`
	Reason        string `json:"reason"`
}

// SetCameraRequest sets a camera's clock offset: a Go duration with an
// optional sign, "+1h", "-7m30s". Photographer names the camera's owner
// when the camera is not known yet.
type SetCameraRequest struct {
	Offset       string `json:"offset"`
	Photographer string `json:"photographer,omitempty"`
}

// SetCameraResponse says what setting an offset did: the camera as it is
// now, and how many of its processed items were queued for re-tagging.
type SetCameraResponse struct {
	Camera   CameraInfo `json:"camera"`
	Retagged int        `json:"retagged"`
}
