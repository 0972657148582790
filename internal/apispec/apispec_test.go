package apispec

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestAccessLogFormatIsOneJSONObject: API Gateway writes the format with
// each variable replaced by its value (or "-"), so the format itself must
// be a JSON object of quoted variables for every line to parse.
func TestAccessLogFormatIsOneJSONObject(t *testing.T) {
	var got map[string]string
	if err := json.Unmarshal([]byte(AccessLogFormat()), &got); err != nil {
		t.Fatalf("%s: %v", AccessLogFormat(), err)
	}
	if len(got) != len(AccessLog) {
		t.Errorf("%d fields, want %d (a name used twice?)", len(got), len(AccessLog))
	}
	for _, f := range AccessLog {
		if got[f.Name] != f.Variable || !strings.HasPrefix(f.Variable, "$context.") {
			t.Errorf("%s = %q, want the context variable %q", f.Name, got[f.Name], f.Variable)
		}
	}
	for _, forbidden := range []string{"body", "header", "authorization"} {
		if strings.Contains(strings.ToLower(AccessLogFormat()), forbidden) {
			t.Errorf("the access log format mentions %s", forbidden)
		}
	}
}

func TestRoutes(t *testing.T) {
	var scopes []string
	for _, s := range Scopes {
		scopes = append(scopes, ResourceServer+"/"+s.Name)
	}
	keys := map[string]bool{}
	for _, r := range Routes {
		method, path, ok := strings.Cut(r.Key, " ")
		if !ok || (method != "GET" && method != "POST") || !strings.HasPrefix(path, "/passwords") || keys[r.Key] {
			t.Errorf("route key %q: want a unique \"GET|POST /passwords...\"", r.Key)
		}
		keys[r.Key] = true
		if !slices.Contains(scopes, r.Scope) {
			t.Errorf("route %s requires %q, which the resource server does not define", r.Key, r.Scope)
		}
		// Reading is the retriever's alone: the generator's role cannot
		// read, so no read route may reach it.
		if (r.Scope == ScopeRead) != (r.Function == Retriever) || (r.Scope == ScopeGenerate) != (r.Function == Generator) {
			t.Errorf("route %s with scope %s goes to function %d", r.Key, r.Scope, r.Function)
		}
	}
	if Generator.Handler() != "bootstrap" || Retriever.Handler() == Generator.Handler() {
		t.Errorf("handlers %q and %q: the generator keeps \"bootstrap\" and the two differ", Generator.Handler(), Retriever.Handler())
	}
}
