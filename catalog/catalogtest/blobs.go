package catalogtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// LargeBlobSize is the size of the blob TestBlobs streams through b: larger
// than the 5 MiB part size of S3 multipart uploads and than common read
// buffers.
const LargeBlobSize = 6 << 20

// TestBlobs is the conformance suite of catalog.Blobs. It stores blobs under
// the key layout of package catalog (originals/…, public/…) and deletes
// every one of them before it returns, so b may be a bucket in use, as long
// as nothing else writes the same keys (their names derive from their
// contents and the suite's name). It never stores a key that is both a blob
// and the prefix of another.
func TestBlobs(t *testing.T, b catalog.Blobs) {
	t.Helper()
	s := &blobSuite{b: b}
	t.Run("Ping", s.ping)
	t.Run("PutGetStat", s.putGetStat)
	t.Run("ContentType", s.contentType)
	t.Run("CachePolicy", s.cachePolicy)
	t.Run("Overwrite", s.overwrite)
	t.Run("Delete", s.delete)
	t.Run("Missing", s.missing)
	t.Run("Empty", s.empty)
	t.Run("Large", s.large)
	t.Run("NestedKeys", s.nestedKeys)
	t.Run("Concurrent", s.concurrent)
	t.Run("Cancelled", s.cancelled)
}

type blobSuite struct {
	b catalog.Blobs
}

// blobTestID returns a media id (sha256 hex) unique to name.
func blobTestID(name string) string {
	sum := sha256.Sum256([]byte("catalogtest blobs " + name))
	return hex.EncodeToString(sum[:])
}

// put stores data under key and deletes it when the test ends.
func (s *blobSuite) put(t *testing.T, key string, data []byte, contentType string) {
	t.Helper()
	t.Cleanup(func() {
		if err := s.b.Delete(context.Background(), key); err != nil {
			t.Errorf("cleanup: Delete(%q): %v", key, err)
		}
	})
	if err := s.b.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		t.Fatalf("Put(%q, %d bytes, %q): %v", key, len(data), contentType, err)
	}
}

// get reads the whole blob at key.
func (s *blobSuite) get(t *testing.T, key string) ([]byte, catalog.BlobInfo) {
	t.Helper()
	rc, info, err := s.b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): reading: %v", key, err)
	}
	return data, info
}

// check asserts that key holds want with contentType and the cache policy
// of its key, through Get and Stat, which agree on its ETag. It returns
// the info Stat gave.
func (s *blobSuite) check(t *testing.T, key string, want []byte, contentType string) catalog.BlobInfo {
	t.Helper()
	got, info := s.get(t, key)
	if !bytes.Equal(got, want) {
		t.Errorf("Get(%q) = %d bytes %q…, want %d bytes %q…", key, len(got), blobHead(got), len(want), blobHead(want))
	}
	checkInfo(t, "Get", key, info, int64(len(want)), contentType)
	st, err := s.b.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	checkInfo(t, "Stat", key, st, int64(len(want)), contentType)
	if st.ETag != info.ETag {
		t.Errorf("Stat(%q) ETag = %s, Get's = %s, want the same", key, st.ETag, info.ETag)
	}
	return st
}

// checkInfo asserts what op said of the blob at key: its size, content
// type and cache policy (catalog.CacheControl), a quoted ETag and a time.
func checkInfo(t *testing.T, op, key string, got catalog.BlobInfo, size int64, contentType string) {
	t.Helper()
	if got.Size != size || got.ContentType != contentType || got.CacheControl != catalog.CacheControl(key) {
		t.Errorf("%s(%q) = size %d, type %q, Cache-Control %q; want %d, %q, %q", op, key,
			got.Size, got.ContentType, got.CacheControl, size, contentType, catalog.CacheControl(key))
	}
	if len(got.ETag) < 3 || !strings.HasPrefix(got.ETag, `"`) && !strings.HasPrefix(got.ETag, `W/"`) || !strings.HasSuffix(got.ETag, `"`) {
		t.Errorf("%s(%q) ETag = %s, want a quoted entity tag", op, key, got.ETag)
	}
	if got.Modified.IsZero() {
		t.Errorf("%s(%q) Modified is zero, want when it was put", op, key)
	}
}

