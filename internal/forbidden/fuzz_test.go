package forbidden

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// FuzzDFA checks that no pattern panics Compile, Check or DFA, that every
// refusal is a message fit to show a deployer, and that an accepted
// pattern's automaton, over the characters of text, agrees with Go's
// regexp on text and on each of its prefixes.
func FuzzDFA(f *testing.F) {
	for _, patterns := range agreementPatterns {
		f.Add(strings.Join(patterns, "\n"), "ab1!_B")
	}
	for _, seed := range []struct{ pattern, text string }{
		{"(?i)password", "xPaSsWoRdx"}, {`\bab\b`, "ab!ab_ab"}, {"^a|b$", "ab"},
		{"a*", "aaa"}, {"(", "("}, {"é", "é"}, {"[ab].{14}", "ab"}, {`\Bx\B`, "axa x"},
		{"(?m)^a$", "a"}, {"[[:^alpha:]]{2}", "1!a2"}, {"(?s).", "\n"}, {"x{2,}?y", "xxy"},
	} {
		f.Add(seed.pattern, seed.text)
	}
	f.Fuzz(func(t *testing.T, list, text string) {
		patterns := strings.Split(list, "\n")
		ps, err := Compile(patterns)
		if err == nil {
			err = ps.Check(512)
		}
		if err != nil {
			if msg := err.Error(); msg == "" || strings.ContainsFunc(msg, func(r rune) bool { return r == 0x7f || r < ' ' && r != '\n' }) {
				t.Fatalf("unfit message %q", msg)
			}
			return
		}
		classes, kept := alphabetOf(text)
		if len(classes) == 0 {
			return
		}
		d, err := ps.DFA(classes, 512)
		if err != nil {
			return // over the bound: refused, not wrong
		}
		res := make([]*regexp.Regexp, len(patterns))
		for i, p := range patterns {
			res[i] = regexp.MustCompile(p)
		}
		for n := range len(kept) + 1 {
			prefix := kept[:n]
			want := true
			for _, re := range res {
				want = want && !re.MatchString(prefix)
			}
			if got := d.Allows([]byte(prefix)); got != want {
				t.Fatalf("%q: Allows(%q) = %v, regexp says %v", patterns, prefix, got, want)
			}
		}
	})
}

// alphabetOf returns the printable characters of text, grouped by class
// the way a request groups them, and text without the others.
func alphabetOf(text string) ([]string, string) {
	var sets [4]string
	var kept strings.Builder
	for _, r := range text {
		if r <= ' ' || r > '~' {
			continue
		}
		kept.WriteRune(r)
		k := 3
		switch {
		case unicode.IsLower(r):
			k = 0
		case unicode.IsUpper(r):
			k = 1
		case unicode.IsDigit(r):
			k = 2
		}
		if !strings.ContainsRune(sets[k], r) {
			sets[k] += string(r)
		}
	}
	var classes []string
	for _, s := range sets {
		if s != "" {
			classes = append(classes, s)
		}
	}
	return classes, kept.String()
}
