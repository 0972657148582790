package s3contract

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// testListObjectsV2: prefixes, delimiters and continuation tokens behave as
// on S3, so `aws s3 ls` shows the stored passwords as folders and files.
func testListObjectsV2(t *testing.T, target Target) {
	c := target.Client
	bucket := newBucket(t, c)
	keys := []string{"a/1", "a/2", "b/1", "c", "d", "e f+g ü.json"}
	for _, k := range keys {
		mustPut(t, c, bucket, k, "{}")
	}
	tests := []struct {
		name, prefix, delimiter string
		pageSize                int32
		want                    []string // keys, and common prefixes marked with a trailing "/"
	}{
		{"whole bucket", "", "", 1000, keys},
		{"folders", "", "/", 1000, []string{"a/", "b/", "c", "d", "e f+g ü.json"}},
		{"one folder", "a/", "/", 1000, []string{"a/1", "a/2"}},
		{"paged", "", "", 2, keys},
		{"paged folders", "", "/", 2, []string{"a/", "b/", "c", "d", "e f+g ü.json"}},
		{"no match", "z", "/", 1000, nil},
	}
	for _, tt := range tests {
		var got []string
		in := &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &tt.prefix, MaxKeys: &tt.pageSize}
		if tt.delimiter != "" {
			in.Delimiter = &tt.delimiter
		}
		for pages := 0; ; pages++ {
			if pages > len(keys) {
				t.Fatalf("%s: pagination does not end", tt.name)
			}
			out, err := c.ListObjectsV2(t.Context(), in)
			if err != nil {
				t.Fatalf("%s: ListObjectsV2: %v", tt.name, err)
			}
			page := len(out.Contents) + len(out.CommonPrefixes)
			if page > int(tt.pageSize) || int(aws.ToInt32(out.KeyCount)) != page {
				t.Errorf("%s: page of %d entries with KeyCount %d, max %d", tt.name, page, aws.ToInt32(out.KeyCount), tt.pageSize)
			}
			for _, p := range out.CommonPrefixes {
				got = append(got, aws.ToString(p.Prefix))
			}
			for _, o := range out.Contents {
				got = append(got, aws.ToString(o.Key))
				if aws.ToInt64(o.Size) != 2 || aws.ToString(o.ETag) == "" || o.LastModified == nil {
					t.Errorf("%s: entry %+v lacks size, ETag or date", tt.name, o)
				}
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.ContinuationToken = out.NextContinuationToken
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: listed %q, want %q", tt.name, got, tt.want)
		}
	}
}

// testListObjectVersions: versions and delete markers come back per key,
// newest first, with exactly one latest entry per key.
func testListObjectVersions(t *testing.T, target Target) {
	c, ctx := target.Client, t.Context()
	bucket := newBucket(t, c)
	k1 := aws.ToString(mustPut(t, c, bucket, "x/k", "1").VersionId)
	k2 := aws.ToString(mustPut(t, c, bucket, "x/k", "22").VersionId)
	l1 := aws.ToString(mustPut(t, c, bucket, "x/l", "333").VersionId)
	mustPut(t, c, bucket, "y", "4444")
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("x/l")})
	if err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}

	out := versionsOf(t, c, bucket, "x/")
	type entry struct {
		key, id string
		latest  bool
		size    int64
	}
	var got []entry
	for _, v := range out.Versions {
		got = append(got, entry{aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), aws.ToInt64(v.Size)})
	}
	want := []entry{{"x/k", k2, true, 2}, {"x/k", k1, false, 1}, {"x/l", l1, false, 3}}
	if !slices.Equal(got, want) {
		t.Errorf("versions under x/ = %+v, want %+v", got, want)
	}
	if len(out.DeleteMarkers) != 1 || aws.ToString(out.DeleteMarkers[0].Key) != "x/l" ||
		aws.ToString(out.DeleteMarkers[0].VersionId) != aws.ToString(del.VersionId) || !aws.ToBool(out.DeleteMarkers[0].IsLatest) {
		t.Errorf("delete markers under x/ = %+v, want x/l's as latest", out.DeleteMarkers)
	}
}
