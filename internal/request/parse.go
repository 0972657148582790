// Package request turns the raw payload of a Lambda invocation into a
// validated password or passphrase request. It accepts the recipe's direct-invocation JSON
// and the same JSON as the body of API Gateway and Function URL events, and
// answers every malformed, mistyped or out-of-range input with an *Error
// whose message is safe to show the caller.
package request

import (
	"github.com/passwordgen/passwordgen/internal/passphrase"
	"github.com/passwordgen/passwordgen/internal/password"
)

// The types of secret a request may ask for.
const (
	TypePassword   = "password"
	TypePassphrase = "passphrase"
)

// Request is what a caller asked for, with defaults filled in.
type Request struct {
	// Type is TypePassword (the default) or TypePassphrase.
	Type string
	// Policy describes the password when Type is TypePassword.
	Policy password.Policy
	// Passphrase describes the passphrase when Type is TypePassphrase.
	Passphrase passphrase.Options
	// Name is the caller's name for the password, "" when none was given.
	Name string
	// Overwrite allows replacing an existing password of the same name.
	Overwrite bool
	// DryRun asks only for the entropy and the policy in force: nothing is
	// generated or stored.
	DryRun bool
	// ExpiresInDays asks S3 to expire the password after that many days,
	// one of Limits.ExpiryDays; 0 means never.
	ExpiresInDays int
	// RotateEveryDays asks the rotator to replace the password with a new
	// one of the same parameters every that many days; 0 means never.
	RotateEveryDays int
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
	r := Request{Type: TypePassword, Policy: password.Default(), Passphrase: passphrase.Default()}
	// A deployer who raises the minimum above the default length raises the
	// default with it, so callers who send no length still get a policy the
	// deployer allows.
	r.Policy.Length = min(max(r.Policy.Length, limits.MinLength), limits.MaxLength)
	var given []string // fields with a value other than null
	for _, m := range members {
		set, ok := fields[m.key]
		if !ok {
			return Request{}, unknownField(m.key)
		}
		if err := set(&r, m.value, limits); err != nil {
			return Request{}, &Error{Field: m.key, Message: err.Error()}
		}
		if m.value != nil {
			given = append(given, m.key)
		}
	}
	if err := checkFieldsFit(r, given); err != nil {
		return Request{}, err
	}
	// A rotated version would restart S3's expiry clock, so the password
	// would never expire.
	if r.ExpiresInDays != 0 && r.RotateEveryDays != 0 {
		return Request{}, &Error{Field: "rotate_every_days", Message: `cannot be combined with "expires_in_days": each new version would restart the expiry; choose one`}
	}
	// password.New repeats this check; making it here as well gives the
	// caller the same answer before any other combination is looked at.
	if r.Type == TypePassword {
		if err := r.Policy.CheckIncluded(); err != nil {
			return Request{}, &Error{Field: err.Field, Message: err.Message}
		}
	}
	return r, nil
}
