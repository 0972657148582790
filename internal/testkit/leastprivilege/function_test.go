package leastprivilege

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// TestFunctionPolicy runs the deployed bootstrap with keys that hold only
// the S3 statements of the function's role policy: it must create, refuse to
// replace and, when asked, overwrite a password, with the bucket's
// encryption. With the same keys every read, list, delete, write outside the
// prefix and change to the bucket is refused and changes nothing.
//
// SSE-KMS works under a policy without kms:GenerateDataKey because MinIO
// checks no KMS permission for the encryption it does on a user's behalf;
// on AWS the EncryptWithKey statement is what lets it happen, so that
// statement is checked by shape.
func TestFunctionPolicy(t *testing.T) {
	srv := miniotest.Start(t)
	root := srv.Client(t)
	bootstrap := handlerbuild.Binary(t)

	logs := iampolicy.Statement{Sid: "WriteLogEvents", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupARN + ":*"}}
	encrypt := iampolicy.Statement{Sid: "EncryptWithKey", Effect: "Allow", Action: []string{"kms:GenerateDataKey"}, Resource: []string{kmsKeyARN}}
	tests := []struct {
		name      string
		prefix    string
		kmsKeyARN string // the key the policy names; "" for SSE-S3
		env       []string
		sse       types.ServerSideEncryption
		others    []iampolicy.Statement
	}{
		{"sse-s3", prefix, "", nil, types.ServerSideEncryptionAes256, []iampolicy.Statement{logs}},
		{"sse-kms", prefix, kmsKeyARN, []string{"KMS_KEY_ID=" + srv.KMSKeyName}, types.ServerSideEncryptionAwsKms, []iampolicy.Statement{logs, encrypt}},
		{"custom prefix", "team-a/secrets/", "", nil, types.ServerSideEncryptionAes256, []iampolicy.Statement{logs}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bucket := srv.NewBucket(t)
			doc, err := iampolicy.Function(iampolicy.FunctionArgs{
				BucketARN: bucketARN(bucket), KeyPrefix: tt.prefix, LogGroupARN: logGroupARN, KMSKeyARN: tt.kmsKeyARN, Through: viaS3,
			})
			if err != nil {
				t.Fatal(err)
			}
			s3Only, others := splitS3(t, doc)
			assertShape(t, others, forBucket(tt.others, bucketARN(bucket)))
			user := asUser(t, srv, s3Only)

			var logs bytes.Buffer
			env := append(user.Env(), "BUCKET_NAME="+bucket, "KEY_PREFIX="+tt.prefix)
			fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
				Binary:       bootstrap,
				Env:          append(env, tt.env...),
				FunctionName: "password-generator",
				Logs:         &logs,
			})
			if err != nil {
				t.Fatalf("start function: %v", err)
			}
			t.Cleanup(func() { fn.Close() })
			replies := []reply{
				invoke(t, fn, `{"name": "least-privilege"}`, 200),
				// Create-only is a conditional write: S3 refuses it with no
				// read permission needed, and the function answers 409.
				invoke(t, fn, `{"name": "least-privilege"}`, 409),
				invoke(t, fn, `{"name": "least-privilege", "overwrite": true}`, 200),
			}
			// Close first: the log buffer is written until the processes end.
			fn.Close()

			key := tt.prefix + "least-privilege.json"
			for _, r := range []reply{replies[0], replies[2]} {
				if r.body.Key != key {
					t.Fatalf("stored under %q, want %q", r.body.Key, key)
				}
				obj := storedRecord(t, root, bucket, key, r.body.VersionID)
				if obj.sse != tt.sse || tt.sse == types.ServerSideEncryptionAwsKms && !strings.HasSuffix(obj.kmsKeyID, srv.KMSKeyName) {
					t.Errorf("version %s stored with SSE %q key %q, want %q", r.body.VersionID, obj.sse, obj.kmsKeyID, tt.sse)
				}
				if strings.Contains(logs.String(), obj.password) {
					t.Error("the function's log contains a stored password")
				}
				for _, resp := range replies {
					if strings.Contains(resp.raw, obj.password) {
						t.Error("a response contains a stored password")
					}
				}
			}

			if st := stateOf(t, root, bucket); len(st.Versions) != 2 {
				t.Fatalf("bucket holds %q, want the two versions of %s", st.Versions, key)
			}
			sibling := strings.TrimSuffix(tt.prefix, "/") + "-other/x.json"
			assertDenied(t, root, user.Client(t), bucket, []request{
				{"GetObject", getObject(bucket, key, "")},
				{"GetObject of a version", getObject(bucket, key, replies[0].body.VersionID)},
				{"DeleteObject", deleteObject(bucket, key, "")},
				{"DeleteObject of a version", deleteObject(bucket, key, replies[0].body.VersionID)},
				{"ListObjectsV2 in the prefix", listObjects(bucket, tt.prefix)},
				{"ListObjectsV2 of the bucket", listObjects(bucket, "")},
				{"ListObjectVersions in the prefix", listVersions(bucket, tt.prefix)},
				{"PutObject outside the prefix", putObject(bucket, "other/x.json")},
				{"PutObject at the bucket root", putObject(bucket, "x.json")},
				{"PutObject in a sibling of the prefix", putObject(bucket, sibling)},
			})
		})
	}
}

