package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/confmedia/confmedia/web"
)

// idWidth is how much of an id the review list shows; review resolve
// accepts any unique prefix of 6 characters or more.
const idWidth = 12

func (m *Main) runReviewList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("review list", "[--json]")
	asJSON := fs.Bool("json", false, "print the queue as JSON")
	settings := m.clientFlags(fs)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	list, err := m.client(settings()).ReviewQueue(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(list)
	}
	if len(list.Items) == 0 {
		fmt.Fprintln(m.Stdout, "nothing to review")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tNAME\tREASON\tCANDIDATES")
	for _, it := range list.Items {
		kind, name := string(it.Kind), it.SourceName
		if it.Type == "recording" {
			kind, name = "recording", it.Title
		}
		cands := make([]string, 0, len(it.Candidates))
		for _, c := range it.Candidates {
			label := c.Title
			if label == "" {
				label = c.Name
			}
			if label == "" {
				cands = append(cands, c.ID)
				continue
			}
			cands = append(cands, fmt.Sprintf("%s (%s)", c.ID, label))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", short(it.ID, idWidth), kind, it.Status, oneLine(name), oneLine(it.Reason), strings.Join(cands, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d to review; decide them with `confmedia review resolve ID... --talk T | --speaker S | --untagged | --hide`\n", len(list.Items))
	return nil
}

func (m *Main) runReviewResolve(ctx context.Context, args []string) error {
	fs := m.newFlagSet("review resolve", "ID... | --camera KEY [--from T] [--to T] --talk T | --speaker S | --untagged | --hide")
	talk := fs.String("talk", "", "the photos or recordings show talk `T` (its id)")
	speaker := fs.String("speaker", "", "the headshots show speaker `S` (id or full name)")
	untagged := fs.Bool("untagged", false, "publish the media items with no talk or speaker; dismiss recordings")
	hide := fs.Bool("hide", false, "take the media items down; dismiss recordings")
	camera := fs.String("camera", "", "decide the photos in review of camera `KEY` (see `confmedia cameras`) instead of ids")
	from := fs.String("from", "", "with --camera: photos taken at or after `T` (2006-01-02 15:04 venue time, or RFC 3339)")
	to := fs.String("to", "", "with --camera: photos taken at or before `T`")
	asJSON := fs.Bool("json", false, "print the decided items as JSON")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 0, -1)
	if err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{*talk != "", *speaker != "", *untagged, *hide} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		fs.Usage()
		return usageErr("review resolve takes exactly one of --talk, --speaker, --untagged or --hide")
	case (len(pos) == 0) == (*camera == ""):
		fs.Usage()
		return usageErr("review resolve takes ids or --camera, one of them")
	case *camera == "" && (*from != "" || *to != ""):
		fs.Usage()
		return usageErr("--from and --to select a camera's photos: give --camera too")
	}
	decision := web.ResolveRequest{Talk: *talk, Speaker: *speaker, Untagged: *untagged, Hide: *hide}
	c := m.client(settings())
	if len(pos) == 1 {
		item, err := c.Resolve(ctx, pos[0], decision)
		if err != nil {
			return err
		}
		return m.printDecided(item, *asJSON)
	}
	resp, err := c.ResolveMany(ctx, web.BulkResolveRequest{IDs: pos, Camera: *camera, From: *from, To: *to, ResolveRequest: decision})
	if err != nil {
		return err
	}
	return m.printBulk(resp, "decided", *asJSON)
}

// printBulk prints each item of a batch, then a count; some items failing
// is exit code 1.
func (m *Main) printBulk(resp web.BulkResponse, done string, asJSON bool) error {
	if asJSON {
		if err := m.printJSON(resp); err != nil {
			return err
		}
	} else {
		for _, r := range resp.Results {
			if r.Item != nil {
				if err := m.printDecided(*r.Item, false); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(m.Stdout, "%s: not changed: %s\n", short(r.ID, idWidth), r.Error)
		}
		if resp.CameraNote != "" {
			fmt.Fprintln(m.Stdout, resp.CameraNote)
		}
		fmt.Fprintf(m.Stdout, "%d %s, %d not changed\n", resp.Done, done, resp.Failed)
	}
	if resp.Failed > 0 {
		return &exitError{code: exitRejected, err: fmt.Errorf("%d of %d items not changed", resp.Failed, len(resp.Results))}
	}
	return nil
}

func (m *Main) runMediaRetry(ctx context.Context, args []string) error {
	fs := m.newFlagSet("media retry", "ID... [--json]")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, -1)
	if err != nil {
		return err
	}
	resp, err := m.client(settings()).RetryMedia(ctx, pos)
	if err != nil {
		return err
	}
	return m.printBulk(resp, "queued to be processed again", *asJSON)
}

func (m *Main) runMediaDelete(ctx context.Context, args []string) error {
	fs := m.newFlagSet("media delete", "ID... [--json]")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, -1)
	if err != nil {
		return err
	}
	resp, err := m.client(settings()).DeleteMedia(ctx, pos)
	if err != nil {
		return err
	}
	return m.printBulk(resp, "deleted", *asJSON)
}

