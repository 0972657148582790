package passphrase

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/passwordgen/passwordgen/internal/password"
	"github.com/passwordgen/passwordgen/internal/testkit/chisquare"
)

// effLargeSHA256 is the SHA-256 of the EFF large list's words, one per
// line in dice order, each line ending in "\n": the list published at
// https://www.eff.org/files/2016/07/18/eff_large_wordlist.txt without its
// dice numbers.
const effLargeSHA256 = "6d557f0693958fb5e650b68b5bee585eb82cf4da32965505c789e924743bc522"

func TestListIsTheEFFLargeList(t *testing.T) {
	words := list()
	if len(words) != 7776 {
		t.Fatalf("%d words, want 7776", len(words))
	}
	sum := sha256.Sum256([]byte(strings.Join(words, "\n") + "\n"))
	if got := hex.EncodeToString(sum[:]); got != effLargeSHA256 {
		t.Errorf("list SHA-256 %s, want %s", got, effLargeSHA256)
	}
	seen := map[string]bool{}
	for _, w := range words {
		if seen[w] {
			t.Errorf("%q appears twice", w)
		}
		seen[w] = true
		if w == "" || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz-") != "" || w[0] < 'a' || w[0] > 'z' {
			t.Errorf("%q is not lowercase letters and hyphens starting with a letter", w)
		}
	}
	for _, w := range []string{"drop-down", "felt-tip", "t-shirt", "yo-yo"} {
		if !seen[w] {
			t.Errorf("hyphenated %q missing", w)
		}
	}
}

// separators are every separator New accepts.
func separators() []string {
	var out []string
	for c := byte(' '); c <= '~'; c++ {
		if CheckSeparator(string(c)) == nil {
			out = append(out, string(c))
		}
	}
	return out
}

func TestSeparators(t *testing.T) {
	got := strings.Join(separators(), "")
	want := " !\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~"
	if got != want {
		t.Errorf("accepted separators %q, want %q", got, want)
	}
	for _, bad := range []string{"", "a", "Z", "--", "\t", "é", "\x7f"} {
		if _, err := New(Options{Words: 6, Separator: bad}); err == nil {
			t.Errorf("separator %q accepted", bad)
		}
	}
}

