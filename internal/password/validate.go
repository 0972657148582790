package password

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxLength is a defensive ceiling: the request layer enforces the
// deployer's tighter bounds, but New is also reachable from code that does
// not, and every cost estimate in this package assumes it.
const maxLength = 4096

// maxAlphabet is the most characters a policy can allow: every printable
// ASCII character but the space.
const maxAlphabet = 26 + 26 + 10 + 32

// PolicyError reports a Policy that New refuses. Field is the snake_case
// request field to blame, so the caller can be told which input to change.
type PolicyError struct {
	Field   string
	Message string
}

func (e *PolicyError) Error() string { return e.Field + ": " + e.Message }

// class is one character class that survived validation, with the
// characters exclusions leave in it and its effective minimum.
type class struct {
	include  string // request field that turns the class on
	minField string // request field holding its minimum
	noun     string // one character of the class, for messages
	chars    string // characters left after exclusions
	asked    int    // the min_* field as given
	min      int    // max(asked, 1 if require_each_included_type)
}

// validate checks p and returns the included classes in a fixed order.
func validate(p Policy) ([]class, error) {
	if p.Length < 1 || p.Length > maxLength {
		return nil, &PolicyError{"length", fmt.Sprintf("must be between 1 and %d, got %d", maxLength, p.Length)}
	}
	all := []struct {
		on bool
		class
	}{
		{p.Lowercase, class{include: "include_lowercase", minField: "min_lowercase", noun: "lowercase letter", chars: "abcdefghijklmnopqrstuvwxyz", asked: p.MinLowercase}},
		{p.Uppercase, class{include: "include_uppercase", minField: "min_uppercase", noun: "uppercase letter", chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", asked: p.MinUppercase}},
		{p.Numbers, class{include: "include_numbers", minField: "min_numbers", noun: "number", chars: "0123456789", asked: p.MinNumbers}},
		{p.Symbols, class{include: "include_symbols", minField: "min_symbols", noun: "symbol", chars: p.SymbolSet, asked: p.MinSymbols}},
	}
	for _, c := range all {
		switch {
		case c.asked < 0:
			return nil, &PolicyError{c.minField, fmt.Sprintf("must not be negative, got %d", c.asked)}
		case c.asked > 0 && !c.on:
			return nil, &PolicyError{c.minField, fmt.Sprintf("must be 0 when %s is false", c.include)}
		case c.asked > p.Length:
			return nil, &PolicyError{c.minField, fmt.Sprintf("%d is more than length %d", c.asked, p.Length)}
		}
	}
	if err := p.CheckIncluded(); err != nil {
		return nil, err
	}
	if p.Symbols {
		if err := CheckSymbols(p.SymbolSet); err != nil {
			return nil, &PolicyError{"symbols", err.Error()}
		}
	}

	excluded := exclusions(p)
	classes := make([]class, 0, maxClasses)
	left := 0
	for _, c := range all {
		if !c.on {
			continue
		}
		c.chars = keep(c.chars, &excluded)
		left += len(c.chars)
		c.min = c.asked
		if p.RequireEachIncludedType {
			c.min = max(c.min, 1)
		}
		classes = append(classes, c.class)
	}
	if left == 0 {
		return nil, &PolicyError{"exclude_characters", fmt.Sprintf("every character of the included classes is excluded by %s", excludedBy(p))}
	}
	for _, c := range classes {
		if c.chars == "" {
			return nil, &PolicyError{c.include, fmt.Sprintf("every %s is excluded by %s", c.noun, excludedBy(p))}
		}
	}
	if err := checkMinimums(p.Length, classes); err != nil {
		return nil, err
	}
	return classes, nil
}

// CheckIncluded is the rule that at least one class is included: a
// policy without any can produce no password. The request layer applies it
// too, to answer it before any other combination.
func (p Policy) CheckIncluded() *PolicyError {
	if p.Lowercase || p.Uppercase || p.Numbers || p.Symbols {
		return nil
	}
	return &PolicyError{"include_lowercase", "at least one of include_lowercase, include_uppercase, include_numbers and include_symbols must be true"}
}

// CheckSymbols enforces the rules for a symbol set: anything else would let
// a symbol count as a letter or digit, or make one character likelier than
// the rest. The error names no field, so each caller can attach its own.
func CheckSymbols(set string) error {
	if set == "" {
		return errors.New("must not be empty; set include_symbols to false to leave symbols out")
	}
	var seen [utf8.RuneSelf]bool
	// Every character before a bad one is ASCII, so the byte index is also
	// the character position.
	for i, r := range set {
		if !IsSymbol(r) {
			return fmt.Errorf("must hold only ASCII punctuation (no letters, digits or spaces), got %q at position %d", r, i+1)
		}
		if seen[r] {
			return fmt.Errorf("lists %q more than once", r)
		}
		seen[r] = true
	}
	return nil
}

// excludedBy names the fields that emptied a class, for messages only: New
// runs on every request, so the valid path does not build it.
func excludedBy(p Policy) string {
	if p.ExcludeAmbiguous {
		return "exclude_characters and exclude_ambiguous"
	}
	return "exclude_characters"
}

// IsSymbol reports whether r may be in a symbol set: printable ASCII
// punctuation, so that symbols never overlap the letter and digit classes
// (which would skew the class counts) and never include spaces or
// characters that look alike across fonts and encodings.
func IsSymbol(r rune) bool {
	return r > ' ' && r < 0x7f &&
		(r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
}

// exclusions returns the set of excluded ASCII characters. Bytes of
// multi-byte UTF-8 sequences are never ASCII, and no class holds anything
// else, so they can be ignored.
func exclusions(p Policy) (ex [utf8.RuneSelf]bool) {
	sets := [2]string{p.ExcludeCharacters}
	if p.ExcludeAmbiguous {
		sets[1] = Ambiguous
	}
	for _, s := range sets {
		for i := range len(s) {
			if s[i] < utf8.RuneSelf {
				ex[s[i]] = true
			}
		}
	}
	return ex
}

// keep returns chars without the excluded ones, without copying when
// nothing is excluded (the common case, and New runs on every request).
func keep(chars string, excluded *[utf8.RuneSelf]bool) string {
	var kept []byte
	for i := range len(chars) {
		switch {
		case kept != nil && !excluded[chars[i]]:
			kept = append(kept, chars[i])
		case kept == nil && excluded[chars[i]]:
			kept = append(make([]byte, 0, len(chars)), chars[:i]...)
		}
	}
	if kept == nil {
		return chars
	}
	return string(kept)
}

// checkMinimums rejects effective minimums that cannot fit in the length,
// listing where each required character comes from.
func checkMinimums(length int, classes []class) error {
	total := 0
	for _, c := range classes {
		total += c.min
	}
	if total <= length {
		return nil
	}
	var parts []string
	for _, c := range classes {
		switch {
		case c.min == 0:
		case c.asked == c.min:
			parts = append(parts, fmt.Sprintf("%s %d", c.minField, c.min))
		default:
			parts = append(parts, fmt.Sprintf("1 %s for require_each_included_type", c.noun))
		}
	}
	return &PolicyError{"length", fmt.Sprintf("%d is less than the %d characters the minimums require (%s)", length, total, strings.Join(parts, ", "))}
}

// Class is one character class a valid policy includes.
type Class struct {
	// Include is the request field that turns the class on, such as
	// "include_numbers".
	Include string
	// Chars are the class's characters left after exclusions.
	Chars string
	// Min is how many of them every password holds at least.
	Min int
}

// Classes returns the classes p includes, in the fixed order lowercase,
// uppercase, numbers, symbols, or the error New would return for p.
func Classes(p Policy) ([]Class, error) {
	classes, err := validate(p)
	if err != nil {
		return nil, err
	}
	out := make([]Class, len(classes))
	for i, c := range classes {
		out[i] = Class{Include: c.include, Chars: c.chars, Min: c.min}
	}
	return out, nil
}
