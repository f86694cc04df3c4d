package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
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

// --- cameras page ---

// cameraRow is one camera of the cameras table, with what a preview of an
// offset would re-tag when the page asks for one (?preview=KEY&offset=O).
type cameraRow struct {
	CameraInfo
	Label       string
	SampleHref  string // a staff copy of one of its photos; "" when none
	PreviewHref string // the preview of the suggested offset
	Preview     *offsetPreview
}

type camerasView struct {
	Flash   *flash
	Cameras []cameraRow
	Error   string // why the preview asked for cannot be shown
}

func (s *Server) handleCamerasPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	list, err := s.cameras().Cameras(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	v := camerasView{Flash: takeFlash(w, r)}
	previewKey, previewOffset := r.URL.Query().Get("preview"), strings.TrimSpace(r.URL.Query().Get("offset"))
	for _, c := range list {
		row := cameraRow{CameraInfo: c, Label: cameraName(c)}
		if c.Sample != "" {
			row.SampleHref = "/api/media/" + url.PathEscape(c.Sample) + "/renditions/square"
		}
		if c.Suggestion != nil {
			row.PreviewHref = "/cameras?" + url.Values{"preview": {c.Key}, "offset": {c.Suggestion.Offset}}.Encode()
		}
		if c.Key == previewKey && previewOffset != "" {
			p, err := s.cameras().PreviewOffset(ctx, c.Key, previewOffset)
			if err != nil {
				v.Error = catalog.ErrorMessage(err)
			} else {
				row.Preview = &p
			}
		}
		v.Cameras = append(v.Cameras, row)
	}
	slices.SortStableFunc(v.Cameras, func(a, b cameraRow) int {
		return cmp.Or(cmp.Compare(a.Photographer, b.Photographer), cmp.Compare(a.Label, b.Label))
	})
	s.render(w, r, http.StatusOK, "cameras.html", s.staffPage(r, "Camera clocks", sched.Conference, v))
}

// cameraName names a camera for people: "Canon EOS R6 #1234", else its
// key.
func cameraName(c CameraInfo) string {
	label := strings.TrimSpace(c.Model)
	if mk := strings.TrimSpace(c.Make); mk != "" {
		first, _, _ := strings.Cut(mk, " ")
		if !strings.Contains(strings.ToLower(label), strings.ToLower(first)) {
			label = strings.TrimSpace(mk + " " + label)
		}
	}
	if label == "" {
		return c.Key
	}
	if c.Serial != "" {
		label += " #" + c.Serial
	}
	return label
}

func (s *Server) handleCameraForm(w http.ResponseWriter, r *http.Request) {
	resp, err := s.cameras().SetCameraOffset(r.Context(), r.PostFormValue("key"), r.PostFormValue("offset"), "")
	if err != nil {
		s.done(w, r, "/cameras", err, "")
		return
	}
	s.done(w, r, "/cameras", nil, "%s: clock offset %s; %d of its items are being tagged again.",
		cameraName(resp.Camera), resp.Camera.Offset, resp.Retagged)
}
