package web

// The publishing use case (api.PublishService) is the Server's own
// Document and Publish (api.go), which delegate to catalog.Publisher.

import "github.com/confmedia/confmedia/web/api"

var _ api.PublishService = (*Server)(nil)
