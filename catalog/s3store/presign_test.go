package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// send does what a browser does with a presigned request: the method, the
// URL, the given header, and the body (Host and Content-Length set by the
// client). It returns the status and the response body.
func send(t *testing.T, u string, h http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sum256(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func TestPresignPutOffline(t *testing.T) {
	s, err := New(t.Context(), Config{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "k", SecretAccessKey: "s", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.NewPresigner("https://media.example.test:9443")
	if err != nil {
		t.Fatal(err)
	}
	sum := sum256([]byte("photo"))
	u, h, err := p.PresignPut(t.Context(), "originals/ab/abc", 5, sum, "image/jpeg", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pu.Scheme+"://"+pu.Host+pu.Path, "https://media.example.test:9443/b/originals/ab/abc"; got != want {
		t.Errorf("URL %s, want it on the public endpoint: %s", got, want)
	}
	q := pu.Query()
	if got, want := q.Get("X-Amz-Expires"), "900"; got != want {
		t.Errorf("X-Amz-Expires = %s, want %s", got, want)
	}
	for _, signed := range []string{"content-length", "content-type", "host", "x-amz-checksum-sha256"} {
		if !strings.Contains(q.Get("X-Amz-SignedHeaders"), signed) {
			t.Errorf("X-Amz-SignedHeaders = %q, want it to cover %s", q.Get("X-Amz-SignedHeaders"), signed)
		}
	}
	if got, want := h.Get("X-Amz-Checksum-Sha256"), base64.StdEncoding.EncodeToString(sum); got != want {
		t.Errorf("checksum header %q, want %q", got, want)
	}
	if got, want := h.Get("Content-Type"), "image/jpeg"; got != want {
		t.Errorf("content type header %q, want %q", got, want)
	}
	if h.Get("Host") != "" || h.Get("Content-Length") != "" {
		t.Errorf("header %v has Host or Content-Length, which browsers refuse to set", h)
	}

	// The store's own endpoint when no public one is given.
	p2, err := s.NewPresigner("")
	if err != nil {
		t.Fatal(err)
	}
	u2, _, err := p2.PresignPut(t.Context(), "originals/ab/abc", 5, sum, "image/jpeg", time.Minute)
	if err != nil || !strings.HasPrefix(u2, "http://127.0.0.1:1/b/") {
		t.Errorf("PresignPut without a public endpoint = %s, %v; want the store's endpoint", u2, err)
	}
}

func TestPresignInvalid(t *testing.T) {
	s, err := New(t.Context(), Config{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "k", SecretAccessKey: "s", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewPresigner("ftp://x"); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("NewPresigner(ftp://x) = %v, want Invalid", err)
	}
	p, _ := s.NewPresigner("")
	sum := sum256(nil)
	tests := []struct {
		name string
		key  string
		size int64
		sum  []byte
		ttl  time.Duration
	}{
		{"empty key", "", 1, sum, time.Minute},
		{"negative size", "k", -1, sum, time.Minute},
		{"short sum", "k", 1, sum[:31], time.Minute},
		{"no ttl", "k", 1, sum, 0},
		{"ttl over a week", "k", 1, sum, 8 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if _, _, err := p.PresignPut(t.Context(), tt.key, tt.size, tt.sum, "", tt.ttl); catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("PresignPut %s: %v, want Invalid", tt.name, err)
		}
		if _, _, err := p.PresignPart(t.Context(), tt.key, "up", 1, tt.size, tt.sum, tt.ttl); catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("PresignPart %s: %v, want Invalid", tt.name, err)
		}
	}
	for _, n := range []int{0, MaxParts + 1} {
		if _, _, err := p.PresignPart(t.Context(), "k", "up", n, 1, sum, time.Minute); catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("PresignPart part %d: %v, want Invalid", n, err)
		}
	}
	if _, _, err := p.PresignPart(t.Context(), "k", "", 1, 1, sum, time.Minute); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("PresignPart without upload id: %v, want Invalid", err)
	}
}

func TestPresignedPut(t *testing.T) {
	s := freshStore(t)
	p, err := s.NewPresigner("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	body := []byte("\xff\xd8\xff pretend this is a photo")
	const key = "originals/ab/presigned"
	u, h, err := p.PresignPut(ctx, key, int64(len(body)), sum256(body), "image/jpeg", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	forged := bytes.Clone(body)
	forged[len(forged)-1] ^= 1
	if code, msg := send(t, u, h, forged); code/100 == 2 {
		t.Errorf("a body with another SHA-256 was accepted (%d): the store does not check x-amz-checksum-sha256", code)
	} else if !strings.Contains(msg, "BadDigest") && !strings.Contains(msg, "Checksum") {
		t.Logf("forged body refused with %d: %s", code, msg)
	}
	if code, _ := send(t, u, h, append(bytes.Clone(body), 'x')); code/100 == 2 {
		t.Errorf("a body of another length was accepted (%d)", code)
	}
	if _, err := s.Stat(ctx, key); !catalog.IsNotFound(err) {
		t.Errorf("after refused uploads Stat = %v, want NotFound", err)
	}

	if code, msg := send(t, u, h, body); code != http.StatusOK {
		t.Fatalf("presigned PUT = %d %s, want 200", code, msg)
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) || info.ContentType != "image/jpeg" {
		t.Errorf("stored %+v, want %d bytes of image/jpeg", info, len(body))
	}
	got, err := p.StoredSHA256(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if got != nil && !bytes.Equal(got, sum256(body)) {
		t.Errorf("StoredSHA256 = %x, want %x", got, sum256(body))
	}
	if got == nil {
		t.Logf("the store keeps no SHA-256 of objects put with one")
	}

	// An object put without a checksum has none.
	if err := s.Put(ctx, "originals/cd/plain", bytes.NewReader(body), int64(len(body)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if got, err := p.StoredSHA256(ctx, "originals/cd/plain"); err != nil || (got != nil && !bytes.Equal(got, sum256(body))) {
		t.Errorf("StoredSHA256 of a plain put = %x, %v; want nil or the true sum", got, err)
	}
	if _, err := p.StoredSHA256(ctx, "originals/ef/missing"); !catalog.IsNotFound(err) {
		t.Errorf("StoredSHA256 of a missing object = %v, want NotFound", err)
	}
}

func TestMultipart(t *testing.T) {
	s := freshStore(t)
	p, err := s.NewPresigner("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const key = "originals/ab/multipart"
	part1 := bytes.Repeat([]byte("confmedia"), MinPartSize/9+1)
	part2 := []byte("the last part may be small")
	whole := append(bytes.Clone(part1), part2...)

	up, err := p.CreateMultipart(ctx, key, "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	sign := func(n int, b []byte) (string, http.Header) {
		u, h, err := p.PresignPart(ctx, key, up, n, int64(len(b)), sum256(b), 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return u, h
	}
	u1, h1 := sign(1, part1)
	u2, h2 := sign(2, part2)
	if code, msg := send(t, u1, h1, part1); code != http.StatusOK {
		t.Fatalf("part 1 = %d %s", code, msg)
	}
	forged := bytes.Clone(part2)
	forged[0] ^= 1
	if code, _ := send(t, u2, h2, forged); code/100 == 2 {
		t.Errorf("a part with another SHA-256 was accepted (%d)", code)
	}

	parts, err := p.UploadedParts(ctx, key, up)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 {
		t.Errorf("UploadedParts = %v, want part 1 only", parts)
	}
	if sum, ok := parts[1]; !ok || (sum != nil && !bytes.Equal(sum, sum256(part1))) {
		t.Errorf("UploadedParts[1] = %x, %v; want the part's SHA-256", sum, ok)
	}
	err = p.CompleteMultipart(ctx, key, up, 2)
	if catalog.ErrorKind(err) != catalog.Conflict || !strings.Contains(catalog.ErrorMessage(err), "part 2 of 2") {
		t.Errorf("CompleteMultipart with part 2 missing = %v, want a Conflict naming part 2", err)
	}

	if code, msg := send(t, u2, h2, part2); code != http.StatusOK {
		t.Fatalf("part 2 = %d %s", code, msg)
	}
	if err := p.CompleteMultipart(ctx, key, up, 2); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	rc, info, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, whole) || info.ContentType != "image/jpeg" {
		t.Errorf("object is %d bytes of %s, want the %d bytes of both parts, image/jpeg", len(got), info.ContentType, len(whole))
	}
	if sum, err := p.StoredSHA256(ctx, key); err != nil || (sum != nil && !bytes.Equal(sum, sum256(whole))) {
		t.Errorf("StoredSHA256 of a multipart object = %x, %v; want nil (composite) or the true sum", sum, err)
	}
	if _, err := p.UploadedParts(ctx, key, up); !catalog.IsNotFound(err) {
		t.Errorf("UploadedParts of a completed upload = %v, want NotFound", err)
	}

	// Abandoning.
	up2, err := p.CreateMultipart(ctx, "originals/cd/abandoned", "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AbortMultipart(ctx, "originals/cd/abandoned", up2); err != nil {
		t.Errorf("AbortMultipart: %v", err)
	}
	if err := p.AbortMultipart(ctx, "originals/cd/abandoned", up2); err != nil {
		t.Errorf("AbortMultipart twice: %v, want nil", err)
	}
	if _, err := p.UploadedParts(ctx, "originals/cd/abandoned", up2); !catalog.IsNotFound(err) {
		t.Errorf("UploadedParts of an aborted upload = %v, want NotFound", err)
	}
	if err := p.CompleteMultipart(ctx, "originals/cd/abandoned", up2, 1); !catalog.IsNotFound(err) {
		t.Errorf("CompleteMultipart of an aborted upload = %v, want NotFound", err)
	}
}

func TestCORS(t *testing.T) {
	s := freshStore(t)
	p, err := s.NewPresigner("")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	const origin = "http://media.example.test:8080"
	if err := p.CheckCORS(ctx, origin); err == nil {
		t.Errorf("CheckCORS before SetCORS = nil, want a refusal")
	}
	if err := s.SetCORS(ctx, nil); catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("SetCORS(nil) = %v, want Invalid", err)
	}
	if err := s.SetCORS(ctx, []string{origin}); err != nil {
		t.Fatalf("SetCORS: %v", err)
	}
	if err := p.CheckCORS(ctx, origin); err != nil {
		t.Errorf("CheckCORS(%s) = %v, want nil", origin, err)
	}
	if err := p.CheckCORS(ctx, "http://elsewhere.test"); catalog.ErrorKind(err) != catalog.Forbidden {
		t.Errorf("CheckCORS from another origin = %v, want Forbidden", err)
	}
}