func blobHead(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// wantNotFound asserts that key holds nothing, through Get and Stat.
func (s *blobSuite) wantNotFound(t *testing.T, key string) {
	t.Helper()
	rc, _, err := s.b.Get(t.Context(), key)
	if err == nil {
		rc.Close()
		t.Errorf("Get(%q) succeeded, want a NotFound error", key)
	} else if got := catalog.ErrorKind(err); got != catalog.NotFound {
		t.Errorf("Get(%q) error kind = %v (%v), want %v", key, got, err, catalog.NotFound)
	}
	_, err = s.b.Stat(t.Context(), key)
	if err == nil {
		t.Errorf("Stat(%q) succeeded, want a NotFound error", key)
	} else if got := catalog.ErrorKind(err); got != catalog.NotFound {
		t.Errorf("Stat(%q) error kind = %v (%v), want %v", key, got, err, catalog.NotFound)
	}
}

func (s *blobSuite) ping(t *testing.T) {
	if err := s.b.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func (s *blobSuite) putGetStat(t *testing.T) {
	key := catalog.OriginalKey(blobTestID("put"))
	data := []byte("hello, conference\n")
	s.put(t, key, data, "text/plain; charset=utf-8")
	s.check(t, key, data, "text/plain; charset=utf-8")
}

func (s *blobSuite) contentType(t *testing.T) {
	tests := []struct {
		key, contentType string
	}{
		{catalog.OriginalKey(blobTestID("type jpeg")), "image/jpeg"},
		{catalog.RenditionKey(blobTestID("type webp"), "large"), "image/webp"},
		{catalog.TalkKey("type json"), "application/json"},
		{catalog.SpeakerKey("type octets"), "application/octet-stream"},
	}
	for _, tt := range tests {
		data := []byte("content of type " + tt.contentType)
		s.put(t, tt.key, data, tt.contentType)
		s.check(t, tt.key, data, tt.contentType)
	}
}

// cachePolicy checks that public blobs carry a policy that lets a takedown
// end (revalidated, never immutable) and private ones none.
func (s *blobSuite) cachePolicy(t *testing.T) {
	for _, key := range []string{
		catalog.RenditionKey(blobTestID("policy"), "large"),
		catalog.TalkKey("catalogtest policy"),
		catalog.OriginalKey(blobTestID("policy")),
		catalog.StaffRenditionKey(blobTestID("policy"), "large"),
	} {
		data := []byte("policy of " + key)
		s.put(t, key, data, "image/jpeg")
		st := s.check(t, key, data, "image/jpeg")
		public := strings.HasPrefix(key, catalog.PublicPrefix)
		if public && (!strings.Contains(st.CacheControl, "must-revalidate") && !strings.Contains(st.CacheControl, "no-cache") || strings.Contains(st.CacheControl, "immutable")) {
			t.Errorf("Stat(%q) Cache-Control = %q, want one that revalidates", key, st.CacheControl)
		}
		if !public && st.CacheControl != "" {
			t.Errorf("Stat(%q) Cache-Control = %q, want none on a private blob", key, st.CacheControl)
		}
	}
}

func (s *blobSuite) overwrite(t *testing.T) {
	key := catalog.RenditionKey(blobTestID("overwrite"), "medium")
	first := bytes.Repeat([]byte("first version "), 100)
	s.put(t, key, first, "image/jpeg")
	before := s.check(t, key, first, "image/jpeg")
	second := []byte("second, shorter")
	s.put(t, key, second, "image/png")
	after := s.check(t, key, second, "image/png")
	if after.ETag == before.ETag {
		t.Errorf("ETag of %q = %s after other bytes were put, want a new one", key, after.ETag)
	}
}

func (s *blobSuite) delete(t *testing.T) {
	key := catalog.OriginalKey(blobTestID("delete"))
	s.put(t, key, []byte("soon gone"), "text/plain")
	if err := s.b.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete(%q): %v", key, err)
	}
	s.wantNotFound(t, key)
	if err := s.b.Delete(t.Context(), key); err != nil {
		t.Errorf("Delete(%q) a second time: %v, want nil", key, err)
	}
}

func (s *blobSuite) missing(t *testing.T) {
	for _, key := range []string{
		catalog.OriginalKey(blobTestID("never stored")),
		catalog.RenditionKey(blobTestID("never stored"), "square"),
		catalog.PublicPrefix + "catalogtest-missing.json",
	} {
		s.wantNotFound(t, key)
		if err := s.b.Delete(t.Context(), key); err != nil {
			t.Errorf("Delete(%q) of a missing blob: %v, want nil", key, err)
		}
	}
}

func (s *blobSuite) empty(t *testing.T) {
	key := catalog.TalkKey("catalogtest empty")
	s.put(t, key, nil, "application/json")
	s.check(t, key, nil, "application/json")
}

func (s *blobSuite) large(t *testing.T) {
	key := catalog.OriginalKey(blobTestID("large"))
	data := make([]byte, LargeBlobSize)
	rand.NewChaCha8([32]byte{'c', 'o', 'n', 'f'}).Read(data)
	want := sha256.Sum256(data)
	s.put(t, key, data, "image/jpeg")

	rc, info, err := s.b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, rc, make([]byte, 32<<10))
	if err != nil {
		t.Fatalf("Get(%q): reading after %d bytes: %v", key, n, err)
	}
	if n != LargeBlobSize || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Errorf("Get(%q) streamed %d bytes with sha256 %x, want %d bytes with %x", key, n, h.Sum(nil), LargeBlobSize, want)
	}
	checkInfo(t, "Get", key, info, LargeBlobSize, "image/jpeg")
}

