package miniotest_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

func TestMain(m *testing.M) { miniotest.Main(m) }

var validBucket = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

func TestNewBucketIsVersionedAndValid(t *testing.T) {
	srv := miniotest.Start(t)
	client := srv.Client(t)
	names := map[string]bool{}
	for _, sub := range []string{"plain", "With Spaces/and_UNDERSCORES", strings.Repeat("long-", 30), "--"} {
		t.Run(sub, func(t *testing.T) {
			name := srv.NewBucket(t)
			if !validBucket.MatchString(name) || strings.Contains(name, "--") {
				t.Fatalf("bucket name %q is not a valid S3 bucket name", name)
			}
			if names[name] {
				t.Fatalf("bucket name %q handed out twice", name)
			}
			names[name] = true
			out, err := client.GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != types.BucketVersioningStatusEnabled {
				t.Fatalf("versioning = %q, want Enabled", out.Status)
			}
		})
	}
}

// TestEnvConfiguresTheDefaultSDKConfig checks that a process given Env()
// reaches the server through the SDK's default configuration, as the Lambda
// handler does.
func TestEnvConfiguresTheDefaultSDKConfig(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("bucket not reachable with Env(): %v", err)
	}
}

func TestServerEncrypts(t *testing.T) {
	srv := miniotest.Start(t)
	client := srv.Client(t)
	bucket := srv.NewBucket(t)
	tests := []struct {
		name string
		in   s3.PutObjectInput
		want types.ServerSideEncryption
	}{
		{"SSE-S3", s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAes256}, types.ServerSideEncryptionAes256},
		{"SSE-KMS", s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(srv.KMSKeyName)}, types.ServerSideEncryptionAwsKms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			in := tt.in
			in.Bucket, in.Key, in.Body = aws.String(bucket), aws.String(tt.name), bytes.NewReader([]byte("x"))
			if _, err := client.PutObject(ctx, &in); err != nil {
				t.Fatal(err)
			}
			head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: in.Bucket, Key: in.Key})
			if err != nil {
				t.Fatal(err)
			}
			if head.ServerSideEncryption != tt.want {
				t.Fatalf("ServerSideEncryption = %q, want %q", head.ServerSideEncryption, tt.want)
			}
		})
	}
}
