package catalog

import "net/url"

// Blob keys. Originals live under a private prefix; everything under
// PublicPrefix may be served to anyone. No key is ever both an object and
// the prefix of another (some S3-compatible stores keep objects as files).
const (
	OriginalsPrefix = "originals/"
	PublicPrefix    = "public/"
	CatalogKey      = PublicPrefix + "catalog.json"
)

// OriginalKey is where the original bytes of media item id are kept.
func OriginalKey(id string) string {
	if len(id) < 2 {
		return OriginalsPrefix + id
	}
	return OriginalsPrefix + id[:2] + "/" + id
}

// RenditionKey is where rendition name of media item id is kept.
func RenditionKey(id, name string) string {
	return PublicPrefix + "media/" + id + "/" + name + ".jpg"
}

// TalkKey is where the published JSON of one talk is kept.
func TalkKey(id string) string { return PublicPrefix + "talks/" + url.PathEscape(id) + ".json" }

// SpeakerKey is where the published JSON of one speaker is kept.
func SpeakerKey(id string) string { return PublicPrefix + "speakers/" + url.PathEscape(id) + ".json" }
