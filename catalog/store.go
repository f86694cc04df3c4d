package catalog

import (
	"context"
	"io"
	"time"
)

// ScheduleStore keeps the conference, its talks and speakers.
type ScheduleStore interface {
	// ReplaceSchedule makes s the schedule, authoritatively: talks and
	// speakers missing from s are removed. It reports what changed.
	ReplaceSchedule(ctx context.Context, s Schedule) (ScheduleDiff, error)
	// Schedule returns the current schedule, talks ordered by start then id.
	// With no schedule imported it returns an empty Schedule and no error.
	Schedule(ctx context.Context) (Schedule, error)
}

// MediaStore keeps media items.
type MediaStore interface {
	// CreateMedia records m. If an item with m.ID exists already it is left
	// as it is and created is false: the first upload's metadata stands.
	CreateMedia(ctx context.Context, m *Media) (created bool, err error)
	// Media returns one item, or a NotFound error.
	Media(ctx context.Context, id string) (*Media, error)
	// KnownMedia reports which of ids are stored.
	KnownMedia(ctx context.Context, ids []string) (map[string]bool, error)
	// ListMedia returns the items f selects, ordered by capture time (items
	// without one last), then id.
	ListMedia(ctx context.Context, f MediaFilter) ([]*Media, error)
	// WalkMedia calls fn with each item f selects, in ListMedia's order,
	// without holding them all: what streams a large catalog. An error of
	// fn stops the walk and is returned as it is. fn must not call the
	// store.
	WalkMedia(ctx context.Context, f MediaFilter, fn func(*Media) error) error
	// UpdateMedia reads item id, lets fn change it and writes it back
	// atomically. If fn returns an error nothing is written and that error
	// is returned.
	UpdateMedia(ctx context.Context, id string, fn func(*Media) error) error
	// DeleteMedia removes item id from the catalog (its blobs are the
	// caller's to delete). A missing item is a NotFound error.
	DeleteMedia(ctx context.Context, id string) error
}

// CameraStore keeps camera clock offsets.
type CameraStore interface {
	// Camera returns one camera, or a NotFound error.
	Camera(ctx context.Context, key string) (Camera, error)
	// EnsureCamera records c if no camera with c.Key exists and returns the
	// stored camera. An existing camera without an offset takes c's offset
	// when c has one; an existing offset is never changed.
	EnsureCamera(ctx context.Context, c Camera) (Camera, error)
	// SetCameraOffset sets a camera's offset, creating the camera if needed.
	SetCameraOffset(ctx context.Context, key string, offset time.Duration) (Camera, error)
	// Cameras lists all cameras ordered by key.
	Cameras(ctx context.Context) ([]Camera, error)
}

// RecordingStore keeps recording metadata and where it is attached.
type RecordingStore interface {
	// PutRecording stores r by its ID. A new record, or one whose metadata
	// changed, is stored with state pending and changed is true; an
	// identical re-import changes nothing and changed is false.
	PutRecording(ctx context.Context, r *Recording) (changed bool, err error)
	// Recording returns one recording, or a NotFound error.
	Recording(ctx context.Context, id string) (*Recording, error)
	// ListRecordings returns all recordings ordered by id.
	ListRecordings(ctx context.Context) ([]*Recording, error)
	// UpdateRecording is UpdateMedia for recordings.
	UpdateRecording(ctx context.Context, id string, fn func(*Recording) error) error
}

// TokenStore keeps hashed credentials.
type TokenStore interface {
	PutToken(ctx context.Context, t Token) error
	// TokenByHash returns the token with that hash, or a NotFound error.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	DeleteToken(ctx context.Context, hash string) error
	// Tokens lists every token, newest first.
	Tokens(ctx context.Context) ([]Token, error)
}

