package forbidden

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/testkit/enumerate"
)

const testMaxStates = 4096

func mustCompile(t testing.TB, patterns ...string) *Patterns {
	t.Helper()
	ps, err := Compile(patterns)
	if err == nil {
		err = ps.Check(testMaxStates)
	}
	if err != nil {
		t.Fatalf("Compile(%q): %v", patterns, err)
	}
	return ps
}

// compileAndCheck runs both validations, as a deployment does.
func compileAndCheck(patterns []string) error {
	ps, err := Compile(patterns)
	if err != nil {
		return err
	}
	return ps.Check(testMaxStates)
}

func mustDFA(t testing.TB, ps *Patterns, classes ...string) *DFA {
	t.Helper()
	d, err := ps.DFA(classes, testMaxStates)
	if err != nil {
		t.Fatalf("DFA(%q): %v", classes, err)
	}
	return d
}

// reference is what the automaton must agree with: Go's own RE2 engine
// searching for any of the patterns.
func reference(t testing.TB, patterns []string) func(string) bool {
	t.Helper()
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	return func(s string) bool {
		for _, re := range res {
			if re.MatchString(s) {
				return false
			}
		}
		return true
	}
}

func TestAllows(t *testing.T) {
	tests := []struct {
		patterns []string
		allowed  []string
		refused  []string
	}{
		{[]string{"abc"}, []string{"ab", "acb", "abab", "ABC"}, []string{"abc", "xabcx", "aabc"}},
		{[]string{"(?i)password"}, []string{"passwor", "pass-word"}, []string{"PassWord1", "xxPASSWORD"}},
		{[]string{"^ab"}, []string{"cab", "a", "bab"}, []string{"ab", "abc"}},
		{[]string{"ab$"}, []string{"abc", "ba"}, []string{"ab", "cab"}},
		{[]string{`\Aa`, `b\z`}, []string{"ca", "bc"}, []string{"ac", "cb"}},
		{[]string{"(?m)^a"}, []string{"ba"}, []string{"ab"}},
		{[]string{`\bab\b`}, []string{"cab", "abc", "_ab"}, []string{"ab", "!ab", "ab!", "!ab!"}},
		{[]string{`a\B`}, []string{"a", "a!"}, []string{"ab", "aa"}},
		{[]string{"abc|bcd|cde", "123"}, []string{"abdc", "12", "bc"}, []string{"xbcd", "0123", "cde"}},
		{[]string{"a{3}"}, []string{"aab", "aabaa"}, []string{"aaa", "baaab"}},
		{[]string{"[[:digit:]]{2}"}, []string{"1a2"}, []string{"a12"}},
		{[]string{"."}, []string{""}, []string{"a", "!"}},
	}
	for _, tt := range tests {
		d := mustDFA(t, mustCompile(t, tt.patterns...), "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!_-")
		for _, s := range tt.allowed {
			if !d.Allows([]byte(s)) {
				t.Errorf("%q: %q refused, want allowed", tt.patterns, s)
			}
		}
		for _, s := range tt.refused {
			if d.Allows([]byte(s)) {
				t.Errorf("%q: %q allowed, want refused", tt.patterns, s)
			}
		}
	}
}

func TestAllowsRefusesCharactersOutsideTheAlphabet(t *testing.T) {
	d := mustDFA(t, mustCompile(t, "z"), "ab")
	if d.Allows([]byte("a?b")) {
		t.Error(`"a?b" allowed over alphabet "ab"`)
	}
}

// agreementPatterns exercise every construct the automaton interprets.
var agreementPatterns = [][]string{
	{"ab"}, {"(?i)aB"}, {"a+b"}, {"^a", "b$"}, {`\ba`}, {`a\b`}, {`\Bb`},
	{"a.c", "cc"}, {"(a|b)c(a|b)"}, {"a{2,3}"}, {"[^a]b"}, {`(?s).a`},
	{"^ab$"}, {`\b1`, "b_"}, {"(?i)Ab|1a", "__"}, {"a[0-9]a", "^1", "!$"},
}

// TestAllowsAgreesWithRegexp compares the automaton with Go's regexp on
// every string up to length 5 over a small alphabet that holds a word
// character of each class and non-word symbols.
func TestAllowsAgreesWithRegexp(t *testing.T) {
	classes := []string{"abc", "B", "1", "!_"}
	alphabet := strings.Join(classes, "")
	for _, patterns := range agreementPatterns {
		d := mustDFA(t, mustCompile(t, patterns...), classes...)
		want := reference(t, patterns)
		for n := range 6 {
			enumerate.Each(alphabet, n, func(s []byte) {
				if got := d.Allows(s); got != want(string(s)) {
					t.Fatalf("%q: Allows(%q) = %v, regexp says %v", patterns, s, got, !got)
				}
			})
		}
	}
}

