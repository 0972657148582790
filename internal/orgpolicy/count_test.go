package orgpolicy

import (
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/forbidden"
	"github.com/passwordgen/passwordgen/internal/testkit/enumerate"
)

// rules is one combination of rules over a small alphabet, for checking
// counts against enumeration.
type rules struct {
	name       string
	classes    []string
	mins       []int
	minClasses int
	maxRepeat  int
	patterns   []string
}

// valid reports, independently of the package, whether pw meets r.
func (r rules) valid(pw string, res []*regexp.Regexp) bool {
	for _, re := range res {
		if re.MatchString(pw) {
			return false
		}
	}
	if r.maxRepeat > 0 {
		run := 0
		for i := range len(pw) {
			if i > 0 && pw[i] == pw[i-1] {
				run++
			} else {
				run = 1
			}
			if run > r.maxRepeat {
				return false
			}
		}
	}
	present := 0
	for k, set := range r.classes {
		n := 0
		for i := range len(pw) {
			if strings.IndexByte(set, pw[i]) >= 0 {
				n++
			}
		}
		if n < r.mins[k] {
			return false
		}
		if n > 0 {
			present++
		}
	}
	return present >= r.minClasses
}

// enumerate returns, for each length up to maxLen, how many strings over
// the alphabet meet r.
func (r rules) enumerate(maxLen int) []int64 {
	counts := make([]int64, maxLen+1)
	for n := range maxLen + 1 {
		counts[n] = int64(len(r.validPasswords(n)))
	}
	return counts
}

// validPasswords lists every password of the given length that meets r.
func (r rules) validPasswords(length int) []string {
	res := make([]*regexp.Regexp, len(r.patterns))
	for i, p := range r.patterns {
		res[i] = regexp.MustCompile(p)
	}
	var valid []string
	enumerate.Each(strings.Join(r.classes, ""), length, func(pw []byte) {
		if r.valid(string(pw), res) {
			valid = append(valid, string(pw))
		}
	})
	return valid
}

func (r rules) counter(t testing.TB) *counter {
	t.Helper()
	ps, err := forbidden.Compile(r.patterns)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ps.DFA(r.classes, 4096)
	if err != nil {
		t.Fatal(err)
	}
	return newCounter(d, r.mins, r.minClasses, r.maxRepeat)
}

var smallRules = []rules{
	{name: "nothing", classes: []string{"ab", "1"}, mins: []int{0, 0}},
	{name: "each class", classes: []string{"ab", "1", "!"}, mins: []int{1, 1, 1}},
	{name: "two numbers", classes: []string{"ab", "12"}, mins: []int{0, 2}},
	{name: "minClasses 2 of 3", classes: []string{"ab", "1", "!"}, mins: []int{0, 0, 0}, minClasses: 2},
	{name: "minClasses with a minimum", classes: []string{"ab", "1", "!"}, mins: []int{2, 0, 0}, minClasses: 3},
	{name: "maxRepeat 1", classes: []string{"abc"}, mins: []int{0}, maxRepeat: 1},
	{name: "maxRepeat 2", classes: []string{"ab", "1"}, mins: []int{0, 0}, maxRepeat: 2},
	{name: "maxRepeat 2, one-character blocks", classes: []string{"a", "1", "!"}, mins: []int{0, 0, 0}, maxRepeat: 2},
	{name: "pattern", classes: []string{"abc"}, mins: []int{0}, patterns: []string{"ab"}},
	{name: "sequences", classes: []string{"abc", "123"}, mins: []int{0, 0}, patterns: []string{"abc|bcd|123|234"}},
	{name: "case-insensitive", classes: []string{"ab", "AB"}, mins: []int{0, 0}, patterns: []string{"(?i)ab"}},
	{name: "anchors", classes: []string{"ab", "1"}, mins: []int{0, 0}, patterns: []string{"^1", "a$"}},
	{name: "word boundary", classes: []string{"ab", "!_"}, mins: []int{0, 0}, patterns: []string{`\ba\b`}},
	{name: "pattern inside a repeat", classes: []string{"ab", "1"}, mins: []int{0, 0}, maxRepeat: 2, patterns: []string{"aa"}},
	{
		name: "all combined", classes: []string{"abc", "A", "12", "!"}, mins: []int{1, 1, 2, 0},
		minClasses: 4, maxRepeat: 2, patterns: []string{"(?i)ab", "12", `^!`},
	},
	{
		name: "all combined, repeat 1", classes: []string{"ab", "AB", "1"}, mins: []int{1, 0, 1},
		minClasses: 3, maxRepeat: 1, patterns: []string{"(?i)ba", `1\b`},
	},
}

func TestCountMatchesEnumeration(t *testing.T) {
	const maxLen = 7
	for _, r := range smallRules {
		t.Run(r.name, func(t *testing.T) {
			want := r.enumerate(maxLen)
			c := r.counter(t)
			c.run(maxLen, func(n int, count func() *big.Int) bool {
				if got := count(); got.Cmp(big.NewInt(want[n])) != 0 {
					t.Errorf("length %d: counted %v, enumeration found %d", n, got, want[n])
				}
				return true
			})
			if got := c.count(maxLen); got.Int64() != want[maxLen] {
				t.Errorf("count(%d) = %v, want %d", maxLen, got, want[maxLen])
			}
		})
	}
}
