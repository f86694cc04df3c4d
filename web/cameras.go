package web

import "net/http"

type middleware = func(http.HandlerFunc) http.HandlerFunc

// cameraRoutes registers the camera clock routes.
func (s *Server) cameraRoutes(mux *http.ServeMux, uploader, admin middleware) {}
