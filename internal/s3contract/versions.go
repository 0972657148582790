package s3contract

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// testVersions: every PUT to a versioned bucket is a new version and old
// versions stay readable by id, which is what makes overwrite=true safe.
func testVersions(t *testing.T, target Target) {
	c := target.Client
	bucket, key := newBucket(t, c), "passwords/versions.json"
	v1 := aws.ToString(mustPut(t, c, bucket, key, `{"v":1}`).VersionId)
	v2 := aws.ToString(mustPut(t, c, bucket, key, `{"v":22}`).VersionId)
	if v1 == "" || v2 == "" || v1 == v2 {
		t.Fatalf("version ids %q and %q, want two different ones", v1, v2)
	}
	if body, out := mustGet(t, c, bucket, key, ""); body != `{"v":22}` || aws.ToString(out.VersionId) != v2 {
		t.Errorf("latest reads %q version %q, want the second write", body, aws.ToString(out.VersionId))
	}
	for id, want := range map[string]string{v1: `{"v":1}`, v2: `{"v":22}`} {
		if body, out := mustGet(t, c, bucket, key, id); body != want || aws.ToString(out.VersionId) != id {
			t.Errorf("version %s reads %q (version %q), want %q", id, body, aws.ToString(out.VersionId), want)
		}
		head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key, VersionId: &id})
		if err != nil {
			t.Fatalf("HeadObject version %s: %v", id, err)
		}
		if aws.ToInt64(head.ContentLength) != int64(len(want)) || aws.ToString(head.VersionId) != id {
			t.Errorf("HeadObject version %s: length %d version %q", id, aws.ToInt64(head.ContentLength), aws.ToString(head.VersionId))
		}
	}
}

// testDeleteMarker: DELETE without a version id hides the object behind a
// delete marker; the data stays readable by version id until that version
// itself is deleted.
func testDeleteMarker(t *testing.T, target Target) {
	c, ctx := target.Client, t.Context()
	bucket, key := newBucket(t, c), "passwords/deleted.json"
	v1 := aws.ToString(mustPut(t, c, bucket, key, `{"v":1}`).VersionId)
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || marker == "" || marker == v1 {
		t.Fatalf("DeleteObject: delete marker %v version %q, want a new delete marker", aws.ToBool(del.DeleteMarker), marker)
	}

	_, _, err = get(t, c, bucket, key, "")
	wantError(t, "GetObject of a deleted key", err, http.StatusNotFound, "NoSuchKey")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	wantError(t, "HeadObject of a deleted key", err, http.StatusNotFound, "")
	_, _, err = get(t, c, bucket, key, marker)
	wantError(t, "GetObject of a delete marker's version", err, http.StatusMethodNotAllowed, "MethodNotAllowed")
	if body, _ := mustGet(t, c, bucket, key, v1); body != `{"v":1}` {
		t.Errorf("the deleted object's version reads %q", body)
	}

	versions := versionsOf(t, c, bucket, key)
	if len(versions.Versions) != 1 || aws.ToString(versions.Versions[0].VersionId) != v1 || aws.ToBool(versions.Versions[0].IsLatest) {
		t.Errorf("versions after delete = %+v, want only %s, not latest", versions.Versions, v1)
	}
	if len(versions.DeleteMarkers) != 1 || aws.ToString(versions.DeleteMarkers[0].VersionId) != marker || !aws.ToBool(versions.DeleteMarkers[0].IsLatest) {
		t.Errorf("delete markers = %+v, want %s as latest", versions.DeleteMarkers, marker)
	}
	listed, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	if len(listed.Contents) != 0 {
		t.Errorf("ListObjectsV2 lists a deleted key: %+v", listed.Contents)
	}

	// A delete marker is not a current version: a create-only PUT succeeds.
	mustPut(t, c, bucket, key, `{"v":3}`, createOnly)

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &v1}); err != nil {
		t.Fatalf("DeleteObject version %s: %v", v1, err)
	}
	_, _, err = get(t, c, bucket, key, v1)
	wantError(t, "GetObject of a permanently deleted version", err, http.StatusNotFound, "NoSuchVersion")
}
