package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/web/client"
)

func (m *Main) client(s clientSettings) *client.Client { return client.New(s.server, s.token) }

func (m *Main) runScheduleImport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("schedule import", "[--timezone ZONE] [--title TITLE] [--dry-run] [--replace] FILE")
	tz := fs.String("timezone", "", "IANA zone of the venue (required when the file names none)")
	title := fs.String("title", "", "conference title (when the file names none)")
	dryRun := fs.Bool("dry-run", false, "print the talks the import would add, change, move and remove, and import nothing")
	replace := fs.Bool("replace", false, "allow an import of another conference, or one that removes more than half of the talks")
	settings := m.clientFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *tz != "" {
		if _, err := time.LoadLocation(*tz); err != nil {
			return usageErr("--timezone %q: not an IANA zone (e.g. Europe/Dublin)", *tz)
		}
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return &exitError{code: exitRejected, err: fmt.Errorf("%s: %w", pos[0], err)}
	}
	resp, err := m.client(settings()).ImportScheduleWith(ctx, filepath.Base(pos[0]), data,
		client.ScheduleImport{Timezone: *tz, Title: *title, DryRun: *dryRun, Replace: *replace})
	if err != nil {
		return err
	}
	if resp.DryRun {
		m.printScheduleDiff(resp)
		return nil
	}
	if resp.Replaced {
		fmt.Fprintf(m.Stdout, "replaced the schedule of %q: %s\n", resp.PreviousTitle, strings.Join(resp.ReplaceNeeded, "; "))
	}
	fmt.Fprintf(m.Stdout, "%s: %s schedule %q (%s): %d talks, %d speakers, %d rooms; %d added, %d changed (%d moved), %d removed; %d media re-tagged\n",
		resp.File, resp.Format, resp.Title, resp.Timezone, resp.Talks, resp.Speakers, len(resp.Rooms),
		resp.Added, resp.Changed, resp.Moved, resp.Removed, resp.Retagged)
	return nil
}

// printScheduleDiff prints what a schedule import would do.
func (m *Main) printScheduleDiff(resp web.ScheduleImportResponse) {
	w := m.Stdout
	fmt.Fprintf(w, "dry run of %s: %s schedule %q (%s): %d talks, %d speakers, %d rooms\n",
		resp.File, resp.Format, resp.Title, resp.Timezone, resp.Talks, resp.Speakers, len(resp.Rooms))
	if resp.PreviousTitle != "" && resp.PreviousTitle != resp.Title {
		fmt.Fprintf(w, "the conference now is %q\n", resp.PreviousTitle)
	}
	for _, d := range resp.Diff {
		line := fmt.Sprintf("  %-8s %s %q", d.Change, d.ID, d.Title)
		if d.Detail != "" {
			line += ": " + d.Detail
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "would add %d, change %d (%d moved) and remove %d talks; %d media would be tagged again (%d of them tagged with a changed or removed talk)\n",
		resp.Added, resp.Changed, resp.Moved, resp.Removed, resp.Retagged, resp.MediaOnTalks)
	if len(resp.ReplaceNeeded) > 0 {
		fmt.Fprintf(w, "needs --replace: %s\n", strings.Join(resp.ReplaceNeeded, "; "))
	}
	fmt.Fprintln(w, "nothing imported (--dry-run)")
}

func (m *Main) runVideosImport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("videos import", "FILE|DIR...")
	settings := m.clientFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return usageErr("videos import takes a FILE or DIR")
	}
	var files []string
	category := map[string]string{} // file → the title of the category.json of its event folder
	for _, p := range pos {
		fi, err := os.Stat(p)
		if err != nil {
			return &exitError{code: exitRejected, err: err}
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		// A pyvideo event folder (category.json and videos/*.json) names
		// its event in category.json; a checkout of pyvideo/data holds
		// many such folders.
		events := map[string]string{} // folder → category title
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if strings.HasPrefix(d.Name(), ".") && path != p {
					return filepath.SkipDir
				}
				data, err := os.ReadFile(filepath.Join(path, "category.json"))
				if err == nil {
					title, err := recording.ParseCategory(filepath.Join(path, "category.json"), data)
					if err != nil {
						return err
					}
					events[path] = title
					fmt.Fprintf(m.Stdout, "%s: event %q\n", path, title)
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(path))
			if d.Name() == "category.json" || (ext != ".json" && ext != ".csv") || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			files = append(files, path)
			for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
				if title, ok := events[dir]; ok {
					category[path] = title
					break
				}
				if dir == p || dir == filepath.Dir(dir) {
					break
				}
			}
			return nil
		})
		if err != nil {
			return &exitError{code: exitRejected, err: err}
		}
	}
	sort.Strings(files)
	c := m.client(settings())
	var records, changed, failed int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			var resp struct{ Records, Changed int }
			r, ierr := c.ImportRecordingsOf(ctx, filepath.Base(f), data, category[f])
			resp.Records, resp.Changed, err = r.Records, r.Changed, ierr
			records += resp.Records
			changed += resp.Changed
		}
		if err != nil {
			if k := catalog.ErrorKind(err); k == catalog.Unavailable || k == catalog.Unauthorized || k == catalog.Forbidden {
				return err
			}
			failed++
			fmt.Fprintf(m.Stderr, "rejected %s: %s\n", f, catalog.ErrorMessage(err))
		}
	}
	fmt.Fprintf(m.Stdout, "%d files, %d recordings (%d new or changed), %d files rejected\n", len(files), records, changed, failed)
	if failed > 0 {
		return &exitError{code: exitRejected}
	}
	return nil
}