func (m *Main) runMediaFailed(ctx context.Context, args []string) error {
	fs := m.newFlagSet("media failed", "[--json]")
	asJSON := fs.Bool("json", false, "print the list as JSON")
	settings := m.clientFlags(fs)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	list, err := m.client(settings()).FailedMedia(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(list)
	}
	if len(list.Items) == 0 {
		fmt.Fprintln(m.Stdout, "no failed items")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFILE\tPHOTOGRAPHER\tREASON")
	for _, it := range list.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", short(it.ID, idWidth), oneLine(it.SourceName), oneLine(it.Photographer), oneLine(it.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d failed; process them again with `confmedia media retry ID...`, or remove them with `confmedia media delete ID...`\n", len(list.Items))
	return nil
}

func (m *Main) runMediaHide(ctx context.Context, args []string) error {
	fs := m.newFlagSet("media hide", "ID [--reason R]")
	reason := fs.String("reason", "", "why it is taken down (default \"taken down on request\")")
	asJSON := fs.Bool("json", false, "print the hidden item as JSON")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	item, err := m.client(settings()).HideMedia(ctx, pos[0], *reason)
	if err != nil {
		return err
	}
	return m.printDecided(item, *asJSON)
}

// printDecided prints an item a person decided.
func (m *Main) printDecided(it web.DecidedItem, asJSON bool) error {
	if asJSON {
		return m.printJSON(it)
	}
	name := it.SourceName
	if it.Type == "recording" {
		name = "recording " + it.Title
	}
	fmt.Fprintf(m.Stdout, "%s %s: %s", short(it.ID, idWidth), name, it.Status)
	if len(it.TalkIDs) > 0 {
		fmt.Fprintf(m.Stdout, ", talks %s", strings.Join(it.TalkIDs, ", "))
	}
	if len(it.SpeakerIDs) > 0 {
		fmt.Fprintf(m.Stdout, ", speakers %s", strings.Join(it.SpeakerIDs, ", "))
	}
	if it.Reason != "" {
		fmt.Fprintf(m.Stdout, " (%s)", it.Reason)
	}
	fmt.Fprintln(m.Stdout)
	if it.CameraNote != "" {
		fmt.Fprintln(m.Stdout, it.CameraNote)
	}
	if it.CameraOffsetChanged {
		fmt.Fprintln(m.Stdout, "its camera's clock offset was corrected; the camera's photos are being re-tagged (see `confmedia cameras`)")
	}
	return nil
}

func (m *Main) runOptOut(ctx context.Context, args []string) error {
	const usage = "add NAME [--reason R] | list [--json] | remove NAME"
	if len(args) == 0 {
		fmt.Fprintf(m.Stderr, "Usage: confmedia optout %s\n", usage)
		return usageErr("optout needs add, list or remove")
	}
	switch args[0] {
	case "add":
		return m.runOptOutAdd(ctx, args[1:])
	case "list":
		return m.runOptOutList(ctx, args[1:])
	case "remove":
		return m.runOptOutRemove(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(m.Stderr, "Usage: confmedia optout %s\n", usage)
		return nil
	}
	fmt.Fprintf(m.Stderr, "Usage: confmedia optout %s\n", usage)
	return usageErr("unknown optout command %q", args[0])
}

func (m *Main) runOptOutAdd(ctx context.Context, args []string) error {
	fs := m.newFlagSet("optout add", "NAME [--reason R]")
	reason := fs.String("reason", "", "why, for the organizers' records")
	settings := m.clientFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name := strings.Join(pos, " ")
	if strings.TrimSpace(name) == "" {
		fs.Usage()
		return usageErr("optout add takes the person's NAME")
	}
	resp, err := m.client(settings()).AddOptOut(ctx, name, *reason)
	if err != nil {
		return err
	}
	who := resp.OptOut.Name
	if resp.OptOut.SpeakerID != "" {
		who += " (speaker " + resp.OptOut.SpeakerID + ")"
	}
	fmt.Fprintf(m.Stdout, "%s opted out of photos; %d media re-tagged: photos naming them and their headshots are hidden once `confmedia wait` returns\n", who, resp.Retagged)
	return nil
}

func (m *Main) runOptOutList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("optout list", "[--json]")
	asJSON := fs.Bool("json", false, "print the list as JSON")
	settings := m.clientFlags(fs)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	list, err := m.client(settings()).OptOuts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []web.OptOutItem{}
		}
		return m.printJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(m.Stdout, "no opt-outs")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSPEAKER\tSINCE\tREASON")
	for _, o := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Name, o.SpeakerID, o.Created.Format("2006-01-02"), oneLine(o.Reason))
	}
	return tw.Flush()
}

func (m *Main) runOptOutRemove(ctx context.Context, args []string) error {
	fs := m.newFlagSet("optout remove", "NAME")
	settings := m.clientFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name := strings.Join(pos, " ")
	if strings.TrimSpace(name) == "" {
		fs.Usage()
		return usageErr("optout remove takes the person's NAME")
	}
	resp, err := m.client(settings()).RemoveOptOut(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "opt-out of %s removed; %s\n", resp.Name, resp.Note)
	return nil
}

// short returns the first n bytes of id.
func short(id string, n int) string {
	if len(id) <= n {
		return id
	}
	return id[:n]
}

// oneLine folds white space runs (new lines included) into single spaces,
// so a value keeps to its table cell.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
