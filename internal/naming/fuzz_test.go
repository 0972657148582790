package naming

import (
	"strings"
	"testing"
)

// FuzzName checks that whatever passes validation yields a key that stays
// under its prefix and holds nothing a path or terminal would misread.
func FuzzName(f *testing.F) {
	for _, seed := range []struct{ prefix, name string }{
		{"passwords/", "test-password-1"},
		{"passwords/", "simple-password"},
		{"passwords/", "team-a/db-admin"},
		{"", "a"},
		{"passwords/", "../etc/passwd"},
		{"passwords/", "a/./b"},
		{"passwords/", "a//b"},
		{"passwords/", "/a"},
		{"passwords/", "a/"},
		{"passwords/", `a\b`},
		{"passwords/", "a\x00b"},
		{"passwords/", "pässword"},
		{"passwords/", "trailing."},
		{"passwords/", "..."},
		{"team/../", "x"},
		{"/", "x"},
		{"a//", "x"},
		{"passwords", "x"},
		{"passwords/", strings.Repeat("a", 129)},
	} {
		f.Add(seed.prefix, seed.name)
	}
	f.Fuzz(func(t *testing.T, prefix, name string) {
		nameErr := ValidateName(name)
		prefixErr := ValidatePrefix(prefix)
		for _, err := range []error{nameErr, prefixErr} {
			if err != nil && (err.Error() == "" || len(err.Error()) > 160 || hasControl(err.Error())) {
				t.Fatalf("unsafe message %q", err)
			}
		}
		if nameErr != nil || prefixErr != nil {
			return
		}
		if len(name) == 0 || len(name) > maxNameLength || len(prefix) > maxPrefixLength {
			t.Fatalf("accepted out-of-bounds lengths: prefix %d, name %d", len(prefix), len(name))
		}
		key := Key(prefix, name)
		if !strings.HasPrefix(key, prefix) || !strings.HasSuffix(key, ".json") {
			t.Fatalf("key %q escapes prefix %q or lacks .json", key, prefix)
		}
		// S3 refuses longer keys, which would turn a valid name into a 5xx.
		if len(key) > 1024 {
			t.Fatalf("key of %d bytes exceeds S3's 1024-byte limit", len(key))
		}
		if strings.Contains(key, "//") || strings.Contains(key, `\`) || strings.HasPrefix(key, "/") || hasControl(key) {
			t.Fatalf("key %q holds an empty segment, a backslash or a control character", key)
		}
		// A name may end in '.', so "a." gives "a..json": ".." as a substring
		// is harmless; ".." or "." as a whole segment is traversal.
		for seg := range strings.SplitSeq(strings.TrimSuffix(key, ".json"), "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("key %q holds a traversal segment", key)
			}
		}
	})
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
