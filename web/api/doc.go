// Package api holds the request and response types of confmedia's JSON
// API: what the web server (package web) encodes and its Go client
// (web/client) decodes. It depends on catalog only, so that the client
// does not link the server.
package api
