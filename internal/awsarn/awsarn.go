// Package awsarn holds the shapes of the AWS identifiers the stack checks
// before it deploys: partitions, regions, account IDs and KMS key ARNs. The
// component's config validation and the IAM document builders both use it,
// so they accept and refuse exactly the same values.
//
// The patterns cover every partition: "aws", and "aws-" followed by a suffix
// (aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-eusc, ...), with region names
// such as us-east-1, cn-north-1, us-gov-west-1, us-isob-east-1 and
// eusc-de-east-1. New partitions and regions of those shapes need no change.
package awsarn

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern fragments for composing ARN patterns elsewhere. Each holds exactly
// one capture group, around the whole value.
const (
	PartitionPattern = `(aws(?:-[a-z]+)*)`
	RegionPattern    = `([a-z]{2,4}(?:-[a-z]+)+-[0-9]+)`
	AccountPattern   = `([0-9]{12})`
)

var (
	partition = regexp.MustCompile(`^` + PartitionPattern + `$`)
	region    = regexp.MustCompile(`^` + RegionPattern + `$`)
	account   = regexp.MustCompile(`^` + AccountPattern + `$`)
	// Key IDs are UUIDs, or mrk- and 32 hex digits for multi-Region keys.
	kmsKey = regexp.MustCompile(`^arn:` + PartitionPattern + `:kms:` + RegionPattern + `:` + AccountPattern +
		`:key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
)

// ValidPartition reports whether name has the shape of a partition name.
func ValidPartition(name string) bool { return partition.MatchString(name) }

// ValidRegion reports whether name has the shape of an AWS region name.
func ValidRegion(name string) bool { return region.MatchString(name) }

// ValidAccount reports whether id is an account ID: 12 digits.
func ValidAccount(id string) bool { return account.MatchString(id) }

// KMSKey is a parsed KMS key ARN.
type KMSKey struct {
	Partition string
	Region    string
	Account   string
	ID        string
}

// KMSKeyForm is how messages spell the accepted form.
const KMSKeyForm = "arn:<partition>:kms:<region>:<account>:key/<key-id>"

// ParseKMSKey accepts only a key ARN: IAM policies and key policies match a
// key by its key ARN, never by an alias or a bare key ID, so a grant written
// with either would silently match nothing.
func ParseKMSKey(arn string) (KMSKey, error) {
	if m := kmsKey.FindStringSubmatch(arn); m != nil {
		return KMSKey{Partition: m[1], Region: m[2], Account: m[3], ID: m[4]}, nil
	}
	if strings.Contains(arn, "alias/") {
		return KMSKey{}, fmt.Errorf("%q is an alias; IAM policies only match the key ARN, %s", arn, KMSKeyForm)
	}
	return KMSKey{}, fmt.Errorf("%q is not a KMS key ARN; want %s", arn, KMSKeyForm)
}