func TestDFAIsMinimal(t *testing.T) {
	tests := []struct {
		pattern string
		classes []string
		want    int
	}{
		// Aho–Corasick: one state per proper prefix.
		{"abc", []string{"abc"}, 3},
		{"(?i)abc", []string{"abc", "ABC"}, 3},
		// ^ needs the start apart from every later state.
		{"^ab", []string{"ab"}, 3},
		// Characters no pattern mentions share one block.
		{"ab", []string{"abcdefgh"}, 2},
	}
	for _, tt := range tests {
		d := mustDFA(t, mustCompile(t, tt.pattern), tt.classes...)
		if got := d.States(); got != tt.want {
			t.Errorf("%q over %q: %d states, want %d", tt.pattern, tt.classes, got, tt.want)
		}
	}
	if got := len(mustDFA(t, mustCompile(t, "ab"), "abcdefgh").Blocks()); got != 3 {
		t.Errorf(`"ab" over a-h: %d blocks, want 3 (a, b, the rest)`, got)
	}
}

func TestBlocksStayWithinClasses(t *testing.T) {
	d := mustDFA(t, mustCompile(t, "(?i)a"), "ab", "AB")
	for _, b := range d.Blocks() {
		want := strings.ToUpper(b.Chars) == b.Chars
		if (b.Class == 1) != want {
			t.Errorf("block %q has class %d", b.Chars, b.Class)
		}
	}
	if n := len(d.Blocks()); n != 4 {
		t.Errorf("%d blocks, want 4: a, b, A, B", n)
	}
}

func TestCompileRefuses(t *testing.T) {
	tests := []struct {
		patterns []string
		want     []string
	}{
		{[]string{""}, []string{`forbiddenPatterns[0] "": is empty`}},
		{[]string{"a*"}, []string{`forbiddenPatterns[0] "a*": can match an empty string`}},
		{[]string{"x|"}, []string{"can match an empty string"}},
		{[]string{`\b`}, []string{"can match an empty string"}},
		{[]string{"^"}, []string{"can match an empty string"}},
		{[]string{"(ab"}, []string{`forbiddenPatterns[0] "(ab": missing closing ): "(ab"`}},
		{[]string{"é"}, []string{"matches no password"}},
		{[]string{" "}, []string{"matches no password"}},
		{[]string{"ok", "a**", "b?"}, []string{"forbiddenPatterns[1]", "forbiddenPatterns[2]"}},
		{[]string{"[ab].{14}"}, []string{"needs more than 4096 states"}},
		{[]string{strings.Repeat("x", MaxPatternBytes+1)}, []string{"2049 bytes in all, more than the 2048 allowed"}},
	}
	for _, tt := range tests {
		err := compileAndCheck(tt.patterns)
		if err == nil {
			t.Errorf("Compile(%q) accepted", tt.patterns)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Compile(%q) = %q, want it to contain %q", tt.patterns, err, w)
			}
		}
	}
}

func TestCompileBlamesEachPattern(t *testing.T) {
	_, err := Compile([]string{"ok", "a**", "fine", "?"})
	var got []int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *PatternError
		if !errors.As(e, &pe) {
			t.Fatalf("%v is not a *PatternError", e)
		}
		got = append(got, pe.Index)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("blamed patterns %v, want [1 3]", got)
	}
}

// TestStatesOverFullAlphabetBoundEveryRequest backs Compile's claim that
// checking the bound over all printable ASCII bounds every request.
func TestStatesOverFullAlphabetBoundEveryRequest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, patterns := range agreementPatterns {
		ps := mustCompile(t, patterns...)
		full := mustDFA(t, ps, PrintableASCII).States()
		for range 20 {
			var sub strings.Builder
			for i := range len(PrintableASCII) {
				if r.IntN(4) == 0 {
					sub.WriteByte(PrintableASCII[i])
				}
			}
			if n := mustDFA(t, ps, sub.String()).States(); n > full {
				t.Errorf("%q: %d states over %q, more than the %d over all printable ASCII", patterns, n, sub.String(), full)
			}
		}
	}
}

// Few states with huge waiting sets are refused before they take the
// memory of a 128 MB function: 25 patterns like .{900} once took 160 MB and
// two seconds for 900 states.
func TestDFAMemoryIsBounded(t *testing.T) {
	var patterns []string
	for n := 900; n < 925; n++ {
		patterns = append(patterns, fmt.Sprintf(".{%d}", n))
	}
	ps, err := Compile(patterns)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ps.DFA([]string{"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!@#$%^&*"}, 4096)
	runtime.ReadMemStats(&after)
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("DFA: err %v, want a TooLargeError", err)
	}
	// Sys is what the process took from the system, which follows the
	// peak heap; garbage collected along the way does not count.
	if grown := int64(after.Sys) - int64(before.Sys); grown > 64<<20 {
		t.Errorf("refusing grew the process by %d MiB, want at most 64", grown>>20)
	}
}
