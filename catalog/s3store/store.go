package s3store

import (
	"context"
	"errors"
	"io"
	"net/url"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/confmedia/confmedia/catalog"
)

// DefaultRegion is the region used when Config.Region is empty.
const DefaultRegion = "us-east-1"

// defaultContentType is what a blob put without a content type is stored as.
const defaultContentType = "application/octet-stream"

// Config says where the bucket is and how to sign requests.
type Config struct {
	// Endpoint is the store's base URL, e.g. "http://127.0.0.1:7070" or
	// "https://<account>.r2.cloudflarestorage.com". Empty means AWS S3, with
	// the endpoint the SDK derives from the region.
	Endpoint string
	// Region signs requests; empty means DefaultRegion.
	Region string
	// Bucket holds every blob. Required.
	Bucket string
	// AccessKeyID and SecretAccessKey are static credentials. When both are
	// empty the SDK's default chain is used (environment, shared files,
	// instance or task role).
	AccessKeyID, SecretAccessKey string
	// PathStyle addresses the bucket as endpoint/bucket/key instead of
	// bucket.endpoint/key. Most self-hosted stores need it.
	PathStyle bool
}

// Store is a catalog.Blobs over one bucket. It is safe for concurrent use.
type Store struct {
	client *s3.Client
	bucket string
	region string
}

var _ catalog.Blobs = (*Store)(nil)

// New returns a Store for cfg. It does no network I/O: a wrong endpoint or
// credentials show up on the first request (call Ping to check early). It
// returns an Invalid error when cfg has no bucket, a malformed endpoint, or
// only one half of a static key pair, and an Other error when the SDK's
// default configuration cannot be loaded.
func New(ctx context.Context, cfg Config) (*Store, error) {
	return newStore(ctx, cfg)
}

// newStore is New with extra client options, for tests.
func newStore(ctx context.Context, cfg Config, optFns ...func(*s3.Options)) (*Store, error) {
	const op = "s3store.New"
	if cfg.Bucket == "" {
		return nil, catalog.E(catalog.Invalid, op, nil, "no bucket configured")
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, catalog.E(catalog.Invalid, op, err, "S3 endpoint %q is not an http or https URL", cfg.Endpoint)
		}
	}
	if (cfg.AccessKeyID == "") != (cfg.SecretAccessKey == "") {
		return nil, catalog.E(catalog.Invalid, op, nil, "S3 access key id and secret access key must be given together")
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}

	loadOpts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if cfg.AccessKeyID != "" {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, catalog.E(catalog.Other, op, err, "cannot load the S3 client configuration")
	}

	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.PathStyle
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// Not every S3-compatible store accepts the CRC checksums the
			// SDK adds by default; send and check them only when required.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
		for _, fn := range optFns {
			fn(o)
		}
	})
	return &Store{client: client, bucket: cfg.Bucket, region: region}, nil
}

// Bucket returns the name of the bucket s works on.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket unless it exists already. A bucket that
// exists but belongs to another account is a Conflict error; an unreachable
// store is Unavailable.
func (s *Store) EnsureBucket(ctx context.Context) error {
	const op = "s3store.EnsureBucket"
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	if err == nil {
		return nil
	}
	if k, _ := classify(err); k != catalog.NotFound {
		return bucketError(op, s.bucket, "check bucket", err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(s.bucket)}
	if s.region != DefaultRegion {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(s.region),
		}
	}
	_, err = s.client.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	var taken *types.BucketAlreadyExists
	switch {
	case err == nil, errors.As(err, &owned):
		return nil
	case errors.As(err, &taken):
		return catalog.E(catalog.Conflict, op, err, "bucket %s exists and belongs to another account", s.bucket)
	}
	return bucketError(op, s.bucket, "create bucket", err)
}

// Ping checks that the bucket answers (HeadBucket). A missing bucket is a
// NotFound error, an unreachable store Unavailable.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	if err != nil {
		return bucketError("s3store.Ping", s.bucket, "reach bucket", err)
	}
	return nil
}

