package catalog

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxURLBytes bounds a URL a record may carry.
const maxURLBytes = 4096

// CheckURL is the one check every URL entering the catalog passes —
// recording and thumbnail URLs of imports and of the video form, talk URLs
// of schedule imports: it returns an Invalid error unless raw is an
// absolute http or https URL with a host, at most 4096 bytes, without
// spaces or control characters. Pages and the published JSON link to these
// URLs, so a "javascript:" or "data:" one must never get in. what names
// the field in the message ("recording URL", "thumbnail").
func CheckURL(what, raw string) error {
	const op = "catalog.CheckURL"
	shown := raw
	if len(shown) > 80 {
		shown = shown[:80] + "…"
	}
	bad := func() error {
		return E(Invalid, op, nil, "%s %q: want an http or https link", what, shown)
	}
	if raw == "" || len(raw) > maxURLBytes || !utf8.ValidString(raw) ||
		strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return bad()
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return bad()
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return bad()
	}
	return nil
}

// CheckURLs checks the recording's URL and, when it has one, its thumbnail
// with CheckURL. The error names the recording.
func (r *Recording) CheckURLs() error {
	name := r.Title
	if name == "" {
		name = r.SourceID
	}
	if name == "" {
		name = r.ID
	}
	for _, f := range []struct{ what, url string }{{"URL", r.URL}, {"thumbnail", r.Thumbnail}} {
		if f.url == "" && f.what == "thumbnail" {
			continue
		}
		if err := CheckURL(f.what, f.url); err != nil {
			return E(Invalid, "catalog.CheckURLs", err, "recording %q", name)
		}
	}
	return nil
}

// CheckURLs checks the URL of every talk that has one with CheckURL. The
// error names the talk.
func (s *Schedule) CheckURLs() error {
	for _, t := range s.Talks {
		if t.URL == "" {
			continue
		}
		if err := CheckURL("URL", t.URL); err != nil {
			return E(Invalid, "catalog.CheckURLs", err, "talk %s (%q)", t.ID, t.Title)
		}
	}
	return nil
}
