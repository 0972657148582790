package request

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/passphrase"
	"github.com/passwordgen/passwordgen/internal/password"
)

// maxExclude bounds exclude_characters: 95 printable ASCII characters exist,
// so a longer list can only be a mistake or an attempt to make work.
const maxExclude = 256

// setter validates the decoded value of one field and stores it in r. A nil
// value means the caller gave null, which leaves the default in place.
type setter func(r *Request, v any, l Limits) error

// fields are the request fields the function accepts, keyed by their JSON
// name.
var fields = map[string]setter{
	"length": func(r *Request, v any, l Limits) error {
		return setInt(&r.Policy.Length, v, l.MinLength, l.MaxLength)
	},
	"include_lowercase": func(r *Request, v any, _ Limits) error { return setBool(&r.Policy.Lowercase, v) },
	"include_uppercase": func(r *Request, v any, _ Limits) error { return setBool(&r.Policy.Uppercase, v) },
	"include_numbers":   func(r *Request, v any, _ Limits) error { return setBool(&r.Policy.Numbers, v) },
	"include_symbols":   func(r *Request, v any, _ Limits) error { return setBool(&r.Policy.Symbols, v) },
	"symbols": func(r *Request, v any, _ Limits) error {
		return setString(&r.Policy.SymbolSet, v, password.CheckSymbols)
	},
	"exclude_characters": func(r *Request, v any, _ Limits) error {
		return setString(&r.Policy.ExcludeCharacters, v, checkExclude)
	},
	"exclude_ambiguous": func(r *Request, v any, _ Limits) error { return setBool(&r.Policy.ExcludeAmbiguous, v) },
	"require_each_included_type": func(r *Request, v any, _ Limits) error {
		return setBool(&r.Policy.RequireEachIncludedType, v)
	},
	"min_lowercase": func(r *Request, v any, l Limits) error { return setInt(&r.Policy.MinLowercase, v, 0, l.MaxLength) },
	"min_uppercase": func(r *Request, v any, l Limits) error { return setInt(&r.Policy.MinUppercase, v, 0, l.MaxLength) },
	"min_numbers":   func(r *Request, v any, l Limits) error { return setInt(&r.Policy.MinNumbers, v, 0, l.MaxLength) },
	"min_symbols":   func(r *Request, v any, l Limits) error { return setInt(&r.Policy.MinSymbols, v, 0, l.MaxLength) },
	"name":          func(r *Request, v any, _ Limits) error { return setString(&r.Name, v, naming.ValidateName) },
	"overwrite":     func(r *Request, v any, _ Limits) error { return setBool(&r.Overwrite, v) },
	"type":          func(r *Request, v any, _ Limits) error { return setString(&r.Type, v, checkType) },
	"words": func(r *Request, v any, _ Limits) error {
		return setInt(&r.Passphrase.Words, v, passphrase.MinWords, passphrase.MaxWords)
	},
	"separator": func(r *Request, v any, _ Limits) error {
		return setString(&r.Passphrase.Separator, v, passphrase.CheckSeparator)
	},
	"capitalize": func(r *Request, v any, _ Limits) error { return setBool(&r.Passphrase.Capitalize, v) },
	"dry_run":    func(r *Request, v any, _ Limits) error { return setBool(&r.DryRun, v) },
	"expires_in_days": func(r *Request, v any, l Limits) error {
		return setExpiry(&r.ExpiresInDays, v, l.ExpiryDays)
	},
	"rotate_every_days": func(r *Request, v any, _ Limits) error {
		return setInt(&r.RotateEveryDays, v, 1, MaxRotateEveryDays)
	},
}

// passphraseFields apply only to passphrases; every other field but the
// shared ones below applies only to passwords. Sending one with the other
// type is refused rather than ignored, so the caller learns it had no
// effect.
var passphraseFields = map[string]bool{"words": true, "separator": true, "capitalize": true}

// sharedFields apply to both types.
var sharedFields = map[string]bool{
	"type": true, "name": true, "overwrite": true, "dry_run": true,
	"expires_in_days": true, "rotate_every_days": true,
}

// checkType accepts the two types of secret.
func checkType(s string) error {
	if s != TypePassword && s != TypePassphrase {
		return fmt.Errorf("must be %q or %q, got %s", TypePassword, TypePassphrase, describe(s))
	}
	return nil
}

// checkFieldsFit refuses a field the request's type does not use.
func checkFieldsFit(r Request, given []string) error {
	for _, key := range given {
		switch {
		case sharedFields[key]:
		case passphraseFields[key] && r.Type == TypePassword:
			return &Error{Field: key, Message: `applies only to passphrases; add "type": "passphrase"`}
		case !passphraseFields[key] && r.Type == TypePassphrase:
			return &Error{Field: key, Message: `does not apply to passphrases, which take "words", "separator" and "capitalize"`}
		}
	}
	return nil
}

// setInt accepts only a plain integer literal: "20", 20.5, 2.0 and 1e9 are
// rejected rather than coerced, so the caller learns that their client sends
// something other than what they think.
func setInt(dst *int, v any, lo, hi int) error {
	if v == nil {
		return nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("must be an integer between %d and %d, got %s", lo, hi, describe(v))
	}
	if strings.ContainsAny(string(n), ".eE") {
		return fmt.Errorf("must be an integer written as digits (like 16), got %s", describe(n))
	}
	// Literals too long for int are out of range by definition; Atoi
	// reports them instead of wrapping around.
	i, err := strconv.Atoi(string(n))
	if err != nil || i < lo || i > hi {
		return fmt.Errorf("must be between %d and %d, got %s", lo, hi, describe(n))
	}
	*dst = i
	return nil
}

// setExpiry accepts only the values the bucket has a lifecycle rule for:
// any other would be stored as asked and never expire.
func setExpiry(dst *int, v any, allowed []int) error {
	if v == nil {
		return nil
	}
	if len(allowed) == 0 {
		return errors.New("is not offered by this deployment: its bucket has no expiry rules")
	}
	var n int
	if err := setInt(&n, v, slices.Min(allowed), slices.Max(allowed)); err != nil {
		return fmt.Errorf("must be one of %s, got %s", listInts(allowed), describe(v))
	}
	if !slices.Contains(allowed, n) {
		return fmt.Errorf("must be one of %s, got %d", listInts(allowed), n)
	}
	*dst = n
	return nil
}

func listInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func setBool(dst *bool, v any) error {
	if v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("must be true or false, got %s", describe(v))
	}
	*dst = b
	return nil
}

func setString(dst *string, v any, check func(string) error) error {
	if v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("must be a string, got %s", describe(v))
	}
	if err := check(s); err != nil {
		return err
	}
	*dst = s
	return nil
}

// checkExclude rejects characters no password can contain: excluding them
// has no effect, so the caller has most likely made a mistake.
func checkExclude(s string) error {
	for i, c := range s {
		if c < ' ' || c > '~' {
			return fmt.Errorf("must hold only printable ASCII characters, the only ones a password contains; got %q at position %d", c, i+1)
		}
	}
	if len(s) > maxExclude {
		return fmt.Errorf("must be at most %d characters, got %d", maxExclude, len(s))
	}
	return nil
}
