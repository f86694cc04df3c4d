package api

import (
	"context"
	"io"

	"github.com/confmedia/confmedia/catalog"
)

// The use cases of the API, one small interface per audience's task. The
// server (package web) implements each over the catalog, the bucket and
// the queues, and its HTTP handlers only decode a request, call one of
// these and encode the answer; web/client implements the same interfaces
// over HTTP, so that the CLI could call either. Who is asking travels in
// the context: the server reads the caller's role and name from it (a
// video token's review queue holds recordings only, a photographer's
// cameras are their own), the client sends its token.

// ReviewService is the organizers' and the video team's review: what
// needs a person's decision, the decisions, takedowns and opt-outs.
type ReviewService interface {
	// ReviewQueue returns what needs a person's decision: media items
	// that need review or failed, and recordings not attached to a talk.
	// A video token sees only the recordings.
	ReviewQueue(ctx context.Context) (ReviewList, error)
	// Resolve records a decision about the media item or recording id (a
	// full id or a unique prefix of at least 6 characters).
	Resolve(ctx context.Context, id string, req ResolveRequest) (DecidedItem, error)
	// ResolveMany records one decision about many items (ids, or a
	// camera's photos in review in a time range), item by item: one
	// item's error does not stop the others.
	ResolveMany(ctx context.Context, req BulkResolveRequest) (BulkResponse, error)
	// PreviewCameraOffset says which photos of camera key a clock offset
	// would re-tag, and how, without setting it.
	PreviewCameraOffset(ctx context.Context, key, offset string) (OffsetPreview, error)
	// HideMedia takes media item id down with reason ("" for the
	// default).
	HideMedia(ctx context.Context, id, reason string) (DecidedItem, error)
	// AddOptOut marks the person called name as not to be shown in
	// published photos.
	AddOptOut(ctx context.Context, name, reason string) (OptOutResponse, error)
	// OptOuts lists the opt-outs, ordered by name.
	OptOuts(ctx context.Context) ([]OptOutItem, error)
	// RemoveOptOut removes the opt-out of name (compared folded).
	RemoveOptOut(ctx context.Context, name string) (OptOutRemoved, error)
}

// CameraService is the photographers' and organizers' camera clocks.
type CameraService interface {
	// Cameras lists the cameras the caller may see, with their clock
	// offsets and suggested offsets.
	Cameras(ctx context.Context) ([]CameraInfo, error)
	// SetCameraOffset sets the clock offset of the camera key ("+1h",
	// "-7m30s"), creating the camera with photographer when it is not
	// known yet, and queues its items for tagging again.
	SetCameraOffset(ctx context.Context, key, offset, photographer string) (SetCameraResponse, error)
}

// TokenService is the organizers' links: making, listing and revoking
// tokens.
type TokenService interface {
	// CreateToken makes a token for req.Role; the answer carries its
	// secret and login link, shown once.
	CreateToken(ctx context.Context, req TokenRequest) (TokenCreated, error)
	// Tokens lists the stored tokens, newest first.
	Tokens(ctx context.Context) ([]TokenInfo, error)
	// RevokeToken deletes the token given as its secret, a login link
	// carrying it, or a prefix of its hash (at least 8 hex digits).
	RevokeToken(ctx context.Context, tokenOrHash string) (TokenInfo, error)
}

// FailedService is what organizers do about media items that failed:
// list them, process them again, delete them.
type FailedService interface {
	// FailedMedia lists the failed media items, newest upload first.
	FailedMedia(ctx context.Context) (FailedList, error)
	// RetryMedia processes failed items again, in a new generation.
	RetryMedia(ctx context.Context, ids []string) (BulkResponse, error)
	// DeleteMedia removes items, their originals and renditions.
	DeleteMedia(ctx context.Context, ids []string) (BulkResponse, error)
}

// KindService changes what a media item is (photo or headshot, and whose).
type KindService interface {
	// SetMediaKind changes media item id (a full id or a unique prefix)
	// to req.Kind, naming req.Speaker for a headshot.
	SetMediaKind(ctx context.Context, id string, req SetKindRequest) (SetKindResponse, error)
}

// PublishService is the organizers' catalog: the document and publishing
// it.
type PublishService interface {
	// Document returns the catalog document: the organizers' view, or
	// with public the published one.
	Document(ctx context.Context, public bool) (catalog.Document, error)
	// Publish writes the public catalog to the bucket.
	Publish(ctx context.Context) (PublishResponse, error)
}

// VideoService is the video team's recordings: attaching one to a talk,
// taking it off, and the pyvideo export of those attached.
type VideoService interface {
	// AttachRecording attaches recording id (a full id or unique prefix)
	// to talk talkID as a person's decision.
	AttachRecording(ctx context.Context, id, talkID string) (RecordingInfo, error)
	// DetachRecording takes recording id off its talk as a person's
	// decision.
	DetachRecording(ctx context.Context, id string) (RecordingInfo, error)
	// ExportVideos returns the pyvideo records of the attached
	// recordings.
	ExportVideos(ctx context.Context) (VideosExport, error)
}

// ScheduleImport are the options of a schedule import.
type ScheduleImport struct {
	Timezone string // the venue's zone, when the file names none
	Title    string // the conference's title, when the file names none
	DryRun   bool   // only say what the import would change
	Replace  bool   // replace another conference's schedule, or most of this one's
}

// ImportService is the organizers' and the video team's imports.
type ImportService interface {
	// ImportScheduleWith imports the schedule file name with options o. An
	// import that would replace another conference's schedule or remove
	// more than half of the talks is a Conflict error unless o.Replace.
	ImportScheduleWith(ctx context.Context, name string, data []byte, o ScheduleImport) (ScheduleImportResponse, error)
	// ImportRecordingsOf imports one recordings file (pyvideo JSON or
	// CSV) that an archive files under the event category ("" for none).
	ImportRecordingsOf(ctx context.Context, name string, data []byte, category string) (RecordingsImportResponse, error)
}

// UploadMeta is what an upload says about a file.
type UploadMeta struct {
	Name         string
	Kind         catalog.MediaKind
	Room         string
	Photographer string
	ClockOffset  string // a Go duration, "" for none
	Speaker      string
	License      string
}

// UploadService is the photographers' uploads from the CLI, and the state
// of the work they queued.
type UploadService interface {
	// CheckMedia says which of req.IDs the server has, and the schedule's
	// spelling of req.Room and req.Speaker.
	CheckMedia(ctx context.Context, req CheckRequest) (CheckResponse, error)
	// UploadMedia sends size bytes of body as the media item id (the
	// sha256 of those bytes).
	UploadMedia(ctx context.Context, id string, meta UploadMeta, body io.Reader, size int64) (UploadResponse, error)
	// QueueStats returns the state of the work queues and of the catalog
	// items their work is for (a photographer's own only).
	QueueStats(ctx context.Context) (QueueResponse, error)
}
