//go:build cluster

// Command clusterkit is the Go half of `make test-cluster` (.ci/cluster/run.sh):
// it writes the photo batches and the schedule, measures how fast the
// workers drain a queue, checks the catalog and the bucket after the run,
// checks that a session made on one web node works on the other, and backs
// up, wipes and restores the bucket. It reads the same CONFMEDIA_* settings
// as `confmedia serve` (CONFMEDIA_DATABASE_URL, CONFMEDIA_S3_*).
//
//	clusterkit photos   -dir DIR -n N -first I [-schedule FILE]
//	clusterkit drain    -want N [-timeout D]
//	clusterkit check    -dirs DIR,DIR... [-corrupt N]
//	clusterkit session  -login URL -other URL -token TOKEN
//	clusterkit bucket   backup|wipe|restore -dir DIR
//
// Built only with the cluster tag: go run -tags cluster ./cmd/confmedia/internal/clusterkit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: clusterkit photos|drain|check|session|bucket [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmds := map[string]func(context.Context, []string) error{
		"photos":  runPhotos,
		"drain":   runDrain,
		"check":   runCheck,
		"session": runSession,
		"bucket":  runBucket,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "clusterkit: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(ctx, os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "clusterkit %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// env returns the variable k, or def when it is empty.
func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
