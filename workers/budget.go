package workers

import (
	"bytes"
	"context"

	"github.com/confmedia/confmedia/pipeline/rendition"
	"golang.org/x/sync/semaphore"
)

// PixelsPerSlot is the share of the pixel budget each unit of worker
// concurrency brings: photos up to 50 MP render at full concurrency, larger
// ones take the room of several. Two 45 MP photos at a time peak at about
// 300 MiB for the whole process (docs/BENCHMARKS.md); the budget, not the
// task count, is what keeps a batch of 100 MP panoramas to one at a time.
const PixelsPerSlot = 50_000_000

// PixelBudget bounds the pixels being rendered at once across a worker's
// tasks, weighted by each image's size from its header.
type PixelBudget struct {
	sem   *semaphore.Weighted
	limit int64
}

// NewPixelBudget returns a budget of limit pixels; limit <= 0 means one
// slot, PixelsPerSlot.
func NewPixelBudget(limit int64) *PixelBudget {
	if limit <= 0 {
		limit = PixelsPerSlot
	}
	return &PixelBudget{sem: semaphore.NewWeighted(limit), limit: limit}
}

// Limit returns the budget's size in pixels.
func (b *PixelBudget) Limit() int64 { return b.limit }

// Acquire waits until pixels more fit in the budget and returns the function
// that gives them back. An image larger than the whole budget waits until it
// can run alone. Waiters are served in turn, so a large image is not passed
// over by small ones indefinitely. A nil budget never waits. The error, when
// ctx is done first, is ctx.Err().
func (b *PixelBudget) Acquire(ctx context.Context, pixels int64) (release func(), err error) {
	if b == nil || pixels <= 0 {
		return func() {}, nil
	}
	n := min(pixels, b.limit)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { b.sem.Release(n) }, nil
}

type budgetKey struct{}

// WithPixelBudget returns a context whose tasks share b: NewServer gives
// every task one, and ProcessMedia renders within it.
func WithPixelBudget(ctx context.Context, b *PixelBudget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// PixelBudgetFrom returns the budget of ctx, or nil when it has none.
func PixelBudgetFrom(ctx context.Context) *PixelBudget {
	b, _ := ctx.Value(budgetKey{}).(*PixelBudget)
	return b
}

// reservePixels waits for room in ctx's pixel budget for the image in data,
// sized from its header. An image whose header cannot be read (or is over
// opts.MaxPixels) reserves nothing: Develop refuses it without decoding.
func reservePixels(ctx context.Context, data []byte, opts rendition.Options) (release func(), err error) {
	b := PixelBudgetFrom(ctx)
	if b == nil {
		return func() {}, nil
	}
	_, w, h, err := rendition.CheckConfig(bytes.NewReader(data), opts.MaxPixels)
	if err != nil {
		return func() {}, nil
	}
	return b.Acquire(ctx, int64(w)*int64(h))
}
