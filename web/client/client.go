// Package client is the Go client of confmedia's HTTP API, used by the CLI.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// Client talks to one confmedia server.
type Client struct {
	BaseURL string // e.g. http://localhost:8080
	Token   string
	HTTP    *http.Client // http.DefaultClient when nil
}

// New returns a client of the server at baseURL.
func New(baseURL, token string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, HTTP: &http.Client{Timeout: 0}}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// do sends a request and decodes a JSON answer into out (unless out is nil).
// Error answers become *catalog.Error values of the server's kind, with its
// message; a server that cannot be reached is Unavailable.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body io.Reader, size int64, ctype string, out any) error {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return catalog.E(catalog.Invalid, "client", err, "bad server URL %q", c.BaseURL)
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return catalog.E(catalog.Unavailable, "client", err, "cannot reach the server at %s", c.BaseURL)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if w, ok := out.(io.Writer); ok {
		_, err := io.Copy(w, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return catalog.E(catalog.Unavailable, "client", err, "bad answer from %s %s", method, path)
	}
	return nil
}

func decodeError(resp *http.Response) error {
	var eb api.ErrorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error == "" {
		eb.Error = strings.TrimSpace(string(b))
		if eb.Error == "" {
			eb.Error = resp.Status
		}
	}
	return catalog.E(kindOf(resp.StatusCode), "client", nil, "%s", eb.Error)
}

func kindOf(status int) catalog.Kind {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		return catalog.Invalid
	case http.StatusNotFound:
		return catalog.NotFound
	case http.StatusConflict:
		return catalog.Conflict
	case http.StatusRequestEntityTooLarge:
		return catalog.TooLarge
	case http.StatusUnauthorized:
		return catalog.Unauthorized
	case http.StatusForbidden:
		return catalog.Forbidden
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return catalog.Unavailable
	}
	return catalog.Other
}

func (c *Client) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	return c.do(ctx, http.MethodGet, path, q, nil, -1, "", out)
}

func (c *Client) postJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, path, nil, bytes.NewReader(b), int64(len(b)), "application/json", out)
}

// Health returns nil when the server and everything it depends on answer.
func (c *Client) Health(ctx context.Context) error {
	return c.getJSON(ctx, "/healthz", nil, nil)
}

// CheckMedia reports which of ids the server has, and checks room and
// speaker (an unknown one is an Invalid error listing the known ones).
func (c *Client) CheckMedia(ctx context.Context, req api.CheckRequest) (api.CheckResponse, error) {
	var resp api.CheckResponse
	err := c.postJSON(ctx, "/api/media/check", req, &resp)
	return resp, err
}

// UploadMeta is what an upload says about a file (api.UploadMeta).
type UploadMeta = api.UploadMeta

var _ api.UploadService = (*Client)(nil)

// UploadMedia streams size bytes of body as the media item id (the sha256
// of those bytes).
func (c *Client) UploadMedia(ctx context.Context, id string, meta UploadMeta, body io.Reader, size int64) (api.UploadResponse, error) {
	q := url.Values{}
	q.Set("name", meta.Name)
	for k, v := range map[string]string{"kind": string(meta.Kind), "room": meta.Room, "photographer": meta.Photographer,
		"clock_offset": meta.ClockOffset, "speaker": meta.Speaker, "license": meta.License} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var resp api.UploadResponse
	err := c.do(ctx, http.MethodPut, "/api/media/"+id, q, body, size, "application/octet-stream", &resp)
	return resp, err
}

// ImportSchedule sends a schedule file.
func (c *Client) ImportSchedule(ctx context.Context, name string, data []byte, timezone, title string) (api.ScheduleImportResponse, error) {
	return c.ImportScheduleWith(ctx, name, data, ScheduleImport{Timezone: timezone, Title: title})
}

// ScheduleImport are the options of a schedule import (api.ScheduleImport).
type ScheduleImport = api.ScheduleImport

