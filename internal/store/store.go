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
)

// ErrExists reports that the key already holds an object and overwrite was
// not requested. The stored object is untouched.
var ErrExists = errors.New("object already exists")

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

// Put stores body as the JSON object key with one PutObject and returns the
// new version id ("" if the bucket is unversioned). Unless overwrite is
// true, an existing key is left untouched and Put returns an error wrapping
// ErrExists. Errors never contain body.
func (s *Store) Put(ctx context.Context, key string, body []byte, overwrite bool) (versionID string, err error) {
	ctx, cancel := context.WithTimeout(ctx, putBudget)
	defer cancel()
	var attempts attemptLog
	for conflicts := 0; ; conflicts++ {
		out, err := s.client.PutObject(ctx, s.input(key, body, overwrite), attempts.option)
		switch status := httpStatus(err); {
		case err == nil:
			return aws.ToString(out.VersionId), nil
		case status == http.StatusPreconditionFailed:
			return "", attempts.exists(key, err)
		case status == http.StatusConflict && conflicts < conflictRetries:
			if err := sleep(ctx, conflictBackoff<<conflicts); err != nil {
				return "", fmt.Errorf("store %s: %w", key, err)
			}
		case status == http.StatusConflict && !overwrite:
			return "", attempts.exists(key, err)
		case status == http.StatusForbidden:
			return "", fmt.Errorf("store %s: %w: %w", key, ErrDenied, err)
		default:
			return "", fmt.Errorf("store %s: %w", key, err)
		}
	}
}

func (s *Store) input(key string, body []byte, overwrite bool) *s3.PutObjectInput {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
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
	if !overwrite {
		in.IfNoneMatch = aws.String("*")
	}
	return in
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
