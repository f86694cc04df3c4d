package workers

import (
	"bytes"
	"context"

	"github.com/confmedia/confmedia/pipeline/rendition"
	"golang.org/x/sync/semaphore"
)

// BytesPerSlot is the share of the render budget each unit of worker
// concurrency brings: 150 MB, a 50 MP photo of 8-bit RGB (3 bytes a pixel).
// Such photos render at full concurrency; larger ones, and deeper ones,
// take the room of several. Two 45 MP photos at a time peak at about 300
// MiB for the whole process (docs/BENCHMARKS.md); the budget, not the task
// count, is what keeps a batch of 100 MP panoramas or 16-bit PNGs to one at
// a time.
const BytesPerSlot = 150_000_000

// RenderBudget bounds the images being rendered at once across a worker's
// tasks, in bytes: each render is charged its image's size decoded whole at
// its bit depth, from its header (rendition.Header.Bytes: width x height x
// channels x bytes per sample), so a 16-bit RGBA PNG costs eight bytes a
// pixel where an 8-bit grey JPEG costs one.
type RenderBudget struct {
	sem   *semaphore.Weighted
	limit int64
}

// NewRenderBudget returns a budget of limit bytes; limit <= 0 means one
// slot, BytesPerSlot.
func NewRenderBudget(limit int64) *RenderBudget {
	if limit <= 0 {
		limit = BytesPerSlot
	}
	return &RenderBudget{sem: semaphore.NewWeighted(limit), limit: limit}
}

// Limit returns the budget's size in bytes.
func (b *RenderBudget) Limit() int64 { return b.limit }

// Acquire waits until n more bytes fit in the budget and returns the
// function that gives them back. An image larger than the whole budget
// waits until it can run alone. Waiters are served in turn, so a large
// image is not passed over by small ones indefinitely. A nil budget never
// waits. The error, when ctx is done first, is ctx.Err().
func (b *RenderBudget) Acquire(ctx context.Context, n int64) (release func(), err error) {
	if b == nil || n <= 0 {
		return func() {}, nil
	}
	n = min(n, b.limit)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { b.sem.Release(n) }, nil
}

type budgetKey struct{}

// WithRenderBudget returns a context whose tasks share b: NewServer gives
// every task one, and ProcessMedia renders within it.
func WithRenderBudget(ctx context.Context, b *RenderBudget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// RenderBudgetFrom returns the budget of ctx, or nil when it has none.
func RenderBudgetFrom(ctx context.Context) *RenderBudget {
	b, _ := ctx.Value(budgetKey{}).(*RenderBudget)
	return b
}

// reservePixels waits for room in ctx's render budget for the image in
// data, charged its decoded bytes from its header. An image whose header
// cannot be read (or is over opts.MaxPixels) reserves nothing: Develop
// refuses it without decoding.
func reservePixels(ctx context.Context, data []byte, opts rendition.Options) (release func(), err error) {
	b := RenderBudgetFrom(ctx)
	if b == nil {
		return func() {}, nil
	}
	h, err := rendition.ReadHeader(bytes.NewReader(data), opts.MaxPixels)
	if err != nil {
		return func() {}, nil
	}
	return b.Acquire(ctx, h.Bytes())
}