// TestEveryAllowedSeparatorDecodesUniquely proves that no two word
// sequences give the same passphrase, so that the count of passphrases is
// 7776^words. A passphrase followed by the separator is a concatenation of
// codewords word+separator; Sardinas–Patterson decides whether such a code
// is uniquely decodable, over sequences of every length.
func TestEveryAllowedSeparatorDecodesUniquely(t *testing.T) {
	for _, sep := range separators() {
		for _, capitalize := range []bool{false, true} {
			code := map[string]bool{}
			for _, w := range list() {
				if capitalize {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				code[w+sep] = true
			}
			if w, ok := ambiguous(code); ok {
				t.Errorf("separator %q, capitalize %v: %q is a suffix that makes decoding ambiguous", sep, capitalize, w)
			}
		}
	}
}

// ambiguous runs Sardinas–Patterson: starting from the dangling suffixes
// left when one codeword is a proper prefix of another, it derives new
// dangling suffixes until none is new; the code is uniquely decodable
// unless some dangling suffix is itself a codeword.
func ambiguous(code map[string]bool) (string, bool) {
	maxLen := 0
	for w := range code {
		maxLen = max(maxLen, len(w))
	}
	// suffixes returns the dangling suffixes of s against the code: what
	// remains of a codeword after s, and of s after a codeword.
	suffixes := func(s string, out map[string]bool) {
		for i := 1; i <= len(s); i++ {
			if i < len(s) && code[s[:i]] {
				out[s[i:]] = true
			}
		}
		for w := range code {
			if len(w) > len(s) && strings.HasPrefix(w, s) {
				out[w[len(s):]] = true
			}
		}
	}
	current := map[string]bool{}
	for w := range code {
		for i := 1; i < len(w); i++ {
			if code[w[:i]] {
				current[w[i:]] = true
			}
		}
	}
	seen := map[string]bool{}
	for len(current) > 0 {
		next := map[string]bool{}
		for s := range current {
			if code[s] {
				return s, true
			}
			if seen[s] || len(s) > maxLen {
				continue
			}
			seen[s] = true
			suffixes(s, next)
		}
		current = next
	}
	return "", false
}

func TestAmbiguousFindsACollision(t *testing.T) {
	// "ab" + "c" and "a" + "bc" with an empty separator.
	if _, ok := ambiguous(map[string]bool{"ab": true, "c": true, "a": true, "bc": true}); !ok {
		t.Error("missed ab|c = a|bc")
	}
	if _, ok := ambiguous(map[string]bool{"drop-down-": true, "drop-": true, "up-": true}); ok {
		t.Error("reported a collision in a prefix-free-enough code")
	}
	if w, ok := ambiguous(map[string]bool{"drop-down-": true, "drop-": true, "down-": true}); !ok {
		t.Error("missed drop-down = drop down")
	} else if w != "down-" {
		t.Errorf("blamed %q, want down-", w)
	}
}

func TestWordsAreUniform(t *testing.T) {
	g, err := New(Options{Words: 20, Separator: " "})
	if err != nil {
		t.Fatal(err)
	}
	index := make(map[string]int, listSize)
	for i, w := range list() {
		index[w] = i
	}
	r := mrand.NewChaCha8([32]byte{'e', 'f', 'f'})
	counts := make([]int, listSize)
	const perWord = 40
	for range perWord * listSize / 20 {
		pp, err := g.Generate(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range strings.Split(pp, " ") {
			i, ok := index[w]
			if !ok {
				t.Fatalf("%q is not a list word", w)
			}
			counts[i]++
		}
	}
	if stat, crit := chisquare.Statistic(counts), chisquare.Critical(listSize-1); stat > crit {
		t.Errorf("chi-square = %.0f over %d words, above the 0.001 critical value %.0f", stat, listSize, crit)
	}
}

func TestGenerateFollowsTheOptions(t *testing.T) {
	tests := []Options{
		Default(),
		{Words: 3, Separator: " ", Capitalize: true},
		{Words: 20, Separator: "7"},
		{Words: 5, Separator: "."},
	}
	for _, o := range tests {
		g, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := g.EntropyBits(), float64(o.Words)*math.Log2(7776); got != want {
			t.Errorf("%+v: EntropyBits = %v, want %v", o, got, want)
		}
		pp, err := g.Generate(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		words := decode(t, pp, o)
		if len(words) != o.Words {
			t.Errorf("%+v: %d words", o, len(words))
		}
	}
}

// decode splits a passphrase back into list words, independently of
// Generate, and fails on anything else.
func decode(t *testing.T, pp string, o Options) []string {
	t.Helper()
	valid := map[string]bool{}
	for _, w := range list() {
		valid[w] = true
	}
	// Only "-" occurs inside words, so split greedily and rejoin halves.
	parts := strings.Split(pp, o.Separator)
	var words []string
	for i := 0; i < len(parts); i++ {
		w := parts[i]
		if o.Capitalize {
			if w == "" || w[0] < 'A' || w[0] > 'Z' {
				t.Fatalf("word %d not capitalized", len(words)+1)
			}
			w = strings.ToLower(w[:1]) + w[1:]
		}
		if !valid[w] && o.Separator == "-" && i+1 < len(parts) && valid[w+"-"+parts[i+1]] {
			w += "-" + parts[i+1]
			i++
		}
		if !valid[w] {
			t.Fatalf("word %d is not a list word", len(words)+1)
		}
		words = append(words, w)
	}
	return words
}

func TestNewRefusesWordCounts(t *testing.T) {
	for _, n := range []int{-1, 0, 2, 21} {
		_, err := New(Options{Words: n, Separator: "-"})
		var pe *password.PolicyError
		if !errors.As(err, &pe) || pe.Field != "words" || !strings.Contains(pe.Message, "between 3 and 20") {
			t.Errorf("words %d: %v", n, err)
		}
	}
}

func TestGenerateReportsAFailingReader(t *testing.T) {
	g, _ := New(Default())
	_, err := g.Generate(iotest.ErrReader(errors.New("entropy gone")))
	if err == nil || !strings.Contains(err.Error(), "entropy gone") {
		t.Errorf("err = %v, want the reader's error", err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	g, err := New(Default())
	if err != nil {
		b.Fatal(err)
	}
	list() // built once per process, not per passphrase
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Generate(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}
