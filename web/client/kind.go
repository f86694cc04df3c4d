package client

import (
	"context"
	"net/url"

	"github.com/confmedia/confmedia/web/api"
)

// SetMediaKind changes media item id (a full id or a unique prefix) to
// another kind or speaker; the server processes it again as that.
func (c *Client) SetMediaKind(ctx context.Context, id string, req api.SetKindRequest) (api.SetKindResponse, error) {
	var resp api.SetKindResponse
	err := c.postJSON(ctx, "/api/media/"+url.PathEscape(id)+"/kind", req, &resp)
	return resp, err
}

var _ api.KindService = (*Client)(nil)
