package client

import (
	"context"
	"net/url"

	"github.com/confmedia/confmedia/web/api"
)

// ExportVideos returns pyvideo-format metadata for the talks with recordings.
func (c *Client) ExportVideos(ctx context.Context) (api.VideosExport, error) {
	var out api.VideosExport
	err := c.getJSON(ctx, "/api/recordings/export", nil, &out)
	return out, err
}

// AttachRecording attaches recording id (a full id or unique prefix) to
// talk talkID as a person's decision. It returns NotFound for an unknown
// recording and Invalid for an unknown talk or one marked do not record.
func (c *Client) AttachRecording(ctx context.Context, id, talkID string) (api.RecordingInfo, error) {
	var info api.RecordingInfo
	err := c.postJSON(ctx, "/api/recordings/"+url.PathEscape(id)+"/attach", api.AttachRequest{Talk: talkID}, &info)
	return info, err
}

// DetachRecording takes recording id off its talk as a person's decision.
// A recording not attached is Invalid; an unknown one NotFound.
func (c *Client) DetachRecording(ctx context.Context, id string) (api.RecordingInfo, error) {
	var info api.RecordingInfo
	err := c.postJSON(ctx, "/api/recordings/"+url.PathEscape(id)+"/detach", struct{}{}, &info)
	return info, err
}

var _ api.VideoService = (*Client)(nil)