// ImportScheduleWith sends a schedule file with options. An import that
// would replace another conference's schedule or remove more than half of
// the talks is a Conflict error unless o.Replace is set.
func (c *Client) ImportScheduleWith(ctx context.Context, name string, data []byte, o ScheduleImport) (api.ScheduleImportResponse, error) {
	q := url.Values{"name": {name}}
	if o.Timezone != "" {
		q.Set("timezone", o.Timezone)
	}
	if o.Title != "" {
		q.Set("title", o.Title)
	}
	if o.DryRun {
		q.Set("dry_run", "true")
	}
	if o.Replace {
		q.Set("replace", "true")
	}
	var resp api.ScheduleImportResponse
	err := c.do(ctx, http.MethodPost, "/api/schedule", q, bytes.NewReader(data), int64(len(data)), "application/octet-stream", &resp)
	return resp, err
}

// ImportRecordings sends one recordings file (pyvideo JSON or CSV).
func (c *Client) ImportRecordings(ctx context.Context, name string, data []byte) (api.RecordingsImportResponse, error) {
	return c.ImportRecordingsOf(ctx, name, data, "")
}

// ImportRecordingsOf sends one recordings file that an archive files under
// the event category (a pyvideo category's title; "" for none).
func (c *Client) ImportRecordingsOf(ctx context.Context, name string, data []byte, category string) (api.RecordingsImportResponse, error) {
	q := url.Values{"name": {name}}
	if category != "" {
		q.Set("category", category)
	}
	var resp api.RecordingsImportResponse
	err := c.do(ctx, http.MethodPost, "/api/recordings", q, bytes.NewReader(data), int64(len(data)), "application/octet-stream", &resp)
	return resp, err
}

var _ api.ImportService = (*Client)(nil)

// QueueStats returns the state of the work queues and of the catalog items
// their work is for. A server whose queue is unavailable answers with
// QueueDown set, not an error.
func (c *Client) QueueStats(ctx context.Context) (api.QueueResponse, error) {
	var st api.QueueResponse
	err := c.getJSON(ctx, "/api/queue", nil, &st)
	return st, err
}

// Wait polls the server every interval until no work is queued, running or
// waiting for the queue (QueueResponse.Done), and returns the last answer.
// It keeps polling while the server's queue is unavailable; observe, when
// not nil, sees every answer. It returns ctx's error when ctx ends first,
// and the error of a poll the server did not answer, with the last answer
// the server gave.
func (c *Client) Wait(ctx context.Context, interval time.Duration, observe func(api.QueueResponse)) (api.QueueResponse, error) {
	var last api.QueueResponse
	for {
		st, err := c.QueueStats(ctx)
		if err != nil {
			return last, err
		}
		last = st
		if observe != nil {
			observe(st)
		}
		if st.Done() {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Catalog writes the catalog document (organizers' view unless public) to w.
func (c *Client) Catalog(ctx context.Context, public bool, w io.Writer) error {
	q := url.Values{}
	if public {
		q.Set("public", "1")
	}
	return c.getJSON(ctx, "/api/catalog", q, w)
}

// Document fetches and decodes the catalog document.
func (c *Client) Document(ctx context.Context, public bool) (catalog.Document, error) {
	var buf bytes.Buffer
	if err := c.Catalog(ctx, public, &buf); err != nil {
		return catalog.Document{}, err
	}
	var doc catalog.Document
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return doc, fmt.Errorf("decode catalog: %w", err)
	}
	return doc, nil
}

// Publish writes the public catalog to the bucket.
func (c *Client) Publish(ctx context.Context) (api.PublishResponse, error) {
	var resp api.PublishResponse
	err := c.do(ctx, http.MethodPost, "/api/publish", nil, nil, -1, "", &resp)
	return resp, err
}

// ForgetFaces deletes every face descriptor and recognised speaker
// (organizers).
func (c *Client) ForgetFaces(ctx context.Context) (api.ForgetFacesResponse, error) {
	var resp api.ForgetFacesResponse
	err := c.do(ctx, http.MethodPost, "/api/faces/forget", nil, nil, -1, "", &resp)
	return resp, err
}

var _ api.FacesService = (*Client)(nil)

// IsConnection reports whether err means the server could not be reached.
func IsConnection(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) || catalog.ErrorKind(err) == catalog.Unavailable
}

var _ api.PublishService = (*Client)(nil)
