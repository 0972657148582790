package main

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/deadend"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
	"github.com/passwordgen/passwordgen/internal/testkit/syncbuf"
)

// The tests in this file run the bootstrap binary that gets deployed, built
// with the deployment's flags, through the Lambda Runtime API against a real
// MinIO server: what they see is what a caller of the real function sees.

func TestMain(m *testing.M) {
	code := miniotest.Run(m)
	handlerbuild.Remove()
	os.Exit(code)
}

// lockedBuffer collects the function's log lines from concurrent processes.
type lockedBuffer = syncbuf.Buffer

type deployment struct {
	fn     *lambdaruntime.Function
	logs   *lockedBuffer
	s3     *s3.Client
	bucket string
	// env is the generator's environment, which the retriever shares.
	env []string
}

// deploy starts the function as the stack would configure it, with extra
// environment appended (later entries win).
func deploy(t *testing.T, concurrency int, timeout time.Duration, extraEnv ...string) *deployment {
	t.Helper()
	srv := miniotest.Start(t)
	d := &deployment{logs: &lockedBuffer{}, s3: srv.Client(t), bucket: srv.NewBucket(t)}
	d.env = append(append(srv.Env(), "BUCKET_NAME="+d.bucket, "AWS_LAMBDA_LOG_FORMAT=JSON"), extraEnv...)
	fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
		Binary:       handlerbuild.Binary(t),
		Env:          d.env,
		Concurrency:  concurrency,
		Timeout:      timeout,
		FunctionName: "password-generator",
		Logs:         d.logs,
	})
	if err != nil {
		t.Fatalf("start function: %v", err)
	}
	t.Cleanup(func() { fn.Close() })
	d.fn = fn
	return d
}

// reply is one answer of the function, from the real bootstrap or from
// function.Invoke in process. It spells out the proxy shape rather than
// decode into response, so that a changed field name fails the tests.
type reply struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	body       map[string]any
	raw        string
}

// shown is the body as a failure message may print it: a retrieval's
// password is blanked, so a test that fails on a 200 it did not expect
// never writes a password into the test output.
func (r reply) shown() map[string]any {
	out := maps.Clone(r.body)
	if _, ok := out["password"]; ok {
		out["password"] = "[redacted]"
	}
	return out
}

// decodeReply fails the test unless payload is the proxy shape with a JSON
// object for a body.
func decodeReply(t *testing.T, payload []byte) reply {
	t.Helper()
	var r reply
	if err := json.Unmarshal(payload, &r); err != nil {
		t.Fatalf("response is not the proxy shape: %v", err)
	}
	if err := json.Unmarshal([]byte(r.Body), &r.body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	r.raw = string(payload)
	return r
}

func (d *deployment) invoke(t *testing.T, payload string) reply {
	t.Helper()
	res, err := d.fn.Invoke(context.Background(), []byte(payload))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if res.FunctionError != "" {
		t.Fatalf("function error %s: %s", res.FunctionError, res.Payload)
	}
	return decodeReply(t, res.Payload)
}

func (d *deployment) get(t *testing.T, key, versionID string) (record, *s3.GetObjectOutput) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &d.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := d.s3.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	var rec record
	if err := json.NewDecoder(out.Body).Decode(&rec); err != nil {
		t.Fatalf("stored %s is not a record: %v", key, err)
	}
	return rec, out
}

func (d *deployment) versions(t *testing.T, key string) []types.ObjectVersion {
	t.Helper()
	out, err := d.s3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &d.bucket, Prefix: &key})
	if err != nil {
		t.Fatalf("list versions: %v", err)
	}
	return out.Versions
}

// assertSecret fails if the password shows up anywhere but S3.
func (d *deployment) assertSecret(t *testing.T, pw string, replies ...reply) {
	t.Helper()
	if pw == "" {
		t.Fatal("empty password stored")
	}
	if strings.Contains(d.logs.String(), pw) {
		t.Error("the function's log contains a stored password")
	}
	for _, r := range replies {
		if strings.Contains(r.raw, pw) {
			t.Error("a response contains a stored password")
		}
	}
}

