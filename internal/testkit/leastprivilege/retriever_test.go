package leastprivilege

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/apitest"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// TestRetrieverPolicy runs the deployed bootstrap as the retrieval
// function with keys that hold only the S3 statements of its role policy:
// it reads the current and an older version, lists the prefix's names and
// a name's versions. With the same keys every write, delete, read or
// listing outside the prefix and change to the bucket is refused and
// changes nothing: the retriever can never write or delete a password.
//
// As for readers, kms:Decrypt is checked by shape: MinIO checks no KMS
// permission when it decrypts for a user.
func TestRetrieverPolicy(t *testing.T) {
	srv := miniotest.Start(t)
	root := srv.Client(t)
	logs := iampolicy.Statement{Sid: "WriteLogEvents", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupARN + ":*"}}
	for _, tt := range encryptions(srv) {
		t.Run(tt.name, func(t *testing.T) {
			bucket := srv.NewBucket(t)
			doc, err := iampolicy.Retriever(iampolicy.RetrieverArgs{
				ReaderArgs:  iampolicy.ReaderArgs{BucketARN: bucketARN(bucket), KeyPrefix: prefix, KMSKeyARN: tt.kmsKeyARN, Through: viaS3},
				LogGroupARN: logGroupARN,
			})
			if err != nil {
				t.Fatal(err)
			}
			s3Only, others := splitS3(t, doc)
			assertShape(t, others, forBucket(append(tt.others, logs), bucketARN(bucket)))
			user := asUser(t, srv, s3Only)

			put := func(key, body string) string {
				in := tt.put
				in.Bucket, in.Key = &bucket, &key
				return putAsRoot(t, root, &in, []byte(body))
			}
			key := prefix + "team-a/db.json"
			older := put(key, `{"password":"older-secret"}`)
			latest := put(key, `{"password":"latest-secret"}`)
			put(prefix+"team-a/cache.json", `{"password":"cache-secret"}`)
			outside := put("other/secret.json", `{"password":"outside-secret"}`)

			fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
				Binary:       handlerbuild.Binary(t),
				Handler:      apispec.Retriever.Handler(),
				Env:          append(user.Env(), "BUCKET_NAME="+bucket, "KEY_PREFIX="+prefix),
				FunctionName: "password-retriever",
			})
			if err != nil {
				t.Fatalf("start the retriever: %v", err)
			}
			t.Cleanup(func() { fn.Close() })
			read := func(req apitest.Request) map[string]any {
				t.Helper()
				r := invoke(t, fn, string(req.Event()), 200)
				var body map[string]any
				if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
					t.Fatal(err)
				}
				return body
			}
			get := apitest.Request{Route: apispec.RouteGet, Name: "team-a/db", Client: "reader"}
			if body := read(get); body["password"] != "latest-secret" {
				t.Errorf("current version: %v", body["version_id"])
			}
			get.Query = map[string]string{"version_id": older}
			if body := read(get); body["password"] != "older-secret" {
				t.Errorf("older version: %v", body["version_id"])
			}
			get.Query = map[string]string{"versions": "true"}
			var versions []string
			for _, v := range read(get)["versions"].([]any) {
				versions = append(versions, v.(map[string]any)["version_id"].(string))
			}
			if !slices.Equal(versions, []string{latest, older}) {
				t.Errorf("versions %q, want %q", versions, []string{latest, older})
			}
			var names []string
			for _, n := range read(apitest.Request{Route: apispec.RouteList, Query: map[string]string{"prefix": "team-a/"}, Client: "reader"})["names"].([]any) {
				names = append(names, n.(map[string]any)["name"].(string))
			}
			if !slices.Equal(names, []string{"team-a/cache", "team-a/db"}) {
				t.Errorf("names %q", names)
			}
			// Listing every name sends the bare prefix, which the grant's
			// condition covers.
			if n := len(read(apitest.Request{Route: apispec.RouteList, Client: "reader"})["names"].([]any)); n != 2 {
				t.Errorf("listing everything found %d names, want 2", n)
			}

			sibling := strings.TrimSuffix(prefix, "/") + "-other/secret.json"
			assertDenied(t, root, user.Client(t), bucket, []request{
				{"PutObject of a new key", putObject(bucket, prefix+"new.json")},
				{"PutObject over a stored key", putObject(bucket, key)},
				{"DeleteObject", deleteObject(bucket, key, "")},
				{"DeleteObject of a version", deleteObject(bucket, key, older)},
				{"GetObject outside the prefix", getObject(bucket, "other/secret.json", "")},
				{"GetObject of a version outside the prefix", getObject(bucket, "other/secret.json", outside)},
				{"GetObject in a sibling of the prefix", getObject(bucket, sibling, "")},
				{"ListObjectsV2 of the bucket", listObjects(bucket, "")},
				{"ListObjectsV2 of another prefix", listObjects(bucket, "other/")},
				{"ListObjectVersions of the bucket", listVersions(bucket, "")},
			})
		})
	}
}
