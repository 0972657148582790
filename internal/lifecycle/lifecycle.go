// Package lifecycle describes the S3 lifecycle rules that make expiring
// passwords go, with no code running: for each expiry value a deployment
// offers, a rule that expires the objects under the key prefix tagged with
// that value and deletes their noncurrent versions a day later, and one
// rule that removes the delete markers left behind.
//
// The rules are plain values in the terms of S3's LifecycleRule, so that
// the Pulumi component (BucketLifecycleConfigurationV2) and the local
// stack (PutBucketLifecycleConfiguration) each map them onto their own
// types. It is pure, with no AWS imports.
package lifecycle

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/passwordgen/passwordgen/internal/objecttags"
)

// Rule is one enabled lifecycle rule.
type Rule struct {
	// ID is unique among the rules and at most 255 characters, as S3
	// requires.
	ID string
	// Prefix is the key prefix the rule applies to; "" is the whole
	// bucket.
	Prefix string
	// TagKey and TagValue, when set, narrow the rule to objects with that
	// tag. With a Prefix too, S3 wants both in Filter.And (Prefix, Tags);
	// without one, in Filter.Tag. Both are "" for a rule on the prefix
	// alone (Filter.Prefix).
	TagKey, TagValue string
	// ExpirationDays is Expiration.Days: that many days after it was
	// written, rounded up to the next midnight UTC, the current version is
	// hidden behind a delete marker. 0 for none.
	ExpirationDays int
	// NoncurrentDays is NoncurrentVersionExpiration.NoncurrentDays: that
	// many days after a version stopped being current, S3 deletes it. 0
	// for none.
	NoncurrentDays int
	// ExpiredObjectDeleteMarker is Expiration.ExpiredObjectDeleteMarker:
	// a delete marker with no version left behind it is removed. S3 allows
	// it only in a rule without Days and without a tag filter.
	ExpiredObjectDeleteMarker bool
}

// NoncurrentDays is how long an expiring password's version survives
// once it is no longer current. On a versioned bucket, Expiration alone
// only adds a delete marker, and the password stays readable by version
// id; this is what makes it actually go.
const NoncurrentDays = 1

// MaxValues bounds the expiry values: S3 allows 1,000 rules a bucket, and
// the delete markers take one.
const MaxValues = 999

// DeleteMarkersID is the ID of the rule that removes delete markers.
const DeleteMarkersID = "remove-expired-delete-markers"

// ExpiryID is the ID of the rule for objects that expire after days.
func ExpiryID(days int) string { return fmt.Sprintf("expires-in-days-%d", days) }

// Rules returns the rules for objects under prefix that expire after one
// of expiryDays, the values a request may ask for: one per value, shortest
// first, then the delete-marker rule. No values give no rules.
//
// The delete markers' rule filters on the prefix alone because delete
// markers carry no tags; it removes a marker only once nothing is left
// behind it, so it touches nothing a reader could still get.
func Rules(prefix string, expiryDays []int) ([]Rule, error) {
	if len(expiryDays) == 0 {
		return nil, nil
	}
	if len(expiryDays) > MaxValues {
		return nil, fmt.Errorf("%d expiry values, more than the %d lifecycle rules S3 leaves for them", len(expiryDays), MaxValues)
	}
	days := slices.Sorted(slices.Values(expiryDays))
	rules := make([]Rule, 0, len(days)+1)
	for i, d := range days {
		if d < 1 {
			return nil, fmt.Errorf("expiry after %d days: S3 expires after 1 day or more", d)
		}
		if i > 0 && d == days[i-1] {
			return nil, fmt.Errorf("expiry after %d days is listed twice", d)
		}
		rules = append(rules, Rule{
			ID:             ExpiryID(d),
			Prefix:         prefix,
			TagKey:         objecttags.KeyExpiresInDays,
			TagValue:       strconv.Itoa(d),
			ExpirationDays: d,
			NoncurrentDays: NoncurrentDays,
		})
	}
	return append(rules, Rule{ID: DeleteMarkersID, Prefix: prefix, ExpiredObjectDeleteMarker: true}), nil
}
