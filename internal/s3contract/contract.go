// Package s3contract is the behaviour this project relies on from an S3
// store, written once as a test suite: versioning, create-only writes with
// If-None-Match, server-side encryption headers, checksums and listings.
// It runs against the embedded development store (internal/s3local) and
// against a real MinIO server, so the two cannot drift apart, and every
// assertion states what Amazon S3 documents.
package s3contract

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Target is a store under test.
type Target struct {
	// Client reaches the store with path-style addressing and credentials
	// it accepts. The suite creates its own buckets through it.
	Client *s3.Client
	// KMSKeyID is a key the store accepts for SSE-KMS.
	KMSKeyID string
	// MinIO accepts MinIO's departures from S3 where they do not matter to
	// the function: it answers a wrong x-amz-checksum-* with
	// XAmzContentChecksumMismatch instead of BadDigest, and does not report
	// x-amz-server-side-encryption-bucket-key-enabled back. Every other
	// assertion holds MinIO to S3's documented behaviour too.
	MinIO bool
}

// Run checks target against the contract, each part in its own parallel
// subtest and bucket.
func Run(t *testing.T, target Target) {
	parts := []struct {
		name string
		run  func(*testing.T, Target)
	}{
		{"Buckets", testBuckets},
		{"CreateOnly", testCreateOnly},
		{"CreateOnlyRace", testCreateOnlyRace},
		{"Encryption", testEncryption},
		{"Versions", testVersions},
		{"DeleteMarker", testDeleteMarker},
		{"ListObjectsV2", testListObjectsV2},
		{"ListObjectVersions", testListObjectVersions},
		{"Checksums", testChecksums},
		{"Errors", testErrors},
	}
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			p.run(t, target)
		})
	}
}

// newBucket creates a versioned bucket the way the stack's own bucket is
// configured.
func newBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	name := createBucket(t, c)
	setVersioning(t, c, name, types.BucketVersioningStatusEnabled)
	return name
}

// createBucket creates an unversioned bucket with a random name, so that
// parallel parts, and runs against a store that keeps its buckets, never
// collide.
func createBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	name := "contract-" + strings.ToLower(rand.Text())
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

func setVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	_, err := c.PutBucketVersioning(t.Context(), &s3.PutBucketVersioningInput{
		Bucket:                  &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: status},
	})
	if err != nil {
		t.Fatalf("PutBucketVersioning %s %s: %v", bucket, status, err)
	}
}

func put(ctx context.Context, c *s3.Client, bucket, key, body string, edit ...func(*s3.PutObjectInput)) (*s3.PutObjectOutput, error) {
	in := &s3.PutObjectInput{
		Bucket:      &bucket,
		Key:         &key,
		Body:        strings.NewReader(body),
		ContentType: aws.String("application/json"),
	}
	for _, e := range edit {
		e(in)
	}
	return c.PutObject(ctx, in)
}

func mustPut(t *testing.T, c *s3.Client, bucket, key, body string, edit ...func(*s3.PutObjectInput)) *s3.PutObjectOutput {
	t.Helper()
	out, err := put(t.Context(), c, bucket, key, body, edit...)
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return out
}

func createOnly(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }

// get returns the object's body, reading version versionID if not "".
func get(t *testing.T, c *s3.Client, bucket, key, versionID string) (string, *s3.GetObjectOutput, error) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := c.GetObject(t.Context(), in)
	if err != nil {
		return "", nil, err
	}
	defer out.Body.Close()
	var body bytes.Buffer
	if _, err := io.Copy(&body, out.Body); err != nil {
		return "", nil, err
	}
	return body.String(), out, nil
}

func mustGet(t *testing.T, c *s3.Client, bucket, key, versionID string) (string, *s3.GetObjectOutput) {
	t.Helper()
	body, out, err := get(t, c, bucket, key, versionID)
	if err != nil {
		t.Fatalf("GetObject %s version %q: %v", key, versionID, err)
	}
	return body, out
}

// wantError fails unless err is an S3 error with one of the given HTTP
// statuses and one of the given codes (a code "" accepts any, for answers
// like HEAD's that carry no body).
func wantError(t *testing.T, what string, err error, status int, codes ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want HTTP %d %v", what, status, codes)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("%s: %v, want HTTP %d", what, err, status)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("%s: %v, want an S3 error code", what, err)
	}
	for _, c := range codes {
		if c == "" || api.ErrorCode() == c {
			return
		}
	}
	t.Fatalf("%s: code %q, want one of %q", what, api.ErrorCode(), codes)
}

// versionsOf lists the versions and delete markers under prefix.
func versionsOf(t *testing.T, c *s3.Client, bucket, prefix string) *s3.ListObjectVersionsOutput {
	t.Helper()
	out, err := c.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		t.Fatalf("ListObjectVersions %s: %v", prefix, err)
	}
	return out
}
