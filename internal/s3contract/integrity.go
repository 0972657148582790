package s3contract

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// testChecksums: a body that does not match the digest its request carries
// is refused and nothing is stored; a matching checksum is kept and
// returned to readers who ask for it.
func testChecksums(t *testing.T, target Target) {
	c, ctx := target.Client, t.Context()
	bucket := newBucket(t, c)
	const body, other = `{"checked":true}`, `{"checked":false}`

	sha := sha256.Sum256([]byte(body))
	sum := base64.StdEncoding.EncodeToString(sha[:])
	out := mustPut(t, c, bucket, "good.json", body, func(in *s3.PutObjectInput) { in.ChecksumSHA256 = &sum })
	if aws.ToString(out.ChecksumSHA256) != sum {
		t.Errorf("PutObject returned SHA-256 %q, want %q", aws.ToString(out.ChecksumSHA256), sum)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("good.json"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("GetObject with checksum mode: %v", err)
	}
	got.Body.Close()
	if aws.ToString(got.ChecksumSHA256) != sum {
		t.Errorf("GetObject returned SHA-256 %q, want %q", aws.ToString(got.ChecksumSHA256), sum)
	}

	crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(other)))
	md := md5.Sum([]byte(other))
	checksumCodes := []string{"BadDigest"}
	if target.MinIO {
		checksumCodes = append(checksumCodes, "XAmzContentChecksumMismatch")
	}
	tests := []struct {
		name  string
		edit  func(*s3.PutObjectInput)
		codes []string
	}{
		{"x-amz-checksum-crc32", func(in *s3.PutObjectInput) { in.ChecksumCRC32 = aws.String(base64.StdEncoding.EncodeToString(crc)) }, checksumCodes},
		{"Content-MD5", func(in *s3.PutObjectInput) { in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(md[:])) }, []string{"BadDigest"}},
	}
	for _, tt := range tests {
		key := "bad-" + tt.name
		_, err := put(ctx, c, bucket, key, body, tt.edit)
		wantError(t, "PutObject with a wrong "+tt.name, err, http.StatusBadRequest, tt.codes...)
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		wantError(t, "HeadObject after a refused PUT", err, http.StatusNotFound, "")
	}
}

// testErrors: missing things answer with the codes clients branch on.
func testErrors(t *testing.T, target Target) {
	c := target.Client
	bucket := newBucket(t, c)
	_, _, err := get(t, c, bucket, "missing.json", "")
	wantError(t, "GetObject of a missing key", err, http.StatusNotFound, "NoSuchKey")
	_, err = c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("missing.json")})
	wantError(t, "HeadObject of a missing key", err, http.StatusNotFound, "")
	_, _, err = get(t, c, "contract-no-such-bucket", "k", "")
	wantError(t, "GetObject in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
}
