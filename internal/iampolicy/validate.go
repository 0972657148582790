package iampolicy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/passwordgen/passwordgen/internal/awsarn"
)

var (
	// Bucket names as S3 creates them today: 3-63 lowercase letters, digits,
	// dots and hyphens. This rules out '/', '*' and '?', any of which would
	// turn the bucket ARN into a pattern over other resources.
	bucketARN = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$`)
	// Log group names: 1-512 of [.-_/#A-Za-z0-9].
	logGroupARN = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:logs:` + awsarn.RegionPattern + `:` + awsarn.AccountPattern + `:log-group:[.\-_/#A-Za-z0-9]{1,512}$`)
	// A function itself, without a version or alias: names are 1-64 of
	// [A-Za-z0-9_-].
	functionPattern = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:lambda:` + awsarn.RegionPattern + `:` + awsarn.AccountPattern + `:function:[A-Za-z0-9_-]{1,64}$`)
	// Standard queues: names are 1-80 of [A-Za-z0-9_-]. FIFO queues can
	// be neither a schedule's dead-letter queue nor a Lambda destination.
	queuePattern = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:sqs:` + awsarn.RegionPattern + `:` + awsarn.AccountPattern + `:[A-Za-z0-9_-]{1,80}$`)
	// Schedule group names: 1-64 of [0-9A-Za-z._-].
	scheduleGroupPattern = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:scheduler:` + awsarn.RegionPattern + `:` + awsarn.AccountPattern + `:schedule-group/[0-9A-Za-z._-]{1,64}$`)
	// Trail names: 3-128 of [A-Za-z0-9._-], starting and ending with a
	// letter or digit.
	trailPattern = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:cloudtrail:` + awsarn.RegionPattern + `:` + awsarn.AccountPattern + `:trail/[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	// Role names are 1-64 of [\w+=,.@-], under an optional path of such
	// segments; no wildcard.
	rolePattern = regexp.MustCompile(`^arn:` + awsarn.PartitionPattern + `:iam::` + awsarn.AccountPattern + `:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
)

// maxKeyPrefix is S3's limit on a whole object key; a longer prefix could
// never match an object.
const maxKeyPrefix = 1024

// inputs collects every problem with a builder's arguments, so one error
// reports them all, and remembers the bucket's partition to compare the
// other ARNs against.
type inputs struct {
	partition string
	// partitionFrom names the ARN partition was taken from.
	partitionFrom string
	errs          []error
}

func (in *inputs) bucket(arn string) {
	if m := bucketARN.FindStringSubmatch(arn); m != nil {
		in.partition, in.partitionFrom = m[1], "the bucket ARN"
		return
	}
	if strings.ContainsAny(arn, "/*?") {
		in.fail("bucket ARN %q: want the bucket itself, arn:<partition>:s3:::<bucket>, without a slash or wildcard", arn)
		return
	}
	in.fail("bucket ARN %q: want arn:<partition>:s3:::<bucket> with a valid S3 bucket name", arn)
}

func (in *inputs) logGroup(arn string) {
	if m := logGroupARN.FindStringSubmatch(arn); m != nil {
		in.samePartition("log group ARN", m[1])
		return
	}
	if strings.HasSuffix(arn, ":*") {
		// The builders append ":*" themselves because pulumi-aws's
		// LogGroup.arn output strips it, while logs:CreateLogStream and
		// logs:PutLogEvents act on log-stream resources that only the
		// suffixed ARN matches. Accepting it here would yield ":*:*".
		in.fail("log group ARN %q: pass it without the trailing \":*\"; the policy adds the suffix itself", arn)
		return
	}
	in.fail("log group ARN %q: want arn:<partition>:logs:<region>:<account>:log-group:<name>", arn)
}

// arn checks an ARN against pattern, whose first group is the partition,
// and returns its submatches (nil when it does not match). The partition
// must be the bucket's, or the first ARN's in a document without a bucket.
func (in *inputs) arn(what, form string, pattern *regexp.Regexp, arn string) []string {
	m := pattern.FindStringSubmatch(arn)
	if m == nil {
		in.fail("%s %q: want %s", what, arn, form)
		return nil
	}
	if in.partition == "" {
		in.partition, in.partitionFrom = m[1], "the "+what
	}
	in.samePartition(what, m[1])
	return m
}

// kmsKey accepts "" (no KMS: the bucket uses SSE-S3).
func (in *inputs) kmsKey(arn string) {
	if arn == "" {
		return
	}
	key, err := awsarn.ParseKMSKey(arn)
	if err != nil {
		in.fail("KMS key ARN: %v", err)
		return
	}
	in.samePartition("KMS key ARN", key.Partition)
}

// keyPrefix rejects prefixes that would change the meaning of the IAM
// pattern <bucket>/<prefix>*: '*' and '?' are IAM wildcards that widen the
// grant, and '$' starts a policy variable such as ${aws:username}.
func (in *inputs) keyPrefix(prefix string) {
	switch {
	case prefix == "":
	case !strings.HasSuffix(prefix, "/"):
		in.fail("key prefix %q: must be empty or end with '/', so it names a folder rather than every key starting with the same characters", prefix)
	case strings.ContainsAny(prefix, "*?$"):
		in.fail("key prefix %q: must not contain '*', '?' or '$', which IAM reads as wildcards or policy variables", prefix)
	case len(prefix) > maxKeyPrefix:
		in.fail("key prefix: %d bytes, longer than a whole S3 key may be (%d)", len(prefix), maxKeyPrefix)
	}
}

// samePartition rejects an ARN outside the document's partition (the
// bucket's, or the first ARN's): no principal acts across partitions, so
// such a policy could never work.
func (in *inputs) samePartition(what, partition string) {
	if in.partition != "" && partition != in.partition {
		in.fail("%s is in partition %q but %s in %q", what, partition, in.partitionFrom, in.partition)
	}
}

func (in *inputs) fail(format string, args ...any) {
	in.errs = append(in.errs, fmt.Errorf(format, args...))
}

// err returns nil when every argument was valid.
func (in *inputs) err(document string) error {
	if len(in.errs) == 0 {
		return nil
	}
	return fmt.Errorf("iampolicy: %s: %w", document, errors.Join(in.errs...))
}
