package iampolicy

import (
	"strings"
	"testing"
)

func TestInvalidInputs(t *testing.T) {
	function := func(mod func(*FunctionArgs)) func() error {
		return func() error {
			a := FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3}
			mod(&a)
			_, err := Function(a)
			return err
		}
	}
	reader := func(mod func(*ReaderArgs)) func() error {
		return func() error {
			a := ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix, KMSKeyARN: testKey, Through: testS3}
			mod(&a)
			_, err := Reader(a)
			return err
		}
	}
	tlsOnly := func(bucket string) func() error {
		return func() error { _, err := TLSOnly(bucket); return err }
	}
	rotator := func(mod func(*RotatorArgs)) func() error {
		return func() error {
			a := RotatorArgs{FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3}, testQueue}
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
	bucketPolicy := func(prefix, role string) func() error {
		return func() error {
			_, err := PasswordBucket(PasswordBucketArgs{BucketARN: testBucket, KeyPrefix: prefix, RotatorRoleARN: role})
			return err
		}
	}
	audit := func(bucket, trail string) func() error {
		return func() error { _, err := AuditBucket(bucket, trail); return err }
	}
	bucket := func(arn string) func(*FunctionArgs) { return func(a *FunctionArgs) { a.BucketARN = arn } }
	logGroup := func(arn string) func(*FunctionArgs) { return func(a *FunctionArgs) { a.LogGroupARN = arn } }
	key := func(arn string) func(*ReaderArgs) { return func(a *ReaderArgs) { a.KMSKeyARN = arn } }
	prefix := func(p string) func(*ReaderArgs) { return func(a *ReaderArgs) { a.KeyPrefix = p } }

	tests := []struct {
		name  string
		build func() error
		want  []string // every one must appear in the error
	}{
		{"bucket empty", function(bucket("")), []string{"iampolicy: function policy:", `bucket ARN ""`}},
		{"bucket object path", function(bucket(testBucket + "/passwords")), []string{"without a slash or wildcard"}},
		{"bucket wildcard", function(bucket("arn:aws:s3:::passwordgen-*")), []string{"without a slash or wildcard"}},
		{"bucket question mark", tlsOnly("arn:aws:s3:::passwordgen-?"), []string{"iampolicy: TLS-only bucket policy:", "without a slash or wildcard"}},
		{"bucket all", tlsOnly("*"), []string{"without a slash or wildcard"}},
		{"bucket uppercase name", tlsOnly("arn:aws:s3:::Passwords"), []string{"valid S3 bucket name"}},
		{"bucket wrong service", tlsOnly("arn:aws:sqs:eu-west-1:123456789012:passwords"), []string{"arn:<partition>:s3:::<bucket>"}},
		{"bucket unknown partition", tlsOnly("arn:gcp:s3:::passwords"), []string{"arn:<partition>:s3:::<bucket>"}},
		{"bucket name only", reader(func(a *ReaderArgs) { a.BucketARN = "passwords" }), []string{"iampolicy: reader policy:", `bucket ARN "passwords"`}},

		{"log group with :* suffix", function(logGroup(testLogGroup + ":*")), []string{`without the trailing ":*"`}},
		{"log group empty", function(logGroup("")), []string{"log-group:<name>"}},
		{"log group stream", function(logGroup(testLogGroup + ":log-stream:abc")), []string{"log-group:<name>"}},
		{"log group no account", function(logGroup("arn:aws:logs:eu-west-1::log-group:passwordgen")), []string{"log-group:<name>"}},
		{"log group wrong service", function(logGroup("arn:aws:s3:::passwordgen")), []string{"log-group:<name>"}},

		{"key alias ARN", reader(key("arn:aws:kms:eu-west-1:123456789012:alias/passwordgen")), []string{"is an alias", "key ARN"}},
		{"key alias name", function(func(a *FunctionArgs) { a.KMSKeyARN = "alias/passwordgen" }), []string{"is an alias"}},
		{"key bare id", reader(key("1234abcd-12ab-34cd-56ef-1234567890ab")), []string{"key/<key-id>"}},
		{"key wildcard", reader(key("arn:aws:kms:eu-west-1:123456789012:key/*")), []string{"key/<key-id>"}},
		{"key wrong service", reader(key("arn:aws:iam::123456789012:role/x")), []string{"key/<key-id>"}},

		{"previous key empty", reader(func(a *ReaderArgs) { a.PreviousKMSKeyARNs = []string{""} }), []string{"previous KMS key ARN is empty"}},
		{"previous key alias", reader(func(a *ReaderArgs) { a.PreviousKMSKeyARNs = []string{"arn:aws:kms:eu-west-1:123456789012:alias/old"} }), []string{"is an alias"}},
		{"previous key in other partition", reader(func(a *ReaderArgs) {
			a.PreviousKMSKeyARNs = []string{"arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
		}), []string{`KMS key ARN is in partition "aws-cn"`}},

		{"prefix without slash", reader(prefix("passwords")), []string{"end with '/'"}},
		{"prefix star", reader(prefix("pass*/")), []string{"must not contain '*', '?' or '$'"}},
		{"prefix question mark", function(func(a *FunctionArgs) { a.KeyPrefix = "pass?/" }), []string{"must not contain"}},
		{"prefix policy variable", reader(prefix("${aws:username}/")), []string{"must not contain"}},
		{"prefix too long", reader(prefix(strings.Repeat("a", 1024) + "/")), []string{"1025 bytes"}},

		{"log group in other partition", function(logGroup("arn:aws-cn:logs:cn-north-1:123456789012:log-group:passwordgen")),
			[]string{`log group ARN is in partition "aws-cn" but the bucket ARN in "aws"`}},
		{"key in other partition", reader(key("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab")),
			[]string{`KMS key ARN is in partition "aws-us-gov"`}},

		{"retriever reports every problem", func() error {
			_, err := Retriever(RetrieverArgs{ReaderArgs{BucketARN: "x", KeyPrefix: "y", KMSKeyARN: "alias/k", PreviousKMSKeyARNs: []string{""}}, testLogGroup + ":*"})
			return err
		}, []string{"iampolicy: retriever policy:", "bucket ARN", "key prefix", "log group ARN", "KMS key ARN", "previous KMS key ARN is empty"}},
		{"every problem reported", function(func(a *FunctionArgs) {
			a.BucketARN, a.KeyPrefix, a.LogGroupARN, a.KMSKeyARN = "", "x", "", "alias/k"
		}), []string{"bucket ARN", "key prefix", "log group ARN", "KMS key ARN"}},
		{"rotator without a queue", rotator(func(a *RotatorArgs) { a.FailureQueueARN = "" }), []string{"iampolicy: rotator policy:", `failure queue ARN ""`}},
		{"rotator with a FIFO queue", rotator(func(a *RotatorArgs) { a.FailureQueueARN = testQueue + ".fifo" }), []string{"failure queue ARN"}},
		{"rotator with a queue wildcard", rotator(func(a *RotatorArgs) { a.FailureQueueARN = "arn:aws:sqs:eu-west-1:123456789012:*" }), []string{"failure queue ARN"}},
		{"rotator with a queue in another partition", rotator(func(a *RotatorArgs) {
			a.FailureQueueARN = "arn:aws-cn:sqs:cn-north-1:123456789012:q"
		}), []string{`failure queue ARN is in partition "aws-cn" but the bucket ARN in "aws"`}},
		{"rotator key without endpoint", rotator(func(a *RotatorArgs) { a.Through = S3Endpoint{} }), []string{"region"}},
		{"rotator reports every problem", rotator(func(a *RotatorArgs) {
			*a = RotatorArgs{FunctionArgs: FunctionArgs{BucketARN: "x", KeyPrefix: "y", LogGroupARN: "z", KMSKeyARN: "alias/k"}}
		}), []string{"bucket ARN", "key prefix", "log group ARN", "KMS key ARN", "failure queue ARN"}},
		{"scheduler with a qualified function", scheduler(testFunction+":live", testDLQ), []string{"iampolicy: scheduler policy:", "without a version or alias"}},
		{"scheduler with a function wildcard", scheduler("arn:aws:lambda:eu-west-1:123456789012:function:*", testDLQ), []string{"function ARN"}},
		{"scheduler without a queue", scheduler(testFunction, ""), []string{"dead-letter queue ARN"}},
		{"scheduler across partitions", scheduler(testFunction, "arn:aws-cn:sqs:cn-north-1:123456789012:q"), []string{`dead-letter queue ARN is in partition "aws-cn" but the function ARN in "aws"`}},
		{"trust with a schedule ARN", trust("arn:aws:scheduler:eu-west-1:123456789012:schedule/default/x"), []string{"iampolicy: scheduler trust policy:", "schedule-group/<name>"}},
		{"trust with a group wildcard", trust("arn:aws:scheduler:eu-west-1:123456789012:schedule-group/*"), []string{"schedule group ARN"}},
		{"trust without an account", trust("arn:aws:scheduler:eu-west-1::schedule-group/x"), []string{"schedule group ARN"}},
		{"bucket policy without a role", bucketPolicy(testPrefix, ""), []string{"iampolicy: password bucket policy:", `rotator role ARN ""`}},
		{"bucket policy with a role wildcard", bucketPolicy(testPrefix, "arn:aws:iam::123456789012:role/*"), []string{"rotator role ARN"}},
		{"bucket policy with a user", bucketPolicy(testPrefix, "arn:aws:iam::123456789012:user/rotator"), []string{"rotator role ARN"}},
		{"bucket policy with a wildcard prefix", bucketPolicy("a*/", testRole), []string{"key prefix"}},
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

// TestValidInputs covers inputs that look unusual but are valid, so the
// validation cannot drift into refusing real stacks.
func TestValidInputs(t *testing.T) {
	tests := []struct {
		name string
		args FunctionArgs
	}{
		{"multi-region key", FunctionArgs{BucketARN: testBucket, LogGroupARN: testLogGroup, KMSKeyARN: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", Through: testS3}},
		{"dotted bucket, nested prefix", FunctionArgs{BucketARN: "arn:aws:s3:::my.passwords.example", KeyPrefix: "a/b-c/d_e/", LogGroupARN: testLogGroup}},
		{"log group name with #", FunctionArgs{BucketARN: testBucket, LogGroupARN: "arn:aws:logs:ap-southeast-2:123456789012:log-group:team#1.pw_gen"}},
		{"European Sovereign Cloud", FunctionArgs{
			BucketARN:   "arn:aws-eusc:s3:::passwords",
			LogGroupARN: "arn:aws-eusc:logs:eusc-de-east-1:123456789012:log-group:pw",
			KMSKeyARN:   "arn:aws-eusc:kms:eusc-de-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			Through:     S3Endpoint{Region: "eusc-de-east-1", DNSSuffix: "amazonaws.eu"},
		}},
		{"china partition", FunctionArgs{
			BucketARN:   "arn:aws-cn:s3:::passwords",
			LogGroupARN: "arn:aws-cn:logs:cn-northwest-1:123456789012:log-group:pw",
			KMSKeyARN:   "arn:aws-cn:kms:cn-northwest-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			Through:     S3Endpoint{Region: "cn-northwest-1", DNSSuffix: "amazonaws.com.cn"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Function(tt.args); err != nil {
				t.Fatalf("Function: %v", err)
			}
			if _, err := Reader(ReaderArgs{BucketARN: tt.args.BucketARN, KeyPrefix: tt.args.KeyPrefix, KMSKeyARN: tt.args.KMSKeyARN, Through: tt.args.Through}); err != nil {
				t.Fatalf("Reader: %v", err)
			}
			if _, err := Retriever(RetrieverArgs{ReaderArgs{BucketARN: tt.args.BucketARN, KeyPrefix: tt.args.KeyPrefix, KMSKeyARN: tt.args.KMSKeyARN, Through: tt.args.Through}, tt.args.LogGroupARN}); err != nil {
				t.Fatalf("Retriever: %v", err)
			}
			if _, err := TLSOnly(tt.args.BucketARN); err != nil {
				t.Fatalf("TLSOnly: %v", err)
			}
		})
	}
}

// A key grant needs S3's endpoint, or it could not be limited to S3's use
// of the key for this bucket; without a key none is needed.
func TestKeyGrantsNeedS3Endpoint(t *testing.T) {
	if _, err := Function(FunctionArgs{BucketARN: testBucket, LogGroupARN: testLogGroup, KMSKeyARN: testKey}); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("Function with a key and no endpoint: err %v, want a region error", err)
	}
	if _, err := Reader(ReaderArgs{BucketARN: testBucket, PreviousKMSKeyARNs: []string{testKey}, Through: S3Endpoint{Region: "eu-west-1", DNSSuffix: "x"}}); err == nil || !strings.Contains(err.Error(), "DNS suffix") {
		t.Errorf("Reader with a bad DNS suffix: err %v, want a DNS suffix error", err)
	}
	if _, err := Reader(ReaderArgs{BucketARN: testBucket}); err != nil {
		t.Errorf("Reader without a key: %v", err)
	}
}
