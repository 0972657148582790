package stack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/lifecycle"
)

// applyLifecycle gives the bucket the deployed lifecycle rules for the
// expiry values the functions offer, replacing whatever rules it had.
// MinIO applies them as S3 does, on its scanner's schedule (see README).
func applyLifecycle(ctx context.Context, client *s3.Client, bucket string, expiryDays []int) error {
	rules, err := lifecycle.Rules(keyPrefix, expiryDays)
	if err != nil {
		return fmt.Errorf("lifecycle rules: %w", err)
	}
	if _, err := client.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket:                 aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: s3Rules(rules)},
	}); err != nil {
		return fmt.Errorf("set the lifecycle rules of bucket %s: %w", bucket, err)
	}
	return nil
}

// s3Rules spells rules as S3's API does.
func s3Rules(rules []lifecycle.Rule) []types.LifecycleRule {
	out := make([]types.LifecycleRule, len(rules))
	for i, r := range rules {
		rule := types.LifecycleRule{ID: aws.String(r.ID), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{}}
		switch {
		case r.TagKey != "" && r.Prefix != "":
			rule.Filter.And = &types.LifecycleRuleAndOperator{Prefix: aws.String(r.Prefix), Tags: []types.Tag{{Key: aws.String(r.TagKey), Value: aws.String(r.TagValue)}}}
		case r.TagKey != "":
			rule.Filter.Tag = &types.Tag{Key: aws.String(r.TagKey), Value: aws.String(r.TagValue)}
		default:
			rule.Filter.Prefix = aws.String(r.Prefix)
		}
		if r.ExpirationDays != 0 || r.ExpiredObjectDeleteMarker {
			rule.Expiration = &types.LifecycleExpiration{}
			if r.ExpirationDays != 0 {
				rule.Expiration.Days = aws.Int32(int32(r.ExpirationDays))
			}
			if r.ExpiredObjectDeleteMarker {
				rule.Expiration.ExpiredObjectDeleteMarker = aws.Bool(true)
			}
		}
		if r.NoncurrentDays != 0 {
			rule.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(int32(r.NoncurrentDays))}
		}
		out[i] = rule
	}
	return out
}