// reply is the function's API Gateway-shaped response.
type reply struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
	body       struct {
		Key       string `json:"s3_key"`
		VersionID string `json:"version_id"`
		Error     string `json:"error"`
		Message   string `json:"message"`
	}
	raw string
}

// invoke fails the test unless the function answers status. A failure
// shows only the error fields, which never carry a password.
func invoke(t *testing.T, fn *lambdaruntime.Function, payload string, status int) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := fn.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if res.FunctionError != "" {
		t.Fatalf("function error %s", res.FunctionError)
	}
	r := reply{raw: string(res.Payload)}
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("response is not the proxy shape: %v", err)
	}
	if err := json.Unmarshal([]byte(r.Body), &r.body); err != nil {
		t.Fatalf("response body is not JSON: %v", err)
	}
	if r.StatusCode != status {
		t.Fatalf("%s: status %d (%s: %s), want %d", payload, r.StatusCode, r.body.Error, r.body.Message, status)
	}
	return r
}

type stored struct {
	password string
	sse      types.ServerSideEncryption
	kmsKeyID string
}

// storedRecord reads one version of a stored record with the root keys.
func storedRecord(t *testing.T, root *s3.Client, bucket, key, version string) stored {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := root.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: optional(version)})
	if err != nil {
		t.Fatalf("get %s version %s: %v", key, version, err)
	}
	defer out.Body.Close()
	var rec struct {
		Password string `json:"password"`
	}
	if err := json.NewDecoder(out.Body).Decode(&rec); err != nil {
		t.Fatalf("stored %s is not a record: %v", key, err)
	}
	if rec.Password == "" {
		t.Fatalf("%s version %s holds no password", key, version)
	}
	return stored{password: rec.Password, sse: out.ServerSideEncryption, kmsKeyID: aws.ToString(out.SSEKMSKeyId)}
}

// TestFunctionOutsideItsGrantSaysAccessDenied: a deployment whose policy
// does not cover where the function writes (here, a KEY_PREFIX the policy
// was not built for) answers 502 saying access was denied, so the operator
// fixes the deployment instead of retrying, and nothing is stored.
func TestFunctionOutsideItsGrantSaysAccessDenied(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	doc, err := iampolicy.Function(iampolicy.FunctionArgs{
		BucketARN: bucketARN(bucket), KeyPrefix: prefix, LogGroupARN: logGroupARN,
	})
	if err != nil {
		t.Fatal(err)
	}
	s3Only, _ := splitS3(t, doc)
	user := asUser(t, srv, s3Only)
	fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
		Binary: handlerbuild.Binary(t),
		Env:    append(user.Env(), "BUCKET_NAME="+bucket, "KEY_PREFIX=elsewhere/"),
	})
	if err != nil {
		t.Fatalf("start function: %v", err)
	}
	t.Cleanup(func() { fn.Close() })

	r := invoke(t, fn, `{"name": "denied"}`, 502)
	if !strings.Contains(r.body.Message, "access denied") {
		t.Errorf("message %q does not say access was denied", r.body.Message)
	}
	if st := stateOf(t, srv.Client(t), bucket); len(st.Versions) != 0 {
		t.Errorf("bucket holds %q, want nothing", st.Versions)
	}
}
