package orgpolicy

import (
	"errors"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/password"
)

// FuzzPolicy follows arbitrary small policies and requests through
// Compile, Password and Generate. A refusal must be an error fit to show
// the caller; an accepted request must report the exact count of the
// passwords an enumeration finds, and generate one of them.
func FuzzPolicy(f *testing.F) {
	for _, tc := range requestCases {
		p := tc.p()
		f.Add(strings.Join(tc.pol.ForbiddenPatterns, "\n"), "ab1!", uint8(p.Length), uint8(tc.pol.MaxRepeat), uint8(tc.pol.MinClasses), uint8(0), true)
	}
	f.Add("ab", "abc", uint8(5), uint8(1), uint8(0), uint8(2), false)
	f.Add(`\b1|^a`, "a1_", uint8(4), uint8(2), uint8(2), uint8(1), true)
	f.Add("(?i)Ab", "aAbB", uint8(6), uint8(0), uint8(1), uint8(0), false)
	f.Add("[0-9]{2}", "12", uint8(5), uint8(0), uint8(0), uint8(0), false)
	f.Fuzz(func(t *testing.T, patterns, keep string, length, maxRepeat, minClasses, minNumbers uint8, each bool) {
		keep = smallAlphabet(keep)
		if keep == "" {
			return
		}
		p := request(1+int(length%6), keep)
		p.RequireEachIncludedType = each
		if p.Numbers {
			p.MinNumbers = int(minNumbers % 3)
		}
		pol := Policy{MaxRepeat: int(maxRepeat % 4), MinClasses: int(minClasses % 5)}
		if patterns != "" {
			pol.ForbiddenPatterns = strings.Split(patterns, "\n")
		}
		c, err := Compile(pol, 64)
		if err != nil {
			checkMessage(t, err)
			return
		}
		g, err := c.Password(p)
		if err != nil {
			var oe *Error
			var pe *password.PolicyError
			if !errors.As(err, &oe) && !errors.As(err, &pe) {
				t.Fatalf("refusal %v is neither an *Error nor a *password.PolicyError", err)
			}
			checkMessage(t, err)
			return
		}
		r := rulesFor(t, p, pol)
		valid := r.validPasswords(p.Length)
		if got := math.Exp2(g.EntropyBits()); math.Abs(got-float64(len(valid))) > 1e-6*float64(len(valid)) {
			t.Fatalf("2^EntropyBits = %v, enumeration finds %d", got, len(valid))
		}
		pw, err := g.Generate(rand.NewChaCha8([32]byte{length}))
		if err != nil {
			t.Fatal(err)
		}
		res := make([]*regexp.Regexp, len(r.patterns))
		for i, p := range r.patterns {
			res[i] = regexp.MustCompile(p)
		}
		if !r.valid(pw, res) {
			t.Fatal("generated a password the rules refuse")
		}
	})
}

// smallAlphabet keeps up to four distinct printable characters of s, so
// that enumeration stays cheap.
func smallAlphabet(s string) string {
	var out []rune
	for _, r := range s {
		if r > ' ' && r <= '~' && !strings.ContainsRune(string(out), r) {
			out = append(out, r)
		}
		if len(out) == 4 {
			break
		}
	}
	return string(out)
}

// checkMessage fails unless err's text is fit to show: short and free of
// control characters.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	for _, line := range strings.Split(err.Error(), "\n") {
		if len(line) > 400 || strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Fatalf("unfit message %q", err)
		}
	}
}
