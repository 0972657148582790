package orgpolicy

import (
	"errors"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/password"
	"github.com/passwordgen/passwordgen/internal/testkit/chisquare"
)

// request returns a password request over exactly the characters of keep,
// as a caller builds one: the classes keep touches, custom symbols, and
// the other letters and digits excluded.
func request(length int, keep string) password.Policy {
	p := password.Policy{Length: length}
	var exclude strings.Builder
	for _, set := range []struct {
		chars string
		on    *bool
	}{
		{"abcdefghijklmnopqrstuvwxyz", &p.Lowercase},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", &p.Uppercase},
		{"0123456789", &p.Numbers},
	} {
		for _, c := range set.chars {
			if strings.ContainsRune(keep, c) {
				*set.on = true
			} else {
				exclude.WriteRune(c)
			}
		}
	}
	for _, c := range keep {
		if password.IsSymbol(c) {
			p.Symbols = true
			p.SymbolSet += string(c)
		}
	}
	p.ExcludeCharacters = exclude.String()
	return p
}

func mustCompile(t testing.TB, pol Policy, maxLength int) *Compiled {
	t.Helper()
	c, err := Validate(pol, maxLength)
	if err != nil {
		t.Fatalf("Validate(%+v): %v", pol, err)
	}
	return c
}

// rulesFor states a request under a policy as rules, independently of how
// the package combines them.
func rulesFor(t testing.TB, p password.Policy, pol Policy) rules {
	t.Helper()
	classes, err := password.Classes(p)
	if err != nil {
		t.Fatal(err)
	}
	r := rules{minClasses: pol.MinClasses, maxRepeat: pol.MaxRepeat, patterns: pol.ForbiddenPatterns}
	for _, cl := range classes {
		r.classes = append(r.classes, cl.Chars)
		r.mins = append(r.mins, cl.Min)
	}
	return r
}

// requestCases combine each rule alone and all of them with class
// minimums, over alphabets small enough to list.
var requestCases = []struct {
	name string
	p    func() password.Policy
	pol  Policy
}{
	{"maxRepeat alone", func() password.Policy { return request(6, "abc1") }, Policy{MaxRepeat: 1}},
	{"pattern alone", func() password.Policy { return request(6, "ab1!") }, Policy{ForbiddenPatterns: []string{"ab|1!"}}},
	{"minClasses alone", func() password.Policy { return request(5, "ab1!") }, Policy{MinClasses: 3}},
	{"minClasses lifted to every class", func() password.Policy { return request(5, "ab1!") }, Policy{MinClasses: 3}},
	{"class minimums alone", func() password.Policy {
		p := request(6, "abA1")
		p.RequireEachIncludedType, p.MinNumbers = true, 2
		return p
	}, Policy{}},
	{"all combined with class minimums", func() password.Policy {
		p := request(6, "abA12!")
		p.MinLowercase, p.MinNumbers = 2, 1
		return p
	}, Policy{MinClasses: 3, MaxRepeat: 2, ForbiddenPatterns: []string{"(?i)ba", `^1`, `!\z`}}},
	{"all combined, every class required", func() password.Policy {
		p := request(6, "aAB1!")
		p.RequireEachIncludedType = true
		return p
	}, Policy{MinClasses: 4, MaxRepeat: 1, ForbiddenPatterns: []string{`\bA`, "1!"}}},
}

func TestEntropyBitsIsExact(t *testing.T) {
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p()
			c := mustCompile(t, tc.pol, 64)
			g, err := c.Password(p)
			if err != nil {
				t.Fatal(err)
			}
			want := len(rulesFor(t, p, tc.pol).validPasswords(p.Length))
			if got := math.Exp2(g.EntropyBits()); math.Abs(got-float64(want)) > 1e-6*float64(want) {
				t.Errorf("2^EntropyBits = %v, enumeration finds %d valid passwords", got, want)
			}
		})
	}
}

