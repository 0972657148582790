package request

import "fmt"

// The range a deployer may give the limits: below 4 no policy is worth storing, above 4096 a request could make the
// generator do unbounded work.
const (
	lowestLimit  = 4
	HighestLimit = 4096
)

// Limits bound what a request may ask for. They come from the deployer,
// not the caller.
type Limits struct {
	MinLength int
	MaxLength int
	// ExpiryDays are the values expires_in_days may take: the bucket has a
	// lifecycle rule for each, and S3 expires nothing else. Empty means
	// the deployment offers no expiry.
	ExpiryDays []int
}

// DefaultLimits returns the recipe's bounds, 8 to 128 characters, and
// expiry after a day, a week, a month, a quarter or a year.
func DefaultLimits() Limits {
	return Limits{MinLength: 8, MaxLength: 128, ExpiryDays: DefaultExpiryDays()}
}

// DefaultExpiryDays are the expiry values a deployment offers unless it
// says otherwise.
func DefaultExpiryDays() []int { return []int{1, 7, 30, 90, 365} }

// MaxRotateEveryDays bounds rotate_every_days at ten years: longer is
// no rotation at all.
const MaxRotateEveryDays = 3650

// MaxExpiryDays bounds the expiry values a deployment may offer, at ten
// years too: longer is no expiry at all, and past 106,751 days expires_at
// would overflow a time.Duration.
const MaxExpiryDays = 3650

// Validate reports a deployment mistake in the limits, naming them minName
// and maxName: each caller knows the limits by the name its user set them
// with (a config key, an environment variable). Callers check once at
// start-up, because Parse trusts the limits it is given.
func (l Limits) Validate(minName, maxName string) error {
	for _, v := range []struct {
		name  string
		value int
	}{{minName, l.MinLength}, {maxName, l.MaxLength}} {
		if v.value < lowestLimit || v.value > HighestLimit {
			return fmt.Errorf("%s must be between %d and %d, got %d", v.name, lowestLimit, HighestLimit, v.value)
		}
	}
	if l.MinLength > l.MaxLength {
		return fmt.Errorf("%s (%d) must not exceed %s (%d)", minName, l.MinLength, maxName, l.MaxLength)
	}
	return nil
}
