package web

import (
	"net/http"

	"github.com/confmedia/confmedia/web/api"
)

// CameraInfo is api.CameraInfo.
type CameraInfo = api.CameraInfo

// CameraSuggestion is api.CameraSuggestion.
type CameraSuggestion = api.CameraSuggestion

// SetCameraRequest is api.SetCameraRequest.
type SetCameraRequest = api.SetCameraRequest

// SetCameraResponse is api.SetCameraResponse.
type SetCameraResponse = api.SetCameraResponse

func (s *Server) handleCameras(w http.ResponseWriter, r *http.Request) {
	list, err := s.cameras().Cameras(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleSetCamera(w http.ResponseWriter, r *http.Request) {
	var req SetCameraRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.cameras().SetCameraOffset(r.Context(), r.PathValue("key"), req.Offset, req.Photographer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
