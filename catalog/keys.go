package catalog

import "net/url"

// Blob keys. Originals and the renditions reviewers work with live under
// private prefixes; everything under PublicPrefix may be served to anyone,
// and holds an item's renditions only while its status is public (see
// RenditionsFor and SyncRenditions). No key is ever both an object and the
// prefix of another (some S3-compatible stores keep objects as files).
const (
	OriginalsPrefix = "originals/"
	StaffPrefix     = "staff/"
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

// RenditionKey is where rendition name of media item id is published while
// the item is public. Rendition.Key holds it.
func RenditionKey(id, name string) string {
	return PublicPrefix + "media/" + id + "/" + name + ".jpg"
}

// StaffRenditionKey is where the worker keeps rendition name of media item
// id from the moment it is rendered until the item is hidden or failed:
// staff (reviewers) see it there whatever the item's status.
func StaffRenditionKey(id, name string) string {
	return StaffPrefix + "media/" + id + "/" + name + ".jpg"
}

// staffMediaPrefix and publicMediaPrefix hold every rendition of item id.
func staffMediaPrefix(id string) string  { return StaffPrefix + "media/" + id + "/" }
func publicMediaPrefix(id string) string { return PublicPrefix + "media/" + id + "/" }

// TalkKey is where the published JSON of one talk is kept.
func TalkKey(id string) string { return PublicPrefix + "talks/" + url.PathEscape(id) + ".json" }

// SpeakerKey is where the published JSON of one speaker is kept.
func SpeakerKey(id string) string { return PublicPrefix + "speakers/" + url.PathEscape(id) + ".json" }
