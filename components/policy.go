package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
)

// The policy documents come from internal/iampolicy, pure functions of ARNs
// and the prefix; this file only waits for the ARNs AWS assigns.

// policyJSON renders build's document once every input is known. A builder
// error (an ARN it rejects) fails the deployment rather than deploying a
// policy that grants something else.
func policyJSON(build func(v []string) (iampolicy.Document, error), inputs ...pulumi.StringOutput) pulumi.StringOutput {
	all := make([]any, len(inputs))
	for i, in := range inputs {
		all[i] = in
	}
	return pulumi.All(all...).ApplyT(func(v []any) (string, error) {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = x.(string)
		}
		doc, err := build(s)
		if err != nil {
			return "", err
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
}

// functionPolicy is the role's inline policy. keyARN is "" with SSE-S3.
func functionPolicy(bucketARN, logGroupARN, keyARN pulumi.StringOutput, prefix string, p place) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.Function(iampolicy.FunctionArgs{BucketARN: v[0], LogGroupARN: v[1], KMSKeyARN: v[2], KeyPrefix: prefix, Through: p.s3()})
	}, bucketARN, logGroupARN, keyARN)
}

// readerPolicy is the managed policy for people who read passwords.
// previousKeys encrypted versions stored before the current key.
func readerPolicy(bucketARN, keyARN pulumi.StringOutput, prefix string, previousKeys []string, p place) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.Reader(iampolicy.ReaderArgs{BucketARN: v[0], KMSKeyARN: v[1], KeyPrefix: prefix, PreviousKMSKeyARNs: previousKeys, Through: p.s3()})
	}, bucketARN, keyARN)
}

// retrieverPolicy is the retrieval function's role policy: a reader's
// grant and its own log group.
func retrieverPolicy(bucketARN, logGroupARN, keyARN pulumi.StringOutput, prefix string, previousKeys []string, p place) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.Retriever(iampolicy.RetrieverArgs{
			ReaderArgs:  iampolicy.ReaderArgs{BucketARN: v[0], KMSKeyARN: v[2], KeyPrefix: prefix, PreviousKMSKeyARNs: previousKeys, Through: p.s3()},
			LogGroupARN: v[1],
		})
	}, bucketARN, logGroupARN, keyARN)
}

// keyPolicy is the dedicated key's policy: usable only by S3 in the
// stack's region, for this bucket.
func keyPolicy(bucketARN pulumi.StringOutput, p place) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		s3 := p.s3()
		return iampolicy.KeyPolicy(iampolicy.KeyPolicyArgs{Partition: p.partition, Account: p.account, Region: s3.Region, DNSSuffix: s3.DNSSuffix, BucketARN: v[0]})
	}, bucketARN)
}

// s3 is S3's endpoint in the stack's region, which KMS grants and the key
// policy are limited to.
func (p place) s3() iampolicy.S3Endpoint {
	return iampolicy.S3Endpoint{Region: p.region, DNSSuffix: p.dnsSuffix}
}

// passwordBucketPolicy is the password bucket's policy: TLS only, and the
// rotator writes only with If-Match.
func passwordBucketPolicy(bucketARN, rotatorRoleARN pulumi.StringOutput, prefix string) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.PasswordBucket(iampolicy.PasswordBucketArgs{BucketARN: v[0], KeyPrefix: prefix, RotatorRoleARN: v[1]})
	}, bucketARN, rotatorRoleARN)
}

// rotatorPolicy is the rotator's role policy. keyARN is "" with SSE-S3.
func rotatorPolicy(bucketARN, logGroupARN, keyARN, failureQueueARN pulumi.StringOutput, prefix string, p place) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.Rotator(iampolicy.RotatorArgs{
			FunctionArgs:    iampolicy.FunctionArgs{BucketARN: v[0], LogGroupARN: v[1], KMSKeyARN: v[2], KeyPrefix: prefix, Through: p.s3()},
			FailureQueueARN: v[3],
		})
	}, bucketARN, logGroupARN, keyARN, failureQueueARN)
}

// schedulerTrust lets Scheduler assume the schedule's role, for the
// schedule group only.
func schedulerTrust(groupARN pulumi.StringOutput) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.SchedulerTrust(v[0])
	}, groupARN)
}

// schedulerPolicy is the schedule's role policy.
func schedulerPolicy(functionARN, deadLetterQueueARN pulumi.StringOutput) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.Scheduler(iampolicy.SchedulerArgs{FunctionARN: v[0], DeadLetterQueueARN: v[1]})
	}, functionARN, deadLetterQueueARN)
}

// auditBucketPolicy is the audit bucket's policy: TLS only, and written by
// the one trail.
func auditBucketPolicy(bucketARN pulumi.StringOutput, trailARN string) pulumi.StringOutput {
	return policyJSON(func(v []string) (iampolicy.Document, error) {
		return iampolicy.AuditBucket(v[0], trailARN)
	}, bucketARN)
}
