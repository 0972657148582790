package iampolicy

import (
	"strings"
	"testing"
)

var testKeyPolicyArgs = KeyPolicyArgs{Partition: "aws", Account: "123456789012", Region: "eu-west-1", DNSSuffix: "amazonaws.com", BucketARN: testBucket}

// keyPolicyStatements is AWS's default statement plus the two denials, as a
// reviewer reads them: every principal is denied the key's use unless S3 in
// the stack's region asks, and unless it asks for this bucket.
func keyPolicyStatements(partition, account, viaService, bucket string) []wantStatement {
	use := []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"}
	return []wantStatement{
		{Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: `{"AWS":"arn:` + partition + `:iam::` + account + `:root"}`, Action: []string{"kms:*"}, Resource: []string{"*"}},
		{Sid: "DenyUseOutsideS3", Effect: "Deny", Principal: `"*"`, Action: use, Resource: []string{"*"},
			Condition: map[string]map[string][]string{"StringNotEquals": {"kms:ViaService": {viaService}}}},
		{Sid: "DenyUseForOtherBuckets", Effect: "Deny", Principal: `"*"`, Action: use, Resource: []string{"*"},
			Condition: map[string]map[string][]string{"StringNotEquals": {"kms:EncryptionContext:aws:s3:arn": {bucket}}}},
	}
}

func TestKeyPolicy(t *testing.T) {
	cases := []struct {
		name string
		args KeyPolicyArgs
		want []wantStatement
	}{
		{"aws", testKeyPolicyArgs, keyPolicyStatements("aws", "123456789012", "s3.eu-west-1.amazonaws.com", testBucket)},
		{
			"aws-cn",
			KeyPolicyArgs{Partition: "aws-cn", Account: "210987654321", Region: "cn-northwest-1", DNSSuffix: "amazonaws.com.cn", BucketARN: "arn:aws-cn:s3:::passwords-cn"},
			keyPolicyStatements("aws-cn", "210987654321", "s3.cn-northwest-1.amazonaws.com.cn", "arn:aws-cn:s3:::passwords-cn"),
		},
		{
			"aws-eusc",
			KeyPolicyArgs{Partition: "aws-eusc", Account: "123456789012", Region: "eusc-de-east-1", DNSSuffix: "amazonaws.eu", BucketARN: "arn:aws-eusc:s3:::passwords-eu"},
			keyPolicyStatements("aws-eusc", "123456789012", "s3.eusc-de-east-1.amazonaws.eu", "arn:aws-eusc:s3:::passwords-eu"),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := parse(t, policyCase{build: func() (Document, error) { return KeyPolicy(c.args) }})
			checkDocument(t, doc, c.want)
		})
	}
}

func TestKeyPolicyInvalidInputs(t *testing.T) {
	with := func(change func(*KeyPolicyArgs)) KeyPolicyArgs {
		a := testKeyPolicyArgs
		change(&a)
		return a
	}
	cases := []struct {
		name string
		args KeyPolicyArgs
		want []string
	}{
		{"no bucket", with(func(a *KeyPolicyArgs) { a.BucketARN = "" }), []string{"iampolicy: key policy:", "bucket ARN"}},
		{"bucket wildcard", with(func(a *KeyPolicyArgs) { a.BucketARN = "arn:aws:s3:::passwords-*" }), []string{"without a slash or wildcard"}},
		{"unknown partition", with(func(a *KeyPolicyArgs) { a.Partition = "gcp" }), []string{`partition "gcp"`}},
		{"partition differs from the bucket's", with(func(a *KeyPolicyArgs) { a.Partition = "aws-cn" }), []string{`partition "aws-cn": the bucket ARN is in "aws"`}},
		{"short account", with(func(a *KeyPolicyArgs) { a.Account = "12345" }), []string{`account "12345"`}},
		{"account wildcard", with(func(a *KeyPolicyArgs) { a.Account = "*" }), []string{`account "*"`}},
		{"no region", with(func(a *KeyPolicyArgs) { a.Region = "" }), []string{`region ""`}},
		{"region wildcard", with(func(a *KeyPolicyArgs) { a.Region = "*" }), []string{`region "*"`}},
		{"no DNS suffix", with(func(a *KeyPolicyArgs) { a.DNSSuffix = "" }), []string{`DNS suffix ""`}},
		{"DNS suffix with a dot in front", with(func(a *KeyPolicyArgs) { a.DNSSuffix = ".amazonaws.com" }), []string{"DNS suffix"}},
		{"every problem", KeyPolicyArgs{}, []string{"bucket ARN", "partition", "account", "region", "DNS suffix"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := KeyPolicy(c.args)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