// Put stores size bytes of body under key with the given content type
// (application/octet-stream when empty) and the Cache-Control of
// catalog.CacheControl(key), which the bucket sends when it is served
// directly, replacing what was there. body is
// rewound when the request is retried. An empty key is Invalid; an
// unreachable store is Unavailable.
func (s *Store) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, contentType string) error {
	const op = "s3store.Put"
	if key == "" {
		return catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	if size < 0 {
		return catalog.E(catalog.Invalid, op, nil, "store %s: negative size %d", key, size)
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(contentType),
	}
	if cc := catalog.CacheControl(key); cc != "" {
		in.CacheControl = aws.String(cc)
	}
	_, err := s.client.PutObject(ctx, in)
	if err != nil {
		return keyError(op, key, "store", err)
	}
	return nil
}

// Get opens the blob at key. The caller closes the reader. A missing blob is
// a NotFound error; an unreachable store is Unavailable.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, catalog.BlobInfo, error) {
	const op = "s3store.Get"
	if key == "" {
		return nil, catalog.BlobInfo{}, catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		return nil, catalog.BlobInfo{}, keyError(op, key, "read", err)
	}
	return out.Body, catalog.BlobInfo{
		Size:         aws.ToInt64(out.ContentLength),
		ContentType:  aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
		ETag:         aws.ToString(out.ETag),
		Modified:     aws.ToTime(out.LastModified),
	}, nil
}

// Stat returns the size, content type, cache policy, ETag and time of the
// blob at key (HeadObject). A
// missing blob is a NotFound error; an unreachable store is Unavailable.
func (s *Store) Stat(ctx context.Context, key string) (catalog.BlobInfo, error) {
	const op = "s3store.Stat"
	if key == "" {
		return catalog.BlobInfo{}, catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		return catalog.BlobInfo{}, keyError(op, key, "look up", err)
	}
	return catalog.BlobInfo{
		Size:         aws.ToInt64(out.ContentLength),
		ContentType:  aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
		ETag:         aws.ToString(out.ETag),
		Modified:     aws.ToTime(out.LastModified),
	}, nil
}

// Delete removes the blob at key. Deleting a missing blob is not an error;
// an unreachable store is Unavailable.
func (s *Store) Delete(ctx context.Context, key string) error {
	const op = "s3store.Delete"
	if key == "" {
		return catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		if k, _ := classify(err); k == catalog.NotFound && !isNoSuchBucket(err) {
			return nil
		}
		return keyError(op, key, "delete", err)
	}
	return nil
}

// List returns the keys that start with prefix, sorted (ListObjectsV2, page
// by page). An unreachable store is Unavailable.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	const op = "s3store.List"
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, keyError(op, prefix, "list", err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// PresignGet returns a URL that lets anyone holding it read the blob at key
// for ttl, without credentials. It does no network I/O and does not check
// that the blob exists. ttl must be between one second and seven days
// (Invalid otherwise).
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	const op = "s3store.PresignGet"
	if key == "" {
		return "", catalog.E(catalog.Invalid, op, nil, "empty blob key")
	}
	if ttl < time.Second || ttl > 7*24*time.Hour {
		return "", catalog.E(catalog.Invalid, op, nil, "link for %s: lifetime %v is not between 1s and 7 days", key, ttl)
	}
	req, err := s3.NewPresignClient(s.client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", keyError(op, key, "sign a link for", err)
	}
	return req.URL, nil
}

// keyError builds the error of an operation on one blob: "<verb> <key>:
// <reason>".
func keyError(op, key, verb string, err error) error {
	kind, reason := classify(err)
	if isNoSuchBucket(err) {
		reason = "the bucket does not exist"
	}
	return catalog.E(kind, op, err, "%s %s: %s", verb, key, reason)
}

// bucketError builds the error of an operation on the bucket itself.
func bucketError(op, bucket, verb string, err error) error {
	kind, reason := classify(err)
	if kind == catalog.NotFound {
		reason = "the bucket does not exist"
	}
	return catalog.E(kind, op, err, "%s %s: %s", verb, bucket, reason)
}

func isNoSuchBucket(err error) bool {
	var nb *types.NoSuchBucket
	if errors.As(err, &nb) {
		return true
	}
	code, _ := apiCode(err)
	return code == "NoSuchBucket"
}
