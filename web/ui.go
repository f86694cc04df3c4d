package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every page template gets.
type page struct {
	Title      string
	Conference catalog.DocConference
	Role       catalog.Role // "" for the public
	CSRF       string
	Path       string
	Data       any
}

// templates parses the page templates once. Each page file defines
// "content"; layout.html wraps it.
func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"join": strings.Join,
		"time": func(s string) string { // "15:04" from an RFC 3339 stamp
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return s
			}
			return t.Format("15:04")
		},
		"day": func(s string) string {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return s
			}
			return t.Format("Monday 2 January")
		},
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "gallery.html" {
			continue
		}
		// gallery.html is the photo grid the talk and speaker pages share.
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/gallery.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

// render writes a page. Templates are rendered to a buffer first so that a
// template error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.tmpl[name]
	if !ok {
		s.jsonError(w, r, catalog.E(catalog.Other, "web.render", nil, "no template %s", name))
		return
	}
	p.Path = r.URL.Path
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "Accept-Encoding")
	if buf.Len() >= gzipPagesFrom && acceptsGzip(r) {
		// A gallery of hundreds of photos repeats its addresses: gzip
		// sends a tenth of it.
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.DefaultCompression)
		_, _ = buf.WriteTo(zw)
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		buf = z
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// gzipPagesFrom is the size from which pages are sent gzipped.
const gzipPagesFrom = 1 << 10

// acceptsGzip reports whether the request's Accept-Encoding takes gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	h := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}
