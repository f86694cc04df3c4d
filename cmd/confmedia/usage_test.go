package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// flagsOf runs `confmedia CMD -h` and returns its flags as -h writes them:
// "--name" → its value word ("" for a boolean).
func flagsOf(t *testing.T, cmd string) (usage string, flags map[string]string) {
	t.Helper()
	var out, errs bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }}
	if code := m.Run(context.Background(), append(strings.Fields(cmd), "-h")); code != exitOK {
		t.Fatalf("%s -h: exit %d: %s", cmd, code, errs.String())
	}
	lines := strings.Split(errs.String(), "\n")
	flags = map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) == 0 || !strings.HasPrefix(f[0], "-") {
			continue
		}
		if len(f) > 1 && (strings.ToUpper(f[1]) == f[1] || strings.Contains(f[1], "|")) {
			flags[f[0]] = f[1]
		} else {
			flags[f[0]] = ""
		}
	}
	return lines[0], flags
}

// TestUsageAgreesWithReadme: every command the README's CLI table shows
// has its flags written as `confmedia CMD -h` writes them, and its usage
// line is the README's.
func TestUsageAgreesWithReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("no README.md beside the module")
	}
	_, section, ok := strings.Cut(string(readme), "\n## CLI\n")
	if !ok {
		t.Fatal("README has no CLI section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	names := map[string]bool{}
	for _, c := range (&Main{}).commands() {
		names[c.name] = true
	}
	span := regexp.MustCompile("`confmedia ([^`]+)`")
	flag := regexp.MustCompile(`(--?[a-z][a-z-]*)(?: ([A-Z][A-Z_=]*(?:\\?\|[A-Z][A-Z_=]*)*|[a-z0-9]+(?:\\?\|[a-z0-9]+)+))?`)
	seen := 0
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `confmedia") {
			continue
		}
		cell := strings.SplitN(line, " | ", 2)[0]
		for _, m := range span.FindAllStringSubmatch(cell, -1) {
			text := strings.ReplaceAll(m[1], `\|`, "|")
			words := strings.Fields(text)
			cmd := ""
			for n := min(2, len(words)); n > 0; n-- {
				if names[strings.Join(words[:n], " ")] {
					cmd = strings.Join(words[:n], " ")
					break
				}
			}
			if cmd == "" {
				continue // "confmedia --version"
			}
			// A subcommand its command dispatches ("cameras set", "optout add").
			if n := len(strings.Fields(cmd)); n < len(words) && regexp.MustCompile(`^[a-z]+$`).MatchString(words[n]) {
				cmd += " " + words[n]
			}
			usage, flags := flagsOf(t, cmd)
			if want := "Usage: confmedia " + text; !strings.HasPrefix(usage, want) {
				t.Errorf("README writes `confmedia %s`, -h writes %q", text, usage)
			}
			for _, f := range flag.FindAllStringSubmatch(text[len(cmd):], -1) {
				got, ok := flags[f[1]]
				switch {
				case !ok:
					t.Errorf("%s: README names %s, -h does not list it", cmd, f[1])
				case got != f[2]:
					t.Errorf("%s: README writes %s %q, -h writes %q", cmd, f[1], f[2], got)
				}
			}
			seen++
		}
	}
	if seen < 20 {
		t.Errorf("checked %d commands of the README, want all of them", seen)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out, errs bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }}
		if code := m.Run(context.Background(), args); code != exitOK {
			t.Fatalf("%v: exit %d %s", args, code, errs.String())
		}
		s := out.String()
		if !strings.HasPrefix(s, "confmedia ") || !strings.Contains(s, " build") || !strings.Contains(s, "go1.") {
			t.Errorf("%v printed %q, want the version, the build (cgo or pure Go) and the Go version", args, s)
		}
		if cgoBuild := strings.Contains(s, "cgo build"); cgoBuild == strings.Contains(s, "pure Go build") {
			t.Errorf("%v: %q names neither or both builds", args, s)
		}
	}
}
