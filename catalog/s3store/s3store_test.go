package s3store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// The variables that point the integration tests at a real S3-compatible
// server (make test sets them by starting versitygw).
const (
	envEndpoint  = "CONFMEDIA_TEST_S3_ENDPOINT"
	envAccessKey = "CONFMEDIA_TEST_S3_ACCESS_KEY"
	envSecretKey = "CONFMEDIA_TEST_S3_SECRET_KEY"
	envRegion    = "CONFMEDIA_TEST_S3_REGION"
)

// testConfig returns the configuration of the test server, or skips.
func testConfig(t *testing.T) Config {
	t.Helper()
	endpoint := os.Getenv(envEndpoint)
	if endpoint == "" {
		t.Skipf("no S3 server to test against: set %s (and %s, %s, %s), or run the tests through `confmedia services -- go test ./...` (make test does)",
			envEndpoint, envAccessKey, envSecretKey, envRegion)
	}
	return Config{
		Endpoint:        endpoint,
		Region:          os.Getenv(envRegion),
		Bucket:          "confmedia-test-" + randomHex(t, 6),
		AccessKeyID:     os.Getenv(envAccessKey),
		SecretAccessKey: os.Getenv(envSecretKey),
		PathStyle:       true,
	}
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// freshStore returns a Store on a new bucket of the test server, which is
// emptied and removed when the test ends.
func freshStore(t *testing.T, optFns ...func(*s3.Options)) *Store {
	t.Helper()
	s, err := newStore(t.Context(), testConfig(t), optFns...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, s) })
	return s
}

func removeBucket(t *testing.T, s *Store) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Errorf("cleanup: listing %s: %v", s.bucket, err)
			return
		}
		for _, o := range page.Contents {
			if err := s.Delete(ctx, aws.ToString(o.Key)); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	}
	if _, err := s.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(s.bucket)}); err != nil {
		t.Errorf("cleanup: removing bucket %s: %v", s.bucket, err)
	}
}

func TestConformance(t *testing.T) {
	s := freshStore(t)
	catalogtest.TestBlobs(t, s)
}

// TestConformanceDefaultChecksums runs the suite with the SDK's default
// checksum behaviour (CRC32 on every upload, validated on download), which
// New turns off for custom endpoints, to show whether the server copes.
func TestConformanceDefaultChecksums(t *testing.T) {
	s := freshStore(t, func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	})
	catalogtest.TestBlobs(t, s)
}

