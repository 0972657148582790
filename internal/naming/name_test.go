package naming

import (
	"strings"
	"testing"
)

func TestValidateNameAccepts(t *testing.T) {
	for _, name := range []string{
		"test-password-1",
		"simple-password",
		"a",
		"team-a/db-admin",
		"team_a/prod/db.admin-2",
		"...",
		"a.b",
		".hidden",
		"trailing.",
		"UPPER_lower-09",
		strings.Repeat("x", 128),
		strings.Repeat("ab/", 42) + "ab",
	} {
		if err := ValidateName(name); err != nil {
			t.Errorf("ValidateName(%q) = %v, want nil", name, err)
		}
	}
}

func TestValidateNameRejects(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "must not be empty"},
		{"129 chars", strings.Repeat("x", 129), "at most 128 characters, got 129"},
		{"traversal segment", "../etc/passwd", `segment ".."`},
		{"traversal in middle", "team/../other", `segment ".."`},
		{"dot segment", "team/./x", `segment "."`},
		{"only dots", "..", `segment ".."`},
		{"only dot", ".", `segment "."`},
		{"double slash", "team//x", `empty segment ("//")`},
		{"leading slash", "/team", `must not start with "/"`},
		{"trailing slash", "team/", `must not end with "/"`},
		{"only slash", "/", `must not start with "/"`},
		{"space", "my password", `character ' ' at position 3`},
		{"backslash", `team\x`, `character '\\' at position 5`},
		{"newline", "a\nb", `character '\n' at position 2`},
		{"nul", "a\x00", `character '\x00' at position 2`},
		{"delete", "a\x7f", `character '\x7f' at position 2`},
		{"unicode", "pässword", `character 'ä' at position 2`},
		{"invalid utf-8", "a\xff", "byte 0xff at position 2"},
		{"colon", "c:x", `character ':' at position 2`},
		{"plus", "a+b", `character '+' at position 2`},
		{"long unicode counts characters", strings.Repeat("é", 100), `character 'é' at position 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.input)
			if err == nil {
				t.Fatalf("ValidateName(%q) = nil, want error containing %q", tt.input, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateName(%q) = %q, want it to contain %q", tt.input, err, tt.want)
			}
		})
	}
}

// A caller may paste megabytes into "name"; the message must stay short.
func TestValidateNameMessageDoesNotEchoInput(t *testing.T) {
	for _, input := range []string{
		strings.Repeat("secret", 10000),
		strings.Repeat("secret", 10000) + " ",
		strings.Repeat("secret/", 10) + "..",
	} {
		err := ValidateName(input)
		if err == nil {
			t.Fatalf("ValidateName(len %d) = nil, want error", len(input))
		}
		if msg := err.Error(); len(msg) > 120 || strings.Contains(msg, "secret") {
			t.Errorf("message echoes input (%d bytes): %.60q", len(msg), msg)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	tests := []struct {
		prefix, want string // want "" = valid
	}{
		{"", ""},
		{"passwords/", ""},
		{"team-a/passwords/", ""},
		{strings.Repeat("p", 255) + "/", ""},
		{strings.Repeat("p", 256) + "/", "at most 256 characters, got 257"},
		{"passwords", `end with "/"`},
		{"/", `must not start with "/"`},
		{"/passwords/", `must not start with "/"`},
		{"passwords//", `empty segment ("//")`},
		{"a//b/", `empty segment ("//")`},
		{"../", `segment ".."`},
		{"a/./", `segment "."`},
		{"pass words/", `character ' ' at position 5`},
		{`pass\words/`, `character '\\' at position 5`},
	}
	for _, tt := range tests {
		err := ValidatePrefix(tt.prefix)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidatePrefix(%q) = %v, want nil", tt.prefix, err)
		case tt.want != "" && err == nil:
			t.Errorf("ValidatePrefix(%q) = nil, want error containing %q", tt.prefix, tt.want)
		case tt.want != "" && !strings.Contains(err.Error(), tt.want):
			t.Errorf("ValidatePrefix(%q) = %q, want it to contain %q", tt.prefix, err, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	tests := []struct{ prefix, name, want string }{
		{"passwords/", "test-password-1", "passwords/test-password-1.json"},
		{"passwords/", "team-a/db-admin", "passwords/team-a/db-admin.json"},
		{"", "simple-password", "simple-password.json"},
	}
	for _, tt := range tests {
		if got := Key(tt.prefix, tt.name); got != tt.want {
			t.Errorf("Key(%q, %q) = %q, want %q", tt.prefix, tt.name, got, tt.want)
		}
	}
}
