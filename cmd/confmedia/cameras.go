package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/web/client"
)

func (m *Main) runCameras(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "set" {
		return m.runCamerasSet(ctx, args[1:])
	}
	fs := m.newFlagSet("cameras", "[--json]   (or: confmedia cameras set KEY OFFSET)")
	asJSON := fs.Bool("json", false, "print the cameras as a JSON array")
	settings := m.clientFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return usageErr("cameras takes no arguments; to set an offset: confmedia cameras set KEY OFFSET")
	}
	list, err := m.client(settings()).Cameras(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(list)
	}
	printCameras(m.Stdout, list)
	return nil
}

// printCameras writes the camera list as a table, then the suggested
// offsets with the command that sets each.
func printCameras(w io.Writer, list []web.CameraInfo) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no cameras yet: they are listed once their photos are processed")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCAMERA\tPHOTOGRAPHER\tPHOTOS\tOFFSET\tSUGGESTED")
	for _, c := range list {
		off := c.Offset
		if !c.HasOffset {
			off += " (not set)"
		}
		sug := "-"
		if c.Suggestion != nil {
			sug = c.Suggestion.Offset
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", c.Key, cameraLabel(c.Make, c.Model, c.Serial, ""), dash(c.Photographer), c.Photos, off, sug)
	}
	tw.Flush()
	for _, c := range list {
		if s := c.Suggestion; s != nil {
			fmt.Fprintf(w, "\n%s: suggested offset %s: %s\n  to apply it: confmedia cameras set %s %s\n",
				cameraLabel(c.Make, c.Model, c.Serial, c.Key), s.Offset, s.Reason, shellQuote(c.Key), s.Offset)
		}
	}
}

func (m *Main) runCamerasSet(ctx context.Context, args []string) error {
	fs := m.newFlagSet("cameras set", "KEY OFFSET   (OFFSET is what to add to the camera's clock: +1h, -7m30s, 0)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	settings := m.clientFlags(fs)
	pos, err := parse(fs, offsetsPositional(args))
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return usageErr("cameras set takes a camera KEY (see `confmedia cameras`) and an OFFSET")
	}
	if _, err := web.ParseOffset(pos[1]); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	resp, err := m.client(settings()).SetCameraOffset(ctx, pos[0], pos[1], "")
	if err != nil {
		if catalog.ErrorKind(err) == catalog.Invalid {
			return &exitError{code: exitUsage, err: err}
		}
		return err
	}
	if *asJSON {
		return m.printJSON(resp)
	}
	c := resp.Camera
	fmt.Fprintf(m.Stdout, "camera %s: clock offset %s; %d of its %d items queued for re-tagging\n",
		cameraLabel(c.Make, c.Model, c.Serial, c.Key), c.Offset, resp.Retagged, c.Photos)
	return nil
}

// offsetLike matches an argument that is a negative duration, not a flag.
var offsetLike = regexp.MustCompile(`^-[0-9.]`)

// offsetsPositional moves arguments that are negative durations ("-7m30s")
// behind a "--", so that the flag parser takes them as positional.
func offsetsPositional(args []string) []string {
	end := len(args)
	if i := slices.Index(args, "--"); i >= 0 {
		end = i
	}
	var rest, moved []string
	for _, a := range args[:end] {
		if offsetLike.MatchString(a) {
			moved = append(moved, a)
		} else {
			rest = append(rest, a)
		}
	}
	if len(moved) == 0 {
		return args
	}
	tail := args[end:]
	if len(tail) > 0 {
		tail = tail[1:] // the "--" itself
	}
	out := append(rest, "--")
	out = append(out, moved...)
	return append(out, tail...)
}

