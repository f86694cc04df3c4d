package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release this binary is, set at build time with
// -ldflags "-X main.version=v1.2.3"; without it the module's version from
// the build info is used ("(devel)" for a build from a checkout).
var version = ""

// buildVersion describes this binary: its version, the commit it was built
// from (and whether the tree had changes), the Go version and platform, and
// whether it is the cgo build (JPEG through libjpeg-turbo, HEIC through libheif) or pure Go.
func buildVersion() string {
	v, rev, when, dirty, cgo := version, "", "", false, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			case "CGO_ENABLED":
				cgo = s.Value == "1"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	parts := []string{"confmedia " + v}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if when != "" {
			c += " of " + when
		}
		if dirty {
			c += ", with local changes"
		}
		parts = append(parts, c)
	}
	build := "pure Go build"
	if cgo {
		build = "cgo build (libjpeg-turbo, libheif)"
	}
	parts = append(parts, build, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return strings.Join(parts, "; ")
}

func (m *Main) runVersion(_ context.Context, args []string) error {
	fs := m.newFlagSet("version", "")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, buildVersion())
	return nil
}
