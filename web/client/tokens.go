package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// CreateToken makes a token for req.Role named req.Name and returns its
// secret and login link, shown this once. It returns an Invalid error for
// an unknown role, a missing name or a bad expiry.
func (c *Client) CreateToken(ctx context.Context, req api.TokenRequest) (api.TokenCreated, error) {
	var out api.TokenCreated
	err := c.postJSON(ctx, "/api/tokens", req, &out)
	return out, err
}

// Tokens lists the stored tokens, newest first, by a prefix of their hash.
func (c *Client) Tokens(ctx context.Context) ([]api.TokenInfo, error) {
	var list api.TokenList
	err := c.getJSON(ctx, "/api/tokens", nil, &list)
	return list.Tokens, err
}

// RevokeToken deletes a token given as its secret, a login link carrying
// it, or a prefix of its hash (at least 8 hex digits). The secret never
// leaves this machine: only its hash is sent. It returns NotFound when no
// token matches and Invalid for an ambiguous prefix.
func (c *Client) RevokeToken(ctx context.Context, tokenOrHash string) (api.TokenInfo, error) {
	v := strings.TrimSpace(tokenOrHash)
	if u, err := url.Parse(v); err == nil && u.Query().Get("token") != "" {
		v = u.Query().Get("token")
	}
	info, err := c.revoke(ctx, api.HashToken(v))
	if !catalog.IsNotFound(err) || !isHex(v) {
		return info, err
	}
	return c.revoke(ctx, strings.ToLower(v))
}

func (c *Client) revoke(ctx context.Context, hash string) (api.TokenInfo, error) {
	var info api.TokenInfo
	err := c.do(ctx, http.MethodDelete, "/api/tokens/"+url.PathEscape(hash), nil, nil, -1, "", &info)
	return info, err
}

func isHex(s string) bool {
	return s != "" && strings.Trim(strings.ToLower(s), "0123456789abcdef") == ""
}

var _ api.TokenService = (*Client)(nil)
