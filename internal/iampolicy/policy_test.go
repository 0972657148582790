package iampolicy

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Inputs shaped like the stack's real outputs.
const (
	testBucket   = "arn:aws:s3:::passwordgen-bucket-1a2b3c4"
	testLogGroup = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/passwordgen-5d6e7f8"
	testKey      = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testPrefix   = "passwords/"
	// Keys a stack used before testKey. thirdKey sorts before otherKey.
	otherKey = "arn:aws:kms:eu-west-1:123456789012:key/mrk-fedcba9876543210fedcba9876543210"
	thirdKey = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
)

// wantStatement is a statement as IAM will read it; Principal is its JSON
// ("" when absent).
type wantStatement struct {
	Sid       string
	Effect    string
	Principal string
	Action    []string
	Resource  []string
	Condition map[string]map[string][]string
}

type policyCase struct {
	name  string
	build func() (Document, error)
	kms   bool
	want  []wantStatement
}

func functionStatements(bucket, prefix, logGroup string) []wantStatement {
	return []wantStatement{
		{Sid: "PutPasswordObjects", Effect: "Allow", Action: []string{"s3:PutObject", "s3:PutObjectTagging"}, Resource: []string{bucket + "/" + prefix + "*"}},
		{Sid: "WriteLogEvents", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroup + ":*"}},
	}
}

func readerStatements(bucket, prefix string) []wantStatement {
	list := wantStatement{Sid: "ListPasswordKeys", Effect: "Allow", Action: []string{"s3:ListBucket", "s3:ListBucketVersions"}, Resource: []string{bucket}}
	if prefix != "" {
		list.Condition = map[string]map[string][]string{"StringLike": {"s3:prefix": {prefix + "*"}}}
	}
	return []wantStatement{
		{Sid: "ReadPasswordObjects", Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion"}, Resource: []string{bucket + "/" + prefix + "*"}},
		list,
	}
}

// rotatorStatements are the rotator's grants besides KMS: list the prefix,
// read tags, write versions with their tags, its logs and its failure
// queue.
func rotatorStatements(bucket, prefix, logGroup, queue string) []wantStatement {
	list := wantStatement{Sid: "ListPasswordKeys", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucket}}
	if prefix != "" {
		list.Condition = map[string]map[string][]string{"StringLike": {"s3:prefix": {prefix + "*"}}}
	}
	fn := functionStatements(bucket, prefix, logGroup)
	return []wantStatement{
		list,
		{Sid: "ReadPasswordTags", Effect: "Allow", Action: []string{"s3:GetObjectTagging"}, Resource: []string{bucket + "/" + prefix + "*"}},
		fn[0],
		fn[1],
		{Sid: "ReportFailedRuns", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{queue}},
	}
}

const (
	testQueue    = "arn:aws:sqs:eu-west-1:123456789012:passwordgen-rotation-failures-1a2b3c4"
	testDLQ      = "arn:aws:sqs:eu-west-1:123456789012:passwordgen-rotation-dlq-1a2b3c4"
	testFunction = "arn:aws:lambda:eu-west-1:123456789012:function:passwordgen-rotator-1a2b3c4"
	testGroup    = "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/passwordgen-rotation-1a2b3c4"
	testRole     = "arn:aws:iam::123456789012:role/passwordgen-rotator-role-1a2b3c4"
	testTrail    = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/password-generator-dev-passwordgen"
	testAudit    = "arn:aws:s3:::passwordgen-audit-bucket-1a2b3c4"
)