// waitPoll is how often wait asks the server.
const waitPoll = 500 * time.Millisecond

// runWait waits until no work is queued, running or waiting for the queue:
// the server's queue counts and its catalog (items still pending, which
// includes items stored while the queue was away) both say so. While Redis
// is away it keeps waiting and says so once per outage. It exits 1 when
// items ended failed, listing each with its file and reason, and 3 on
// timeout.
//
// The failed items are those failed in the catalog now (and items whose
// task the queue gave up on), not only those of the last upload: wait takes
// no ids, the catalog's failed status is the record of what needs a
// person, and a failed item stays listed until it is dealt with.
func (m *Main) runWait(ctx context.Context, args []string) error {
	fs := m.newFlagSet("wait", "[--timeout DURATION]")
	timeout := fs.Duration("timeout", 0, "give up after this long (exit 3); 0 waits for ever")
	settings := m.clientFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	wctx := ctx
	if *timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	c := m.client(settings())
	start := time.Now()
	tty := isTerminal(m.Stderr)
	down := false
	clear := func() {
		if tty {
			fmt.Fprint(m.Stderr, "\r\033[K")
		}
	}
	st, err := c.Wait(wctx, waitPoll, func(st web.QueueResponse) {
		switch {
		case st.QueueDown != "" && !down:
			down = true
			clear()
			fmt.Fprintf(m.Stderr, "waiting: the queue is unavailable (%s); %d items not processed yet, still waiting\n",
				st.QueueDown, st.PendingMedia+st.PendingRecordings)
		case st.QueueDown == "" && down:
			down = false
			clear()
			fmt.Fprintf(m.Stderr, "waiting: the queue is back after %s\n", time.Since(start).Round(time.Second))
		}
		if tty {
			fmt.Fprintf(m.Stderr, "\r%s  (%s)   ", waitLine(st), time.Since(start).Round(time.Second))
		}
	})
	clear()
	if err != nil {
		if wctx.Err() != nil && ctx.Err() == nil {
			return &exitError{code: exitTimeout, err: fmt.Errorf("timed out after %s: %s", *timeout, waitLine(st))}
		}
		return err
	}
	for _, f := range st.Ended {
		fmt.Fprintf(m.Stderr, "failed %s: %s\n", f.File, strings.TrimPrefix(f.Reason, f.File+": "))
	}
	if n := len(st.Ended); n > 0 {
		return &exitError{code: exitRejected, err: fmt.Errorf("%d %s failed", n, plural(n, "item", "items"))}
	}
	return nil
}

// waitLine says what wait is waiting for.
func waitLine(st web.QueueResponse) string {
	items := fmt.Sprintf("%d media and %d recordings pending", st.PendingMedia, st.PendingRecordings)
	if st.QueueDown != "" {
		return "queue unavailable, " + items
	}
	return fmt.Sprintf("%d queued, %d active, %d scheduled, %d retrying; %s",
		st.Pending, st.Active, st.Scheduled, st.Retry, items)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (m *Main) runCatalogExport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("catalog export", "[-o FILE] [--public]")
	out := fs.String("o", "", "write to FILE instead of standard output")
	public := fs.Bool("public", false, "the published view (tagged and untagged items only)")
	settings := m.clientFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var w io.Writer = m.Stdout
	var f *os.File
	if *out != "" {
		var err error
		if f, err = os.CreateTemp(filepath.Dir(*out), ".catalog-*"); err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	if err := m.client(settings()).Catalog(ctx, *public, w); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), *out)
	}
	return nil
}

func (m *Main) runPublish(ctx context.Context, args []string) error {
	fs := m.newFlagSet("publish", "[--json]")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	settings := m.clientFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	resp, err := m.client(settings()).Publish(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(resp)
	}
	fmt.Fprintf(m.Stdout, "published %d talks, %d speakers, %d media: %d objects, %s\ncatalog: %s\n",
		resp.Talks, resp.Speakers, resp.Media, resp.Objects, humanBytes(resp.Bytes), resp.CatalogURL)
	return nil
}

func (m *Main) runFacesForget(ctx context.Context, args []string) error {
	fs := m.newFlagSet("faces forget", "[--json]")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	settings := m.clientFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	resp, err := m.client(settings()).ForgetFaces(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(resp)
	}
	fmt.Fprintf(m.Stdout, "deleted %d face descriptors; cleared the recognised speakers of %d photos\n", resp.Descriptors, resp.Photos)
	return nil
}
