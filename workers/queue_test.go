package workers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/hibiken/asynq"
)

// redisOpt returns a connection to the test Redis, on a database of its own,
// or skips.
func redisOpt(t *testing.T) asynq.RedisConnOpt {
	t.Helper()
	u := os.Getenv("CONFMEDIA_TEST_REDIS_URL")
	if u == "" {
		t.Skip("set CONFMEDIA_TEST_REDIS_URL (make test does) to run against a real Redis")
	}
	opt, err := asynq.ParseRedisURI(u)
	if err != nil {
		t.Fatal(err)
	}
	db := 1 + rand.IntN(14)
	switch o := opt.(type) {
	case asynq.RedisClientOpt:
		o.DB = db
		opt = o
	default:
		t.Fatalf("unexpected redis option type %T", opt)
	}
	q := NewQueue(opt)
	t.Cleanup(func() { q.Close() })
	if err := q.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	return opt
}

func TestQueueIdempotentEnqueue(t *testing.T) {
	opt := redisOpt(t)
	q := NewQueue(opt)
	defer q.Close()
	ctx := context.Background()
	id := fmt.Sprintf("%064x", rand.Uint64())
	m := &catalog.Media{ID: id, Kind: catalog.Headshot, Generation: 1}
	for range 3 {
		if err := q.EnqueueMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.EnqueueTag(ctx, id, 2); err != nil {
		t.Fatal(err)
	}
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	depth := map[string]int{}
	for _, d := range st.Queues {
		depth[d.Queue] = d.Pending
	}
	if depth[QueueHeadshots] != 1 || depth[QueueTagging] != 1 || !st.Busy() {
		t.Errorf("queues %+v: want one headshot task (same generation enqueued three times) and one tagging task", st.Queues)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	for _, qn := range QueueNames() {
		insp.DeleteQueue(qn, true)
	}
}

// TestQueueFacesBackground: a faces task is listed but not counted, so that
// `confmedia wait` does not wait for squares cut again around faces.
func TestQueueFacesBackground(t *testing.T) {
	opt := redisOpt(t)
	q := NewQueue(opt)
	defer q.Close()
	ctx := context.Background()
	if err := q.EnqueueFaces(ctx, fmt.Sprintf("%064x", rand.Uint64()), 1); err != nil {
		t.Fatal(err)
	}
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var faces *catalog.QueueDepth
	for i, d := range st.Queues {
		if d.Queue == QueueFaces {
			faces = &st.Queues[i]
		}
	}
	if faces == nil || faces.Pending != 1 || !faces.Background {
		t.Errorf("queues %+v: want the faces queue listed, 1 pending, background", st.Queues)
	}
	if st.Busy() || st.Pending != 0 {
		t.Errorf("stats %+v: a faces task alone counts as work to wait for", st)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	for _, qn := range QueueNames() {
		insp.DeleteQueue(qn, true)
	}
}
