package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

// Exit codes, as the CLI contract gives them.
const (
	exitOK       = 0
	exitRejected = 1 // some or all inputs rejected or failed
	exitUsage    = 2 // usage, connection or authentication error
	exitTimeout  = 3 // wait timed out
)

// Main is the program with its environment injected, so that tests run it
// in-process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// exitError carries an exit code up to Run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

type command struct {
	name    string
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"dev", "run everything in one process, supervising its own Redis and S3 server", (*Main).runDev},
		{"serve", "run the web app and API", (*Main).runServe},
		{"worker", "run the background workers", (*Main).runWorker},
		{"schedule import", "load a schedule (frab XML, pretalx JSON or CSV)", (*Main).runScheduleImport},
		{"upload", "upload photos and headshots", (*Main).runUpload},
		{"videos import", "load recording metadata (pyvideo JSON or CSV)", (*Main).runVideosImport},
		{"videos export", "write pyvideo JSON for the talks that have recordings", (*Main).runVideosExport},
		{"cameras", "list cameras, their clock offsets and suggested corrections; set an offset", (*Main).runCameras},
		{"review list", "list what needs a person's decision", (*Main).runReviewList},
		{"review resolve", "decide media items or recordings (ids, or a camera's photos in a time range)", (*Main).runReviewResolve},
		{"media hide", "take a media item down", (*Main).runMediaHide},
		{"media failed", "list the media items that failed, with their reasons", (*Main).runMediaFailed},
		{"media retry", "process failed media items again", (*Main).runMediaRetry},
		{"media delete", "remove media items, their originals and renditions", (*Main).runMediaDelete},
		{"media set-kind", "change a media item's kind or speaker (it is processed again)", (*Main).runMediaSetKind},
		{"optout", "mark a person as not to be shown in photos (add, list, remove)", (*Main).runOptOut},
		{"faces forget", "delete every face descriptor and every photo's recognised speakers", (*Main).runFacesForget},
		{"token create", "make a login link and token for a role", (*Main).runTokenCreate},
		{"token revoke", "revoke a token by its secret, link or hash prefix", (*Main).runTokenRevoke},
		{"wait", "wait until no work is queued", (*Main).runWait},
		{"catalog export", "print the catalog document", (*Main).runCatalogExport},
		{"publish", "write the public catalog to the bucket", (*Main).runPublish},
		{"render", "render the renditions of local files", (*Main).runRender},
		{"services", "run a command with Redis and S3 started on private sockets and ports", (*Main).runServices},
		{"version", "print the version and build (also --version)", (*Main).runVersion},
	}
}

// Run runs the command named by args and returns its exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage(m.Stdout)
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range m.commands() {
		words := strings.Fields(c.name)
		if len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		err := c.run(m, ctx, args[len(words):])
		return m.report(err)
	}
	fmt.Fprintf(m.Stderr, "confmedia: unknown command %q\n\n", strings.Join(args, " "))
	m.usage(m.Stderr)
	return exitUsage
}

func (m *Main) report(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(m.Stderr, "confmedia: %s\n", catalog.ErrorMessage(ee.err))
		}
		return ee.code
	}
	fmt.Fprintf(m.Stderr, "confmedia: %s\n", catalog.ErrorMessage(err))
	switch catalog.ErrorKind(err) {
	case catalog.Unavailable, catalog.Unauthorized, catalog.Forbidden:
		return exitUsage
	case catalog.Invalid, catalog.TooLarge, catalog.NotFound, catalog.Conflict:
		return exitRejected
	}
	if errors.Is(err, context.Canceled) {
		return exitUsage
	}
	return exitRejected
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "confmedia turns a conference's photos, headshots and recordings into a catalog.")
	fmt.Fprintln(w, "\nUsage: confmedia COMMAND [flags] [args]\n\nCommands:")
	for _, c := range m.commands() {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `confmedia COMMAND -h` for a command's flags. Configuration comes from CONFMEDIA_* variables (see the README).")
}

// newFlagSet returns a flag set whose errors and help go to stderr.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, strings.TrimSpace("Usage: confmedia "+name+" "+usage))
		printFlags(m.Stderr, fs, usage)
	}
	return fs
}

// printFlags lists fs's flags as the README writes them: "--name VALUE"
// ("-o FILE" for a one-letter flag), then what it does and its default.
// VALUE is what the command's usage line writes after the flag, else the
// back-quoted word of the flag's usage text, D for a duration, N for a
// number, and the flag's name in capitals otherwise; a boolean takes none.
func printFlags(w io.Writer, fs *flag.FlagSet, usageLine string) {
	type line struct{ flag, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if v := usageValue(usageLine, dash+f.Name); v != "" && arg != "" {
			arg = v
		}
		switch arg {
		case "":
		case "duration":
			arg = "D"
		case "int", "uint", "int64", "uint64", "float":
			arg = "N"
		case "string", "value":
			arg = strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		}
		l := line{flag: dash + f.Name, usage: usage}
		if arg != "" {
			l.flag += " " + arg
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "0s" && d != "[]" {
			l.usage += fmt.Sprintf(" (default %s)", d)
		}
		width = max(width, len(l.flag))
		lines = append(lines, l)
	})
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.flag, l.usage)
	}
}

// usageValue returns the word a usage line writes after flag ("ZONE" in
// "[--timezone ZONE]"), or "".
func usageValue(line, flag string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		if strings.TrimLeft(f[i], "[") != flag {
			continue
		}
		v := strings.TrimRight(f[i+1], "].")
		if v != "" && v[0] != '-' && v[0] != '[' && v != "|" {
			return v
		}
	}
	return ""
}

// parse parses flags that may come before, between or after the positional
// arguments, and returns the positional ones. Everything after "--" is
// positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, tail = args[:i], args[i+1:]
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{code: exitUsage, err: errors.New("")}
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, tail...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseArgs parses a command's flags and checks its count of positional
// arguments (max < 0: no upper bound); a wrong count prints the usage and
// is a usage error.
func parseArgs(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		fs.Usage()
		want := fmt.Sprintf("%d to %d arguments", min, max)
		switch {
		case max < 0:
			want = fmt.Sprintf("at least %d argument(s)", min)
		case min == max && min == 0:
			want = "no arguments"
		case min == max && min == 1:
			want = "one argument"
		case min == max:
			want = fmt.Sprintf("%d argument(s)", min)
		}
		return nil, usageErr("%s takes %s", fs.Name(), want)
	}
	return pos, nil
}

// printJSON writes v to standard output as indented JSON.
func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// logger returns the structured logger for long-running commands.
func (m *Main) logger() *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(m.Getenv("CONFMEDIA_LOG_LEVEL")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	var h slog.Handler
	if strings.ToLower(m.Getenv("CONFMEDIA_LOG_FORMAT")) == "json" {
		h = slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: level})
	} else {
		h = slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level})
	}
	return slog.New(h)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
