package request

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/passphrase"
	"github.com/passwordgen/passwordgen/internal/password"
)

// The fuzz targets' seeds beyond the committed corpora under
// testdata/fuzz/<target>: the shapes the parser must tell apart.
var fuzzSeeds = []string{
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
	`{"length": 8, "min_lowercase": 5, "min_uppercase": 5}`,
	`{"include_symbols": false, "exclude_characters": "0123456789", "include_lowercase": false, "include_uppercase": false}`,
	`{"length": 128, "min_symbols": 100, "symbols": "!"}`,
	`{"length": null, "name": null, "overwrite": null, "require_each_included_type": false}`,
	`{"overwrite": "yes"}`, `{"name": 42}`, `{"length": true}`, `{"symbols": ""}`, `{"include_numbers": [0]}`, `{"min_numbers": {}}`,
	`{"exclude_characters": "` + strings.Repeat("x", 257) + `"}`,
	`{"body": "{}", "isBase64Encoded": "true"}`,
	`{"type": "passphrase", "words": 7, "separator": " ", "capitalize": true}`, `{"type": "passphrase", "length": 20}`,
	`{"words": 6}`, `{"type": "pin"}`, `{"dry_run": true, "type": "passphrase", "separator": "a"}`,
}

// FuzzParse checks that no payload panics Parse and that each one ends the
// way the handler's 400-or-generate logic assumes: an *Error fit to show the
// caller, a policy password.New refuses with a *PolicyError fit to show the
// caller, or a request within every rule that yields a password.
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds {
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
			checkMessage(t, err)
			return
		}
		checkRequest(t, r, limits)
		if r.Type == TypePassphrase {
			checkPassphrase(t, r.Passphrase)
			return
		}
		checkGenerates(t, r.Policy)
	})
}

// FuzzParseHTTPBody checks that a request carried as the body of an API
// Gateway event, as text or base64, is read exactly as the same bytes sent
// directly: the envelope adds no way to slip past a rule.
func FuzzParseHTTPBody(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	limits := DefaultLimits()
	f.Fuzz(func(t *testing.T, body []byte, encoded bool) {
		text := string(body)
		if encoded {
			text = base64.StdEncoding.EncodeToString(body)
		} else if !utf8.Valid(body) {
			// A JSON string cannot carry these bytes; API Gateway base64-encodes
			// such bodies.
			return
		}
		event, err := json.Marshal(map[string]any{"requestContext": map[string]any{}, "body": text, "isBase64Encoded": encoded})
		if err != nil {
			t.Fatal(err)
		}
		viaHTTP, httpErr := Parse(event, limits)
		direct, directErr := Parse(body, limits)
		switch {
		case len(bytes.TrimSpace(body)) == 0:
			// An empty HTTP body asks for the defaults; an empty event is a mistake.
			if httpErr != nil || viaHTTP != defaults(nil) {
				t.Fatalf("blank body: %+v, %v; want the defaults", viaHTTP, httpErr)
			}
		case httpErr == nil:
			checkRequest(t, viaHTTP, limits)
			if directErr != nil || direct != viaHTTP {
				t.Fatalf("body accepted as %+v, the same bytes sent directly give %+v, %v", viaHTTP, direct, directErr)
			}
		case directErr == nil:
			// Only an event that is itself an envelope is accepted directly
			// and refused inside a body, where its keys are unknown fields.
			var perr *Error
			if !errors.As(httpErr, &perr) || !strings.HasPrefix(perr.Message, "is not a request field") {
				t.Fatalf("accepted directly as %+v, refused in a body with %v", direct, httpErr)
			}
		default:
			checkMessage(t, httpErr)
		}
	})
}

// checkMessage fails unless err's text is fit to show the caller: short and
// free of control characters whatever the input.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); len(msg) > 300 || strings.ContainsFunc(msg, func(c rune) bool { return c < ' ' || c == 0x7f }) {
		t.Fatalf("unsafe message %q", msg)
	}
}

// checkRequest fails unless r obeys every rule Parse is meant to enforce.
func checkRequest(t *testing.T, r Request, limits Limits) {
	t.Helper()
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
}

// checkGenerates follows the handler past Parse: a policy password.New
// refuses is the caller's mistake and must come with a message for them;
// one it accepts must yield a password, or the caller would see a 500.
func checkGenerates(t *testing.T, p password.Policy) {
	t.Helper()
	gen, err := password.New(p)
	if err != nil {
		var perr *password.PolicyError
		if !errors.As(err, &perr) || perr.Field == "" || perr.Message == "" {
			t.Fatalf("password.New error %#v is not a *PolicyError naming a field", err)
		}
		checkMessage(t, err)
		return
	}
	pw, err := gen.Generate(rand.Reader)
	if err != nil {
		t.Fatalf("accepted policy %+v fails to generate: %v", p, err)
	}
	// Only the length is reported: the password itself never goes to test output.
	if len(pw) != p.Length {
		t.Fatalf("generated %d characters for length %d", len(pw), p.Length)
	}
}

// checkPassphrase follows the handler past Parse for a passphrase: Parse
// checks every option, so New must accept them and Generate succeed.
func checkPassphrase(t *testing.T, o passphrase.Options) {
	t.Helper()
	gen, err := passphrase.New(o)
	if err != nil {
		t.Fatalf("accepted options %+v refused: %v", o, err)
	}
	pp, err := gen.Generate(rand.Reader)
	if err != nil {
		t.Fatalf("accepted options %+v fail to generate: %v", o, err)
	}
	if n := strings.Count(pp, o.Separator); n < o.Words-1 {
		t.Fatalf("%d separators for %d words", n, o.Words)
	}
}
