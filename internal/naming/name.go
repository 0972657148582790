// Package naming decides which password names callers may choose and maps a
// name to its S3 key. Names become object keys verbatim, so the rules keep
// them to one unambiguous spelling per object: no traversal segments, no
// empty segments, no characters that S3 tools or shells treat specially.
//
// Errors are plain and carry no field name, so that each caller can attach
// the field or setting the value came from.
package naming

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// maxNameLength bounds a name so that prefix + name + ".json" stays far
	// below S3's 1024-byte key limit.
	maxNameLength = 128
	// maxPrefixLength bounds KEY_PREFIX for the same reason.
	maxPrefixLength = 256
)

// ValidateName reports why name cannot be used, or nil: 1–128 characters of
// [A-Za-z0-9._-] in one or more '/'-separated segments, with no empty
// segment, no "." or ".." segment and no leading or trailing '/'.
func ValidateName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	// Characters first: after that check, bytes and characters coincide, so
	// the length message counts what the caller typed.
	if err := checkChars(name); err != nil {
		return err
	}
	if len(name) > maxNameLength {
		return fmt.Errorf("must be at most %d characters, got %d", maxNameLength, len(name))
	}
	return checkSegments(name)
}

// ValidatePrefix reports why prefix cannot be used as KEY_PREFIX, or nil: it
// is empty, or segments under the name rules followed by '/', at most 256
// characters in all.
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := checkChars(prefix); err != nil {
		return err
	}
	if len(prefix) > maxPrefixLength {
		return fmt.Errorf("must be at most %d characters, got %d", maxPrefixLength, len(prefix))
	}
	if !strings.HasSuffix(prefix, "/") {
		return errors.New(`must be empty or end with "/"`)
	}
	// Appending a valid last segment turns the prefix into a name-like path,
	// so every error checkSegments finds lies inside the prefix itself.
	return checkSegments(prefix + "x")
}

// Key returns the S3 object key of a name. Both arguments must have passed
// validation.
func Key(prefix, name string) string {
	return prefix + name + ".json"
}

// checkChars rejects the first character outside [A-Za-z0-9._/-]. All
// allowed characters are single bytes, so the byte index of the first bad
// one is also its character position.
func checkChars(p string) error {
	for i := 0; i < len(p); i++ {
		if !allowed(p[i]) {
			return fmt.Errorf("character %s at position %d is not allowed; use letters, digits, '.', '_', '-', and '/' between segments",
				quoteChar(p[i:]), i+1)
		}
	}
	return nil
}

func allowed(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '/'
}

// quoteChar quotes the first character of s, escaping control characters
// and naming invalid UTF-8 by its byte, so the message stays printable and
// short whatever the input.
func quoteChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return fmt.Sprintf("byte 0x%02x", s[0])
	}
	return fmt.Sprintf("%q", r)
}

// checkSegments applies the segment rules to a path of allowed characters.
func checkSegments(p string) error {
	switch {
	case strings.HasPrefix(p, "/"):
		return errors.New(`must not start with "/"`)
	case strings.HasSuffix(p, "/"):
		return errors.New(`must not end with "/"`)
	case strings.Contains(p, "//"):
		return errors.New(`must not contain an empty segment ("//")`)
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("must not contain the segment %q", seg)
		}
	}
	return nil
}