func TestEnsureBucketTwice(t *testing.T) {
	s := freshStore(t)
	if err := s.EnsureBucket(t.Context()); err != nil {
		t.Errorf("EnsureBucket on an existing bucket: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestPingMissingBucket(t *testing.T) {
	cfg := testConfig(t)
	s, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Ping(t.Context())
	if got, want := catalog.ErrorKind(err), catalog.NotFound; got != want {
		t.Errorf("Ping on missing bucket %s = %v (kind %v), want kind %v", cfg.Bucket, err, got, want)
	}
	_, err = s.Stat(t.Context(), "public/catalog.json")
	if got, want := catalog.ErrorKind(err), catalog.NotFound; got != want {
		t.Errorf("Stat in missing bucket = %v (kind %v), want kind %v", err, got, want)
	}
	if err := s.Delete(t.Context(), "public/catalog.json"); err == nil {
		t.Errorf("Delete in a missing bucket succeeded, want an error")
	}
}

func TestPresignGetServes(t *testing.T) {
	s := freshStore(t)
	key := catalog.RenditionKey("ab12", "large")
	data := []byte("a rendition")
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(t.Context(), key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Errorf("GET presigned URL = %s %q, want 200 %q", resp.Status, got, data)
	}
	// The bucket, served directly, tells caches what the web app does: a
	// takedown must be able to end a cached rendition.
	if cc := resp.Header.Get("Cache-Control"); cc != catalog.CacheControl(key) {
		t.Errorf("bucket GET Cache-Control = %q, want %q", cc, catalog.CacheControl(key))
	}
	if resp.Header.Get("ETag") == "" {
		t.Errorf("bucket GET sent no ETag to revalidate with")
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		wantKind catalog.Kind // Other: New succeeds
	}{
		{"minimal", Config{Bucket: "media"}, catalog.Other},
		{"custom endpoint", Config{Bucket: "media", Endpoint: "http://127.0.0.1:9000", AccessKeyID: "a", SecretAccessKey: "b", PathStyle: true}, catalog.Other},
		{"no bucket", Config{Endpoint: "http://127.0.0.1:9000"}, catalog.Invalid},
		{"endpoint without scheme", Config{Bucket: "media", Endpoint: "127.0.0.1:9000"}, catalog.Invalid},
		{"endpoint with other scheme", Config{Bucket: "media", Endpoint: "ftp://example.com"}, catalog.Invalid},
		{"access key without secret", Config{Bucket: "media", AccessKeyID: "a"}, catalog.Invalid},
		{"secret without access key", Config{Bucket: "media", SecretAccessKey: "b"}, catalog.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(t.Context(), tt.cfg)
			if got := catalog.ErrorKind(err); got != tt.wantKind || (err == nil) != (tt.wantKind == catalog.Other) {
				t.Fatalf("New(%+v) = %v (kind %v), want kind %v", tt.cfg, err, got, tt.wantKind)
			}
			if err == nil && s.region != DefaultRegion {
				t.Errorf("region = %q, want %q", s.region, DefaultRegion)
			}
		})
	}
}

func TestPresignGet(t *testing.T) {
	s, err := New(t.Context(), Config{
		Endpoint: "http://127.0.0.1:9", Region: "eu-west-1", Bucket: "media",
		AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.PresignGet(t.Context(), "public/talks/a b.json", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, "http://127.0.0.1:9/media/public/talks/a b.json"; got != want {
		t.Errorf("presigned URL %s: address = %q, want %q", raw, got, want)
	}
	q := u.Query()
	for k, want := range map[string]string{"X-Amz-Expires": "600", "X-Amz-Algorithm": "AWS4-HMAC-SHA256"} {
		if got := q.Get(k); got != want {
			t.Errorf("presigned URL %s: %s = %q, want %q", raw, k, got, want)
		}
	}
	if c := q.Get("X-Amz-Credential"); !strings.HasPrefix(c, "AKIDEXAMPLE/") || !strings.Contains(c, "/eu-west-1/s3/") {
		t.Errorf("presigned URL %s: credential %q does not name the key and region", raw, c)
	}

	for _, ttl := range []time.Duration{0, time.Millisecond, 8 * 24 * time.Hour} {
		if _, err := s.PresignGet(t.Context(), "public/x", ttl); catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("PresignGet with ttl %v = %v, want an Invalid error", ttl, err)
		}
	}
}

// fakeS3 answers every request with the canned response of its method and
// path, and records the requests it got.
type fakeS3 struct {
	mu       sync.Mutex
	answers  map[string]answer // "METHOD /path"
	requests []*http.Request
}

type answer struct {
	status int
	body   string // an S3 error document, or empty
}

func errorDoc(code string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + code + `</Message></Error>`
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, r)
	a, ok := f.answers[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if !ok {
		a = answer{status: http.StatusOK}
	}
	if a.body != "" {
		w.Header().Set("Content-Type", "application/xml")
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// fakeStore returns a Store on a fake server answering answers, without
// retries so that failures come back at once.
func fakeStore(t *testing.T, answers map[string]answer) (*Store, *fakeS3) {
	t.Helper()
	f := &fakeS3{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s, err := newStore(t.Context(), Config{
		Endpoint: srv.URL, Bucket: "media", AccessKeyID: "a", SecretAccessKey: "b", PathStyle: true,
	}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		t.Fatal(err)
	}
	return s, f
}

func TestErrorKinds(t *testing.T) {
	const key = "originals/ab/abcdef"
	const path = "/media/" + key
	get := func(s *Store) error {
		rc, _, err := s.Get(context.Background(), key)
		if err == nil {
			rc.Close()
		}
		return err
	}
	stat := func(s *Store) error { _, err := s.Stat(context.Background(), key); return err }
	put := func(s *Store) error {
		return s.Put(context.Background(), key, strings.NewReader("data"), 4, "image/jpeg")
	}
	del := func(s *Store) error { return s.Delete(context.Background(), key) }
	ping := func(s *Store) error { return s.Ping(context.Background()) }
	ensure := func(s *Store) error { return s.EnsureBucket(context.Background()) }

	tests := []struct {
		name     string
		answers  map[string]answer
		call     func(*Store) error
		wantKind catalog.Kind // Other with wantNil: success
		wantNil  bool
	}{
		{"get missing", map[string]answer{"GET " + path: {404, errorDoc("NoSuchKey")}}, get, catalog.NotFound, false},
		{"get no bucket", map[string]answer{"GET " + path: {404, errorDoc("NoSuchBucket")}}, get, catalog.NotFound, false},
		{"get server error", map[string]answer{"GET " + path: {500, errorDoc("InternalError")}}, get, catalog.Unavailable, false},
		{"get bad gateway", map[string]answer{"GET " + path: {502, ""}}, get, catalog.Unavailable, false},
		{"get slow down", map[string]answer{"GET " + path: {503, errorDoc("SlowDown")}}, get, catalog.Unavailable, false},
		{"get denied", map[string]answer{"GET " + path: {403, errorDoc("AccessDenied")}}, get, catalog.Other, false},
		{"stat missing", map[string]answer{"HEAD " + path: {404, ""}}, stat, catalog.NotFound, false},
		{"stat unavailable", map[string]answer{"HEAD " + path: {503, ""}}, stat, catalog.Unavailable, false},
		{"put unavailable", map[string]answer{"PUT " + path: {503, errorDoc("ServiceUnavailable")}}, put, catalog.Unavailable, false},
		{"put ok", nil, put, catalog.Other, true},
		{"delete missing", map[string]answer{"DELETE " + path: {404, errorDoc("NoSuchKey")}}, del, catalog.Other, true},
		{"delete no bucket", map[string]answer{"DELETE " + path: {404, errorDoc("NoSuchBucket")}}, del, catalog.NotFound, false},
		{"ping missing bucket", map[string]answer{"HEAD /media": {404, ""}}, ping, catalog.NotFound, false},
		{"ping ok", nil, ping, catalog.Other, true},
		{"ensure exists", nil, ensure, catalog.Other, true},
		{"ensure creates", map[string]answer{"HEAD /media": {404, ""}}, ensure, catalog.Other, true},
		{"ensure owned", map[string]answer{"HEAD /media": {404, ""}, "PUT /media": {409, errorDoc("BucketAlreadyOwnedByYou")}}, ensure, catalog.Other, true},
		{"ensure forbidden", map[string]answer{"HEAD /media": {403, ""}}, ensure, catalog.Other, false},
		{"ensure exists elsewhere", map[string]answer{"HEAD /media": {404, ""}, "PUT /media": {409, errorDoc("BucketAlreadyExists")}}, ensure, catalog.Conflict, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := fakeStore(t, tt.answers)
			err := tt.call(s)
			if (err == nil) != tt.wantNil {
				t.Fatalf("error = %v, want nil: %v", err, tt.wantNil)
			}
			if got := catalog.ErrorKind(err); got != tt.wantKind {
				t.Errorf("error %v: kind %v, want %v", err, got, tt.wantKind)
			}
			if err == nil {
				return
			}
			var ce *catalog.Error
			if !errors.As(err, &ce) || !strings.HasPrefix(ce.Op, "s3store.") {
				t.Errorf("error %v is not a *catalog.Error with an s3store op", err)
			}
			if msg := catalog.ErrorMessage(err); !strings.Contains(msg, key) && !strings.Contains(msg, "media") {
				t.Errorf("message %q names neither the key nor the bucket", msg)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close() // nothing listens there any more
	s, err := newStore(t.Context(), Config{Endpoint: endpoint, Bucket: "media", AccessKeyID: "a", SecretAccessKey: "b", PathStyle: true},
		func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		t.Fatal(err)
	}
	key := "public/catalog.json"
	err = s.Put(t.Context(), key, strings.NewReader("{}"), 2, "application/json")
	if got, want := catalog.ErrorKind(err), catalog.Unavailable; got != want {
		t.Errorf("Put to a closed port = %v (kind %v), want kind %v", err, got, want)
	}
	if msg := catalog.ErrorMessage(err); !strings.Contains(msg, key) {
		t.Errorf("message %q does not name the key", msg)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if err := s.Ping(ctx); catalog.ErrorKind(err) != catalog.Unavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ping past its deadline = %v, want an Unavailable error wrapping the deadline", err)
	}
}

// TestPutRequest checks what Put sends a custom endpoint: the length, the
// content type, a signed payload, and no flexible checksum.
func TestPutRequest(t *testing.T) {
	s, f := fakeStore(t, nil)
	data := bytes.Repeat([]byte("x"), 1000)
	if err := s.Put(t.Context(), "public/media/ab/large.jpg", bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if len(f.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(f.requests))
	}
	r := f.requests[0]
	if got, want := r.Method+" "+r.URL.Path, "PUT /media/public/media/ab/large.jpg"; got != want {
		t.Errorf("request = %q, want %q", got, want)
	}
	if r.ContentLength != int64(len(data)) {
		t.Errorf("Content-Length = %d, want %d", r.ContentLength, len(data))
	}
	if got := r.Header.Get("Content-Type"); got != "image/jpeg" {
		t.Errorf("Content-Type = %q, want image/jpeg", got)
	}
	if got := r.Header.Get("X-Amz-Content-Sha256"); len(got) != 64 {
		t.Errorf("X-Amz-Content-Sha256 = %q, want the payload's hash", got)
	}
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") || strings.EqualFold(name, "X-Amz-Sdk-Checksum-Algorithm") {
			t.Errorf("Put sent %s to a custom endpoint", name)
		}
	}
}

// TestPutRequestDefaultChecksums checks that the SDK defaults New overrides
// would send a checksum, so that TestConformanceDefaultChecksums tests them.
func TestPutRequestDefaultChecksums(t *testing.T) {
	f := &fakeS3{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	s, err := newStore(t.Context(), Config{Endpoint: srv.URL, Bucket: "media", AccessKeyID: "a", SecretAccessKey: "b", PathStyle: true},
		func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), "public/x.json", strings.NewReader("{}"), 2, "application/json"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range f.requests[0].Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") || strings.HasPrefix(strings.ToLower(name), "x-amz-trailer") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		t.Errorf("with the SDK defaults Put sent no checksum; headers: %v", f.requests[0].Header)
	}
}

func TestPutDefaultsContentType(t *testing.T) {
	s, f := fakeStore(t, nil)
	if err := s.Put(t.Context(), "originals/ab/ab", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.requests[0].Header.Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("Content-Type = %q, want application/octet-stream", got)
	}
	if err := s.Put(t.Context(), "", strings.NewReader("x"), 1, ""); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("Put with an empty key = %v, want an Invalid error", err)
	}
}
