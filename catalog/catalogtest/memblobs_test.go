package catalogtest_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

func TestMemBlobs(t *testing.T) {
	m := catalogtest.NewMemBlobs()
	catalogtest.TestBlobs(t, m)
	if keys := m.Keys(""); len(keys) != 0 {
		t.Errorf("after the suite, keys = %q, want none", keys)
	}
}

func TestMemBlobsRefusesFolderClash(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		key      string
		wantKind catalog.Kind // Other: the Put succeeds
	}{
		{"blob under a blob", []string{"public/media/x"}, "public/media/x/large.jpg", catalog.Conflict},
		{"blob deep under a blob", []string{"public"}, "public/media/x/large.jpg", catalog.Conflict},
		{"blob over a folder", []string{"public/media/x/large.jpg"}, "public/media/x", catalog.Conflict},
		{"blob over a deep folder", []string{"public/media/x/large.jpg"}, "public", catalog.Conflict},
		{"sibling", []string{"public/media/x/large.jpg"}, "public/media/x/medium.jpg", catalog.Other},
		{"shared name start", []string{"public/media/x"}, "public/media/xy", catalog.Other},
		{"shared folder start", []string{"public/media/xy/large.jpg"}, "public/media/x", catalog.Other},
		{"empty key", nil, "", catalog.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := catalogtest.NewMemBlobs()
			for _, k := range tt.existing {
				if err := m.Put(t.Context(), k, strings.NewReader("x"), 1, ""); err != nil {
					t.Fatalf("Put(%q): %v", k, err)
				}
			}
			err := m.Put(t.Context(), tt.key, strings.NewReader("y"), 1, "")
			if got := catalog.ErrorKind(err); got != tt.wantKind || (err == nil) != (tt.wantKind == catalog.Other) {
				t.Errorf("Put(%q) = %v (kind %v), want kind %v", tt.key, err, got, tt.wantKind)
			}
		})
	}
}

func TestMemBlobsShortBody(t *testing.T) {
	m := catalogtest.NewMemBlobs()
	err := m.Put(t.Context(), "originals/ab/abc", strings.NewReader("short"), 10, "image/jpeg")
	if got, want := catalog.ErrorKind(err), catalog.Invalid; got != want {
		t.Errorf("Put with a short body: %v (kind %v), want kind %v", err, got, want)
	}
	if _, ok := m.Bytes("originals/ab/abc"); ok {
		t.Errorf("a failed Put stored a blob")
	}
}

func TestMemBlobsKeysAndBytes(t *testing.T) {
	m := catalogtest.NewMemBlobs()
	for _, k := range []string{"public/b.json", "originals/ab/abc", "public/a.json"} {
		if err := m.Put(t.Context(), k, strings.NewReader(k), int64(len(k)), "application/json"); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := m.Keys("public/"), []string{"public/a.json", "public/b.json"}; !slices.Equal(got, want) {
		t.Errorf("Keys(public/) = %q, want %q", got, want)
	}
	got, ok := m.Bytes("public/a.json")
	if !ok || !bytes.Equal(got, []byte("public/a.json")) {
		t.Errorf("Bytes(public/a.json) = %q, %v", got, ok)
	}
	got[0] = 'X' // a copy: the stored blob does not change
	if again, _ := m.Bytes("public/a.json"); again[0] != 'p' {
		t.Errorf("Bytes returned the stored slice, not a copy")
	}
	if _, ok := m.Bytes("public/c.json"); ok {
		t.Errorf("Bytes(public/c.json) reported a missing blob as present")
	}
}
