package request

import "fmt"

// The range a deployer may give PASSWORD_MIN_LENGTH and PASSWORD_MAX_LENGTH:
// below 4 no policy is worth storing, above 4096 a request could make the
// generator do unbounded work.
const (
	lowestLimit  = 4
	highestLimit = 4096
)

// Limits bound the length a request may ask for. They come from the
// deployer (PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH), not the caller.
type Limits struct {
	MinLength int
	MaxLength int
}

// DefaultLimits returns the recipe's bounds, 8 to 128 characters.
func DefaultLimits() Limits {
	return Limits{MinLength: 8, MaxLength: 128}
}

// Validate reports a deployment mistake in the limits. Callers check once at
// start-up, because Parse trusts the limits it is given.
func (l Limits) Validate() error {
	for _, v := range []struct {
		name  string
		value int
	}{{"PASSWORD_MIN_LENGTH", l.MinLength}, {"PASSWORD_MAX_LENGTH", l.MaxLength}} {
		if v.value < lowestLimit || v.value > highestLimit {
			return fmt.Errorf("%s must be between %d and %d, got %d", v.name, lowestLimit, highestLimit, v.value)
		}
	}
	if l.MinLength > l.MaxLength {
		return fmt.Errorf("PASSWORD_MIN_LENGTH (%d) must not exceed PASSWORD_MAX_LENGTH (%d)", l.MinLength, l.MaxLength)
	}
	return nil
}
