package s3contract

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// encryptionEcho is what PUT, GET and HEAD say about an object's
// encryption.
type encryptionEcho struct {
	sse       types.ServerSideEncryption
	keyID     *string
	bucketKey *bool
}

// testEncryption: the SSE headers the function sends are accepted and
// reported back on PUT, GET and HEAD, for SSE-S3 and SSE-KMS.
func testEncryption(t *testing.T, target Target) {
	c := target.Client
	bucket := newBucket(t, c)
	tests := []struct {
		name string
		edit func(*s3.PutObjectInput)
		want types.ServerSideEncryption
		kms  bool
	}{
		{"AES256", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 }, types.ServerSideEncryptionAes256, false},
		{"aws:kms", func(in *s3.PutObjectInput) {
			in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
			in.SSEKMSKeyId = aws.String(target.KMSKeyID)
			in.BucketKeyEnabled = aws.Bool(true)
		}, types.ServerSideEncryptionAwsKms, true},
	}
	for _, tt := range tests {
		key := "passwords/sse-" + tt.name + ".json"
		out := mustPut(t, c, bucket, key, `{"sse":true}`, tt.edit)
		_, got := mustGet(t, c, bucket, key, "")
		head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatalf("HeadObject %s: %v", key, err)
		}
		for op, echo := range map[string]encryptionEcho{
			"PutObject":  {out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled},
			"GetObject":  {got.ServerSideEncryption, got.SSEKMSKeyId, got.BucketKeyEnabled},
			"HeadObject": {head.ServerSideEncryption, head.SSEKMSKeyId, head.BucketKeyEnabled},
		} {
			if echo.sse != tt.want {
				t.Errorf("%s with %s: x-amz-server-side-encryption = %q", op, tt.name, echo.sse)
			}
			if !tt.kms {
				continue
			}
			// S3 reports the key's ARN, which ends with the key id.
			if !strings.HasSuffix(aws.ToString(echo.keyID), target.KMSKeyID) {
				t.Errorf("%s with %s: key id = %q, want one naming %q", op, tt.name, aws.ToString(echo.keyID), target.KMSKeyID)
			}
			if !aws.ToBool(echo.bucketKey) && !target.MinIO {
				t.Errorf("%s with %s: bucket key not reported as enabled", op, tt.name)
			}
		}
	}
}
