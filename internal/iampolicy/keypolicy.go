package iampolicy

import (
	"regexp"

	"github.com/passwordgen/passwordgen/internal/awsarn"
)

// KeyPolicyArgs place the key: where it lives and the one bucket it serves.
// Partition, Account, Region and DNSSuffix are what the AWS provider reports
// for the stack (aws.GetPartition, GetCallerIdentity, GetRegion).
type KeyPolicyArgs struct {
	Partition string // aws, aws-cn, aws-us-gov, ...
	Account   string // the account that owns the key
	Region    string // the key's and the bucket's region
	DNSSuffix string // the partition's, e.g. amazonaws.com or amazonaws.com.cn
	BucketARN string // the only bucket whose objects the key may protect
}

// keyUseActions are the cryptographic operations S3 performs with the key.
// Administration (describe, rotate, schedule deletion, change the policy)
// stays with the account, so a locked-out key can still be recovered.
var keyUseActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"}

// dnsSuffix is a partition's DNS domain: lowercase labels, at least two.
var dnsSuffix = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+$`)

// KeyPolicy is the dedicated key's policy. It keeps AWS's default statement,
// which lets the account's IAM policies grant use of the key (the function's
// and the readers' grants rely on it, and so does recovery), and adds two
// denials that hold whatever IAM grants: the key encrypts and decrypts only
// through S3 in the stack's region, and only for this bucket. With S3 Bucket
// Keys, which the bucket and the store both request, S3 passes the bucket
// ARN as the encryption context.
//
// They are two statements because the conditions inside one statement are
// ANDed: a single statement would deny only a request that fails both, and
// let S3 use the key for any other bucket.
func KeyPolicy(a KeyPolicyArgs) (Document, error) {
	var in inputs
	in.bucket(a.BucketARN)
	switch {
	case !awsarn.ValidPartition(a.Partition):
		in.fail("partition %q: want aws or aws-<name>", a.Partition)
	case in.partition != "" && a.Partition != in.partition:
		in.fail("partition %q: the bucket ARN is in %q", a.Partition, in.partition)
	}
	if !awsarn.ValidAccount(a.Account) {
		in.fail("account %q: want 12 digits", a.Account)
	}
	s3 := S3Endpoint{Region: a.Region, DNSSuffix: a.DNSSuffix}
	in.s3Endpoint(s3)
	if err := in.err("key policy"); err != nil {
		return Document{}, err
	}

	deny := func(sid, condition, value string) Statement {
		return Statement{
			Sid:       sid,
			Effect:    "Deny",
			Principal: "*",
			Action:    keyUseActions,
			Resource:  []string{"*"},
			Condition: map[string]map[string][]string{"StringNotEquals": {condition: {value}}},
		}
	}
	return Document{
		Version: version,
		Statement: []Statement{
			{
				// AWS's default key policy statement, word for word.
				Sid:       "Enable IAM User Permissions",
				Effect:    "Allow",
				Principal: map[string]string{"AWS": "arn:" + a.Partition + ":iam::" + a.Account + ":root"},
				Action:    []string{"kms:*"},
				// In a key policy, "*" is the key the policy is attached to.
				Resource: []string{"*"},
			},
			deny("DenyUseOutsideS3", "kms:ViaService", s3.service()),
			deny("DenyUseForOtherBuckets", "kms:EncryptionContext:aws:s3:arn", a.BucketARN),
		},
	}, nil
}
