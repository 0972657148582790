package request

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/naming"
)

// FuzzParse checks that no payload panics Parse and that each one yields
// either a request within every rule or an *Error fit to show the caller.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `"x"`, `1`, `{"length": 20, "name": "test-password-1"}`,
		`{"length": 12, "include_symbols": false, "name": "simple-password"}`,
		`{"length": 1e9}`, `{"length": 20.0}`, `{"length": "20"}`, `{"length": 99999999999999999999}`,
		`{"lenght": 20}`, `{"length": 20, "length": 20}`, `{"length": 20} x`,
		`{"symbols": "!!"}`, `{"symbols": "ab"}`, `{"exclude_characters": "\u00e9"}`,
		`{"min_symbols": 3, "include_symbols": false, "require_each_included_type": false}`,
		`{"name": "../x"}`, `{"name": "a//b"}`, `{"name": "team-a/db-admin", "overwrite": true}`,
		`{"include_lowercase": false, "include_uppercase": false, "include_numbers": false, "include_symbols": false}`,
		`{"body": "{\"length\": 20}", "requestContext": {}}`,
		`{"body": "eyJsZW5ndGgiOjIwfQ==", "isBase64Encoded": true}`,
		`{"body": "!!", "isBase64Encoded": true}`, `{"body": null}`, `{"body": {}}`,
		`{"body": "{}", "length": 20}`, "{\"\xff\": 1}", `{"name": "\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		event, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(event)
	}
	limits := DefaultLimits()
	f.Fuzz(func(t *testing.T, event []byte) {
		r, err := Parse(event, limits)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || perr.Message == "" {
				t.Fatalf("error %#v is not an *Error with a message", err)
			}
			if msg := err.Error(); len(msg) > 300 || strings.ContainsFunc(msg, func(c rune) bool { return c < ' ' || c == 0x7f }) {
				t.Fatalf("unsafe message %q", msg)
			}
			return
		}
		if r.Name != "" {
			if err := naming.ValidateName(r.Name); err != nil {
				t.Fatalf("accepted name %q: %v", r.Name, err)
			}
		}
		p := r.Policy
		if p.Length < limits.MinLength || p.Length > limits.MaxLength {
			t.Fatalf("length %d outside %+v", p.Length, limits)
		}
		for _, m := range []int{p.MinLowercase, p.MinUppercase, p.MinNumbers, p.MinSymbols} {
			if m < 0 || m > limits.MaxLength {
				t.Fatalf("minimum %d outside 0..%d", m, limits.MaxLength)
			}
		}
		if !p.Lowercase && !p.Uppercase && !p.Numbers && !p.Symbols {
			t.Fatal("accepted a policy with no class")
		}
		// Written out rather than calling the validators, so a validator
		// bug cannot hide itself.
		const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
		if p.SymbolSet == "" || len(p.SymbolSet) > len(punctuation) {
			t.Fatalf("accepted symbols %q", p.SymbolSet)
		}
		for i, c := range p.SymbolSet {
			if !strings.ContainsRune(punctuation, c) || strings.ContainsRune(p.SymbolSet[i+1:], c) {
				t.Fatalf("accepted symbols %q", p.SymbolSet)
			}
		}
		if len(p.ExcludeCharacters) > 256 || strings.ContainsFunc(p.ExcludeCharacters, func(c rune) bool { return c < ' ' || c > '~' }) {
			t.Fatalf("accepted exclude_characters %q", p.ExcludeCharacters)
		}
	})
}
