package request

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/passphrase"
	"github.com/passwordgen/passwordgen/internal/password"
)

// defaults returns the request an empty event yields, changed by edit.
func defaults(edit func(r *Request)) Request {
	r := Request{Type: TypePassword, Policy: password.Default(), Passphrase: passphrase.Default()}
	if edit != nil {
		edit(&r)
	}
	return r
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name  string
		event string
		want  Request
	}{
		{"empty object", `{}`, defaults(nil)},
		{"recipe payload 1", `{"length": 20, "name": "test-password-1"}`,
			defaults(func(r *Request) { r.Policy.Length = 20; r.Name = "test-password-1" })},
		{"recipe payload 2", `{"length": 12, "include_symbols": false, "name": "simple-password"}`,
			defaults(func(r *Request) { r.Policy.Length = 12; r.Policy.Symbols = false; r.Name = "simple-password" })},
		{"whitespace around", " \n\t{ \"length\" : 8 }\r\n ", defaults(func(r *Request) { r.Policy.Length = 8 })},
		{"every field", `{
			"length": 128,
			"include_lowercase": false, "include_uppercase": true, "include_numbers": false, "include_symbols": true,
			"symbols": "!#%",
			"exclude_characters": "Q \"~",
			"exclude_ambiguous": true,
			"require_each_included_type": false,
			"min_lowercase": 0, "min_uppercase": 3, "min_numbers": 128, "min_symbols": 1,
			"name": "team-a/db-admin",
			"overwrite": true}`,
			Request{
				Type: TypePassword,
				Policy: password.Policy{
					Length: 128, Uppercase: true, Symbols: true, SymbolSet: "!#%",
					ExcludeCharacters: `Q "~`, ExcludeAmbiguous: true,
					MinUppercase: 3, MinNumbers: 128, MinSymbols: 1,
				},
				Passphrase: passphrase.Default(),
				Name:       "team-a/db-admin",
				Overwrite:  true,
			}},
		{"every passphrase field", `{"type": "passphrase", "words": 20, "separator": " ", "capitalize": true, "dry_run": true, "name": "wifi"}`,
			defaults(func(r *Request) {
				r.Type, r.Passphrase, r.DryRun, r.Name = TypePassphrase, passphrase.Options{Words: 20, Separator: " ", Capitalize: true}, true, "wifi"
			})},
		{"passphrase defaults", `{"type": "passphrase"}`, defaults(func(r *Request) { r.Type = TypePassphrase })},
		{"explicit password type", `{"type": "password", "length": 30}`, defaults(func(r *Request) { r.Policy.Length = 30 })},
		{"dry run of a password", `{"dry_run": true, "length": 30}`, defaults(func(r *Request) { r.DryRun, r.Policy.Length = true, 30 })},
		{"null passphrase fields with a password", `{"words": null, "separator": null, "capitalize": null}`, defaults(nil)},
		{"null means not given", `{
			"length": null, "include_lowercase": null, "include_uppercase": null, "include_numbers": null,
			"include_symbols": null, "symbols": null, "exclude_characters": null, "exclude_ambiguous": null,
			"require_each_included_type": null, "min_lowercase": null, "min_uppercase": null,
			"min_numbers": null, "min_symbols": null, "name": null, "overwrite": null, "type": null, "dry_run": null}`,
			defaults(nil)},
		{"length at lower limit", `{"length": 8}`, defaults(func(r *Request) { r.Policy.Length = 8 })},
		{"negative zero is zero", `{"min_symbols": -0}`, defaults(nil)},
		{"every symbol once", `{"symbols": "!\"#$%&'()*+,-./:;<=>?@[\\]^_` + "`" + `{|}~"}`,
			defaults(func(r *Request) { r.Policy.SymbolSet = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" })},
		{"escaped name", `{"name": "team\u002da\/x"}`, defaults(func(r *Request) { r.Name = "team-a/x" })},
		{"exclude 256 characters", `{"exclude_characters": "` + strings.Repeat("a", 256) + `"}`,
			defaults(func(r *Request) { r.Policy.ExcludeCharacters = strings.Repeat("a", 256) })},
		{"one class is enough", `{"include_lowercase": false, "include_uppercase": false, "include_numbers": false}`,
			defaults(func(r *Request) { r.Policy.Lowercase, r.Policy.Uppercase, r.Policy.Numbers = false, false, false })},
		{"direct event with requestContext only", `{"requestContext": {"requestId": "x"}}`, defaults(nil)},
		{"HTTP body empty", `{"body": "", "requestContext": {}}`, defaults(nil)},
		{"HTTP body whitespace", `{"body": " \n", "isBase64Encoded": false}`, defaults(nil)},
		{"HTTP body empty object", `{"body": "{}"}`, defaults(nil)},
		{"HTTP body base64 of nothing", `{"body": "", "isBase64Encoded": true}`, defaults(nil)},
		{"HTTP isBase64Encoded null", `{"body": "{\"length\": 9}", "isBase64Encoded": null}`,
			defaults(func(r *Request) { r.Policy.Length = 9 })},
		{"HTTP other keys ignored, even duplicated deep inside",
			`{"body": "{\"length\": 10}", "headers": {"a": "1", "a": "2"}, "routeKey": "$default", "version": "2.0"}`,
			defaults(func(r *Request) { r.Policy.Length = 10 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.event), DefaultLimits())
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if got != tt.want {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseHTTPEvents(t *testing.T) {
	tests := []struct {
		file string
		want Request
	}{
		{"apigw-v1-rest.json", defaults(func(r *Request) { r.Policy.Length = 20; r.Name = "test-password-1" })},
		{"apigw-v1-rest-get.json", defaults(nil)},
		{"apigw-v2-http-base64.json",
			defaults(func(r *Request) { r.Policy.Length = 12; r.Policy.Symbols = false; r.Name = "simple-password" })},
		{"apigw-v2-http-get.json", defaults(nil)},
		{"function-url.json", defaults(func(r *Request) {
			r.Policy.Length = 24
			r.Policy.MinSymbols = 2
			r.Policy.ExcludeAmbiguous = true
			r.Name = "team-a/db-admin"
			r.Overwrite = true
		})},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			event, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(event, DefaultLimits())
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if got != tt.want {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, event, field, want string
	}{
		// The event as a whole.
		{"empty payload", ``, "", "event is empty"},
		{"whitespace payload", " \n", "", "event is empty"},
		{"array", `[{"length": 20}]`, "", "event must be a JSON object such as"},
		{"string", `"{\"length\": 20}"`, "", `got the string "{\"length\": 20}"`},
		{"number", `20`, "", "event must be a JSON object such as {\"length\": 20}, got 20"},
		{"true", `true`, "", "got true"},
		{"null", `null`, "", "got null"},
		{"invalid JSON", `{length: 20}`, "", "event is not valid JSON"},
		{"truncated", `{"length": 20`, "", "event is not valid JSON"},
		{"trailing comma", `{"length": 20,}`, "", "event is not valid JSON"},
		{"missing colon", `{"length" 20}`, "", "event is not valid JSON"},
		{"trailing object", `{"length": 20} {"length": 21}`, "", "event has data after the JSON object"},
		{"trailing garbage", `{"length": 20}x`, "", "event has data after the JSON object"},
		{"invalid UTF-8 outside strings", "{\"length\": 20\xff}", "", "event is not valid JSON"},

		// Strictness.
		{"unknown field, typo", `{"lenght": 20}`, "lenght", `is not a request field; did you mean "length"?`},
		{"unknown field, case", `{"Length": 20}`, "Length", `did you mean "length"?`},
		{"unknown field, camel case", `{"includeSymbols": false}`, "includeSymbols", `did you mean "include_symbols"?`},
		{"unknown field, abbreviation", `{"len": 20}`, "len", `did you mean "length"?`},
		{"unknown field, singular", `{"min_symbol": 2}`, "min_symbol", `did you mean "min_symbols"?`},
		{"unknown field, far", `{"password": "hunter2"}`, "password", "is not a request field"},
		{"unknown field, ambiguous abbreviation", `{"exclude": "x"}`, "exclude", "is not a request field"},
		{"unknown field with control character", `{"a\u0000b": 1}`, `"a\x00b"`, "is not a request field"},
		{"duplicate key", `{"length": 20, "length": 21}`, "length", "appears more than once"},
		{"duplicate unknown key", `{"x": 1, "x": 2}`, "x", "appears more than once"},

		// length.
		{"length as string", `{"length": "20"}`, "length", `must be an integer between 8 and 128, got the string "20"`},
		{"length fraction", `{"length": 20.5}`, "length", "must be an integer written as digits (like 16), got 20.5"},
		{"length with .0", `{"length": 20.0}`, "length", "written as digits"},
		{"length exponent", `{"length": 1e9}`, "length", "got 1e9"},
		{"length small exponent", `{"length": 2E1}`, "length", "got 2E1"},
		{"length huge exponent", `{"length": 1e999}`, "length", "got 1e999"},
		{"length bool", `{"length": true}`, "length", "got true"},
		{"length array", `{"length": [20]}`, "length", "got an array"},
		{"length object", `{"length": {"value": 20}}`, "length", "got an object"},
		{"length too small", `{"length": 7}`, "length", "must be between 8 and 128, got 7"},
		{"length too large", `{"length": 129}`, "length", "must be between 8 and 128, got 129"},
		{"length negative", `{"length": -16}`, "length", "got -16"},
		{"length beyond int64", `{"length": 99999999999999999999}`, "length", "must be between 8 and 128, got 99999999999999999999"},
		{"length wraps int64", `{"length": 18446744073709551632}`, "length", "must be between 8 and 128"},
		{"length huge literal", `{"length": ` + strings.Repeat("9", 5000) + `}`, "length", "got 999999999999999999999999..."},

		// Booleans.
		{"bool as string", `{"include_symbols": "false"}`, "include_symbols", `must be true or false, got the string "false"`},
		{"bool as number", `{"include_numbers": 0}`, "include_numbers", "must be true or false, got 0"},
		{"bool as array", `{"overwrite": []}`, "overwrite", "got an array"},
		{"exclude_ambiguous string", `{"exclude_ambiguous": "yes"}`, "exclude_ambiguous", "must be true or false"},
		{"require_each_included_type number", `{"require_each_included_type": 1}`, "require_each_included_type", "must be true or false"},
		{"include_lowercase string", `{"include_lowercase": "true"}`, "include_lowercase", "must be true or false"},
		{"include_uppercase number", `{"include_uppercase": 1}`, "include_uppercase", "must be true or false"},
		{"no class", `{"include_lowercase": false, "include_uppercase": false, "include_numbers": false, "include_symbols": false}`,
			"include_lowercase", "at least one of include_lowercase, include_uppercase, include_numbers and include_symbols must be true"},

		// symbols.
		{"symbols number", `{"symbols": 5}`, "symbols", "must be a string, got 5"},
		{"symbols empty", `{"symbols": ""}`, "symbols", "must not be empty; set include_symbols to false"},
		{"symbols letter", `{"symbols": "!a"}`, "symbols", "must hold only ASCII punctuation (no letters, digits or spaces), got 'a' at position 2"},
		{"symbols digit", `{"symbols": "7"}`, "symbols", "got '7' at position 1"},
		{"symbols space", `{"symbols": "! #"}`, "symbols", "got ' ' at position 2"},
		{"symbols tab", `{"symbols": "!\t"}`, "symbols", `got '\t' at position 2`},
		{"symbols non-ASCII", `{"symbols": "!§"}`, "symbols", "got '§' at position 2"},
		{"symbols duplicate", `{"symbols": "!@#!"}`, "symbols", "lists '!' more than once"},

		// exclude_characters.
		{"exclude bool", `{"exclude_characters": false}`, "exclude_characters", "must be a string, got false"},
		{"exclude non-ASCII", `{"exclude_characters": "abé"}`, "exclude_characters", "must hold only printable ASCII characters, the only ones a password contains; got 'é' at position 3"},
		{"exclude control", `{"exclude_characters": "a\u0007"}`, "exclude_characters", `got '\a' at position 2`},
		{"exclude too long", `{"exclude_characters": "` + strings.Repeat("x", 257) + `"}`, "exclude_characters", "must be at most 256 characters, got 257"},

		// Minimums.
		{"min negative", `{"min_lowercase": -1}`, "min_lowercase", "must be between 0 and 128, got -1"},
		{"min above max length", `{"min_uppercase": 129}`, "min_uppercase", "must be between 0 and 128, got 129"},
		{"min fraction", `{"min_numbers": 1.5}`, "min_numbers", "written as digits"},
		{"min string", `{"min_symbols": "2"}`, "min_symbols", `must be an integer between 0 and 128, got the string "2"`},

		// name.
		{"name number", `{"name": 42}`, "name", "must be a string, got 42"},
		{"name empty", `{"name": ""}`, "name", "must not be empty"},
		{"name traversal", `{"name": "../../etc/passwd"}`, "name", `segment ".."`},
		{"name leading slash", `{"name": "/abs"}`, "name", `must not start with "/"`},
		{"name space", `{"name": "my password"}`, "name", "character ' ' at position 3 is not allowed"},
		{"name too long", `{"name": "` + strings.Repeat("n", 129) + `"}`, "name", "at most 128 characters"},

		// Passphrases and dry runs.
		{"type unknown", `{"type": "pin"}`, "type", `must be "password" or "passphrase", got the string "pin"`},
		{"type number", `{"type": 1}`, "type", "must be a string, got 1"},
		{"words too few", `{"type": "passphrase", "words": 2}`, "words", "must be between 3 and 20, got 2"},
		{"words too many", `{"type": "passphrase", "words": 21}`, "words", "must be between 3 and 20, got 21"},
		{"words string", `{"type": "passphrase", "words": "6"}`, "words", `must be an integer between 3 and 20, got the string "6"`},
		{"separator letter", `{"type": "passphrase", "separator": "x"}`, "separator", `must not be a letter, got "x"`},
		{"separator two characters", `{"type": "passphrase", "separator": "--"}`, "separator", "must be exactly one printable ASCII character"},
		{"separator empty", `{"type": "passphrase", "separator": ""}`, "separator", "must be exactly one printable ASCII character"},
		{"capitalize string", `{"type": "passphrase", "capitalize": "yes"}`, "capitalize", "must be true or false"},
		{"dry_run number", `{"dry_run": 1}`, "dry_run", "must be true or false, got 1"},
		{"words without type", `{"words": 6}`, "words", `applies only to passphrases; add "type": "passphrase"`},
		{"separator with password type", `{"type": "password", "separator": "-"}`, "separator", "applies only to passphrases"},
		{"length with passphrase", `{"type": "passphrase", "length": 20}`, "length", `does not apply to passphrases, which take "words", "separator" and "capitalize"`},
		{"length before type", `{"length": 20, "type": "passphrase"}`, "length", "does not apply to passphrases"},
		{"unknown field, typo of words", `{"wrods": 6}`, "wrods", `did you mean "words"?`},
		{"unknown field, dry run spelled", `{"dryRun": true}`, "dryRun", `did you mean "dry_run"?`},

		// HTTP events.
		{"body invalid JSON", `{"body": "{length: 20}", "requestContext": {}}`, "body", "is not valid JSON"},
		{"body array", `{"body": "[]"}`, "body", "must be a JSON object such as"},
		{"body number", `{"body": "20"}`, "body", "got 20"},
		{"body trailing data", `{"body": "{} x"}`, "body", "has data after the JSON object"},
		{"body as object", `{"body": {"length": 20}}`, "body", "must be the request JSON as a string, or null, got an object"},
		{"body as number", `{"body": 20, "requestContext": {}}`, "body", "got 20"},
		{"body invalid base64", `{"body": "not base64!", "isBase64Encoded": true}`, "body", "is not valid base64"},
		{"body URL-safe base64", `{"body": "eyJsZW5ndGgiOjIwfQ_-", "isBase64Encoded": true}`, "body", "is not valid base64"},
		{"body base64 of invalid JSON", `{"body": "bGVuZ3Ro", "isBase64Encoded": true}`, "body", "is not valid JSON"},
		{"isBase64Encoded string", `{"body": "e30=", "isBase64Encoded": "true"}`, "isBase64Encoded", `must be true or false, got the string "true"`},
		{"body field error", `{"body": "{\"length\": \"20\"}"}`, "length", "must be an integer"},
		{"body unknown field", `{"body": "{\"lenght\": 20}"}`, "lenght", `did you mean "length"?`},
		{"body duplicate", `{"body": "{\"name\": \"a\", \"name\": \"b\"}"}`, "name", "appears more than once"},
		{"body nested envelope", `{"body": "{\"body\": \"{}\"}"}`, "body", "is not a request field"},
		{"request field beside body", `{"body": "{}", "length": 20}`, "length", "belongs inside body"},
		{"duplicate body", `{"body": "{}", "body": "{\"length\": 20}"}`, "body", "appears more than once"},
		{"envelope invalid JSON elsewhere", `{"body": "{}", "headers": {"a": }}`, "", "event is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.event), DefaultLimits())
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse = %+v, %v; want *Error", got, err)
			}
			if got != (Request{}) {
				t.Errorf("Parse returned %+v with an error", got)
			}
			if perr.Field != tt.field {
				t.Errorf("Field = %q, want %q (error %q)", perr.Field, tt.field, err)
			}
			if !strings.Contains(perr.Message, tt.want) {
				t.Errorf("Message = %q, want it to contain %q", perr.Message, tt.want)
			}
		})
	}
}

// The deployer's limits, not the built-in 8..128, bound what callers may ask.
func TestParseHonoursLimits(t *testing.T) {
	limits := Limits{MinLength: 20, MaxLength: 64}
	tests := []struct {
		event      string
		wantLength int
		wantErr    string
	}{
		{`{}`, 20, ""}, // the default 16 is below the deployer's minimum
		{`{"length": 64}`, 64, ""},
		{`{"length": 16}`, 0, "length: must be between 20 and 64, got 16"},
		{`{"length": 65}`, 0, "length: must be between 20 and 64, got 65"},
		{`{"min_symbols": 65}`, 0, "min_symbols: must be between 0 and 64, got 65"},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.event), limits)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Parse(%s) = %v", tt.event, err)
		case tt.wantErr == "" && got.Policy.Length != tt.wantLength:
			t.Errorf("Parse(%s).Policy.Length = %d, want %d", tt.event, got.Policy.Length, tt.wantLength)
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("Parse(%s) = %v, want %q", tt.event, err, tt.wantErr)
		}
	}
	got, err := Parse([]byte(`{}`), Limits{MinLength: 4, MaxLength: 12})
	if err != nil || got.Policy.Length != 12 {
		t.Errorf("with max 12, default length = %d, %v; want 12", got.Policy.Length, err)
	}
}

// Whatever the caller sends, the message shown back stays short and free of
// control characters.
func TestParseMessagesAreBounded(t *testing.T) {
	huge := strings.Repeat("A", 1<<20)
	for _, event := range []string{
		`{"` + huge + `": 1}`,
		`{"length": "` + huge + `"}`,
		`{"length": ` + strings.Repeat("1", 1<<20) + `}`,
		`{"name": "` + huge + ` "}`,
		`{"symbols": "` + huge + `"}`,
		`{"exclude_characters": "` + huge + `"}`,
		`{"body": "` + huge + `", "isBase64Encoded": true}`,
		`{"body": "{\"x\": \"` + huge + `\"}"}`,
		`{"x\u001b[31m": 1}`,
		`{"length": "\u001b[31m\r\n"}`,
	} {
		_, err := Parse([]byte(event), DefaultLimits())
		if err == nil {
			t.Fatalf("Parse(%.40q...) = nil error", event)
		}
		msg := err.Error()
		if len(msg) > 200 || strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Errorf("unsafe message for %.40q...: %.300q", event, msg)
		}
	}
}

func TestErrorString(t *testing.T) {
	for _, tt := range []struct {
		err  Error
		want string
	}{
		{Error{Field: "length", Message: "must be between 8 and 128, got 7"}, "length: must be between 8 and 128, got 7"},
		{Error{Message: "event is empty"}, "event is empty"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestGenerationJSONRegeneratesTheSameParameters(t *testing.T) {
	for _, body := range []string{
		`{}`,
		`{"length": 40, "symbols": "<>&\"\\", "exclude_characters": "abc\"\\", "min_numbers": 3, "require_each_included_type": true, "name": "team-a/db", "rotate_every_days": 30, "overwrite": true}`,
		`{"type": "passphrase", "words": 8, "separator": "-", "capitalize": true, "expires_in_days": 7}`,
	} {
		want, err := Parse([]byte(body), DefaultLimits())
		if err != nil {
			t.Fatalf("Parse(%s): %v", body, err)
		}
		gen := want.GenerationJSON()
		got, err := Parse(gen, DefaultLimits())
		if err != nil {
			t.Fatalf("Parse(GenerationJSON() = %s): %v", gen, err)
		}
		if got.Type != want.Type || got.Policy != want.Policy || got.Passphrase != want.Passphrase {
			t.Errorf("%s: regenerated %+v, want %+v", body, got, want)
		}
		if got.Name != "" || got.Overwrite || got.ExpiresInDays != 0 || got.RotateEveryDays != 0 {
			t.Errorf("%s: GenerationJSON %s carries more than the generation parameters", body, gen)
		}
	}
}

func TestExpiryAndRotation(t *testing.T) {
	for _, tc := range []struct {
		body    string
		limits  Limits
		wantErr string // "" = accepted
	}{
		{`{"expires_in_days": 7}`, DefaultLimits(), ""},
		{`{"type": "passphrase", "rotate_every_days": 90}`, DefaultLimits(), ""},
		{`{"expires_in_days": 8}`, DefaultLimits(), "expires_in_days: must be one of 1, 7, 30, 90, 365, got 8"},
		{`{"expires_in_days": "7"}`, DefaultLimits(), `expires_in_days: must be one of 1, 7, 30, 90, 365, got the string "7"`},
		{`{"expires_in_days": 7}`, Limits{MinLength: 8, MaxLength: 128}, "expires_in_days: is not offered by this deployment"},
		{`{"rotate_every_days": 0}`, DefaultLimits(), "rotate_every_days: must be between 1 and 3650, got 0"},
		{`{"rotate_every_days": 3651}`, DefaultLimits(), "rotate_every_days: must be between 1 and 3650"},
		{`{"expires_in_days": 7, "rotate_every_days": 30}`, DefaultLimits(), `rotate_every_days: cannot be combined with "expires_in_days"`},
	} {
		r, err := Parse([]byte(tc.body), tc.limits)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("Parse(%s): %v", tc.body, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("Parse(%s) error = %v, want %q", tc.body, err, tc.wantErr)
		case tc.wantErr == "" && r.ExpiresInDays == 0 && r.RotateEveryDays == 0:
			t.Errorf("Parse(%s) kept neither expiry nor rotation: %+v", tc.body, r)
		}
	}
}