var (
	// testS3 is S3 in testKey's region.
	testS3 = S3Endpoint{Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
	// viaS3ForTestBucket limits a KMS grant to S3's use for testBucket.
	viaS3ForTestBucket = map[string]map[string][]string{"StringEquals": {
		"kms:ViaService":                   {"s3.eu-west-1.amazonaws.com"},
		"kms:EncryptionContext:aws:s3:arn": {testBucket},
	}}
	encryptStatement = wantStatement{Sid: "EncryptWithKey", Effect: "Allow", Action: []string{"kms:GenerateDataKey"}, Resource: []string{testKey}, Condition: viaS3ForTestBucket}
	decryptStatement = wantStatement{Sid: "DecryptWithKey", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{testKey}, Condition: viaS3ForTestBucket}
)

func policyCases() []policyCase {
	const (
		govBucket   = "arn:aws-us-gov:s3:::passwordgen-gov"
		govLogGroup = "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:passwordgen"
		cnBucket    = "arn:aws-cn:s3:::passwordgen-cn"
		govQueue    = "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:passwordgen-failures"
	)
	return []policyCase{
		{
			name:  "trust",
			build: func() (Document, error) { return LambdaTrust(), nil },
			want: []wantStatement{{
				Sid: "LambdaAssumeRole", Effect: "Allow",
				Principal: `{"Service":["lambda.amazonaws.com"]}`,
				Action:    []string{"sts:AssumeRole"},
			}},
		},
		{
			name: "function kms",
			build: func() (Document, error) {
				return Function(FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3})
			},
			kms:  true,
			want: append(functionStatements(testBucket, testPrefix, testLogGroup), encryptStatement),
		},
		{
			name: "function sse-s3",
			build: func() (Document, error) {
				return Function(FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup})
			},
			want: functionStatements(testBucket, testPrefix, testLogGroup),
		},
		{
			name: "function custom prefix",
			build: func() (Document, error) {
				return Function(FunctionArgs{BucketARN: testBucket, KeyPrefix: "team-a/secrets/", LogGroupARN: testLogGroup})
			},
			want: functionStatements(testBucket, "team-a/secrets/", testLogGroup),
		},
		{
			name: "function empty prefix",
			build: func() (Document, error) {
				return Function(FunctionArgs{BucketARN: testBucket, LogGroupARN: testLogGroup})
			},
			want: functionStatements(testBucket, "", testLogGroup),
		},
		{
			name: "function aws-us-gov",
			build: func() (Document, error) {
				return Function(FunctionArgs{BucketARN: govBucket, KeyPrefix: testPrefix, LogGroupARN: govLogGroup})
			},
			want: functionStatements(govBucket, testPrefix, govLogGroup),
		},
		{
			name: "reader kms",
			build: func() (Document, error) {
				return Reader(ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix, KMSKeyARN: testKey, Through: testS3})
			},
			kms:  true,
			want: append(readerStatements(testBucket, testPrefix), decryptStatement),
		},
		{
			// The migration path: the stack moved from key A to key B, and
			// A is configured as a previous key (twice, and B once more by
			// mistake). Readers decrypt with both, each named once.
			name: "reader kms after a key change",
			build: func() (Document, error) {
				return Reader(ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix, KMSKeyARN: testKey, PreviousKMSKeyARNs: []string{otherKey, testKey, otherKey, thirdKey}, Through: testS3})
			},
			kms: true,
			want: append(readerStatements(testBucket, testPrefix),
				wantStatement{Sid: "DecryptWithKey", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{testKey, thirdKey, otherKey}, Condition: viaS3ForTestBucket}),
		},
		{
			// kms -> sse-s3: new versions need no key, older ones still do.
			name: "reader sse-s3 after kms",
			build: func() (Document, error) {
				return Reader(ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix, PreviousKMSKeyARNs: []string{testKey}, Through: testS3})
			},
			kms:  true,
			want: append(readerStatements(testBucket, testPrefix), decryptStatement),
		},
		{
			name: "reader sse-s3",
			build: func() (Document, error) {
				return Reader(ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix})
			},
			want: readerStatements(testBucket, testPrefix),
		},
		{
			name: "reader empty prefix lists without condition",
			build: func() (Document, error) {
				return Reader(ReaderArgs{BucketARN: testBucket})
			},
			want: readerStatements(testBucket, ""),
		},
		{
			name: "reader aws-cn",
			build: func() (Document, error) {
				return Reader(ReaderArgs{BucketARN: cnBucket, KeyPrefix: testPrefix})
			},
			want: readerStatements(cnBucket, testPrefix),
		},
		{
			name: "retriever kms",
			build: func() (Document, error) {
				return Retriever(RetrieverArgs{ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix, KMSKeyARN: testKey, Through: testS3}, testLogGroup})
			},
			kms:  true,
			want: append(readerStatements(testBucket, testPrefix), decryptStatement, functionStatements(testBucket, testPrefix, testLogGroup)[1]),
		},
		{
			name: "retriever sse-s3",
			build: func() (Document, error) {
				return Retriever(RetrieverArgs{ReaderArgs{BucketARN: testBucket, KeyPrefix: testPrefix}, testLogGroup})
			},
			want: append(readerStatements(testBucket, testPrefix), functionStatements(testBucket, testPrefix, testLogGroup)[1]),
		},
		{
			name: "retriever aws-us-gov, empty prefix",
			build: func() (Document, error) {
				return Retriever(RetrieverArgs{ReaderArgs{BucketARN: govBucket}, govLogGroup})
			},
			want: append(readerStatements(govBucket, ""), functionStatements(govBucket, "", govLogGroup)[1]),
		},
		{
			name: "rotator kms",
			build: func() (Document, error) {
				return Rotator(RotatorArgs{FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey, Through: testS3}, testQueue})
			},
			kms:  true,
			want: append(rotatorStatements(testBucket, testPrefix, testLogGroup, testQueue), encryptStatement),
		},
		{
			name: "rotator sse-s3",
			build: func() (Document, error) {
				return Rotator(RotatorArgs{FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup}, testQueue})
			},
			want: rotatorStatements(testBucket, testPrefix, testLogGroup, testQueue),
		},
		{
			name: "rotator aws-us-gov, empty prefix",
			build: func() (Document, error) {
				return Rotator(RotatorArgs{FunctionArgs{BucketARN: govBucket, LogGroupARN: govLogGroup}, govQueue})
			},
			want: rotatorStatements(govBucket, "", govLogGroup, govQueue),
		},
		{
			name:  "scheduler trust",
			build: func() (Document, error) { return SchedulerTrust(testGroup) },
			want: []wantStatement{{
				Sid: "SchedulerAssumeRole", Effect: "Allow",
				Principal: `{"Service":["scheduler.amazonaws.com"]}`,
				Action:    []string{"sts:AssumeRole"},
				Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"123456789012"}, "aws:SourceArn": {testGroup}}},
			}},
		},
		{
			name: "scheduler trust aws-cn",
			build: func() (Document, error) {
				return SchedulerTrust("arn:aws-cn:scheduler:cn-north-1:210987654321:schedule-group/pw")
			},
			want: []wantStatement{{
				Sid: "SchedulerAssumeRole", Effect: "Allow",
				Principal: `{"Service":["scheduler.amazonaws.com"]}`,
				Action:    []string{"sts:AssumeRole"},
				Condition: map[string]map[string][]string{"StringEquals": {
					"aws:SourceAccount": {"210987654321"},
					"aws:SourceArn":     {"arn:aws-cn:scheduler:cn-north-1:210987654321:schedule-group/pw"},
				}},
			}},
		},
		{
			name: "scheduler",
			build: func() (Document, error) {
				return Scheduler(SchedulerArgs{FunctionARN: testFunction, DeadLetterQueueARN: testDLQ})
			},
			want: []wantStatement{
				{Sid: "InvokeRotator", Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: []string{testFunction}},
				{Sid: "SendUndeliveredRuns", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{testDLQ}},
			},
		},
		{
			name: "password bucket",
			build: func() (Document, error) {
				return PasswordBucket(PasswordBucketArgs{BucketARN: testBucket, KeyPrefix: testPrefix, RotatorRoleARN: testRole})
			},
			want: passwordBucketStatements(testBucket, testPrefix, testRole),
		},
		{
			name: "password bucket root, role with a path",
			build: func() (Document, error) {
				return PasswordBucket(PasswordBucketArgs{BucketARN: testBucket, RotatorRoleARN: "arn:aws:iam::123456789012:role/service/rotator"})
			},
			want: passwordBucketStatements(testBucket, "", "arn:aws:iam::123456789012:role/service/rotator"),
		},
		{
			name:  "audit bucket",
			build: func() (Document, error) { return AuditBucket(testAudit, testTrail) },
			want:  auditBucketStatements(testAudit, testTrail, "123456789012"),
		},
		{
			name: "audit bucket aws-us-gov",
			build: func() (Document, error) {
				return AuditBucket("arn:aws-us-gov:s3:::audit", "arn:aws-us-gov:cloudtrail:us-gov-west-1:210987654321:trail/pw-audit")
			},
			want: auditBucketStatements("arn:aws-us-gov:s3:::audit", "arn:aws-us-gov:cloudtrail:us-gov-west-1:210987654321:trail/pw-audit", "210987654321"),
		},
		{
			name:  "tls only",
			build: func() (Document, error) { return TLSOnly(testBucket) },
			want:  []wantStatement{tlsOnly(testBucket)},
		},
	}
}

