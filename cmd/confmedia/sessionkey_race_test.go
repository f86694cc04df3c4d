package main

import (
	"sync"
	"testing"
)

// TestLoadSessionKeyConcurrently: processes starting together on one data
// dir (serve and worker) settle on one key; none reads a half-written one.
func TestLoadSessionKeyConcurrently(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		const n = 8
		keys := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := loadSessionKey("", dir)
				keys[i], errs[i] = string(k), err
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, process %d: %v", round, i, errs[i])
			}
			if keys[i] != keys[0] {
				t.Fatalf("round %d: two keys, %q and %q", round, keys[0], keys[i])
			}
		}
	}
}
