//go:build cluster

package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// runDrain waits until the catalog holds at least -want items and none is
// pending, polling every 50 ms, and prints the rate at which -n items were
// processed since -since (a Unix time in seconds, the moment the workers
// were started on a queue filled while none ran).
func runDrain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("drain", flag.ContinueOnError)
	want := fs.Int("want", 0, "items the catalog must hold")
	timeout := fs.Duration("timeout", 15*time.Minute, "give up after")
	label := fs.String("label", "", "what to call this run in the output")
	n := fs.Int("n", 0, "items processed in this run")
	since := fs.Float64("since", 0, "Unix time (seconds) the run started; default now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	db, err := pgx.Connect(ctx, env("CONFMEDIA_DATABASE_URL", ""))
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	start := time.Now()
	if *since > 0 {
		start = time.Unix(0, int64(*since*1e9))
	}
	for {
		var total, pending int
		err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM media`).Scan(&total, &pending)
		if err != nil {
			return fmt.Errorf("after %s: %w", time.Since(start).Round(time.Millisecond), err)
		}
		if total >= *want && pending == 0 {
			d := time.Since(start)
			fmt.Printf("%s%d photos processed in %.2f s: %.1f photos/s\n", *label, *n, d.Seconds(), float64(*n)/d.Seconds())
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d items, %d still pending after %s", total, *want, pending, time.Since(start).Round(time.Second))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
