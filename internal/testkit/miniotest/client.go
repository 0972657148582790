package miniotest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Client returns an S3 client for the server with the SDK's default
// behaviour, for tests to set up and inspect buckets independently of the
// code under test.
func (s *Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		UsePathStyle: true,
	})
}

// Env returns the variables that point the SDK's default configuration at
// the server, for child processes (or t.Setenv).
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + s.Region,
		"S3_USE_PATH_STYLE=true",
	}
}

var bucketSeq atomic.Int64

// NewBucket creates an empty bucket with versioning enabled, named after the
// test so a failure's log points at its data. Buckets are not deleted: the
// whole server's data goes when Main stops it.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := bucketName(bucketSeq.Add(1), t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := s.Client(t)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("miniotest: create bucket %s: %v", name, err)
	}
	_, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(name),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	})
	if err != nil {
		t.Fatalf("miniotest: enable versioning on %s: %v", name, err)
	}
	return name
}

// bucketName turns a test name into a valid, unique bucket name: lowercase
// letters, digits and single hyphens, at most 63 characters.
func bucketName(seq int64, testName string) string {
	words := strings.FieldsFunc(strings.ToLower(testName), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	name := strings.Join(append([]string{fmt.Sprintf("t%d", seq)}, words...), "-")
	return strings.TrimRight(name[:min(len(name), 63)], "-")
}
