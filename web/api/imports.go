package api

import (
	"github.com/confmedia/confmedia/catalog"
)

// ScheduleImportResponse says what a schedule import did, or with DryRun
// what it would do.
type ScheduleImportResponse struct {
	File     string   `json:"file"`
	Format   string   `json:"format"`
	Title    string   `json:"title"`
	Acronym  string   `json:"acronym,omitempty"`
	Timezone string   `json:"timezone"`
	Talks    int      `json:"talks"`
	Speakers int      `json:"speakers"`
	Rooms    []string `json:"rooms"`
	Added    int      `json:"added"`
	Changed  int      `json:"changed"` // Moved included
	Moved    int      `json:"moved"`
	Removed  int      `json:"removed"`
	Retagged int      `json:"retagged"` // media queued (or with DryRun, to be queued) for tagging again
	DryRun   bool     `json:"dry_run,omitempty"`

	// Filled for a dry run, and for an import that replaced another
	// conference's schedule (Replaced).
	PreviousTitle string             `json:"previous_title,omitempty"`
	Replaced      bool               `json:"replaced,omitempty"`
	ReplaceNeeded []string           `json:"replace_needed,omitempty"` // why --replace is needed
	Diff          []ScheduleTalkDiff `json:"diff,omitempty"`
	MediaOnTalks  int                `json:"media_on_talks,omitempty"` // media tagged with a changed or removed talk
}

// RecordingsImportResponse says what a recordings import did.
type RecordingsImportResponse struct {
	File      string `json:"file"`
	Records   int    `json:"records"`
	Changed   int    `json:"changed"`
	Unchanged int    `json:"unchanged"`
}

// QueueResponse answers GET /api/queue: the state of the work queues and of
// the catalog items that work is for, so that a client can tell when all
// work has ended, and how, even while the queue is unavailable.
type QueueResponse struct {
	catalog.QueueStats
	// QueueDown says why the queues cannot be read (Redis is unavailable);
	// the queue counts are then zero and mean nothing.
	QueueDown string `json:"queue_down,omitempty"`
	// PendingMedia and PendingRecordings count the catalog items whose work
	// has not ended (queued, running, or waiting for the queue), not
	// counting those in Ended.
	PendingMedia      int `json:"pending_media"`
	PendingRecordings int `json:"pending_recordings"`
	// Ended lists the items whose work ended failed: media whose status is
	// failed, and items still pending whose task the queue gave up on.
	Ended []FailedItem `json:"ended_failed"`
}

// FailedItem is a catalog item whose work ended failed.
type FailedItem struct {
	Kind   string `json:"kind"` // "photo", "headshot" or "recording"
	ID     string `json:"id"`
	File   string `json:"file"` // the file name as uploaded, or the recording's title or URL
	Reason string `json:"reason"`
}

// Done reports whether no work is queued, running or waiting for the
// queue.
func (q QueueResponse) Done() bool {
	return q.QueueDown == "" && !q.Busy() && q.PendingMedia == 0 && q.PendingRecordings == 0
}

// PublishResponse says what publish wrote.
type PublishResponse struct {
	Objects    int    `json:"objects"`
	Bytes      int64  `json:"bytes"`
	CatalogURL string `json:"catalog_url"`
	Talks      int    `json:"talks"`
	Speakers   int    `json:"speakers"`
	Media      int    `json:"media"`
	Removed    int    `json:"removed"` // pages of talks and speakers no longer in the catalog
}

// ScheduleTalkDiff is one talk an import adds, changes, moves or removes.
type ScheduleTalkDiff struct {
	Change string `json:"change"` // "added", "changed", "moved", "removed"
	ID     string `json:"id"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"` // for changed and moved: what differs
}
