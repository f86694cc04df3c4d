package api

import (
	"encoding/json"
)

// VideosExport is pyvideo-format metadata for the talks that have
// recordings: what `confmedia videos export` writes as category.json and
// videos/*.json.
type VideosExport struct {
	Category struct {
		Title string `json:"title"`
	} `json:"category"`
	Videos []ExportedVideo `json:"videos"`
}

// ExportedVideo is one videos/*.json file.
type ExportedVideo struct {
	File   string          `json:"file"`
	TalkID string          `json:"talk_id"`
	Video  json.RawMessage `json:"video"`
}
