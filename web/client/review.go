package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/confmedia/confmedia/web/api"
)

// ReviewQueue returns what needs a person's decision: media items that
// need review or failed, and recordings not attached to a talk. A video
// token sees only the recordings.
func (c *Client) ReviewQueue(ctx context.Context) (api.ReviewList, error) {
	var list api.ReviewList
	err := c.getJSON(ctx, "/api/review", nil, &list)
	return list, err
}

// Resolve records a decision about the media item or recording id (a full
// id or a unique prefix of at least 6 characters). It returns an Invalid
// error when the decision does not fit the item, NotFound when nothing has
// that id.
func (c *Client) Resolve(ctx context.Context, id string, req api.ResolveRequest) (api.DecidedItem, error) {
	var item api.DecidedItem
	err := c.postJSON(ctx, "/api/review/"+url.PathEscape(id)+"/resolve", req, &item)
	return item, err
}

// HideMedia takes media item id down with reason ("" for the default).
// Hiding a hidden item again is not an error.
func (c *Client) HideMedia(ctx context.Context, id, reason string) (api.DecidedItem, error) {
	var item api.DecidedItem
	err := c.postJSON(ctx, "/api/media/"+url.PathEscape(id)+"/hide", api.HideRequest{Reason: reason}, &item)
	return item, err
}

// AddOptOut marks the person called name as not to be shown in published
// photos.
func (c *Client) AddOptOut(ctx context.Context, name, reason string) (api.OptOutResponse, error) {
	var resp api.OptOutResponse
	err := c.postJSON(ctx, "/api/optouts", api.OptOutRequest{Name: name, Reason: reason}, &resp)
	return resp, err
}

// OptOuts lists the opt-outs, ordered by name.
func (c *Client) OptOuts(ctx context.Context) ([]api.OptOutItem, error) {
	var list api.OptOutList
	err := c.getJSON(ctx, "/api/optouts", nil, &list)
	return list.OptOuts, err
}

// RemoveOptOut removes the opt-out of name (compared folded). Items it hid
// stay hidden. It returns a NotFound error when there is no such opt-out.
func (c *Client) RemoveOptOut(ctx context.Context, name string) (api.OptOutRemoved, error) {
	var resp api.OptOutRemoved
	err := c.do(ctx, http.MethodDelete, "/api/optouts/"+url.PathEscape(name), nil, nil, -1, "", &resp)
	return resp, err
}

var _ api.ReviewService = (*Client)(nil)

// ResolveMany records one decision about many items in one request: the
// ids req names, or a camera's photos in review in a time range. Each
// item's outcome is in the answer's results; one item's error does not
// stop the others.
func (c *Client) ResolveMany(ctx context.Context, req api.BulkResolveRequest) (api.BulkResponse, error) {
	var resp api.BulkResponse
	err := c.postJSON(ctx, "/api/review/resolve", req, &resp)
	return resp, err
}

var _ api.FailedService = (*Client)(nil)

// FailedMedia lists the failed media items, newest upload first.
func (c *Client) FailedMedia(ctx context.Context) (api.FailedList, error) {
	var list api.FailedList
	err := c.getJSON(ctx, "/api/media/failed", nil, &list)
	return list, err
}

// RetryMedia processes failed items again, in one request.
func (c *Client) RetryMedia(ctx context.Context, ids []string) (api.BulkResponse, error) {
	var resp api.BulkResponse
	err := c.postJSON(ctx, "/api/media/retry", api.MediaIDs{IDs: ids}, &resp)
	return resp, err
}

// DeleteMedia removes items, their originals and renditions, in one
// request.
func (c *Client) DeleteMedia(ctx context.Context, ids []string) (api.BulkResponse, error) {
	var resp api.BulkResponse
	err := c.postJSON(ctx, "/api/media/delete", api.MediaIDs{IDs: ids}, &resp)
	return resp, err
}

// PreviewCameraOffset says which photos of camera key a clock offset would
// re-tag, and how, without setting it.
func (c *Client) PreviewCameraOffset(ctx context.Context, key, offset string) (api.OffsetPreview, error) {
	var p api.OffsetPreview
	err := c.getJSON(ctx, "/api/cameras/"+url.PathEscape(key)+"/preview", url.Values{"offset": {offset}}, &p)
	return p, err
}
