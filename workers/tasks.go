package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/hibiken/asynq"
)

// Task types.
const (
	TypeMediaProcess   = "media:process"   // read metadata, render, tag
	TypeMediaTag       = "media:tag"       // tag again from stored metadata
	TypeRecordingMatch = "recording:match" // attach a recording to a talk
)

// Queues, served in strict priority (see NewServer): headshots are wanted the
// same afternoon, so they go before everything; tagging and matching are
// cheap and keep the catalog current; event photos take what is left.
const (
	QueueHeadshots  = "headshots"
	QueuePhotos     = "photos"
	QueueTagging    = "tagging"
	QueueRecordings = "recordings"
)

// queueWeights orders the queues: with strict priority a higher number is
// always served first.
var queueWeights = map[string]int{
	QueueHeadshots:  6,
	QueueTagging:    4,
	QueueRecordings: 3,
	QueuePhotos:     2,
}

// QueueNames lists every queue confmedia uses, sorted.
func QueueNames() []string {
	names := make([]string, 0, len(queueWeights))
	for q := range queueWeights {
		names = append(names, q)
	}
	sort.Strings(names)
	return names
}

// MaxRetry bounds retries of transient failures (S3, Redis, database).
const MaxRetry = 6

// Payload names the item a task works on and the processing generation it
// was enqueued for.
type Payload struct {
	ID         string `json:"id"`
	Generation int    `json:"generation"`
}

func newTask(typ string, p Payload, queue string) (*asynq.Task, []asynq.Option) {
	b, _ := json.Marshal(p) // cannot fail: two plain fields
	return asynq.NewTask(typ, b), []asynq.Option{
		asynq.TaskID(TaskID(typ, p)),
		asynq.Queue(queue),
		asynq.MaxRetry(MaxRetry),
		asynq.Timeout(10 * time.Minute),
	}
}

// TaskID is the idempotency key of a task: the same item and generation is
// the same task, so enqueuing it twice does nothing.
func TaskID(typ string, p Payload) string {
	return fmt.Sprintf("%s:%s:%d", typ, p.ID, p.Generation)
}

// NewMediaProcessTask returns the task that processes an uploaded media item.
func NewMediaProcessTask(m *catalog.Media) (*asynq.Task, []asynq.Option) {
	q := QueuePhotos
	if m.Kind == catalog.Headshot {
		q = QueueHeadshots
	}
	return newTask(TypeMediaProcess, Payload{ID: m.ID, Generation: m.Generation}, q)
}

// NewMediaTagTask returns the task that tags a processed media item again.
func NewMediaTagTask(id string, generation int) (*asynq.Task, []asynq.Option) {
	return newTask(TypeMediaTag, Payload{ID: id, Generation: generation}, QueueTagging)
}

// NewRecordingMatchTask returns the task that attaches a recording to a talk.
func NewRecordingMatchTask(id string, generation int) (*asynq.Task, []asynq.Option) {
	return newTask(TypeRecordingMatch, Payload{ID: id, Generation: generation}, QueueRecordings)
}

func decodePayload(t *asynq.Task) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID == "" {
		return p, fmt.Errorf("%s: undecodable payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	return p, nil
}

// Queue enqueues tasks and reports on the queues.
type Queue struct {
	client    *asynq.Client
	inspector *asynq.Inspector
}

// NewQueue connects to the Redis that opt names. It does no I/O.
func NewQueue(opt asynq.RedisConnOpt) *Queue {
	return &Queue{client: asynq.NewClient(opt), inspector: asynq.NewInspector(opt)}
}

// Close releases the connections.
func (q *Queue) Close() error {
	return errors.Join(q.client.Close(), q.inspector.Close())
}

// Ping checks that Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	if err := q.client.Ping(); err != nil {
		return catalog.E(catalog.Unavailable, "workers.Ping", err, "redis does not answer")
	}
	return nil
}

func (q *Queue) enqueue(ctx context.Context, t *asynq.Task, opts []asynq.Option) error {
	_, err := q.client.EnqueueContext(ctx, t, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil // the same generation is queued already
	}
	if err != nil {
		return catalog.E(catalog.Unavailable, "workers.Enqueue", err, "cannot queue %s", t.Type())
	}
	return nil
}

// EnqueueMedia queues the processing of m.
func (q *Queue) EnqueueMedia(ctx context.Context, m *catalog.Media) error {
	t, opts := NewMediaProcessTask(m)
	return q.enqueue(ctx, t, opts)
}

// EnqueueTag queues the re-tagging of media item id at generation gen.
func (q *Queue) EnqueueTag(ctx context.Context, id string, gen int) error {
	t, opts := NewMediaTagTask(id, gen)
	return q.enqueue(ctx, t, opts)
}

// EnqueueRecording queues the matching of recording id at generation gen.
func (q *Queue) EnqueueRecording(ctx context.Context, id string, gen int) error {
	t, opts := NewRecordingMatchTask(id, gen)
	return q.enqueue(ctx, t, opts)
}

// Stats sums the state of every confmedia queue and lists the tasks that
// ended failed.
func (q *Queue) Stats(ctx context.Context) (catalog.QueueStats, error) {
	st := catalog.QueueStats{Queues: []catalog.QueueDepth{}, Failed: []catalog.FailedTask{}}
	known, err := q.inspector.Queues()
	if err != nil {
		return st, catalog.E(catalog.Unavailable, "workers.Stats", err, "cannot read the queues")
	}
	for _, name := range known {
		info, err := q.inspector.GetQueueInfo(name)
		if err != nil {
			return st, catalog.E(catalog.Unavailable, "workers.Stats", err, "cannot read queue %s", name)
		}
		st.Pending += info.Pending
		st.Active += info.Active
		st.Scheduled += info.Scheduled
		st.Retry += info.Retry
		st.Archived += info.Archived
		st.Queues = append(st.Queues, catalog.QueueDepth{Queue: name, Pending: info.Pending, Active: info.Active,
			Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived})
		if info.Archived == 0 {
			continue
		}
		tasks, err := q.inspector.ListArchivedTasks(name, asynq.PageSize(1000))
		if err != nil {
			return st, catalog.E(catalog.Unavailable, "workers.Stats", err, "cannot list failed tasks of %s", name)
		}
		for _, ti := range tasks {
			var p Payload
			_ = json.Unmarshal(ti.Payload, &p)
			st.Failed = append(st.Failed, catalog.FailedTask{ID: ti.ID, Type: ti.Type, Queue: name,
				Subject: p.ID, Error: strings.TrimSpace(ti.LastErr), At: ti.LastFailedAt})
		}
	}
	sort.Slice(st.Failed, func(i, j int) bool { return st.Failed[i].ID < st.Failed[j].ID })
	return st, nil
}
