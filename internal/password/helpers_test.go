package password

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// allPunctuation is every printable ASCII punctuation character.
const allPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func mustNew(t testing.TB, p Policy) *Generator {
	t.Helper()
	g, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func mustNewWith(t testing.TB, p Policy, m method) *Generator {
	t.Helper()
	g, err := newGenerator(p, m)
	if err != nil {
		t.Fatalf("newGenerator: %v", err)
	}
	return g
}

// methods are the generation paths, each of which must be exactly uniform.
var methods = []struct {
	name string
	m    method
}{
	{"rejection", rejection},
	{"class counts", classCounts},
}

// stream returns a deterministic random stream, so a statistical test
// gives the same verdict on every run.
func stream(seed byte) *rand.ChaCha8 {
	return rand.NewChaCha8([32]byte{seed, 'p', 'w'})
}

// except returns the characters of set that are not in keep.
func except(set, keep string) string {
	var b strings.Builder
	for _, c := range set {
		if !strings.ContainsRune(keep, c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// tinyPolicy returns a policy over exactly the characters of keep, each
// class included when keep holds one of its characters, built the way a
// caller would: classes, custom symbols and exclusions.
func tinyPolicy(length int, keep string) Policy {
	p := Policy{Length: length}
	for _, c := range keep {
		switch classify(byte(c)) {
		case 0:
			p.Lowercase = true
		case 1:
			p.Uppercase = true
		case 2:
			p.Numbers = true
		default:
			p.Symbols = true
			p.SymbolSet += string(c)
		}
	}
	p.ExcludeCharacters = except("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", keep)
	return p
}

// classify returns the class index of c the way a user sees it, without
// using the package's tables.
func classify(c byte) int {
	switch {
	case 'a' <= c && c <= 'z':
		return 0
	case 'A' <= c && c <= 'Z':
		return 1
	case '0' <= c && c <= '9':
		return 2
	default:
		return 3
	}
}

// effectiveMins computes, independently of the package, how many characters
// of each class (in classify's order) every valid password holds at least.
func effectiveMins(p Policy) [4]int {
	mins := [4]int{p.MinLowercase, p.MinUppercase, p.MinNumbers, p.MinSymbols}
	for i, on := range []bool{p.Lowercase, p.Uppercase, p.Numbers, p.Symbols} {
		if on && p.RequireEachIncludedType {
			mins[i] = max(mins[i], 1)
		}
	}
	return mins
}
