package main

import (
	"context"
	"fmt"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web"
)

func (m *Main) runMediaSetKind(ctx context.Context, args []string) error {
	fs := m.newFlagSet("media set-kind", "ID --kind photo|headshot [--speaker NAME]")
	kind := fs.String("kind", "", "what the item is: `photo` (an event photo) or headshot")
	speaker := fs.String("speaker", "", "the speaker a headshot shows (id or full name)")
	asJSON := fs.Bool("json", false, "print the changed item as JSON")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	mk := catalog.MediaKind(*kind)
	if !mk.Valid() {
		fs.Usage()
		return usageErr("--kind %q: want photo or headshot", *kind)
	}
	if mk == catalog.Photo && *speaker != "" {
		return usageErr("--speaker names the speaker a headshot shows: use it with --kind headshot")
	}
	resp, err := m.client(settings()).SetMediaKind(ctx, pos[0], web.SetKindRequest{Kind: *kind, Speaker: *speaker})
	if err != nil {
		if catalog.ErrorKind(err) == catalog.Invalid {
			return &exitError{code: exitUsage, err: err}
		}
		return err
	}
	if *asJSON {
		return m.printJSON(resp)
	}
	fmt.Fprintf(m.Stdout, "%s %s: now %s; %s\n", short(resp.ID, idWidth), resp.SourceName, kindPhrase(resp.Kind, *speaker), resp.Reason)
	if !resp.Queued {
		fmt.Fprintln(m.Stderr, "the server's queue is unavailable: it is processed when the queue is back (`confmedia wait` waits for it)")
	}
	return nil
}
