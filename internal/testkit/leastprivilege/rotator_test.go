package leastprivilege

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/objecttags"
	pwrequest "github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/rotation"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

const failureQueueARN = "arn:aws:sqs:us-east-1:123456789012:passwordgen-rotation-failures"

// TestRotatorPolicy runs the deployed bootstrap as the rotator with keys
// that hold only the S3 statements of its role policy: as of two days
// ahead, it lists the prefix, reads the tags of each password and writes a
// new version, with its tags, of the one whose day has come, in either
// encryption. With the same keys, reading any password (current or older
// version) is AccessDenied, as are deletes, and tag reads, writes and
// listings outside the prefix; none changes anything.
//
// As for the generator, kms:GenerateDataKey is checked by shape: MinIO
// checks no KMS permission when it encrypts for a user.
func TestRotatorPolicy(t *testing.T) {
	srv := miniotest.Start(t)
	root := srv.Client(t)
	params, err := pwrequest.Parse([]byte(`{"length": 24, "min_symbols": 2}`), pwrequest.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	rotating, err := objecttags.EncodeParams(params.GenerationJSON())
	if err != nil {
		t.Fatal(err)
	}
	rotating[objecttags.KeyRotateEveryDays] = "1"
	tagging, err := objecttags.Header(rotating)
	if err != nil {
		t.Fatal(err)
	}
	others := []iampolicy.Statement{
		{Sid: "WriteLogEvents", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupARN + ":*"}},
		{Sid: "ReportFailedRuns", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{failureQueueARN}},
	}
	encrypt := iampolicy.Statement{Sid: "EncryptWithKey", Effect: "Allow", Action: []string{"kms:GenerateDataKey"}, Resource: []string{kmsKeyARN}}
	for _, tt := range encryptions(srv) {
		t.Run(tt.name, func(t *testing.T) {
			bucket := srv.NewBucket(t)
			doc, err := iampolicy.Rotator(iampolicy.RotatorArgs{
				FunctionArgs:    iampolicy.FunctionArgs{BucketARN: bucketARN(bucket), KeyPrefix: prefix, LogGroupARN: logGroupARN, KMSKeyARN: tt.kmsKeyARN, Through: viaS3},
				FailureQueueARN: failureQueueARN,
			})
			if err != nil {
				t.Fatal(err)
			}
			s3Only, got := splitS3(t, doc)
			want := others
			if tt.kmsKeyARN != "" {
				want = append(want, encrypt)
			}
			assertShape(t, got, forBucket(want, bucketARN(bucket)))
			user := asUser(t, srv, s3Only)

			put := func(key, body, tags string) string {
				in := tt.put
				in.Bucket, in.Key = &bucket, &key
				if tags != "" {
					in.Tagging = aws.String(tags)
				}
				return putAsRoot(t, root, &in, []byte(body))
			}
			key := prefix + "team-a/db.json"
			older := put(key, `{"password":"older-secret"}`, tagging)
			put(prefix+"team-a/plain.json", `{"password":"plain-secret"}`, "")
			put("other/outside.json", `{"password":"outside-secret"}`, tagging)

			env := append(user.Env(), "BUCKET_NAME="+bucket, "KEY_PREFIX="+prefix, fnconfig.EnvTrustScheduledTime+"=true")
			if tt.kmsKeyARN != "" {
				env = append(env, "KMS_KEY_ID="+srv.KMSKeyName)
			}
			var logs bytes.Buffer
			fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
				Binary:       handlerbuild.Binary(t),
				Handler:      apispec.Rotator.Handler(),
				Env:          env,
				Timeout:      time.Minute,
				FunctionName: "password-rotator",
				Logs:         &logs,
			})
			if err != nil {
				t.Fatalf("start the rotator: %v", err)
			}
			t.Cleanup(func() { fn.Close() })
			at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			res, err := fn.Invoke(ctx, []byte(`{"scheduled_time":"`+at+`"}`))
			if err != nil || res.FunctionError != "" {
				t.Fatalf("rotate: %v %s %s", err, res.FunctionError, res.Payload)
			}
			var report rotation.Report
			if err := json.Unmarshal(res.Payload, &report); err != nil {
				t.Fatal(err)
			}
			if want := (rotation.Report{ScheduledTime: at, Checked: 2, Due: 1, Rotated: 1, Complete: true}); report != want {
				t.Errorf("report %+v, want %+v", report, want)
			}
			fn.Close() // the log is complete once the processes have ended

			versions := stateOf(t, root, bucket).Versions
			if len(versions) != 4 {
				t.Fatalf("bucket holds %q, want one new version of %s", versions, key)
			}
			current := storedRecord(t, root, bucket, key, "")
			if current.sse != tt.put.ServerSideEncryption || current.password == "older-secret" {
				t.Errorf("the new version: SSE %q, a new password %v", current.sse, current.password != "older-secret")
			}
			tags, err := root.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(tags.TagSet); got != len(rotating)+1 {
				t.Errorf("the new version has %d tags, want the %d it replaced and rotated_at", got, len(rotating))
			}
			if strings.Contains(logs.String(), current.password) || strings.Contains(string(res.Payload), current.password) {
				t.Error("the rotator's log or answer holds the new password")
			}

			// MinIO lets s3:ListBucket list versions too (its fallback for
			// s3:ListBucketVersions), where S3 wants s3:ListBucketVersions,
			// so the engine cannot refuse the listing: the S3 actions the
			// policy grants are checked instead, and versions listing is
			// not one.
			var actions []string
			for _, st := range s3Only.Statement {
				actions = append(actions, st.Action...)
			}
			if want := []string{"s3:ListBucket", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging"}; !slices.Equal(actions, want) {
				t.Errorf("S3 actions %q, want exactly %q", actions, want)
			}
			if err := listVersions(bucket, prefix)(ctx, user.Client(t)); err != nil {
				t.Errorf("MinIO no longer lists versions for s3:ListBucket (%v): assert the listing denied", err)
			}

			sibling := strings.TrimSuffix(prefix, "/") + "-other/x.json"
			assertDenied(t, root, user.Client(t), bucket, []request{
				{"GetObject", getObject(bucket, key, "")},
				{"GetObject of a version", getObject(bucket, key, older)},
				{"GetObject outside the prefix", getObject(bucket, "other/outside.json", "")},
				{"DeleteObject", deleteObject(bucket, key, "")},
				{"DeleteObject of a version", deleteObject(bucket, key, older)},
				{"ListObjectsV2 of the bucket", listObjects(bucket, "")},
				{"ListObjectsV2 of another prefix", listObjects(bucket, "other/")},
				{"GetObjectTagging outside the prefix", getTags(bucket, "other/outside.json")},
				{"PutObject outside the prefix", putObject(bucket, "other/x.json")},
				{"PutObject in a sibling of the prefix", putObject(bucket, sibling)},
			})
		})
	}
}

func getTags(bucket, key string) func(context.Context, *s3.Client) error {
	return func(ctx context.Context, c *s3.Client) error {
		_, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &bucket, Key: &key})
		return err
	}
}
