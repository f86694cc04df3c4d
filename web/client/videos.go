package client

import (
	"context"

	"github.com/confmedia/confmedia/web"
)

// ExportVideos returns pyvideo-format metadata for the talks with recordings.
func (c *Client) ExportVideos(ctx context.Context) (web.VideosExport, error) {
	var out web.VideosExport
	err := c.getJSON(ctx, "/api/recordings/export", nil, &out)
	return out, err
}