func TestBootstrapStoresRecipePayloadsEncrypted(t *testing.T) {
	d := deploy(t, 1, 10*time.Second)
	httpAPIEvent := `{"version":"2.0","routeKey":"POST /passwords","rawPath":"/passwords",` +
		`"headers":{"content-type":"application/json"},"requestContext":{"http":{"method":"POST","path":"/passwords"},"requestId":"abc"},` +
		`"body":"{\"length\": 24, \"name\": \"team-a/db-admin\", \"min_numbers\": 3}","isBase64Encoded":false}`
	tests := []struct {
		payload, name string
		length        int
		symbols       bool
		status        int
	}{
		{`{"length": 20, "name": "test-password-1"}`, "test-password-1", 20, true, 200},
		{`{"length": 12, "include_symbols": false, "name": "simple-password"}`, "simple-password", 12, false, 200},
		{httpAPIEvent, "team-a/db-admin", 24, true, 201},
	}
	for _, tt := range tests {
		r := d.invoke(t, tt.payload)
		key := "passwords/" + tt.name + ".json"
		if r.StatusCode != tt.status || r.body["s3_key"] != key || r.body["password_name"] != tt.name || r.Headers["Content-Type"] != "application/json" {
			t.Fatalf("%s: status %d, headers %v, body %v", tt.name, r.StatusCode, r.Headers, r.body)
		}
		rec, obj := d.get(t, key, "")
		if obj.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("%s stored with SSE %q, want AES256", key, obj.ServerSideEncryption)
		}
		if aws.ToString(obj.ContentType) != "application/json" {
			t.Errorf("%s has Content-Type %q", key, aws.ToString(obj.ContentType))
		}
		if r.body["version_id"] != aws.ToString(obj.VersionId) || aws.ToString(obj.VersionId) == "" {
			t.Errorf("response version_id %v, stored version %q", r.body["version_id"], aws.ToString(obj.VersionId))
		}
		if len(rec.Password) != tt.length || rec.Parameters.IncludeSymbols != tt.symbols {
			t.Errorf("%s: stored %d characters with include_symbols=%v, want %d and %v",
				key, len(rec.Password), rec.Parameters.IncludeSymbols, tt.length, tt.symbols)
		}
		if _, err := time.Parse(time.RFC3339, rec.CreatedAt); err != nil || rec.CreatedAt != r.body["created_at"] {
			t.Errorf("created_at stored %q, answered %v", rec.CreatedAt, r.body["created_at"])
		}
		// The log line can trail the answer: wait for it, so that the leak
		// check and the count below see it.
		id, _ := r.body["request_id"].(string)
		d.logLine(t, id)
		d.assertSecret(t, rec.Password, r)
	}
	var lines int
	for _, line := range strings.Split(strings.TrimSpace(d.logs.String()), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil || entry["message"] != "password stored" {
			continue
		}
		lines++
		if entry["requestId"] == "" || entry["key"] == "" || entry["version_id"] == "" || (entry["status"] != float64(200) && entry["status"] != float64(201)) {
			t.Errorf("log line lacks request id, key, version or status: %s", line)
		}
	}
	if lines != len(tests) {
		t.Errorf("%d 'password stored' log lines for %d invocations:\n%s", lines, len(tests), d.logs)
	}
}

func TestBootstrapUsesTheKMSKeyWhenConfigured(t *testing.T) {
	srv := miniotest.Start(t)
	d := deploy(t, 1, 10*time.Second, "KMS_KEY_ID="+srv.KMSKeyName)
	r := d.invoke(t, `{"name": "kms-protected"}`)
	if r.StatusCode != 200 {
		t.Fatalf("status %d body %v", r.StatusCode, r.body)
	}
	_, obj := d.get(t, "passwords/kms-protected.json", "")
	if obj.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(obj.SSEKMSKeyId), srv.KMSKeyName) {
		t.Errorf("stored with SSE %q key %q, want aws:kms with %s", obj.ServerSideEncryption, aws.ToString(obj.SSEKMSKeyId), srv.KMSKeyName)
	}
}