// SessionStore keeps browser logins (see Session).
type SessionStore interface {
	// PutSession stores s, replacing a session with the same Hash. A
	// session without a Hash, a TokenHash or an Expires is Invalid.
	PutSession(ctx context.Context, s Session) error
	// SessionByHash returns the session with that hash, or a NotFound
	// error. It does not look at the expiry.
	SessionByHash(ctx context.Context, hash string) (Session, error)
	// DeleteSession ends one session. Deleting a missing one is not an
	// error: logging out twice is fine.
	DeleteSession(ctx context.Context, hash string) error
	// DeleteTokenSessions ends every session opened with the token whose
	// hash is tokenHash and reports how many there were.
	DeleteTokenSessions(ctx context.Context, tokenHash string) (int, error)
	// DeleteExpiredSessions removes the sessions whose Expires is not after
	// now and reports how many there were.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// OptOutStore keeps the people who asked not to appear in photos.
type OptOutStore interface {
	// PutOptOut records o, replacing an opt-out with the same Name.
	PutOptOut(ctx context.Context, o OptOut) error
	// OptOuts lists all opt-outs ordered by name.
	OptOuts(ctx context.Context) ([]OptOut, error)
	// DeleteOptOut removes the opt-out of name; a missing one is NotFound.
	DeleteOptOut(ctx context.Context, name string) error
}

// Store is everything the catalog keeps, as one database.
type Store interface {
	ScheduleStore
	MediaStore
	CameraStore
	RecordingStore
	TokenStore
	SessionStore
	OptOutStore
	DescriptorStore
	// Version returns a number that grows with every committed change to
	// the schedule, the media or the recordings (what the catalog document
	// is built from) and with no other write. A reader that reads it before
	// reading the catalog knows, when it reads the same number later, that
	// nothing it read has changed since: caches rebuild on a new number
	// only.
	Version(ctx context.Context) (int64, error)
	// Changes reports what changed in the catalog after version since (a
	// number Version returned): the change feed that lets a publisher
	// rewrite only what changed. It may report more than changed after
	// since (a change committed while it read), never less. A since the
	// store cannot answer for — larger than its Version, as after a
	// restore from an older backup, or negative — is Invalid: the reader
	// reads the whole catalog again.
	Changes(ctx context.Context, since int64) (Changes, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Changes is what changed in the catalog after one Version (Store.Changes).
type Changes struct {
	// Version is the store's Version read before the changes: every change
	// up to it is reported, so that Changes(Version) next time reports
	// what came after.
	Version int64
	// Media are the ids of the items created, changed or removed, sorted:
	// an id the store no longer has (Media says NotFound) was removed.
	Media []string
	// Schedule is true when the schedule was replaced.
	Schedule bool
	// Recordings is true when a recording was created or changed.
	Recordings bool
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Size        int64
	ContentType string
	// CacheControl is the policy stored with the blob: CacheControl(key)
	// when it was put.
	CacheControl string
	// ETag names this version of the blob's bytes, quoted as HTTP has it
	// ("..."): it changes when the blob is put again with other bytes.
	ETag string
	// Modified is when the blob was last put (zero when unknown).
	Modified time.Time
}

// BlobPutter stores blobs.
type BlobPutter interface {
	// Put stores size bytes of body under key, replacing what was there,
	// with the cache policy CacheControl(key), so that a bucket served
	// directly tells caches what the web app tells them. body must be
	// seekable so that a failed request can be retried.
	Put(ctx context.Context, key string, body io.ReadSeeker, size int64, contentType string) error
}

// BlobGetter reads blobs.
type BlobGetter interface {
	// Get opens the blob at key, or returns a NotFound error. The caller
	// closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
}

// BlobStatter reports on blobs without reading them.
type BlobStatter interface {
	// Stat returns the blob's info, or a NotFound error.
	Stat(ctx context.Context, key string) (BlobInfo, error)
}

// BlobDeleter removes blobs.
type BlobDeleter interface {
	// Delete removes the blob at key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// BlobLister lists blobs.
type BlobLister interface {
	// List returns the keys that start with prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
}

// Blobs is a bucket of blobs: originals (private) and renditions and
// catalog documents (public).
type Blobs interface {
	BlobPutter
	BlobGetter
	BlobStatter
	BlobDeleter
	BlobLister
	// Ping checks that the bucket answers.
	Ping(ctx context.Context) error
}