// cameraLabel names a camera for people: "Canon EOS R6 #1234". Without
// make and model it is key.
func cameraLabel(make, model, serial, key string) string {
	make, model = strings.TrimSpace(make), strings.TrimSpace(model)
	label := model
	first, _, _ := strings.Cut(make, " ")
	if make != "" && !strings.Contains(strings.ToLower(model), strings.ToLower(first)) {
		label = strings.TrimSpace(make + " " + model)
	}
	if label == "" {
		if key != "" {
			return key
		}
		label = "unknown camera"
	}
	if serial != "" {
		label += " #" + serial
	}
	return label
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// clockSync is what one `upload --sync FILE=TIME` says: the camera that
// took FILE and its clock offset.
type clockSync struct {
	file   string
	key    string
	label  string
	offset time.Duration
}

// syncSpec is one --sync FILE=TIME before the photo is read.
type syncSpec struct {
	file, when string
	taken      catalog.CameraTime
	key, label string
}

// syncFlag collects repeated --sync values.
type syncFlag []string

func (s *syncFlag) String() string { return strings.Join(*s, ", ") }

func (s *syncFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// readSync reads the photo of one --sync FILE=TIME: its camera and
// capture time. A photo without either is a usage error naming the file.
func readSync(spec string) (syncSpec, error) {
	i := strings.LastIndex(spec, "=")
	if i <= 0 || i == len(spec)-1 {
		return syncSpec{}, usageErr("--sync %q: want FILE=TIME, e.g. clock.jpg=14:03:20", spec)
	}
	s := syncSpec{file: spec[:i], when: strings.TrimSpace(spec[i+1:])}
	name := filepath.Base(s.file)
	data, err := os.ReadFile(s.file)
	if err != nil {
		return s, usageErr("--sync %s: %v", s.file, err)
	}
	md, err := exif.Read(data)
	if err != nil {
		return s, usageErr("--sync %s: %s", name, catalog.ErrorMessage(err))
	}
	if s.key = catalog.CameraKey(md.Make, md.Model, md.Serial); s.key == "" {
		return s, usageErr("--sync %s: the photo does not say which camera took it (no make, model or serial in its EXIF)", name)
	}
	if md.Taken.IsZero() {
		return s, usageErr("--sync %s: the photo has no capture time", name)
	}
	s.taken, s.label = md.Taken, cameraLabel(md.Make, md.Model, md.Serial, s.key)
	return s, nil
}

// syncOffset returns the clock offset under which the camera's reading
// taken resolves to when: "HH:MM[:SS]" on the reading's date (or the day
// before or after, whichever is nearest, for a clock photographed around
// midnight), or a full "YYYY-MM-DDTHH:MM[:SS]". when is the venue's local
// time; zone is needed only when the camera stated its UTC offset.
func syncOffset(taken catalog.CameraTime, when string, zone *time.Location) (time.Duration, error) {
	w := taken.Wall
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	var targets []time.Time
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, when); err == nil {
			targets = []time.Time{t}
			break
		}
	}
	if targets == nil {
		for _, layout := range []string{"15:04:05", "15:04"} {
			t, err := time.Parse(layout, when)
			if err != nil {
				continue
			}
			for _, day := range []int{0, -1, 1} {
				d := wall.AddDate(0, 0, day)
				targets = append(targets, time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC))
			}
			break
		}
	}
	if targets == nil {
		return 0, fmt.Errorf("time %q: want HH:MM[:SS] or YYYY-MM-DDTHH:MM:SS", when)
	}
	best, found := time.Duration(0), false
	for _, t := range targets {
		var o time.Duration
		if taken.HasOffset {
			// The camera's reading is an instant; when is venue time.
			local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zone)
			o = local.Sub(wall.Add(-time.Duration(taken.Offset) * time.Second))
		} else {
			o = t.Sub(wall)
		}
		if !found || o.Abs() < best.Abs() {
			best, found = o, true
		}
	}
	return best.Round(time.Second), nil
}

// readSyncs reads every --sync photo.
func readSyncs(specs []string) ([]syncSpec, error) {
	var out []syncSpec
	for _, spec := range specs {
		s, err := readSync(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// applySyncs computes each --sync photo's offset and sets it on the server
// for its camera, printing what was set to w. Photos of one camera must
// agree within a minute; the first one's offset is set. The venue's zone is fetched
// only when a photo states its UTC offset.
func applySyncs(ctx context.Context, c *client.Client, specs []syncSpec, photographer string, w io.Writer) ([]clockSync, error) {
	var zone *time.Location
	for _, s := range specs {
		if !s.taken.HasOffset || zone != nil {
			continue
		}
		conf, err := c.Conference(ctx)
		if err != nil {
			return nil, err
		}
		if conf.Timezone == "" {
			return nil, usageErr("--sync %s: the photo states its UTC offset, so the venue's time zone is needed: import the schedule first", filepath.Base(s.file))
		}
		if zone, err = time.LoadLocation(conf.Timezone); err != nil {
			return nil, fmt.Errorf("venue time zone %q: %w", conf.Timezone, err)
		}
	}
	var todo []clockSync
	for _, s := range specs {
		o, err := syncOffset(s.taken, s.when, zone)
		if err != nil {
			return nil, usageErr("--sync %s: %v", filepath.Base(s.file), err)
		}
		i := slices.IndexFunc(todo, func(d clockSync) bool { return d.key == s.key })
		if i < 0 {
			todo = append(todo, clockSync{file: s.file, key: s.key, label: s.label, offset: o})
			continue
		}
		if d := todo[i]; (d.offset - o).Abs() > time.Minute {
			return nil, usageErr("--sync %s and %s: the same camera (%s) but offsets %s and %s, over a minute apart",
				filepath.Base(d.file), filepath.Base(s.file), s.label, match.FormatOffset(d.offset), match.FormatOffset(o))
		}
	}
	for _, d := range todo {
		if _, err := c.SetCameraOffset(ctx, d.key, match.FormatOffset(d.offset), photographer); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "camera %s: clock offset %s\n", d.label, match.FormatOffset(d.offset))
	}
	return todo, nil
}
