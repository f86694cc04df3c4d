package catalogtest

import (
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

func TestMemStore(t *testing.T) {
	TestStore(t, func(t *testing.T) catalog.Store {
		s := NewMemStore()
		t.Cleanup(func() { s.Close() })
		return s
	})
}
