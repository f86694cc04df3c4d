package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// Cameras lists the cameras with their clock offsets and, for those whose
// photos mostly miss the talks of their rooms, a suggested offset.
func (c *Client) Cameras(ctx context.Context) ([]api.CameraInfo, error) {
	var list []api.CameraInfo
	err := c.getJSON(ctx, "/api/cameras", nil, &list)
	return list, err
}

// SetCameraOffset sets the clock offset of the camera key ("+1h",
// "-7m30s"), creating the camera with photographer when the server does not
// know it yet; the server queues the camera's items for re-tagging.
func (c *Client) SetCameraOffset(ctx context.Context, key, offset, photographer string) (api.SetCameraResponse, error) {
	var resp api.SetCameraResponse
	b, err := json.Marshal(api.SetCameraRequest{Offset: offset, Photographer: photographer})
	if err != nil {
		return resp, err
	}
	err = c.do(ctx, http.MethodPut, "/api/cameras/"+url.PathEscape(key), nil, bytes.NewReader(b), int64(len(b)), "application/json", &resp)
	return resp, err
}

// Conference returns the conference of the imported schedule: its title
// and the venue's time zone (both empty when no schedule is imported).
func (c *Client) Conference(ctx context.Context) (catalog.DocConference, error) {
	var resp struct {
		Conference catalog.DocConference `json:"conference"`
	}
	err := c.getJSON(ctx, "/api/schedule", nil, &resp)
	return resp.Conference, err
}

var _ api.CameraService = (*Client)(nil)
