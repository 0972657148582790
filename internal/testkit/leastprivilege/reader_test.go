package leastprivilege

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// TestReaderPolicy gives a user the S3 statements of the reader policy: it
// reads every version below the prefix and lists that prefix, and is refused
// any write, delete, read or listing outside the prefix (including a sibling
// that shares the prefix's characters) and any change to the bucket.
//
// SSE-KMS objects are readable without kms:Decrypt because MinIO checks no
// KMS permission when it decrypts for a user; on AWS the DecryptWithKey
// statement is needed, so it is checked by shape.
func TestReaderPolicy(t *testing.T) {
	srv := miniotest.Start(t)
	root := srv.Client(t)
	for _, tt := range encryptions(srv) {
		t.Run(tt.name, func(t *testing.T) {
			bucket := srv.NewBucket(t)
			doc, err := iampolicy.Reader(iampolicy.ReaderArgs{BucketARN: bucketARN(bucket), KeyPrefix: prefix, KMSKeyARN: tt.kmsKeyARN, Through: viaS3})
			if err != nil {
				t.Fatal(err)
			}
			s3Only, others := splitS3(t, doc)
			assertShape(t, others, forBucket(tt.others, bucketARN(bucket)))
			reader := asUser(t, srv, s3Only).Client(t)

			const (
				outside = "other/secret.json"
				atRoot  = "secret.json"
			)
			key := prefix + "a.json"
			sibling := strings.TrimSuffix(prefix, "/") + "-other/secret.json"
			put := func(key string, body []byte) string {
				in := tt.put
				in.Bucket, in.Key = &bucket, &key
				return putAsRoot(t, root, &in, body)
			}
			first, latest := []byte(`{"n":1}`), []byte(`{"n":2}`)
			firstVersion := put(key, first)
			latestVersion := put(key, latest)
			outsideVersion := put(outside, []byte(`{}`))
			put(sibling, []byte(`{}`))
			put(atRoot, []byte(`{}`))

			t.Run("reads and lists the prefix", func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				for version, want := range map[string][]byte{"": latest, firstVersion: first, latestVersion: latest} {
					got, err := readObject(ctx, reader, bucket, key, version)
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("get %s version %q: %q, %v; want %q", key, version, got, err, want)
					}
				}
				list, err := reader.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String(prefix)})
				if err != nil {
					t.Fatalf("list %s: %v", prefix, err)
				}
				var keys []string
				for _, o := range list.Contents {
					keys = append(keys, aws.ToString(o.Key))
				}
				if !slices.Equal(keys, []string{key}) {
					t.Errorf("list %s = %q, want only %s", prefix, keys, key)
				}
				versions, err := reader.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: aws.String(prefix)})
				if err != nil {
					t.Fatalf("list versions %s: %v", prefix, err)
				}
				var ids []string
				for _, v := range versions.Versions {
					ids = append(ids, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
				}
				slices.Sort(ids)
				want := []string{key + "@" + firstVersion, key + "@" + latestVersion}
				slices.Sort(want)
				if !slices.Equal(ids, want) {
					t.Errorf("versions of %s = %q, want %q", prefix, ids, want)
				}
			})

			assertDenied(t, root, reader, bucket, []request{
				{"PutObject of a new key", putObject(bucket, prefix+"new.json")},
				{"PutObject over a stored key", putObject(bucket, key)},
				{"DeleteObject", deleteObject(bucket, key, "")},
				{"DeleteObject of a version", deleteObject(bucket, key, firstVersion)},
				{"GetObject outside the prefix", getObject(bucket, outside, "")},
				{"GetObject of a version outside the prefix", getObject(bucket, outside, outsideVersion)},
				{"GetObject at the bucket root", getObject(bucket, atRoot, "")},
				{"GetObject in a sibling of the prefix", getObject(bucket, sibling, "")},
				{"ListObjectsV2 of the bucket", listObjects(bucket, "")},
				{"ListObjectsV2 of another prefix", listObjects(bucket, "other/")},
				// Without its '/' the prefix would also list the sibling.
				{fmt.Sprintf("ListObjectsV2 of %q", strings.TrimSuffix(prefix, "/")), listObjects(bucket, strings.TrimSuffix(prefix, "/"))},
				{"ListObjectVersions of the bucket", listVersions(bucket, "")},
				{"ListObjectVersions of another prefix", listVersions(bucket, "other/")},
			})
		})
	}
}
