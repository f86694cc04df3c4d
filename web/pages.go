package web

import "net/http"

// pageRoutes registers the web app's pages.
func (s *Server) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.handleHome)
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Document(r.Context(), true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home.html", page{Conference: doc.Conference})
}
