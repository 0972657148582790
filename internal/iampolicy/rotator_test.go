package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

// TestRotatorNeverReads: whatever the encryption, with or without keys
// that encrypted earlier versions, the rotator's policy grants no action
// that reads a password: no object or version read, no decryption, and no
// wildcard that would include them.
func TestRotatorNeverReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
	}{
		{"dedicated or existing key", testKey},
		{"sse-s3", ""},
		{"multi-region key", otherKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Rotator(RotatorArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: tc.key, Through: testS3, FailureQueueARN: testQueue})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if strings.ContainsAny(a, "*?") || slices.Contains([]string{"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "kms:Decrypt"}, a) {
						t.Errorf("%s grants %s", st.Sid, a)
					}
				}
			}
		})
	}
}

func TestNewDocumentsRefuseBadInputs(t *testing.T) {
	rotator := func(mod func(*RotatorArgs)) func() error {
		return func() error {
			a := RotatorArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3, FailureQueueARN: testQueue}
			mod(&a)
			_, err := Rotator(a)
			return err
		}
	}
	scheduler := func(fn, queue string) func() error {
		return func() error {
			_, err := Scheduler(SchedulerArgs{FunctionARN: fn, DeadLetterQueueARN: queue})
			return err
		}
	}
	trust := func(group string) func() error {
		return func() error { _, err := SchedulerTrust(group); return err }
	}
	bucket := func(prefix, role string) func() error {
		return func() error {
			_, err := PasswordBucket(PasswordBucketArgs{BucketARN: testBucket, KeyPrefix: prefix, RotatorRoleARN: role})
			return err
		}
	}
	audit := func(bucket, trail string) func() error {
		return func() error { _, err := AuditBucket(bucket, trail); return err }
	}
	tests := []struct {
		name  string
		build func() error
		want  []string
	}{
		{"rotator without a queue", rotator(func(a *RotatorArgs) { a.FailureQueueARN = "" }), []string{"iampolicy: rotator policy:", `failure queue ARN ""`}},
		{"rotator with a FIFO queue", rotator(func(a *RotatorArgs) { a.FailureQueueARN = testQueue + ".fifo" }), []string{"failure queue ARN"}},
		{"rotator with a queue wildcard", rotator(func(a *RotatorArgs) { a.FailureQueueARN = "arn:aws:sqs:eu-west-1:123456789012:*" }), []string{"failure queue ARN"}},
		{"rotator with a queue in another partition", rotator(func(a *RotatorArgs) {
			a.FailureQueueARN = "arn:aws-cn:sqs:cn-north-1:123456789012:q"
		}), []string{`failure queue ARN is in partition "aws-cn" but the bucket ARN in "aws"`}},
		{"rotator key without endpoint", rotator(func(a *RotatorArgs) { a.Through = S3Endpoint{} }), []string{"region"}},
		{"rotator reports every problem", rotator(func(a *RotatorArgs) {
			*a = RotatorArgs{BucketARN: "x", KeyPrefix: "y", LogGroupARN: "z", KMSKeyARN: "alias/k"}
		}), []string{"bucket ARN", "key prefix", "log group ARN", "KMS key ARN", "failure queue ARN"}},
		{"scheduler with a qualified function", scheduler(testFunction+":live", testDLQ), []string{"iampolicy: scheduler policy:", "without a version or alias"}},
		{"scheduler with a function wildcard", scheduler("arn:aws:lambda:eu-west-1:123456789012:function:*", testDLQ), []string{"function ARN"}},
		{"scheduler without a queue", scheduler(testFunction, ""), []string{"dead-letter queue ARN"}},
		{"scheduler across partitions", scheduler(testFunction, "arn:aws-cn:sqs:cn-north-1:123456789012:q"), []string{`dead-letter queue ARN is in partition "aws-cn" but the function ARN in "aws"`}},
		{"trust with a schedule ARN", trust("arn:aws:scheduler:eu-west-1:123456789012:schedule/default/x"), []string{"iampolicy: scheduler trust policy:", "schedule-group/<name>"}},
		{"trust with a group wildcard", trust("arn:aws:scheduler:eu-west-1:123456789012:schedule-group/*"), []string{"schedule group ARN"}},
		{"trust without an account", trust("arn:aws:scheduler:eu-west-1::schedule-group/x"), []string{"schedule group ARN"}},
		{"bucket policy without a role", bucket(testPrefix, ""), []string{"iampolicy: password bucket policy:", `rotator role ARN ""`}},
		{"bucket policy with a role wildcard", bucket(testPrefix, "arn:aws:iam::123456789012:role/*"), []string{"rotator role ARN"}},
		{"bucket policy with a user", bucket(testPrefix, "arn:aws:iam::123456789012:user/rotator"), []string{"rotator role ARN"}},
		{"bucket policy with a wildcard prefix", bucket("a*/", testRole), []string{"key prefix"}},
		{"audit bucket with a trail wildcard", audit(testAudit, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/*"), []string{"iampolicy: audit bucket policy:", "trail ARN"}},
		{"audit bucket with a short trail name", audit(testAudit, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/ab"), []string{"trail ARN"}},
		{"audit bucket with an object ARN", audit(testAudit+"/AWSLogs", testTrail), []string{"bucket ARN"}},
		{"audit trail in another partition", audit(testAudit, "arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/pw-audit"), []string{`trail ARN is in partition "aws-cn" but the bucket ARN in "aws"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
