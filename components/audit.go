package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/lifecycle"
)

// Audit is the deployed audit trail.
type Audit struct {
	// TrailARN is the trail recording the password objects' data events
	// and the functions' invocations.
	TrailARN pulumi.StringOutput
	// BucketName is where the trail writes, under AWSLogs/<account>/.
	BucketName pulumi.StringOutput
}

func (a *Audit) outputs() map[string]pulumi.Output {
	return map[string]pulumi.Output{
		"trailArn":        a.TrailARN,
		"auditBucketName": a.BucketName,
	}
}

// auditInputs are the parts of the stack the trail records.
type auditInputs struct {
	bucketARN pulumi.StringOutput
	functions pulumi.StringArray // ARNs
	where     place
	tags      pulumi.StringMapInput
}

// newAuditStack adds the audit bucket, locked down like the password
// bucket but encrypted with S3-managed keys (the password key's policy
// serves the password bucket alone, and CloudTrail needs no key of its
// own), and the trail writing to it.
//
// The audit bucket follows forceDestroy: without it a destroy, or turning
// auditTrail off, stops at the bucket while it holds log files, as it
// does at the password bucket.
func newAuditStack(ctx *pulumi.Context, name string, s settings, in auditInputs, opts ...pulumi.ResourceOption) (*Audit, error) {
	trail := trailName(ctx.Project(), ctx.Stack(), name)
	// Known before the trail exists: the bucket policy names it, and
	// CloudTrail checks that policy when the trail is created.
	trailARN := fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", in.where.partition, in.where.region, in.where.account, trail)
	days := s.audit.retentionDays
	b, err := newBucket(ctx, name+"-audit", bucketSpec{
		forceDestroy: s.forceDestroy,
		policyName:   "policy",
		policy:       func(arn pulumi.StringOutput) pulumi.StringOutput { return auditBucketPolicy(arn, trailARN) },
		// A log file goes days after it was written; a version deleted or
		// replaced early stays as long again, so tampering leaves the
		// original recoverable.
		rules: []lifecycle.Rule{
			{ID: "expire-audit-logs", ExpirationDays: days, NoncurrentDays: days},
			{ID: lifecycle.DeleteMarkersID, ExpiredObjectDeleteMarker: true},
		},
		tags: in.tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	t, err := newTrail(ctx, name+"-trail", trailSpec{
		name:      trail,
		bucket:    b.bucket.Bucket,
		objects:   pulumi.Sprintf("%s/%s", in.bucketARN, s.keyPrefix),
		functions: in.functions,
		tags:      in.tags,
	}, append([]pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{b.policy, b.encryption, b.versioning})}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &Audit{TrailARN: t.Arn, BucketName: b.bucket.Bucket}, nil
}
