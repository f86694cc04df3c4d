package s3store

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/confmedia/confmedia/catalog"
)

// Limits of presigned uploads.
const (
	// MaxPresignTTL is the longest lifetime of a presigned request.
	MaxPresignTTL = 7 * 24 * time.Hour
	// MinPartSize is the smallest part of a multipart upload but the last.
	MinPartSize = 5 << 20
	// MaxParts is the most parts one multipart upload may have.
	MaxParts = 10000
)

// Presigner signs requests that let a browser send an original straight to
// the bucket, without credentials and without passing through the web app,
// and runs the multipart uploads those requests belong to. Every signed
// request carries the SHA-256 of its body, which the store checks before it
// keeps a byte. It is safe for concurrent use.
type Presigner struct {
	store    *Store
	presign  *s3.PresignClient
	endpoint string
}

// NewPresigner returns a Presigner whose signed URLs address the bucket at
// publicEndpoint, the store's address as browsers reach it (the host is part
// of the signature, so it cannot be rewritten later). An empty
// publicEndpoint keeps the store's own endpoint. It does no network I/O and
// returns an Invalid error when publicEndpoint is not an http or https URL.
func (s *Store) NewPresigner(publicEndpoint string) (*Presigner, error) {
	const op = "s3store.NewPresigner"
	var fns []func(*s3.PresignOptions)
	if publicEndpoint != "" {
		u, err := url.Parse(publicEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, catalog.E(catalog.Invalid, op, err, "S3 public endpoint %q is not an http or https URL", publicEndpoint)
		}
		fns = append(fns, func(po *s3.PresignOptions) {
			po.ClientOptions = append(po.ClientOptions, func(o *s3.Options) {
				o.BaseEndpoint = aws.String(publicEndpoint)
			})
		})
	}
	return &Presigner{store: s, presign: s3.NewPresignClient(s.client, fns...), endpoint: publicEndpoint}, nil
}

// PresignPut signs a PutObject of exactly size bytes of type contentType
// under key, whose SHA-256 is sum, valid for ttl. The sender must send the
// returned header with the body; Host and Content-Length are signed too,
// and every HTTP client sets them from the URL and the body. A body of
// another length is refused by its signature, and one with another SHA-256
// by the store (BadDigest). It does no network I/O. A bad key, size, sum or
// ttl is an Invalid error.
func (p *Presigner) PresignPut(ctx context.Context, key string, size int64, sum []byte, contentType string, ttl time.Duration) (string, http.Header, error) {
	const op = "s3store.PresignPut"
	if err := checkSigned(op, key, size, sum, ttl); err != nil {
		return "", nil, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	req, err := p.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket:         aws.String(p.store.bucket),
		Key:            aws.String(key),
		ContentLength:  aws.Int64(size),
		ContentType:    aws.String(contentType),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum)),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, keyError(op, key, "sign an upload of", err)
	}
	return req.URL, senderHeader(req), nil
}

// CreateMultipart starts a multipart upload to key whose parts each carry
// their SHA-256, and returns its upload id. An unreachable store is
// Unavailable.
func (p *Presigner) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	const op = "s3store.CreateMultipart"
	if key == "" {
		return "", catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	out, err := p.store.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:            aws.String(p.store.bucket),
		Key:               aws.String(key),
		ContentType:       aws.String(contentType),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		ChecksumType:      types.ChecksumTypeComposite,
	})
	if err != nil {
		return "", keyError(op, key, "start an upload of", err)
	}
	return aws.ToString(out.UploadId), nil
}

// PresignPart signs the upload of part n (from 1) of multipart upload
// uploadID to key: exactly size bytes whose SHA-256 is sum, valid for ttl.
// The returned header is to be sent as with PresignPut. It does no network
// I/O. A bad key, upload id, part number, size, sum or ttl is an Invalid
// error.
func (p *Presigner) PresignPart(ctx context.Context, key, uploadID string, n int, size int64, sum []byte, ttl time.Duration) (string, http.Header, error) {
	const op = "s3store.PresignPart"
	if err := checkSigned(op, key, size, sum, ttl); err != nil {
		return "", nil, err
	}
	if uploadID == "" {
		return "", nil, catalog.E(catalog.Invalid, op, nil, "upload of %s: empty upload id", key)
	}
	if n < 1 || n > MaxParts {
		return "", nil, catalog.E(catalog.Invalid, op, nil, "upload of %s: part number %d is not between 1 and %d", key, n, MaxParts)
	}
	req, err := p.presign.PresignUploadPart(ctx, &s3.UploadPartInput{
		Bucket:         aws.String(p.store.bucket),
		Key:            aws.String(key),
		UploadId:       aws.String(uploadID),
		PartNumber:     aws.Int32(int32(n)),
		ContentLength:  aws.Int64(size),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum)),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, keyError(op, key, "sign a part of", err)
	}
	return req.URL, senderHeader(req), nil
}

