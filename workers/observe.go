package workers

// What the workers tell their operators: one log line per processed item,
// and every task's type, time and error for the metrics.

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/hibiken/asynq"
)

// Observer is told what the workers did. cmd/confmedia implements it with
// Prometheus; this package does not depend on it.
type Observer interface {
	// TaskDone is told of every task handled: its type, how long its
	// handler ran and the error it ended with (nil: done).
	TaskDone(taskType string, took time.Duration, err error)
	// Rendered is told how long one item's renditions took to make
	// (decode, orient, resize, encode), by the item's kind.
	Rendered(kind catalog.MediaKind, took time.Duration)
	// FacesFound is told how long finding one item's faces took (read
	// and decode its large rendition, find, cut its squares again) and
	// how many were found, by the item's kind.
	FacesFound(kind catalog.MediaKind, took time.Duration, faces int)
}

// Outcomes is a task middleware: it reports every task to Observer and
// logs one line per media item processed — the item's id, file, kind,
// status and reason after the task, the task's duration and render time,
// its try and, when it failed, the error (retried unless the status is
// final).
type Outcomes struct {
	Store    catalog.MediaStore
	Logger   *slog.Logger
	Observer Observer // nil: the log line only
}

// taskNote is what a handler notes for the middleware while it runs; the
// task's context carries it.
type taskNote struct {
	render atomic.Int64 // nanoseconds spent rendering
	faces  atomic.Int64 // nanoseconds spent finding faces
	found  atomic.Int64 // faces found
	looked atomic.Bool  // faces were looked for, and the search ended
}

type taskNoteKey struct{}

// noteRender records that rendering the task's item took d.
func noteRender(ctx context.Context, d time.Duration) {
	if n, ok := ctx.Value(taskNoteKey{}).(*taskNote); ok {
		n.render.Add(int64(d))
	}
}

// noteFaces records that finding the faces of the task's item took d and
// found n of them; ok is false when the search did not end (an error).
func noteFaces(ctx context.Context, d time.Duration, n int, ok bool) {
	if note, have := ctx.Value(taskNoteKey{}).(*taskNote); have {
		note.faces.Add(int64(d))
		if ok {
			note.found.Add(int64(n))
			note.looked.Store(true)
		}
	}
}

// Middleware wraps the task handlers.
func (o *Outcomes) Middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		note := &taskNote{}
		start := time.Now()
		err := next.ProcessTask(context.WithValue(ctx, taskNoteKey{}, note), t)
		took := time.Since(start)
		render := time.Duration(note.render.Load())
		if o.Observer != nil {
			o.Observer.TaskDone(t.Type(), took, err)
		}
		switch t.Type() {
		case TypeMediaProcess:
			o.logItem(ctx, t, took, render, err)
		case TypeMediaFaces:
			o.logFaces(ctx, t, took, note, err)
		}
		return err
	})
}

// logItem logs the outcome of a media:process task.
func (o *Outcomes) logItem(ctx context.Context, t *asynq.Task, took, render time.Duration, err error) {
	p, derr := decodePayload(t)
	if derr != nil {
		return // asynq logs the task error
	}
	try, _ := asynq.GetRetryCount(ctx)
	attrs := []slog.Attr{slog.String("media", p.ID), slog.Int("generation", p.Generation),
		slog.Duration("duration", took), slog.Int("try", try+1)}
	if render > 0 {
		attrs = append(attrs, slog.Duration("render", render))
	}
	// The task's own context may have ended (its time limit).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	kind := catalog.MediaKind("unknown")
	if m, merr := o.Store.Media(rctx, p.ID); merr == nil {
		attrs = append(attrs, slog.String("file", m.SourceName), slog.String("kind", string(m.Kind)),
			slog.String("status", string(m.Status)))
		if m.Reason != "" {
			attrs = append(attrs, slog.String("reason", m.Reason))
		}
		kind = m.Kind
	}
	if o.Observer != nil && render > 0 {
		o.Observer.Rendered(kind, render)
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error_kind", catalog.ErrorKind(err).String()), slog.Any("err", err))
	}
	o.Logger.LogAttrs(ctx, level, "item processed", attrs...)
}

// logFaces logs the outcome of a media:faces task and tells the observer
// what finding the faces took.
func (o *Outcomes) logFaces(ctx context.Context, t *asynq.Task, took time.Duration, note *taskNote, err error) {
	p, derr := decodePayload(t)
	if derr != nil {
		return
	}
	try, _ := asynq.GetRetryCount(ctx)
	attrs := []slog.Attr{slog.String("media", p.ID), slog.Int("generation", p.Generation),
		slog.Duration("duration", took), slog.Int("try", try+1)}
	looked := note.looked.Load()
	if looked {
		attrs = append(attrs, slog.Int("faces", int(note.found.Load())), slog.Duration("find", time.Duration(note.faces.Load())))
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	kind := catalog.MediaKind("unknown")
	if m, merr := o.Store.Media(rctx, p.ID); merr == nil {
		attrs = append(attrs, slog.String("file", m.SourceName), slog.String("kind", string(m.Kind)),
			slog.String("status", string(m.Status)))
		kind = m.Kind
	}
	if o.Observer != nil && looked {
		o.Observer.FacesFound(kind, time.Duration(note.faces.Load()), int(note.found.Load()))
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error_kind", catalog.ErrorKind(err).String()), slog.Any("err", err))
	}
	o.Logger.LogAttrs(ctx, level, "item faces", attrs...)
}
