// Package catalogtest holds the conformance suites every store and blob
// implementation must pass, in-memory fakes, and helpers shared by tests.
package catalogtest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDataEnv names the variable that points tests at the folder of real
// external test data (camera JPEGs, schedules, recording metadata).
const SharedDataEnv = "CONFMEDIA_SHARED_DATA"

// SharedData returns the path of elem inside the real-world test data folder,
// or skips the test, saying how to enable it, when that folder is absent. The
// folder is $CONFMEDIA_SHARED_DATA, else a "shared/data" beside the module
// root or one of its parents.
func SharedData(tb testing.TB, elem ...string) string {
	tb.Helper()
	root := sharedRoot()
	if root == "" {
		tb.Skipf("real-world test data not found: set %s to the shared data folder to run this test", SharedDataEnv)
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("real-world test data %s not present (%v); set %s to enable", p, err, SharedDataEnv)
	}
	return p
}

// SharedDataPath returns the path of elem inside the real-world test data
// folder and whether it is there, for callers that fall back to generated
// data instead of skipping.
func SharedDataPath(elem ...string) (string, bool) {
	root := sharedRoot()
	if root == "" {
		return "", false
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	_, err := os.Stat(p)
	return p, err == nil
}

func sharedRoot() string {
	if d := os.Getenv(SharedDataEnv); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if c := filepath.Join(dir, "shared", "data"); isDir(c) {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	// Checkouts made elsewhere (a clean clone in a temporary folder) find the
	// data where the workspace keeps it.
	if c := "/work/shared/data"; isDir(c) {
		return c
	}
	return ""
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
