// Package store is the S3 side of the stored passwords: it writes one
// record, encrypted, checksummed and create-only unless asked to
// overwrite, and reads one back or lists names and versions, each call
// bounded in time so a Lambda invocation always gets to answer.
package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/objecttags"
)

// ErrExists reports that the key already holds an object and overwrite was
// not requested. The stored object is untouched.
var ErrExists = errors.New("object already exists")

// ErrChanged reports that a conditional replacement found the object
// changed or gone since the caller saw it. The stored object is untouched.
var ErrChanged = errors.New("object changed since it was listed")

// ErrDenied reports that S3 (or KMS behind it) refused the request for lack
// of permission: a deployment problem that no retry fixes.
var ErrDenied = errors.New("access denied")

const (
	// putBudget bounds a whole Put, retries included, inside the default
	// 10-second Lambda deadline even when the caller's context has none.
	// The handler's own deadline (the invocation's, less a margin) cuts it
	// shorter for functions configured with a shorter timeout.
	putBudget = 5 * time.Second

	// conflictRetries is how often a 409 ConditionalRequestConflict (another
	// conditional write to the key in flight) is retried before the key is
	// reported as taken: the other writer almost always wins.
	conflictRetries = 4
	conflictBackoff = 25 * time.Millisecond
)

// Store writes objects to one bucket.
type Store struct {
	client   *s3.Client
	bucket   string
	kmsKeyID string
}

// New returns a Store writing to bucket. Objects are encrypted with SSE-KMS
// under kmsKeyID, or with SSE-S3 (AES256) when kmsKeyID is "".
func New(client *s3.Client, bucket, kmsKeyID string) *Store {
	return &Store{client: client, bucket: bucket, kmsKeyID: kmsKeyID}
}

// PutOptions say when Put may replace an object and what to store with it.
type PutOptions struct {
	// Overwrite allows replacing an existing object; without it (and
	// without IfMatch) Put only creates.
	Overwrite bool
	// IfMatch replaces the object only while its ETag is this one, so a
	// write made since the caller looked is never clobbered. It implies
	// Overwrite.
	IfMatch string
	// Tags are stored with the object, in the same request, so no version
	// ever exists without them.
	Tags map[string]string
}

// Put stores body as the JSON object key with one PutObject and returns the
// new version id ("" if the bucket is unversioned). An existing key is left
// untouched, and Put returns an error wrapping ErrExists, unless opts allow
// replacing it; with opts.IfMatch, a key changed or deleted since is left
// as it is and the error wraps ErrChanged. Errors never contain body.
func (s *Store) Put(ctx context.Context, key string, body []byte, opts PutOptions) (versionID string, err error) {
	in, err := s.input(key, body, opts)
	if err != nil {
		return "", fmt.Errorf("store %s: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, putBudget)
	defer cancel()
	var attempts attemptLog
	reason := ErrExists
	if opts.IfMatch != "" {
		reason = ErrChanged
	}
	for conflicts := 0; ; conflicts++ {
		in.Body = bytes.NewReader(body)
		out, err := s.client.PutObject(ctx, in, attempts.option)
		switch status := httpStatus(err); {
		case err == nil:
			return aws.ToString(out.VersionId), nil
		case status == http.StatusPreconditionFailed:
			return "", attempts.refused(key, reason, err)
		case status == http.StatusNotFound && opts.IfMatch != "":
			// S3 answers If-Match on a deleted key with 404.
			return "", attempts.refused(key, reason, err)
		case status == http.StatusConflict && conflicts < conflictRetries:
			if err := sleep(ctx, conflictBackoff<<conflicts); err != nil {
				return "", fmt.Errorf("store %s: %w", key, err)
			}
		case status == http.StatusConflict && (!opts.Overwrite || opts.IfMatch != ""):
			return "", attempts.refused(key, reason, err)
		case status == http.StatusForbidden:
			return "", fmt.Errorf("store %s: %w: %w", key, ErrDenied, err)
		default:
			return "", fmt.Errorf("store %s: %w", key, err)
		}
	}
}

func (s *Store) input(key string, body []byte, opts PutOptions) (*s3.PutObjectInput, error) {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/json"),
		// S3 verifies the checksum before it commits, so a body cut or
		// altered in transit is refused rather than stored.
		ChecksumAlgorithm:    types.ChecksumAlgorithmSha256,
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	}
	if s.kmsKeyID != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(s.kmsKeyID)
		// A bucket key spares a KMS request per object: cheaper, and no
		// KMS throttling under bursts.
		in.BucketKeyEnabled = aws.Bool(true)
	}
	switch {
	case opts.IfMatch != "":
		in.IfMatch = aws.String(opts.IfMatch)
	case !opts.Overwrite:
		in.IfNoneMatch = aws.String("*")
	}
	if len(opts.Tags) > 0 {
		tagging, err := objecttags.Header(opts.Tags)
		if err != nil {
			return nil, err
		}
		in.Tagging = aws.String(tagging)
	}
	return in, nil
}

// sleep waits d with full jitter, so writers that collided do not collide
// again in lockstep.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(rand.N(d) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// httpStatus is the status of the HTTP response behind err, or 0 if there
// was none.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
