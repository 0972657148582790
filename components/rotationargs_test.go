package components

import (
	"strings"
	"testing"
)

// TestFlexibleWindow: a run may start up to 15 minutes late, never later
// than half its interval, a rate's or the shortest between a cron
// expression's minutes, and on time when the interval is too short to
// spread.
func TestFlexibleWindow(t *testing.T) {
	for expr, want := range map[string]int{
		"rate(1 day)":              15,
		"rate(1 hour)":             15,
		"rate(30 minutes)":         15,
		"rate(29 minutes)":         14,
		"rate(2 minutes)":          1,
		"rate(1 minute)":           0,
		"cron(0 3 * * ? *)":        15,
		"cron(0 * * * ? *)":        15,
		"cron(0,30 * * * ? *)":     15,
		"cron(*/20 * * * ? *)":     10,
		"cron(5/15 * * * ? *)":     7,
		"cron(10-40/10 * * * ? *)": 5,
		"cron(0,58 * * * ? *)":     1,
		"cron(55-5 * * * ? *)":     0,
		"cron(* * * * ? *)":        0,
		"at(2030-01-01T00:00:00)":  15,
	} {
		s, err := parseSchedule(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if s.expression != expr || s.window != want {
			t.Errorf("%s: expression %q window %d, want the same expression and %d", expr, s.expression, s.window, want)
		}
	}
}

// TestTrailName: the name CloudTrail gets is valid for any project, stack
// and component names Pulumi allows, and stays unique when cut.
func TestTrailName(t *testing.T) {
	long := strings.Repeat("p", 100)
	for _, tc := range []struct {
		project, stack, component, want string
	}{
		{"password-generator", "dev", "passwordgen", "password-generator-dev-passwordgen"},
		{"password_generator", "org.prod", "pg", "password-generator-org-prod-pg"},
		{"-x-", "__a..b--", "c", "x-a-b-c"},
	} {
		if got := trailName(tc.project, tc.stack, tc.component); got != tc.want {
			t.Errorf("trailName(%q, %q, %q) = %q, want %q", tc.project, tc.stack, tc.component, got, tc.want)
		}
	}
	a, b := trailName(long, "stack-a", "pg"), trailName(long, "stack-b", "pg")
	if a == b || len(a) > 128 || len(b) > 128 {
		t.Errorf("long names %q and %q: want distinct names of at most 128 characters", a, b)
	}
	for _, name := range []string{a, b, trailName(strings.Repeat("a-", 70), "s", "c")} {
		if !validTrailName(name) {
			t.Errorf("%q is not a valid trail name", name)
		}
	}
}

// validTrailName applies CloudTrail's rule: 3-128 letters, digits, '.', '_' and
// '-', starting and ending with a letter or digit, no two of '.', '_', '-'
// in a row.
func validTrailName(name string) bool {
	if len(name) < 3 || len(name) > 128 {
		return false
	}
	prevSep := true
	for i, r := range name {
		sep := r == '.' || r == '_' || r == '-'
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !sep && !alnum || sep && prevSep || i == len(name)-1 && sep {
			return false
		}
		prevSep = sep
	}
	return true
}