func (s *blobSuite) nestedKeys(t *testing.T) {
	a, b := blobTestID("nested a"), blobTestID("nested b")
	// Two originals in one shard folder, three renditions in one media
	// folder, and a catalog document at the top of the public prefix.
	b = a[:2] + b[2:]
	keys := []string{
		catalog.OriginalKey(a),
		catalog.OriginalKey(b),
		catalog.RenditionKey(a, "large"),
		catalog.RenditionKey(a, "medium"),
		catalog.RenditionKey(a, "square"),
		catalog.PublicPrefix + "catalogtest/" + a[:8] + "/deeply/nested/catalog.json",
	}
	for _, k := range keys {
		s.put(t, k, []byte("blob at "+k), "application/octet-stream")
	}
	for _, k := range keys {
		s.check(t, k, []byte("blob at "+k), "application/octet-stream")
	}
	// Deleting one sibling leaves the others alone.
	if err := s.b.Delete(t.Context(), keys[2]); err != nil {
		t.Fatalf("Delete(%q): %v", keys[2], err)
	}
	s.wantNotFound(t, keys[2])
	for _, k := range append(keys[:2:2], keys[3:]...) {
		s.check(t, k, []byte("blob at "+k), "application/octet-stream")
	}
	// Folders are not blobs.
	s.wantNotFound(t, catalog.OriginalsPrefix+a[:2])
	s.wantNotFound(t, catalog.PublicPrefix+"media/"+a)
	// List finds what is under a prefix, sorted, and nothing else.
	for _, c := range []struct {
		prefix string
		want   []string
	}{
		{catalog.OriginalsPrefix + a[:2] + "/", sortedStrings(keys[0], keys[1])},
		{catalog.PublicPrefix + "media/" + a + "/", []string{keys[3], keys[4]}},
		{catalog.PublicPrefix + "catalogtest/" + a[:8] + "/", []string{keys[5]}},
		{catalog.PublicPrefix + "catalogtest/none-" + a[:8] + "/", nil},
	} {
		got, err := s.b.List(t.Context(), c.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", c.prefix, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("List(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
}

func sortedStrings(s ...string) []string {
	slices.Sort(s)
	return s
}

func (s *blobSuite) concurrent(t *testing.T) {
	const n = 8
	keys := make([]string, n)
	for i := range keys {
		keys[i] = catalog.RenditionKey(blobTestID(fmt.Sprint("concurrent ", i)), "large")
		t.Cleanup(func() { _ = s.b.Delete(context.Background(), keys[i]) })
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			data := bytes.Repeat([]byte{byte(i)}, 1000+i)
			if err := s.b.Put(t.Context(), keys[i], bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
				errs[i] = fmt.Errorf("Put(%q): %w", keys[i], err)
				return
			}
			rc, _, err := s.b.Get(t.Context(), keys[i])
			if err != nil {
				errs[i] = fmt.Errorf("Get(%q): %w", keys[i], err)
				return
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, data) {
				errs[i] = fmt.Errorf("Get(%q) = %d bytes, %v; want %d bytes", keys[i], len(got), err, len(data))
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func (s *blobSuite) cancelled(t *testing.T) {
	key := catalog.OriginalKey(blobTestID("cancelled"))
	t.Cleanup(func() { _ = s.b.Delete(context.Background(), key) })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	data := []byte("never stored")
	if err := s.b.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "text/plain"); err == nil {
		t.Errorf("Put with a cancelled context succeeded, want an error")
	}
	if rc, _, err := s.b.Get(ctx, key); err == nil {
		rc.Close()
		t.Errorf("Get with a cancelled context succeeded, want an error")
	}
	if _, err := s.b.Stat(ctx, key); err == nil {
		t.Errorf("Stat with a cancelled context succeeded, want an error")
	}
}
