package web

import "net/http"

// reviewRoutes registers the review queue, takedown and opt-out routes.
func (s *Server) reviewRoutes(mux *http.ServeMux, admin, video middleware) {}
