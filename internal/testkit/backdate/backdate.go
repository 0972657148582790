// Package backdate makes a stored password look older than it is, for
// tests of expiry: neither MinIO's clock nor the deployed function's can be
// moved, but a record's created_at and expires_at are what the retriever
// judges expiry by.
package backdate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Record stores, as a new current version of key, the record its version
// versionID holds with created_at and expires_at moved back by age, and
// the same tags: the password as it would be, age after it was written.
// It returns the new version's id. The password is copied, never shown.
func Record(ctx context.Context, client *s3.Client, bucket, key, versionID string, age time.Duration) (string, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(versionID)}
	obj, err := client.GetObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("backdate %s: %w", key, err)
	}
	defer obj.Body.Close()
	body, err := io.ReadAll(obj.Body)
	if err != nil {
		return "", fmt.Errorf("backdate %s: %w", key, err)
	}
	var rec map[string]any
	if err := json.Unmarshal(body, &rec); err != nil {
		return "", fmt.Errorf("backdate %s: not a record: %w", key, err)
	}
	for _, field := range []string{"created_at", "expires_at"} {
		s, ok := rec[field].(string)
		if !ok {
			continue
		}
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return "", fmt.Errorf("backdate %s: %s: %w", key, field, err)
		}
		rec[field] = at.Add(-age).UTC().Format(time.RFC3339)
	}
	if body, err = json.Marshal(rec); err != nil {
		return "", fmt.Errorf("backdate %s: %w", key, err)
	}
	tags, err := client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(versionID)})
	if err != nil {
		return "", fmt.Errorf("backdate %s: tags: %w", key, err)
	}
	q := url.Values{}
	for _, tag := range tags.TagSet {
		q.Set(aws.ToString(tag.Key), aws.ToString(tag.Value))
	}
	out, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"), Tagging: aws.String(q.Encode()),
		// As the generator writes: a reader that validates checksums
		// finds one.
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
	})
	if err != nil {
		return "", fmt.Errorf("backdate %s: %w", key, err)
	}
	return aws.ToString(out.VersionId), nil
}
