package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// flaky is a component check that is unavailable for its first n tries.
func flaky(n int32, tries *atomic.Int32) func(context.Context) error {
	return func(context.Context) error {
		if tries.Add(1) <= n {
			return catalog.E(catalog.Unavailable, "test", nil, "not up yet")
		}
		return nil
	}
}

func TestAwait(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var redisTries, s3Tries atomic.Int32
	ready := newReadiness("redis", "s3")
	if got := ready.status(); got["redis"] == nil || got["s3"] == nil {
		t.Fatalf("before any check: %v, want both unknown", got)
	}
	start := time.Now()
	err := await(t.Context(), log, ready, []component{
		{name: "redis", what: "the queue (Redis)", check: flaky(0, &redisTries)},
		{name: "s3", what: "the storage server", check: flaky(2, &s3Tries)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if redisTries.Load() != 1 || s3Tries.Load() != 3 {
		t.Errorf("tries: redis %d, s3 %d; want 1 and 3", redisTries.Load(), s3Tries.Load())
	}
	if el := time.Since(start); el < awaitFirst/2+awaitFirst {
		t.Errorf("two waits took %s, want at least %s (backoff)", el, awaitFirst/2+awaitFirst)
	}
	for _, want := range []string{`msg="waiting for the storage server" component=s3`, "tries=2", `msg="the storage server answers"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "waiting for the queue") {
		t.Errorf("logged a wait for a component that answered:\n%s", logs.String())
	}
	if got := ready.status(); got["redis"] != nil || got["s3"] != nil {
		t.Errorf("after: %v, want both answering", got)
	}

	// A wrong setting is not waited for.
	wrong := catalog.E(catalog.Invalid, "test", nil, "bad PostgreSQL connection string")
	var tries atomic.Int32
	err = await(t.Context(), log, nil, []component{
		{name: "catalog", what: "the catalog database", check: func(context.Context) error { tries.Add(1); return wrong }},
		{name: "s3", what: "the storage server", check: flaky(1000, &s3Tries)},
	})
	if !errors.Is(err, wrong) || tries.Load() != 1 {
		t.Errorf("await with a wrong setting = %v after %d tries, want it at once", err, tries.Load())
	}

	// Stopping ends the wait.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = await(ctx, log, nil, []component{{name: "s3", what: "the storage server", check: flaky(1000, &s3Tries)}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("await after ctx ended = %v, want its error", err)
	}
}
