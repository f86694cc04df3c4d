// Package s3store keeps confmedia's blobs in a bucket of any S3-compatible
// object store: AWS S3, MinIO, Cloudflare R2, versitygw and the like are all
// reached through aws-sdk-go-v2 by changing the endpoint (see Config).
//
// # Key layout
//
// One bucket holds everything; the key says what a blob is and who may see
// it (the constants and functions are in package catalog, keys.go):
//
//	originals/<id[:2]>/<id>              private: the bytes as uploaded, id = sha256 hex
//	staff/media/<id>/<rendition>.jpg     private: resized copies ("large", "medium", "square"), for staff
//	public/catalog.json                  public: the published catalog document
//	public/media/<id>/<rendition>.jpg    public: the same copies, only while the item is public
//	public/talks/<talk id>.json          public: one talk as published (id path-escaped)
//	public/speakers/<speaker id>.json    public: one speaker as published (id path-escaped)
//
// Originals are sharded by the first two hex digits of their id so that no
// folder of a file-backed store grows past a few thousand entries. Nothing
// under originals/ or staff/ is ever served to anyone but organizers: an
// original may carry GPS coordinates, and both hold photos nobody has
// decided to publish. Everything under public/ may be served to anyone,
// either by confmedia itself or directly by the store when an operator
// grants anonymous read on that prefix alone (a bucket policy allowing
// s3:GetObject on "arn:aws:s3:::BUCKET/public/*"); confmedia never changes
// bucket policies itself.
//
// Decide, then publish. A worker renders an item's renditions under
// staff/media/<id>/ and decides the item's status; only then, and only when
// the status is public (tagged or untagged), are they copied under
// public/media/<id>/. catalog.SyncRenditions makes the bytes match the
// status, and every path that changes a status calls it (the worker after
// tagging, review, takedown, re-tagging after an opt-out, a camera or a
// schedule change):
//
//	status                      staff/media/<id>/   public/media/<id>/
//	pending, needs_review       yes                 no
//	tagged, untagged            yes                 yes
//	hidden, failed              no                  no
//
// Organizers see staff copies through the web app
// (GET /api/media/{id}/renditions/{name}); anonymous readers of a public
// prefix never see an undecided, rejected or taken-down photo.
//
// No key is ever both an object and the prefix of another object, because
// file-backed stores (versitygw's posix backend, MinIO in file mode) keep
// objects as files and prefixes as folders.
//
// # Requests
//
// Put sends the whole body in one PutObject request with its length set, so
// the body must be seekable: over plain http the request is signed with the
// SHA-256 of the payload, and a retried request rewinds the body. Objects up
// to 5 GiB fit in one request, far more than any photo.
//
// Against a custom endpoint the flexible checksums recent SDK versions add
// to every upload and download by default are sent only when an operation
// requires them, because not every S3-compatible store accepts them;
// against AWS itself the SDK defaults apply.
//
// # Errors
//
// Every error is a *catalog.Error whose message names the key: a missing
// object or bucket is catalog.NotFound, a store that does not answer (network
// failure, 5xx, throttling, deadline) is catalog.Unavailable, refused
// credentials and anything unexpected are catalog.Other. The SDK's own error
// is wrapped, so errors.As still reaches it.
package s3store
