package s3contract

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func testBuckets(t *testing.T, target Target) {
	c, ctx := target.Client, t.Context()
	name := createBucket(t, c)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &name}); err != nil {
		t.Errorf("HeadBucket of a new bucket: %v", err)
	}
	listed, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if !slices.ContainsFunc(listed.Buckets, func(b types.Bucket) bool { return aws.ToString(b.Name) == name }) {
		t.Errorf("ListBuckets does not list the new bucket %s", name)
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name})
	wantError(t, "CreateBucket of an existing bucket", err, http.StatusConflict, "BucketAlreadyOwnedByYou")

	if got := versioningStatus(t, c, name); got != "" {
		t.Errorf("versioning of a new bucket = %q, want none", got)
	}
	for _, status := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended} {
		setVersioning(t, c, name, status)
		if got := versioningStatus(t, c, name); got != status {
			t.Errorf("versioning after setting %s = %q", status, got)
		}
	}

	missing := "contract-missing-" + strings.ToLower(rand.Text())
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &missing})
	wantError(t, "HeadBucket of a missing bucket", err, http.StatusNotFound, "")
	_, err = put(ctx, c, missing, "k", "{}")
	wantError(t, "PutObject to a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
}

func versioningStatus(t *testing.T, c *s3.Client, bucket string) types.BucketVersioningStatus {
	t.Helper()
	out, err := c.GetBucketVersioning(t.Context(), &s3.GetBucketVersioningInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("GetBucketVersioning: %v", err)
	}
	return out.Status
}
