package web

import (
	"encoding/json"
	"net/http"

	"github.com/confmedia/confmedia/web/api"
)

// VideosExport is api.VideosExport.
type VideosExport = api.VideosExport

// ExportedVideo is api.ExportedVideo.
type ExportedVideo = api.ExportedVideo

// handleVideosExport answers the pyvideo records of every attached
// recording. Talks marked do not record are never exported.
func (s *Server) handleVideosExport(w http.ResponseWriter, r *http.Request) {
	out, err := s.videos().ExportVideos(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The records go as their bytes are: no HTML escaping of their strings.
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}
