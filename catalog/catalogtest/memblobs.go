package catalogtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// MemBlobs is an in-memory catalog.Blobs for tests. It is safe for
// concurrent use. Like a file-backed store it refuses a key that is both an
// object and the prefix of another ("a/b" when "a" exists, or the reverse),
// so code that breaks that rule fails in tests too.
type MemBlobs struct {
	mu    sync.Mutex
	blobs map[string]memBlob
}

type memBlob struct {
	data        []byte // never changed once stored
	contentType string
	cache       string
	etag        string
	modified    time.Time
}

var _ catalog.Blobs = (*MemBlobs)(nil)

// NewMemBlobs returns an empty MemBlobs.
func NewMemBlobs() *MemBlobs {
	return &MemBlobs{blobs: make(map[string]memBlob)}
}

// Put stores size bytes of body under key with catalog.CacheControl(key),
// an ETag that is the quoted sha256 of the bytes and the time of the call.
// An empty content type is stored as application/octet-stream. It returns an Invalid error for an empty key
// or a body shorter than size, a Conflict error for a key that is an
// object's prefix or has one as its prefix, and ctx's error when ctx is done.
func (m *MemBlobs) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, contentType string) error {
	const op = "memblobs.Put"
	if err := ctx.Err(); err != nil {
		return catalog.E(catalog.Other, op, err, "store %s: cancelled", key)
	}
	if key == "" {
		return catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	if size < 0 {
		return catalog.E(catalog.Invalid, op, nil, "store %s: negative size %d", key, size)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(body, data); err != nil {
		return catalog.E(catalog.Invalid, op, err, "store %s: body shorter than %d bytes", key, size)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if other, ok := m.clash(key); ok {
		return catalog.E(catalog.Conflict, op, nil, "store %s: clashes with blob %s (a key cannot be both a blob and a folder)", key, other)
	}
	sum := sha256.Sum256(data)
	m.blobs[key] = memBlob{data: data, contentType: contentType, cache: catalog.CacheControl(key), etag: `"` + hex.EncodeToString(sum[:16]) + `"`, modified: time.Now()}
	return nil
}

// clash returns a stored key that is a folder prefix of key, or has key as
// its folder prefix. m.mu must be held.
func (m *MemBlobs) clash(key string) (string, bool) {
	for i := 0; i < len(key); i++ {
		if key[i] != '/' {
			continue
		}
		if _, ok := m.blobs[key[:i]]; ok {
			return key[:i], true
		}
	}
	prefix := key + "/"
	for k := range m.blobs {
		if strings.HasPrefix(k, prefix) {
			return k, true
		}
	}
	return "", false
}

// Get opens the blob at key, or returns a NotFound error.
func (m *MemBlobs) Get(ctx context.Context, key string) (io.ReadCloser, catalog.BlobInfo, error) {
	b, err := m.lookup(ctx, "memblobs.Get", key)
	if err != nil {
		return nil, catalog.BlobInfo{}, err
	}
	return io.NopCloser(bytes.NewReader(b.data)), b.info(), nil
}

// Stat returns the blob's info, or a NotFound error.
func (m *MemBlobs) Stat(ctx context.Context, key string) (catalog.BlobInfo, error) {
	b, err := m.lookup(ctx, "memblobs.Stat", key)
	if err != nil {
		return catalog.BlobInfo{}, err
	}
	return b.info(), nil
}

func (m *MemBlobs) lookup(ctx context.Context, op, key string) (memBlob, error) {
	if err := ctx.Err(); err != nil {
		return memBlob{}, catalog.E(catalog.Other, op, err, "read %s: cancelled", key)
	}
	m.mu.Lock()
	b, ok := m.blobs[key]
	m.mu.Unlock()
	if !ok {
		return memBlob{}, catalog.E(catalog.NotFound, op, nil, "read %s: no such blob", key)
	}
	return b, nil
}

func (b memBlob) info() catalog.BlobInfo {
	return catalog.BlobInfo{Size: int64(len(b.data)), ContentType: b.contentType,
		CacheControl: b.cache, ETag: b.etag, Modified: b.modified}
}

// Delete removes the blob at key; a missing key is not an error.
func (m *MemBlobs) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return catalog.E(catalog.Other, "memblobs.Delete", err, "delete %s: cancelled", key)
	}
	m.mu.Lock()
	delete(m.blobs, key)
	m.mu.Unlock()
	return nil
}

// Ping returns ctx's error, if any.
func (m *MemBlobs) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return catalog.E(catalog.Other, "memblobs.Ping", err, "cancelled")
	}
	return nil
}

// List returns the stored keys that start with prefix, sorted.
func (m *MemBlobs) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, catalog.E(catalog.Other, "memblobs.List", err, "cancelled")
	}
	return m.Keys(prefix), nil
}

// Keys returns the stored keys that start with prefix, sorted.
func (m *MemBlobs) Keys(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.blobs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Bytes returns a copy of the blob at key, and whether it exists.
func (m *MemBlobs) Bytes(key string) ([]byte, bool) {
	m.mu.Lock()
	b, ok := m.blobs[key]
	m.mu.Unlock()
	return bytes.Clone(b.data), ok
}