// TestGenerationIsUniformUnderTheRules draws 300 passwords per valid one
// over a tiny alphabet with a forbidden pattern, a repeat limit and every
// class required: every valid password must come up about equally often,
// and nothing else ever.
func TestGenerationIsUniformUnderTheRules(t *testing.T) {
	p := request(5, "ab1!")
	p.RequireEachIncludedType = true
	pol := Policy{MaxRepeat: 2, MinClasses: 3, ForbiddenPatterns: []string{"ab", "1!"}}
	valid := rulesFor(t, p, pol).validPasswords(p.Length)
	index := make(map[string]int, len(valid))
	for i, v := range valid {
		index[v] = i
	}
	g, err := mustCompile(t, pol, 64).Password(p)
	if err != nil {
		t.Fatal(err)
	}
	if g.check == nil {
		t.Fatal("the rules do not reach the generator")
	}
	r := rand.NewChaCha8([32]byte{'u', 'n', 'i'})
	counts := make([]int, len(valid))
	for range 300 * len(valid) {
		pw, err := g.Generate(r)
		if err != nil {
			t.Fatal(err)
		}
		i, ok := index[pw]
		if !ok {
			t.Fatalf("generated a password the rules refuse")
		}
		counts[i]++
	}
	for _, n := range counts {
		if n == 0 {
			t.Fatal("a valid password never came up")
		}
	}
	if stat, crit := chisquare.Statistic(counts), chisquare.Critical(len(valid)-1); stat > crit {
		t.Errorf("chi-square = %.1f over %d passwords, above the 0.001 critical value %.1f", stat, len(valid), crit)
	}
}

