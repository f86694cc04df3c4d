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
	fmt.Fprintf(m.Stdout, "%d to review; decide one with `confmedia review resolve ID --talk T | --speaker S | --untagged | --hide`\n", len(list.Items))
	return nil
}

func (m *Main) runReviewResolve(ctx context.Context, args []string) error {
	fs := m.newFlagSet("review resolve", "ID --talk T | --speaker S | --untagged | --hide")
	talk := fs.String("talk", "", "the photo or recording shows talk `T` (its id)")
	speaker := fs.String("speaker", "", "the headshot shows speaker `S` (id or full name)")
	untagged := fs.Bool("untagged", false, "publish the media item with no talk or speaker; dismiss a recording")
	hide := fs.Bool("hide", false, "take the media item down; dismiss a recording")
	asJSON := fs.Bool("json", false, "print the decided item as JSON")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{*talk != "", *speaker != "", *untagged, *hide} {
		if set {
			n++
		}
	}
	if n != 1 {
		fs.Usage()
		return usageErr("review resolve takes exactly one of --talk, --speaker, --untagged or --hide")
	}
	item, err := m.client(settings()).Resolve(ctx, pos[0], web.ResolveRequest{Talk: *talk, Speaker: *speaker, Untagged: *untagged, Hide: *hide})
	if err != nil {
		return err
	}
	return m.printDecided(item, *asJSON)
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
