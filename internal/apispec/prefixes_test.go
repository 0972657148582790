package apispec

import (
	"strings"
	"testing"
)

func TestClientPrefixesAllow(t *testing.T) {
	p := ClientPrefixes{"team-a": {"team-a/"}, "shared": {"team-b/", "common/ops/"}}
	tests := []struct {
		name     string
		byToken  bool
		clientID string
		path     string
		want     bool
	}{
		{"limited client inside its prefix", true, "team-a", "team-a/db", true},
		{"limited client deeper inside", true, "team-a", "team-a/x/y", true},
		{"limited client outside", true, "team-a", "team-b/db", false},
		{"a sibling sharing the prefix's letters", true, "team-a", "team-ab/db", false},
		{"the prefix without its slash", true, "team-a", "team-a", false},
		{"an empty listing prefix", true, "team-a", "", false},
		{"second of two prefixes", true, "shared", "common/ops/x", true},
		{"parent of a prefix", true, "shared", "common/x", false},
		{"unlimited client", true, "admin", "team-a/db", true},
		{"token without client_id while clients are limited", true, "", "team-a/db", false},
		{"direct invocation", false, "", "team-b/db", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Allows(tt.byToken, tt.clientID, tt.path); got != tt.want {
				t.Errorf("Allows(%v, %q, %q) = %v, want %v", tt.byToken, tt.clientID, tt.path, got, tt.want)
			}
		})
	}
	if !(ClientPrefixes{}).Allows(true, "", "x") {
		t.Error("with no limited client, a token without client_id is refused")
	}
}

func TestClientPrefixesRefuseEveryBadEntry(t *testing.T) {
	err := ClientPrefixes{"a": {"team-a"}, "b": {}, "c": {""}, "d": {"../x/"}, " ": {"ok/"}}.Validate()
	for _, want := range []string{`client a: prefix "team-a"`, "client b: an empty list", `client c: prefix ""`, `client d: prefix "../x/"`, "a client id is empty"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

func TestRefusalSaysWhatIsAllowed(t *testing.T) {
	p := ClientPrefixes{"team-a": {"team-a/", "shared/"}}
	for _, tt := range []struct{ clientID, name, want string }{
		{"team-a", "team-b/db", `client team-a may only use names starting with "team-a/" or "shared/"; "team-b/db" is outside them`},
		{"team-a", "", `list with prefix=team-a/`},
		{"", "x", "no client_id"},
	} {
		if got := p.Refusal(tt.clientID, tt.name); !strings.Contains(got, tt.want) {
			t.Errorf("Refusal(%q, %q) = %q, want it to contain %q", tt.clientID, tt.name, got, tt.want)
		}
	}
}