// UploadedParts lists the parts of multipart upload uploadID to key that
// the store holds: part number → the part's SHA-256 (raw bytes; nil when the
// store recorded none). An unknown upload (completed, aborted or expired) is
// a NotFound error.
func (p *Presigner) UploadedParts(ctx context.Context, key, uploadID string) (map[int][]byte, error) {
	parts, err := p.listParts(ctx, "s3store.UploadedParts", key, uploadID)
	if err != nil {
		return nil, err
	}
	out := make(map[int][]byte, len(parts))
	for _, pt := range parts {
		sum, _ := base64.StdEncoding.DecodeString(aws.ToString(pt.ChecksumSHA256))
		out[int(aws.ToInt32(pt.PartNumber))] = sum
	}
	return out, nil
}

func (p *Presigner) listParts(ctx context.Context, op, key, uploadID string) ([]types.Part, error) {
	if key == "" || uploadID == "" {
		return nil, catalog.E(catalog.Invalid, op, nil, "upload of %q: empty key or upload id", key)
	}
	var parts []types.Part
	pager := s3.NewListPartsPaginator(p.store.client, &s3.ListPartsInput{
		Bucket:   aws.String(p.store.bucket),
		Key:      aws.String(key),
		UploadId: aws.String(uploadID),
	})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, uploadError(op, key, err)
		}
		parts = append(parts, page.Parts...)
	}
	return parts, nil
}

// CompleteMultipart joins parts 1 to n of multipart upload uploadID into the
// object at key, with the ETags and checksums the store lists for them (so
// nothing the sender claims is trusted). A missing part is a Conflict error
// naming it; an unknown upload is NotFound.
func (p *Presigner) CompleteMultipart(ctx context.Context, key, uploadID string, n int) error {
	const op = "s3store.CompleteMultipart"
	if n < 1 || n > MaxParts {
		return catalog.E(catalog.Invalid, op, nil, "upload of %s: %d parts is not between 1 and %d", key, n, MaxParts)
	}
	listed, err := p.listParts(ctx, op, key, uploadID)
	if err != nil {
		return err
	}
	byNumber := make(map[int32]types.Part, len(listed))
	for _, pt := range listed {
		byNumber[aws.ToInt32(pt.PartNumber)] = pt
	}
	done := make([]types.CompletedPart, 0, n)
	for i := int32(1); i <= int32(n); i++ {
		pt, ok := byNumber[i]
		if !ok {
			return catalog.E(catalog.Conflict, op, nil, "upload of %s: part %d of %d has not arrived", key, i, n)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(i), ETag: pt.ETag, ChecksumSHA256: pt.ChecksumSHA256})
	}
	_, err = p.store.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(p.store.bucket),
		Key:             aws.String(key),
		UploadId:        aws.String(uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
	})
	if err != nil {
		return uploadError(op, key, err)
	}
	return nil
}

// AbortMultipart abandons multipart upload uploadID to key and frees its
// parts. An upload that is gone already is not an error.
func (p *Presigner) AbortMultipart(ctx context.Context, key, uploadID string) error {
	const op = "s3store.AbortMultipart"
	if key == "" || uploadID == "" {
		return catalog.E(catalog.Invalid, op, nil, "upload of %q: empty key or upload id", key)
	}
	_, err := p.store.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(p.store.bucket),
		Key:      aws.String(key),
		UploadId: aws.String(uploadID),
	})
	if err != nil {
		if k, _ := classify(err); k == catalog.NotFound && !isNoSuchBucket(err) {
			return nil
		}
		return uploadError(op, key, err)
	}
	return nil
}

// StoredSHA256 returns the SHA-256 of the whole object at key as the store
// computed and checked it when the object was put with one, or nil when the
// store keeps none for it (it was put without a checksum, in parts, or the
// store does not keep checksums). A missing object is NotFound.
func (p *Presigner) StoredSHA256(ctx context.Context, key string) ([]byte, error) {
	const op = "s3store.StoredSHA256"
	if key == "" {
		return nil, catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	out, err := p.store.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:       aws.String(p.store.bucket),
		Key:          aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		return nil, keyError(op, key, "look up", err)
	}
	if out.ChecksumType == types.ChecksumTypeComposite {
		return nil, nil // a checksum of the parts' checksums
	}
	sum, err := base64.StdEncoding.DecodeString(aws.ToString(out.ChecksumSHA256))
	if err != nil || len(sum) != 32 {
		return nil, nil // none, or a composite one ("…-3")
	}
	return sum, nil
}