func TestRefusals(t *testing.T) {
	digits := func(n int) password.Policy { return password.Policy{Length: n, Numbers: true} }
	heavy := password.Default()
	heavy.Length, heavy.MinLowercase, heavy.MinUppercase, heavy.MinNumbers, heavy.MinSymbols = 128, 5, 5, 5, 5
	heavier := heavy
	heavier.MinSymbols = 100
	tests := []struct {
		name string
		pol  Policy
		p    password.Policy
		rule string
		want []string
	}{
		{
			"entropy floor", Policy{MinEntropyBits: 80}, digits(10), "policy.minEntropyBits",
			[]string{"length 10 with numbers only allows 33.2 bits; this organization requires 80: use length ≥ 25, or set include_lowercase, include_uppercase or include_symbols to true"},
		},
		{
			"entropy floor under a repeat limit", Policy{MinEntropyBits: 80, MaxRepeat: 1}, digits(10), "policy.minEntropyBits",
			// 10·9^(n−1) ≥ 2^80 from n = 26 on.
			[]string{"allows 31.9 bits", "use length ≥ 26"},
		},
		{
			"entropy floor out of reach", Policy{MinEntropyBits: 300}, digits(10), "policy.minEntropyBits",
			[]string{"no length up to 64 reaches it with these characters; set include_lowercase"},
		},
		{
			"nothing left", Policy{ForbiddenPatterns: []string{"[0-9]{3}"}}, digits(10), "policy.minEntropyBits",
			[]string{"allows no password at all"},
		},
		{
			"too few classes", Policy{MinClasses: 2}, digits(10), "policy.minClasses",
			[]string{"at least 2 classes; the request includes numbers only: set include_lowercase, include_uppercase or include_symbols to true"},
		},
		{
			"too rare", Policy{MaxRepeat: 1}, digits(70), "policy.maxRepeat",
			// A share of (9/10)^(n−1): 0.070% at length 70, 0.105% at 66.
			[]string{"only 0.07% of the passwords of length 70 with numbers only meet these rules", "(at least 0.1% must): use length ≤ 66"},
		},
		{
			"over budget", Policy{MaxRepeat: 2, ForbiddenPatterns: []string{"(?i)password"}}, heavy, "policy",
			[]string{"length 128 these rules allow would exceed this function's budget", "use length ≤"},
		},
		{
			"over budget at any length", Policy{MaxRepeat: 2, ForbiddenPatterns: []string{"(?i)password"}}, heavier, "policy",
			[]string{"would exceed this function's budget", ": lower the min_* fields"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustCompile(t, tt.pol, 64).Password(tt.p)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if pe.Rule != tt.rule {
				t.Errorf("rule %q, want %q", pe.Rule, tt.rule)
			}
			for _, w := range tt.want {
				if !strings.Contains(pe.Message, w) {
					t.Errorf("message %q lacks %q", pe.Message, w)
				}
			}
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name      string
		pol       Policy
		maxLength int
		want      []string
	}{
		{"negative bits", Policy{MinEntropyBits: -1}, 128, []string{"policy.minEntropyBits: must be a number of bits of at least 0, got -1"}},
		{"infinite bits", Policy{MinEntropyBits: math.Inf(1)}, 128, []string{"policy.minEntropyBits: must be a number"}},
		{"five classes", Policy{MinClasses: 5}, 128, []string{"policy.minClasses: must be between 0 and 4, got 5"}},
		{"negative repeat", Policy{MaxRepeat: -1}, 128, []string{"policy.maxRepeat: must be between 1 and maxLength (128), or 0 for no limit, got -1"}},
		{
			"every problem at once", Policy{MinClasses: -1, MaxRepeat: 999, ForbiddenPatterns: []string{"ok", "(", "a?"}}, 128,
			[]string{"policy.minClasses", "policy.maxRepeat", `policy.forbiddenPatterns[1] "("`, `policy.forbiddenPatterns[2] "a?": can match an empty string`},
		},
		{"pattern matching nothing", Policy{ForbiddenPatterns: []string{"\t"}}, 128, []string{`policy.forbiddenPatterns[0] "\t": matches no password`}},
		{"automaton too large", Policy{ForbiddenPatterns: []string{"a.{13}b"}}, 128, []string{"policy.forbiddenPatterns[0]", "more than 4096 states"}},
		{"floor out of reach", Policy{MinEntropyBits: 200}, 30, []string{"policy.minEntropyBits: 200 bits is out of reach: the longest request (length 30, every printable character) allows 196.6 bits"}},
		{"no password left", Policy{ForbiddenPatterns: []string{"[a-z]", "[0-9]"}}, 30, []string{"the rules leave no password at all"}},
		{
			"counting over budget", Policy{MaxRepeat: 3, ForbiddenPatterns: []string{"(?i)secret"}}, 4096,
			[]string{"policy: counting the passwords of the longest request (length 4096) would exceed the function's budget", "lower maxLength to"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.pol, tt.maxLength)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidateAcceptsTheBenchmarkPolicyUpToLength128(t *testing.T) {
	mustCompile(t, Policy{MinEntropyBits: 80, MinClasses: 4, MaxRepeat: 2, ForbiddenPatterns: benchPatterns()}, 128)
}

func TestCompiledKeepsItsOwnPatterns(t *testing.T) {
	patterns := []string{"abc"}
	c := mustCompile(t, Policy{ForbiddenPatterns: patterns}, 64)
	patterns[0] = "xyz"
	c.Policy().ForbiddenPatterns[0] = "xyz"
	if got := c.Policy().ForbiddenPatterns[0]; got != "abc" {
		t.Errorf("pattern changed to %q through a caller's slice", got)
	}
}

func TestCheckPassphrase(t *testing.T) {
	c := mustCompile(t, Policy{MinEntropyBits: 80}, 64)
	bitsPerWord := math.Log2(7776)
	if err := c.CheckPassphrase(7, bitsPerWord, 20); err != nil {
		t.Errorf("7 words (90.5 bits): %v", err)
	}
	err := c.CheckPassphrase(6, bitsPerWord, 20)
	if want := "policy.minEntropyBits: 6 words allow 77.5 bits; this organization requires 80: use words ≥ 7"; err == nil || err.Error() != want {
		t.Errorf("6 words: %v, want %q", err, want)
	}
	high := mustCompile(t, Policy{MinEntropyBits: 300}, 64)
	if err := high.CheckPassphrase(6, bitsPerWord, 20); err == nil || !strings.Contains(err.Error(), "no passphrase reaches it (20 words allow 258.5 bits); ask for a password instead") {
		t.Errorf("300 bits: %v", err)
	}
}

func TestVerdictsAreCached(t *testing.T) {
	c := mustCompile(t, Policy{MinEntropyBits: 80, MaxRepeat: 2}, 64)
	p := password.Default()
	g1, err1 := c.Password(p)
	g2, err2 := c.Password(p)
	if err1 != nil || err2 != nil || g1 != g2 {
		t.Errorf("second request: %p, %v; want the first's generator %p", g2, err2, g1)
	}
	weak := password.Policy{Length: 10, Numbers: true}
	_, err1 = c.Password(weak)
	_, err2 = c.Password(weak)
	if err1 == nil || err1 != err2 {
		t.Errorf("second weak request: %v; want the first's refusal %v", err2, err1)
	}
}

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