func TestBootstrapNeverOverwritesUnlessAsked(t *testing.T) {
	d := deploy(t, 1, 10*time.Second)
	const key = "passwords/db-admin.json"
	first := d.invoke(t, `{"name": "db-admin"}`)
	original, _ := d.get(t, key, "")

	again := d.invoke(t, `{"name": "db-admin"}`)
	if again.StatusCode != 409 || again.body["error"] != "Password already exists" {
		t.Fatalf("second create: status %d body %v, want 409", again.StatusCode, again.body)
	}
	if v := d.versions(t, key); len(v) != 1 {
		t.Fatalf("%d versions after a refused create, want 1", len(v))
	}
	if still, _ := d.get(t, key, ""); still.Password != original.Password {
		t.Fatal("a refused create changed the stored password")
	}

	replaced := d.invoke(t, `{"name": "db-admin", "overwrite": true}`)
	if replaced.StatusCode != 200 {
		t.Fatalf("overwrite: status %d body %v", replaced.StatusCode, replaced.body)
	}
	if v := d.versions(t, key); len(v) != 2 {
		t.Fatalf("%d versions after overwrite, want 2", len(v))
	}
	old, _ := d.get(t, key, first.body["version_id"].(string))
	current, _ := d.get(t, key, replaced.body["version_id"].(string))
	if old.Password != original.Password || current.Password == original.Password {
		t.Error("versions do not hold the original and the new password")
	}
	d.assertSecret(t, old.Password, first, again, replaced)
	d.assertSecret(t, current.Password, first, again, replaced)
}

func TestBootstrapConcurrentCreatesOfOneNameStoreExactlyOne(t *testing.T) {
	d := deploy(t, 4, 10*time.Second)
	const n = 20
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { statuses <- d.invoke(t, `{"name": "race"}`).StatusCode })
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[409] != n-1 {
		t.Fatalf("statuses %v, want one 200 and %d 409", count, n-1)
	}
	if v := d.versions(t, "passwords/race.json"); len(v) != 1 {
		t.Fatalf("%d versions stored, want 1", len(v))
	}
}

func TestBootstrapAnswers5xxBeforeItsDeadlineWhenS3Fails(t *testing.T) {
	const timeout = 3 * time.Second
	tests := []struct {
		name     string
		endpoint func(testing.TB) string
		status   int
	}{
		{"stalled", deadend.Stalled, 504},
		{"refused", deadend.Refused, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deploy(t, 1, timeout, "AWS_ENDPOINT_URL_S3="+tt.endpoint(t))
			start := time.Now()
			r := d.invoke(t, `{"name": "unreachable"}`)
			if took := time.Since(start); took >= timeout {
				t.Fatalf("answered after %v, past the %v deadline", took, timeout)
			}
			if r.StatusCode != tt.status || r.body["error"] != "Failed to store password" {
				t.Fatalf("status %d body %v, want %d", r.StatusCode, r.body, tt.status)
			}
			msg, _ := r.body["message"].(string)
			if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "dial") {
				t.Errorf("the caller sees transport internals: %q", msg)
			}
			id, _ := r.body["request_id"].(string)
			if entry := d.logLine(t, id); entry["status"] != float64(tt.status) {
				t.Errorf("logged status %v, want %d", entry["status"], tt.status)
			}
		})
	}
}

func TestBootstrapRefusesToStartWithoutABucket(t *testing.T) {
	_, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
		Binary: handlerbuild.Binary(t),
		Env:    []string{"AWS_REGION=us-east-1"},
	})
	var initErr *lambdaruntime.InitError
	if !errors.As(err, &initErr) || !strings.Contains(initErr.Output, "BUCKET_NAME") {
		t.Fatalf("Start = %v, want an init error whose output names BUCKET_NAME", err)
	}
}