// SetCORS lets web pages served from origins (e.g. "https://media.example.org")
// PUT, GET and HEAD objects of the bucket with presigned URLs: it replaces
// the bucket's CORS configuration with one rule allowing those methods, the
// Content-Type and x-amz-* request headers, and exposing ETag. A store that
// does not support bucket CORS answers with an error (kind Other, naming the
// store's code); an unreachable one is Unavailable.
func (s *Store) SetCORS(ctx context.Context, origins []string) error {
	const op = "s3store.SetCORS"
	if len(origins) == 0 {
		return catalog.E(catalog.Invalid, op, nil, "bucket %s: no origin to allow", s.bucket)
	}
	_, err := s.client.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket: aws.String(s.bucket),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
			ID:             aws.String("confmedia-browser-uploads"),
			AllowedOrigins: origins,
			AllowedMethods: []string{http.MethodPut, http.MethodGet, http.MethodHead},
			AllowedHeaders: []string{"content-type", "x-amz-checksum-sha256", "x-amz-*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  aws.Int32(3600),
		}}},
	})
	if err != nil {
		return bucketError(op, s.bucket, "set the browser access rules (CORS) of", err)
	}
	return nil
}

// CheckCORS sends the CORS preflight a browser on origin sends before a
// presigned PUT with a checksum, to the public endpoint, and returns nil
// when the store allows it. A refusal, or a store that does not answer
// preflights, is a Forbidden error that says so; an unreachable endpoint is
// Unavailable. It does not change the bucket.
func (p *Presigner) CheckCORS(ctx context.Context, origin string) error {
	const op = "s3store.CheckCORS"
	probe := catalog.OriginalsPrefix + "cors-check"
	u, _, err := p.PresignPut(ctx, probe, 1, make([]byte, 32), "image/jpeg", time.Minute)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, u, nil)
	if err != nil {
		return catalog.E(catalog.Invalid, op, err, "bad presigned URL")
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPut)
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-checksum-sha256")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return catalog.E(catalog.Unavailable, op, err, "cannot reach the S3 public endpoint %s", p.publicHost(u))
	}
	defer resp.Body.Close()
	allowed := resp.Header.Get("Access-Control-Allow-Origin")
	if resp.StatusCode/100 != 2 || (allowed != origin && allowed != "*") {
		return catalog.E(catalog.Forbidden, op, nil, "the S3 store at %s does not let pages from %s upload (preflight answered %s, allowed origin %q)",
			p.publicHost(u), origin, resp.Status, allowed)
	}
	methods := strings.ToUpper(resp.Header.Get("Access-Control-Allow-Methods"))
	if methods != "" && !slices.ContainsFunc(strings.Split(methods, ","), func(m string) bool { return strings.TrimSpace(m) == http.MethodPut }) {
		return catalog.E(catalog.Forbidden, op, nil, "the S3 store at %s does not allow PUT from %s (allowed methods %s)", p.publicHost(u), origin, methods)
	}
	return nil
}

func (p *Presigner) publicHost(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return u.Scheme + "://" + u.Host
	}
	return p.endpoint
}

// checkSigned validates the arguments of a signed upload.
func checkSigned(op, key string, size int64, sum []byte, ttl time.Duration) error {
	switch {
	case key == "":
		return catalog.E(catalog.Invalid, op, nil, "empty blob key")
	case size < 0:
		return catalog.E(catalog.Invalid, op, nil, "upload of %s: negative size %d", key, size)
	case len(sum) != 32:
		return catalog.E(catalog.Invalid, op, nil, "upload of %s: a SHA-256 has 32 bytes, not %d", key, len(sum))
	case ttl < time.Second || ttl > MaxPresignTTL:
		return catalog.E(catalog.Invalid, op, nil, "upload of %s: lifetime %v is not between 1s and 7 days", key, ttl)
	}
	return nil
}

// senderHeader is the signed header of req less what HTTP clients set
// themselves (and browsers refuse to be given): Host and Content-Length.
func senderHeader(req *v4.PresignedHTTPRequest) http.Header {
	h := http.Header{}
	for k, v := range req.SignedHeader {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length":
			continue
		}
		h[http.CanonicalHeaderKey(k)] = slices.Clone(v)
	}
	return h
}

// uploadError builds the error of an operation on a multipart upload.
func uploadError(op, key string, err error) error {
	kind, reason := classify(err)
	if code, _ := apiCode(err); code == "NoSuchUpload" {
		kind, reason = catalog.NotFound, "no such upload (completed, abandoned or expired)"
	} else if code == "InvalidPart" || code == "InvalidPartOrder" || code == "EntityTooSmall" || code == "BadDigest" {
		kind, reason = catalog.Invalid, fmt.Sprintf("the store refused the parts (%s)", code)
	}
	if isNoSuchBucket(err) {
		kind, reason = catalog.NotFound, "the bucket does not exist"
	}
	return catalog.E(kind, op, err, "upload of %s: %s", key, reason)
}
