package lifecycle

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/testkit/golden"
)

// TestGolden pins the rules the stack deploys with its defaults: prefix
// "passwords/" and the default expiry values.
func TestGolden(t *testing.T) {
	rules, err := Rules("passwords/", request.DefaultExpiryDays())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(rules, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "rules_default.json"), append(got, '\n'))
}

// TestRulesFollowTheValues: one tag rule per value, shortest first,
// whatever the order given, each matching only its own tag, and the
// delete-marker rule last on the prefix alone; no values, no rules.
func TestRulesFollowTheValues(t *testing.T) {
	rules, err := Rules("", []int{30, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{ID: "expires-in-days-1", TagKey: "expires_in_days", TagValue: "1", ExpirationDays: 1, NoncurrentDays: 1},
		{ID: "expires-in-days-30", TagKey: "expires_in_days", TagValue: "30", ExpirationDays: 30, NoncurrentDays: 1},
		{ID: "remove-expired-delete-markers", ExpiredObjectDeleteMarker: true},
	}
	if len(rules) != len(want) {
		t.Fatalf("rules %+v, want %+v", rules, want)
	}
	for i := range want {
		if rules[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, rules[i], want[i])
		}
	}
	if rules, err := Rules("passwords/", nil); err != nil || rules != nil {
		t.Errorf("Rules without values = %v, %v; want none", rules, err)
	}
}

func TestRulesRefuseWhatS3Would(t *testing.T) {
	many := make([]int, MaxValues+1)
	for i := range many {
		many[i] = i + 1
	}
	for _, tc := range []struct {
		days []int
		want string
	}{
		{[]int{0}, "1 day or more"},
		{[]int{7, -1}, "1 day or more"},
		{[]int{7, 30, 7}, "listed twice"},
		{many, "more than the 999"},
	} {
		if _, err := Rules("passwords/", tc.days); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Rules(%d values) error = %v, want %q", len(tc.days), err, tc.want)
		}
	}
}
