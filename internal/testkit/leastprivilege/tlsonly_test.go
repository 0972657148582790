package leastprivilege

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// TestTLSOnlyBucketPolicy checks the bucket policy's exact shape, that MinIO
// accepts it, and how far MinIO enforces it. MinIO serves these tests over
// plain HTTP, where aws:SecureTransport is "false", but it consults bucket
// policies for anonymous requests only (authorizeRequest in MinIO's
// cmd/auth-handler.go); signed requests are decided by the user's own
// policies alone. So the engine shows that the statement matches plain-HTTP
// requests and overrides an Allow, for anonymous requests; that it refuses
// every principal, as S3 evaluates bucket policies for all of them, rests on
// the shape checked here.
func TestTLSOnlyBucketPolicy(t *testing.T) {
	srv := miniotest.Start(t)
	root := srv.Client(t)
	bucket := srv.NewBucket(t)
	arn := bucketARN(bucket)

	tlsOnly, err := iampolicy.TLSOnly(arn)
	if err != nil {
		t.Fatal(err)
	}
	assertShape(t, tlsOnly.Statement, []iampolicy.Statement{{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  []string{arn, arn + "/*"},
		Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}},
	}})

	key := prefix + "a.json"
	putAsRoot(t, root, &s3.PutObjectInput{Bucket: &bucket, Key: &key}, []byte(`{}`))
	readerPolicy, err := iampolicy.Reader(iampolicy.ReaderArgs{BucketARN: arn, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	reader := asUser(t, srv, readerPolicy).Client(t)
	anonymous := s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		Credentials:  aws.AnonymousCredentials{},
		UsePathStyle: true,
	})
	// Test scaffolding, not deployed: without an Allow an anonymous read is
	// refused whatever the deny says.
	anyoneReads := iampolicy.Statement{Effect: "Allow", Principal: "*", Action: []string{"s3:GetObject"}, Resource: []string{arn + "/*"}}

	tests := []struct {
		name          string
		statements    []iampolicy.Statement
		anonymousRead bool
	}{
		{"anonymous read allowed", []iampolicy.Statement{anyoneReads}, true},
		{"TLS-only overrides the allow", append([]iampolicy.Statement{anyoneReads}, tlsOnly.Statement...), false},
		{"TLS-only as deployed", tlsOnly.Statement, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			text, err := iampolicy.Document{Version: tlsOnly.Version, Statement: tt.statements}.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &text}); err != nil {
				t.Fatalf("MinIO refused the bucket policy: %v\n%s", err, text)
			}
			_, err = readObject(ctx, anonymous, bucket, key, "")
			var apiErr smithy.APIError
			switch denied := errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied"; {
			case tt.anonymousRead && err != nil:
				t.Errorf("anonymous read over HTTP: %v, want it allowed", err)
			case !tt.anonymousRead && !denied:
				t.Errorf("anonymous read over HTTP: got error %v, want AccessDenied", err)
			}
			// Records the limit above: if this starts failing, MinIO now
			// applies bucket policies to signed requests and the TLS-only
			// guarantee can be proven for users too.
			if _, err := readObject(ctx, reader, bucket, key, ""); err != nil {
				t.Errorf("signed read over HTTP: %v; MinIO used to ignore bucket policies for signed requests", err)
			}
		})
	}
}
