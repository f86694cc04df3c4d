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
	"github.com/redis/go-redis/v9"
)

// Task types.
const (
	TypeMediaProcess   = "media:process"   // read metadata, render, tag
	TypeMediaTag       = "media:tag"       // tag again from stored metadata
	TypeRecordingMatch = "recording:match" // attach a recording to a talk
	TypeMediaFaces     = "media:faces"     // find faces, cut squares around them
)

// Queues, served in strict priority (see NewServer): headshots are wanted the
// same afternoon, so they go before everything; tagging and matching are
// cheap and keep the catalog current; event photos take what is left, and
// finding faces what photos leave, so that it never slows the rest.
const (
	QueueHeadshots  = "headshots"
	QueuePhotos     = "photos"
	QueueTagging    = "tagging"
	QueueRecordings = "recordings"
	QueueFaces      = "faces"
)

// queueWeights orders the queues: with strict priority a higher number is
// always served first.
var queueWeights = map[string]int{
	QueueHeadshots:  6,
	QueueTagging:    4,
	QueueRecordings: 3,
	QueuePhotos:     2,
	QueueFaces:      1,
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

// MaxRetry bounds retries of transient failures (S3, Redis, database). With
// retryDelay's backoff they span at least MinRetrySpan, so an outage of a
// quarter of an hour costs time, never photos. Permanent failures (an
// undecodable file, one over a limit) are wrapped in asynq.SkipRetry and
// fail at once.
const MaxRetry = 25

// MinRetrySpan is the least time a task is retried for before it is given
// up: the sum of the shortest delays retryDelay can draw.
const MinRetrySpan = 15 * time.Minute

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

// NewMediaFacesTask returns the task that finds the faces in a rendered
// media item at generation gen and cuts its squares again around them.
func NewMediaFacesTask(id string, generation int) (*asynq.Task, []asynq.Option) {
	return newTask(TypeMediaFaces, Payload{ID: id, Generation: generation}, QueueFaces)
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
	// rdb holds confmedia's own keys beside asynq's: the reconciler's lock
	// and the crash guard's start counts.
	rdb redis.UniversalClient
}

// NewQueue connects to the Redis that opt names. It does no I/O.
func NewQueue(opt asynq.RedisConnOpt) *Queue {
	rdb, _ := opt.MakeRedisClient().(redis.UniversalClient) // asynq's options all make one
	return &Queue{client: asynq.NewClient(opt), inspector: asynq.NewInspector(opt), rdb: rdb}
}

// Close releases the connections.
func (q *Queue) Close() error {
	errs := []error{q.client.Close(), q.inspector.Close()}
	if q.rdb != nil {
		errs = append(errs, q.rdb.Close())
	}
	return errors.Join(errs...)
}

// taskState says where the task with id stands in queue: "" when asynq has
// no such task (never queued, or finished and gone), else one of asynq's
// states ("pending", "active", "scheduled", "retry", "archived",
// "completed", "aggregating").
func (q *Queue) taskState(queue, id string) (string, error) {
	ti, err := q.inspector.GetTaskInfo(queue, id)
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return "", nil
	}
	if err != nil {
		return "", catalog.E(catalog.Unavailable, "workers.taskState", err, "cannot read task %s", id)
	}
	return ti.State.String(), nil
}

// archivedTasks lists the tasks asynq gave up on, in every confmedia queue.
func (q *Queue) archivedTasks() ([]*asynq.TaskInfo, error) {
	var all []*asynq.TaskInfo
	for _, name := range QueueNames() {
		for page := 1; ; page++ {
			tasks, err := q.inspector.ListArchivedTasks(name, asynq.PageSize(500), asynq.Page(page))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return all, catalog.E(catalog.Unavailable, "workers.archivedTasks", err, "cannot list the failed tasks of %s", name)
			}
			all = append(all, tasks...)
			if len(tasks) < 500 {
				break
			}
		}
	}
	return all, nil
}

// deleteTask removes a task, so that its id can be queued again.
func (q *Queue) deleteTask(queue, id string) error {
	err := q.inspector.DeleteTask(queue, id)
	if err == nil || errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	return catalog.E(catalog.Unavailable, "workers.deleteTask", err, "cannot remove task %s", id)
}

// Ping checks that Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	if err := q.client.Ping(); err != nil {
		return catalog.E(catalog.Unavailable, "workers.Ping", err, "redis does not answer")
	}
	return nil
}

func (q *Queue) enqueue(ctx context.Context, t *asynq.Task, opts []asynq.Option) error {
	_, err := q.enqueueNew(ctx, t, opts)
	return err
}

// enqueueNew queues t and reports whether it did: false when a task with
// its id exists already (the same generation is queued, or it was given up
// on and the reconciler has not removed it yet).
func (q *Queue) enqueueNew(ctx context.Context, t *asynq.Task, opts []asynq.Option) (bool, error) {
	_, err := q.client.EnqueueContext(ctx, t, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return false, nil
	}
	if err != nil {
		return false, catalog.E(catalog.Unavailable, "workers.Enqueue", err, "cannot queue %s", t.Type())
	}
	return true, nil
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

// EnqueueFaces queues the faces task of media item id at generation gen.
func (q *Queue) EnqueueFaces(ctx context.Context, id string, gen int) error {
	t, opts := NewMediaFacesTask(id, gen)
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
		// The faces queue is background work: an item it holds is decided
		// already, unless recognition keeps it pending, and then the
		// catalog's pending items say so.
		background := name == QueueFaces
		if !background {
			st.Pending += info.Pending
			st.Active += info.Active
			st.Scheduled += info.Scheduled
			st.Retry += info.Retry
			st.Archived += info.Archived
		}
		st.Queues = append(st.Queues, catalog.QueueDepth{Queue: name, Pending: info.Pending, Active: info.Active,
			Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived, Background: background})
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
