package iampolicy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files from the current output")

// TestGolden pins the exact bytes of the documents the stack deploys with
// its defaults (KMS key, prefix "passwords/"), and the rotator's with
// SSE-S3 too. Golden files are indented
// for review; JSON() is compact, so the test compacts the file, which
// removes whitespace between tokens only, and compares byte for byte.
func TestGolden(t *testing.T) {
	for file, build := range map[string]func() (Document, error){
		"function_default.json": func() (Document, error) {
			return Function(FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3})
		},
		"key_policy_default.json": func() (Document, error) { return KeyPolicy(testKeyPolicyArgs) },
		"rotator_kms.json": func() (Document, error) {
			return Rotator(RotatorArgs{FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3}, testQueue})
		},
		"rotator_sse_s3.json": func() (Document, error) {
			return Rotator(RotatorArgs{FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup}, testQueue})
		},
		"scheduler_trust.json": func() (Document, error) { return SchedulerTrust(testGroup) },
		"scheduler.json": func() (Document, error) {
			return Scheduler(SchedulerArgs{FunctionARN: testFunction, DeadLetterQueueARN: testDLQ})
		},
		"password_bucket.json": func() (Document, error) {
			return PasswordBucket(PasswordBucketArgs{BucketARN: testBucket, KeyPrefix: testPrefix, RotatorRoleARN: testRole})
		},
		"audit_bucket.json": func() (Document, error) { return AuditBucket(testAudit, testTrail) },
	} {
		t.Run(file, func(t *testing.T) {
			doc, err := build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			got, err := doc.JSON()
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			path := filepath.Join("testdata", file)
			if *update {
				var indented bytes.Buffer
				if err := json.Indent(&indented, []byte(got), "", "  "); err != nil {
					t.Fatalf("indent: %v", err)
				}
				indented.WriteByte('\n')
				if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
					t.Fatalf("update golden: %v", err)
				}
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden: %v", err)
			}
			var want bytes.Buffer
			if err := json.Compact(&want, golden); err != nil {
				t.Fatalf("golden %s is not JSON: %v", path, err)
			}
			if got != want.String() {
				t.Errorf("document differs from %s:\n got %s\nwant %s", path, got, want.String())
			}
		})
	}
}
