package client

import (
	"context"

	"github.com/confmedia/confmedia/web/api"
)

// ExportVideos returns pyvideo-format metadata for the talks with recordings.
func (c *Client) ExportVideos(ctx context.Context) (api.VideosExport, error) {
	var out api.VideosExport
	err := c.getJSON(ctx, "/api/recordings/export", nil, &out)
	return out, err
}
