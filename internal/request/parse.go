// Package request turns the raw payload of a Lambda invocation into a
// validated password request. It accepts the recipe's direct-invocation JSON
// and the same JSON as the body of API Gateway and Function URL events, and
// answers every malformed, mistyped or out-of-range input with an *Error
// whose message is safe to show the caller.
package request

import (
	"github.com/passwordgen/passwordgen/internal/password"
)

// Request is what a caller asked for, with defaults filled in.
type Request struct {
	Policy password.Policy
	// Name is the caller's name for the password, "" when none was given.
	Name string
	// Overwrite allows replacing an existing password of the same name.
	Overwrite bool
}

// Parse decodes and validates event. limits must have passed
// Limits.Validate. Every error is an *Error.
//
// Combinations that depend on the character sets (minimums that exceed the
// length, a class emptied by exclusions) are left to password.New; Parse
// checks each field on its own and that at least one class is included.
func Parse(event []byte, limits Limits) (Request, error) {
	members, err := requestMembers(event)
	if err != nil {
		return Request{}, err
	}
	r := Request{Policy: password.Default()}
	// A deployer who raises the minimum above the default length raises the
	// default with it, so callers who send no length still get a policy the
	// deployer allows.
	r.Policy.Length = min(max(r.Policy.Length, limits.MinLength), limits.MaxLength)
	for _, m := range members {
		set, ok := fields[m.key]
		if !ok {
			return Request{}, unknownField(m.key)
		}
		if err := set(&r, m.value, limits); err != nil {
			return Request{}, &Error{Field: m.key, Message: err.Error()}
		}
	}
	// password.New repeats this check; making it here as well gives the
	// caller the same answer before any other combination is looked at.
	if err := r.Policy.CheckIncluded(); err != nil {
		return Request{}, &Error{Field: err.Field, Message: err.Message}
	}
	return r, nil
}