// tlsOnly is the denial every bucket policy starts with.
func tlsOnly(bucket string) wantStatement {
	return wantStatement{
		Sid: "DenyInsecureTransport", Effect: "Deny", Principal: `"*"`,
		Action:    []string{"s3:*"},
		Resource:  []string{bucket, bucket + "/*"},
		Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

// passwordBucketStatements: TLS only, and the rotator's role may not put
// an object below the prefix without If-Match.
func passwordBucketStatements(bucket, prefix, role string) []wantStatement {
	return []wantStatement{
		tlsOnly(bucket),
		{
			Sid: "DenyRotatorWritesWithoutIfMatch", Effect: "Deny", Principal: `"*"`,
			Action:   []string{"s3:PutObject"},
			Resource: []string{bucket + "/" + prefix + "*"},
			Condition: map[string]map[string][]string{
				"ArnEquals": {"aws:PrincipalArn": {role}},
				"Null":      {"s3:if-match": {"true"}},
			},
		},
	}
}

// auditBucketStatements: TLS only, and CloudTrail, for the one trail, may
// read the ACL and write under AWSLogs/<account>/.
func auditBucketStatements(bucket, trail, account string) []wantStatement {
	return []wantStatement{
		tlsOnly(bucket),
		{
			Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: `{"Service":["cloudtrail.amazonaws.com"]}`,
			Action:    []string{"s3:GetBucketAcl"},
			Resource:  []string{bucket},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceArn": {trail}}},
		},
		{
			Sid: "CloudTrailWrite", Effect: "Allow", Principal: `{"Service":["cloudtrail.amazonaws.com"]}`,
			Action:   []string{"s3:PutObject"},
			Resource: []string{bucket + "/AWSLogs/" + account + "/*"},
			Condition: map[string]map[string][]string{"StringEquals": {
				"aws:SourceArn": {trail},
				"s3:x-amz-acl":  {"bucket-owner-full-control"},
			}},
		},
	}
}

// parse builds a case's document and reads its JSON back the way a policy
// engine would, refusing any field the contract does not define.
func parse(t *testing.T, c policyCase) Document {
	t.Helper()
	doc, err := c.build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	text, err := doc.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var back Document
	if err := dec.Decode(&back); err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return back
}

func TestDocuments(t *testing.T) {
	for _, c := range policyCases() {
		t.Run(c.name, func(t *testing.T) {
			doc := parse(t, c)
			checkDocument(t, doc, c.want)
		})
	}
}

// checkDocument compares a parsed document with the statements a reader of
// the policy expects, in order.
func checkDocument(t *testing.T, doc Document, want []wantStatement) {
	t.Helper()
	if doc.Version != "2012-10-17" {
		t.Errorf("Version = %q, want 2012-10-17", doc.Version)
	}
	if len(doc.Statement) != len(want) {
		t.Fatalf("%d statements, want %d: %+v", len(doc.Statement), len(want), doc.Statement)
	}
	for i, want := range want {
		got := doc.Statement[i]
		principal := ""
		if got.Principal != nil {
			b, err := json.Marshal(got.Principal)
			if err != nil {
				t.Fatalf("statement %d principal: %v", i, err)
			}
			principal = string(b)
		}
		if got.Sid != want.Sid || got.Effect != want.Effect || principal != want.Principal {
			t.Errorf("statement %d: Sid %q Effect %q Principal %s, want %q %q %s", i, got.Sid, got.Effect, principal, want.Sid, want.Effect, want.Principal)
		}
		if !slices.Equal(got.Action, want.Action) {
			t.Errorf("statement %d (%s): Action %q, want %q", i, want.Sid, got.Action, want.Action)
		}
		if !slices.Equal(got.Resource, want.Resource) {
			t.Errorf("statement %d (%s): Resource %q, want %q", i, want.Sid, got.Resource, want.Resource)
		}
		if !reflect.DeepEqual(got.Condition, want.Condition) {
			t.Errorf("statement %d (%s): Condition %v, want %v", i, want.Sid, got.Condition, want.Condition)
		}
	}
}

// TestLeastPrivilege checks the properties a reviewer relies on, whatever
// the exact statements: no Allow uses a wildcard action or the "*" resource,
// a wildcard in an allowed resource only ends a prefix, KMS is mentioned
// only when a key was given, and Sids are unique and alphanumeric (MinIO and
// IAM both accept that form).
func TestLeastPrivilege(t *testing.T) {
	for _, c := range policyCases() {
		t.Run(c.name, func(t *testing.T) {
			doc := parse(t, c)
			sids := map[string]bool{}
			hasKMS := false
			for _, s := range doc.Statement {
				if s.Sid == "" || strings.Trim(s.Sid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" || sids[s.Sid] {
					t.Errorf("Sid %q: want a unique, non-empty alphanumeric Sid", s.Sid)
				}
				sids[s.Sid] = true
				for _, a := range s.Action {
					hasKMS = hasKMS || strings.HasPrefix(a, "kms:")
					if s.Effect == "Allow" && strings.ContainsAny(a, "*?") {
						t.Errorf("%s allows wildcard action %q", s.Sid, a)
					}
				}
				for _, r := range s.Resource {
					if s.Effect == "Allow" && (r == "*" || strings.ContainsAny(strings.TrimSuffix(r, "*"), "*?")) {
						t.Errorf("%s allows resource %q: want no \"*\" and a wildcard only at the end", s.Sid, r)
					}
				}
			}
			if hasKMS != c.kms {
				t.Errorf("KMS statement present = %v, want %v", hasKMS, c.kms)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range policyCases() {
		t.Run(c.name, func(t *testing.T) {
			var texts [2]string
			for i := range texts {
				doc, err := c.build()
				if err != nil {
					t.Fatalf("build: %v", err)
				}
				if texts[i], err = doc.JSON(); err != nil {
					t.Fatalf("JSON: %v", err)
				}
			}
			if texts[0] != texts[1] {
				t.Errorf("two builds differ:\n%s\n%s", texts[0], texts[1])
			}
			if !json.Valid([]byte(texts[0])) || bytes.ContainsAny([]byte(texts[0]), " \n\t") {
				t.Errorf("JSON is not compact valid JSON: %s", texts[0])
			}
		})
	}
}
