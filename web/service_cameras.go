package web

// The camera clocks use case (api.CameraService) over the catalog. No HTTP
// here: photographer_cameras.go decodes, calls these and encodes.

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web/api"
)

// cameraService implements api.CameraService over the server's catalog
// and queues. The caller comes from the context: a photographer sees and
// sets only the cameras of their own uploads (see ownCamerasOnly).
type cameraService struct{ *Server }

var _ api.CameraService = cameraService{}

// cameras returns the server's camera clocks use case.
func (s *Server) cameras() cameraService { return cameraService{s} }

// ownCamerasOnly reports whether the caller sees and sets only the
// cameras of their own uploads, and whose uploads they are: a photographer
// (by their token's name, which their uploads are credited to). Organizers
// see every camera, serial numbers and owners included.
func ownCamerasOnly(ctx context.Context) (name string, only bool) {
	if roleOf(ctx) != catalog.RolePhotographer {
		return "", false
	}
	return tokenName(ctx), true
}

// ownsCamera reports whether media credited to photographer were taken
// with camera key.
func ownsCamera(items []*catalog.Media, photographer string) bool {
	for _, m := range items {
		if m.Photographer == photographer {
			return true
		}
	}
	return false
}

// Cameras lists the cameras the caller may see (see ownCamerasOnly)
// ordered by key, with a suggested clock offset for those whose photos
// mostly miss the talks of their rooms. Without a schedule there are no
// suggestions.
func (s cameraService) Cameras(ctx context.Context) ([]CameraInfo, error) {
	cams, err := s.Store.Cameras(ctx)
	if err != nil {
		return nil, err
	}
	media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{})
	if err != nil {
		return nil, err
	}
	idx, err := s.scheduleIndex(ctx)
	if err != nil {
		return nil, err
	}
	byCamera := map[string][]*catalog.Media{}
	for _, m := range media {
		if m.Camera != "" {
			byCamera[m.Camera] = append(byCamera[m.Camera], m)
		}
	}
	name, only := ownCamerasOnly(ctx)
	out := make([]CameraInfo, 0, len(cams))
	for _, c := range cams {
		items := byCamera[c.Key]
		if only && !ownsCamera(items, name) {
			continue
		}
		info := cameraInfo(c, items)
		if idx != nil {
			if sg, ok := idx.SuggestOffset(clockSamples(items), c.Offset); ok {
				info.Suggestion = &CameraSuggestion{Offset: match.FormatOffset(sg.Offset), Inside: sg.Inside,
					CurrentInside: sg.CurrentInside, Total: sg.Total, Reason: sg.Reason}
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// cameraInfo describes camera c, which took items.
func cameraInfo(c catalog.Camera, items []*catalog.Media) CameraInfo {
	info := CameraInfo{Key: c.Key, Photographer: c.Photographer, Offset: match.FormatOffset(c.Offset),
		HasOffset: c.HasOffset, Photos: len(items)}
	for _, m := range items {
		if m.Make != "" || m.Model != "" {
			info.Make, info.Model, info.Serial = m.Make, m.Model, m.Serial
			break
		}
	}
	for _, m := range items {
		if m.Kind == catalog.Photo && m.Status != catalog.Hidden && slices.ContainsFunc(m.Renditions, func(r catalog.Rendition) bool { return r.Name == "square" }) {
			info.Sample = m.ID
			break
		}
	}
	return info
}

// offsetPreview is what setting a camera's clock offset would change:
// the photos whose talk or status it changes, out of those it looked at.
type offsetPreview struct {
	Offset  string
	Changes []offsetChange
	Photos  int // photos with a capture time, which the offset moves
}

// offsetChange is one photo a new clock offset moves.
type offsetChange struct {
	MediaID, Name string
	Thumb         string // a staff copy of the photo
	From, To      string // "Talk title", "no talk" or "review: reason"
}

// PreviewOffset is the cameras page's view of
// reviewService.PreviewCameraOffset: the photos of camera key whose talk or
// status the offset would change, each said in words. It changes nothing
// and returns that method's errors.
func (s cameraService) PreviewOffset(ctx context.Context, key, offset string) (offsetPreview, error) {
	pv, err := s.reviews().PreviewCameraOffset(ctx, key, offset)
	if err != nil {
		return offsetPreview{}, err
	}
	idx, err := s.scheduleIndex(ctx)
	if err != nil || idx == nil {
		return offsetPreview{}, err
	}
	d, _ := match.ParseOffset(pv.Offset)
	p := offsetPreview{Offset: match.FormatOffset(d), Photos: pv.Photos}
	for _, c := range pv.Changes {
		p.Changes = append(p.Changes, offsetChange{MediaID: c.ID, Name: c.SourceName,
			Thumb: "/api/media/" + url.PathEscape(c.ID) + "/renditions/square",
			From:  placeLabel(idx, catalog.Status(c.FromStatus), c.FromTalks, ""),
			To:    placeLabel(idx, catalog.Status(c.ToStatus), c.ToTalks, c.ToReason)})
	}
	return p, nil
}

// placeLabel says where a photo is: its talks' titles, "no talk", or
// "review" with the reason.
func placeLabel(idx *match.Index, st catalog.Status, talks []string, reason string) string {
	switch {
	case st == catalog.NeedsReview:
		return strings.TrimSpace("review: " + reason)
	case len(talks) == 0:
		return "no talk"
	}
	var titles []string
	for _, id := range talks {
		if t, ok := idx.Talk(id); ok && t.Title != "" {
			titles = append(titles, t.Title)
		} else {
			titles = append(titles, id)
		}
	}
	return strings.Join(titles, ", ")
}

// clockSamples returns the event photos among items, as SuggestOffset and
// DeriveOffset count them.
func clockSamples(items []*catalog.Media) []match.ClockSample {
	var out []match.ClockSample
	for _, m := range items {
		if m.Kind == catalog.Photo && !m.CameraTime.IsZero() {
			out = append(out, match.ClockSample{MediaID: m.ID, Room: m.Room, Wall: m.CameraTime})
		}
	}
	return out
}

// scheduleIndex returns the schedule prepared for matching, or nil when no
// schedule is imported or it cannot be matched against (as the workers
// treat it).
func (s *Server) scheduleIndex(ctx context.Context) (*match.Index, error) {
	sched, err := s.Store.Schedule(ctx)
	if err != nil || len(sched.Talks) == 0 {
		return nil, err
	}
	idx, err := match.NewIndex(sched)
	if err != nil {
		s.Logger.Warn("schedule unusable for camera clocks", "err", err)
		return nil, nil
	}
	return idx, nil
}

// SetCameraOffset sets camera key's clock offset (see setCamera),
// crediting a camera it creates to photographer.
func (s cameraService) SetCameraOffset(ctx context.Context, key, offset, photographer string) (SetCameraResponse, error) {
	return s.setCamera(ctx, key, SetCameraRequest{Offset: offset, Photographer: photographer})
}

// setCamera sets camera key's clock offset and queues its processed items
// for tagging again (items a person decided keep their decision): the one
// way an offset is set by hand, from the API and the cameras page. A
// photographer's camera is credited to them, whatever req says (the route
// table's ownCamera rule lets only their own through). It returns Invalid
// for an unknown key form or a bad offset.
func (s cameraService) setCamera(ctx context.Context, key string, req SetCameraRequest) (SetCameraResponse, error) {
	const op = "web.SetCamera"
	if !strings.HasPrefix(key, "serial:") && !strings.HasPrefix(key, "model:") {
		return SetCameraResponse{}, catalog.E(catalog.Invalid, op, nil, "%q is not a camera key (serial:MAKE:SERIAL or model:MAKE:MODEL; see `confmedia cameras`)", key)
	}
	offset, err := ParseOffset(req.Offset)
	if err != nil {
		return SetCameraResponse{}, err
	}
	if name, only := ownCamerasOnly(ctx); only {
		req.Photographer = name
	}
	if _, err := s.Store.EnsureCamera(ctx, catalog.Camera{Key: key, Photographer: req.Photographer}); err != nil {
		return SetCameraResponse{}, err
	}
	cam, err := s.Store.SetCameraOffset(ctx, key, offset)
	if err != nil {
		return SetCameraResponse{}, err
	}
	n, err := s.retag(ctx, catalog.MediaFilter{Camera: key})
	if err != nil {
		return SetCameraResponse{Retagged: n}, err
	}
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Camera: key})
	if err != nil {
		return SetCameraResponse{Retagged: n}, err
	}
	s.Logger.Info("camera clock offset set", "camera", key, "offset", match.FormatOffset(offset), "by", tokenName(ctx), "retagged", n)
	return SetCameraResponse{Camera: cameraInfo(cam, items), Retagged: n}, nil
}

// ParseOffset parses a clock offset: a Go duration with an optional sign,
// optionally led by whole days, "+1h", "-7m30s", "0", "+7955d3h" (see
// match.ParseOffset). Anything else is an Invalid error.
func ParseOffset(v string) (time.Duration, error) { return match.ParseOffset(v) }

// deriveCameraOffset derives the clock offset of m's camera from a
// person's word that m shows talk talkID (see match.DeriveOffset), counting
// the camera's other photos. When it differs from the camera's offset it
// sets it and queues the camera's items for re-tagging (items a person
// decided keep their decision), and reports true. An item without a camera
// or a capture time, or a catalog without a schedule, changes nothing. The
// errors are DeriveOffset's (NotFound, Invalid when no plausible offset
// puts the photo in the talk) and the store's.
func (s *Server) deriveCameraOffset(ctx context.Context, m *catalog.Media, talkID string) (changed bool, err error) {
	if m.Camera == "" || m.CameraTime.IsZero() {
		return false, nil
	}
	idx, err := s.scheduleIndex(ctx)
	if err != nil || idx == nil {
		return false, err
	}
	var current time.Duration
	cam, err := s.Store.Camera(ctx, m.Camera)
	switch {
	case err == nil:
		current = cam.Offset
	case !catalog.IsNotFound(err):
		return false, err
	}
	items, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Camera: m.Camera})
	if err != nil {
		return false, err
	}
	sample := match.ClockSample{MediaID: m.ID, Room: m.Room, Wall: m.CameraTime}
	offset, err := idx.DeriveOffset(sample, talkID, clockSamples(items), current)
	if err != nil {
		return false, err
	}
	if offset == current {
		return false, nil
	}
	if _, err := s.Store.SetCameraOffset(ctx, m.Camera, offset); err != nil {
		return false, err
	}
	n, err := s.retag(ctx, catalog.MediaFilter{Camera: m.Camera})
	if err != nil {
		return true, err
	}
	s.Logger.Info("camera clock offset derived", "camera", m.Camera, "offset", match.FormatOffset(offset),
		"from", m.ID, "talk", talkID, "by", tokenName(ctx), "retagged", n)
	return true, nil
}
