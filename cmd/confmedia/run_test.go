package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args     []string
		wantPos  []string
		wantRoom string
	}{
		{[]string{"--room", "A", "x", "y"}, []string{"x", "y"}, "A"},
		{[]string{"x", "--room", "A", "y"}, []string{"x", "y"}, "A"},
		{[]string{"x", "y", "--room=A"}, []string{"x", "y"}, "A"},
		{[]string{"--room", "A", "--", "go", "test", "-race"}, []string{"go", "test", "-race"}, "A"},
		{[]string{"--", "-x"}, []string{"-x"}, ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		room := fs.String("room", "", "")
		got, err := parse(fs, tt.args)
		if err != nil || !slices.Equal(got, tt.wantPos) || *room != tt.wantRoom {
			t.Errorf("parse(%q) = %q, room %q, %v; want %q, %q", tt.args, got, *room, err, tt.wantPos, tt.wantRoom)
		}
	}
}
