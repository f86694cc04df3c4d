package catalog

import "strings"

// Cache policy of public blobs. A takedown deletes an item's public
// renditions and republishes the catalog documents; how long a browser or a
// shared cache may go on showing what was taken down is set here, in one
// place, for every path that serves a public blob: the web app's /public/
// route and a bucket served directly (the policy is stored on each object
// when it is put, see BlobPutter).
const (
	// RenditionMaxAge is how long a cache may show a public rendition
	// without asking again: the longest a taken-down photo stays visible
	// in a cache that honours HTTP. After it the cache revalidates (an
	// ETag or Last-Modified request, answered 304 while the photo is
	// public and 404 once it is not).
	RenditionMaxAge = 300 // seconds

	renditionCacheControl = "public, max-age=300, must-revalidate"
	// Published JSON is revalidated on every use: it is what tells
	// websites which photos exist.
	documentCacheControl = "public, no-cache"
)

// CacheControl returns the Cache-Control a public blob is served with, by
// its key: a short freshness window with revalidation for renditions
// (RenditionMaxAge), revalidation on every use for published JSON, and ""
// for keys outside PublicPrefix, which are never served to the public.
func CacheControl(key string) string {
	if !strings.HasPrefix(key, PublicPrefix) {
		return ""
	}
	if strings.HasSuffix(key, ".json") {
		return documentCacheControl
	}
	return renditionCacheControl
}
