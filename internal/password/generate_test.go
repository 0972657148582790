package password

import (
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
)

// allowedChars computes, independently of the package, the characters a
// policy allows.
func allowedChars(p Policy) string {
	var all string
	if p.Lowercase {
		all += "abcdefghijklmnopqrstuvwxyz"
	}
	if p.Uppercase {
		all += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if p.Numbers {
		all += "0123456789"
	}
	if p.Symbols {
		all += p.SymbolSet
	}
	return except(all, excludedChars(p))
}

// excludedChars computes, independently of the package, the characters a
// policy excludes.
func excludedChars(p Policy) string {
	if p.ExcludeAmbiguous {
		return p.ExcludeCharacters + Ambiguous
	}
	return p.ExcludeCharacters
}

func TestGeneratedPasswordsFollowThePolicy(t *testing.T) {
	recipeSimple := Default()
	recipeSimple.Length, recipeSimple.Symbols = 12, false
	custom := Default()
	custom.Length, custom.SymbolSet = 64, "#$%"
	custom.MinNumbers, custom.MinSymbols = 5, 5
	custom.ExcludeAmbiguous, custom.ExcludeCharacters = true, "abcXYZ9#"
	short := Policy{Length: 8, Lowercase: true, Numbers: true, RequireEachIncludedType: true, ExcludeCharacters: "xyz0"}
	heavy := Default()
	heavy.Length, heavy.MinSymbols, heavy.MinNumbers = 20, 12, 6
	tests := []struct {
		name string
		p    Policy
	}{
		{"default", Default()},
		{"recipe without symbols", recipeSimple},
		{"custom symbols, exclusions and minimums", custom},
		{"two classes", short},
		{"minimums fill most of the length", heavy},
		{"every punctuation character", tinyPolicy(40, "aZ5"+allPunctuation)},
	}
	for _, tt := range tests {
		allowed, excluded, mins := allowedChars(tt.p), excludedChars(tt.p), effectiveMins(tt.p)
		// Forced rejection would take millions of candidates on the
		// policies that New sends to class-count sampling.
		for _, m := range []struct {
			name string
			m    method
		}{{"automatic", automatic}, {"class counts", classCounts}} {
			t.Run(tt.name+"/"+m.name, func(t *testing.T) {
				g := mustNewWith(t, tt.p, m.m)
				r := stream(3)
				for i := range 3000 {
					pw, err := g.Generate(r)
					if err != nil {
						t.Fatalf("password %d: %v", i, err)
					}
					if len(pw) != tt.p.Length {
						t.Fatalf("password %d has %d characters, want %d", i, len(pw), tt.p.Length)
					}
					if strings.ContainsAny(pw, excluded) {
						t.Fatalf("password %d contains an excluded character", i)
					}
					var n [4]int
					for j := range len(pw) {
						if strings.IndexByte(allowed, pw[j]) < 0 {
							t.Fatalf("password %d: character %d is outside the policy", i, j)
						}
						n[classify(pw[j])]++
					}
					for k := range n {
						if n[k] < mins[k] {
							t.Fatalf("password %d has %d characters of class %d, want at least %d", i, n[k], k, mins[k])
						}
					}
				}
			})
		}
	}
}

func TestGenerateIsSafeForConcurrentUse(t *testing.T) {
	g := mustNew(t, Default())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 500 {
				pw, err := g.Generate(rand.Reader)
				if err == nil && len(pw) != 16 {
					err = errWrongLength
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

var errWrongLength = errors.New("a password of the wrong length")

func TestGenerateWithCryptoRand(t *testing.T) {
	g := mustNew(t, Default())
	seen := make(map[string]bool)
	for range 1000 {
		pw, err := g.Generate(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		seen[pw] = true
	}
	if len(seen) != 1000 {
		t.Errorf("1000 passwords of 103 bits held %d distinct values", len(seen))
	}
}

func TestGenerateMatchingKeepsOnlyAcceptedCandidates(t *testing.T) {
	for _, m := range methods {
		g := mustNewWith(t, tinyPolicy(3, "ab1"), m.m)
		r := stream(5)
		noLeadingA := func(pw []byte) bool { return pw[0] != 'a' }
		for range 200 {
			pw, err := g.GenerateMatching(r, noLeadingA, 2.0/3)
			if err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if pw[0] == 'a' {
				t.Fatalf("%s: a refused candidate was returned", m.name)
			}
		}
	}
}

func TestGenerateMatchingGivesUpWhenNothingIsAccepted(t *testing.T) {
	g := mustNew(t, Default())
	calls := 0
	_, err := g.GenerateMatching(rand.Reader, func([]byte) bool { calls++; return false }, 0.5)
	if !errors.Is(err, errUnusable) {
		t.Fatalf("err = %v, want errUnusable", err)
	}
	if want := candidates(0.5); calls != want {
		t.Errorf("%d candidates drawn, want %d", calls, want)
	}
}

func TestGenerateMatchingRefusesAShareOutsideZeroToOne(t *testing.T) {
	g := mustNew(t, Default())
	for _, share := range []float64{0, -1, 1.5} {
		if _, err := g.GenerateMatching(rand.Reader, func([]byte) bool { return true }, share); err == nil {
			t.Errorf("share %v accepted", share)
		}
	}
}

func TestBytesCountsTheClassCountTables(t *testing.T) {
	small := mustNew(t, Default()).Bytes()
	p := Default()
	p.Length, p.MinSymbols = 128, 100
	g := mustNew(t, p)
	if g.exact == nil {
		t.Fatal("policy does not take the class-count path")
	}
	// 25 characters to spare beyond the minimums: three rows of 26
	// counts, each a big.Int of 32 bytes before its digits.
	if got := g.Bytes(); got < small+3*26*32 {
		t.Errorf("Bytes = %d with tables, %d without", got, small)
	}
}

// TestEveryLengthWithoutMinimumsGenerates covers policies with nothing to
// reject: the share of accepted candidates is 1, which floating-point
// rounding once pushed above 1 for some lengths, turning the number of
// tries negative and every request into a 500.
func TestEveryLengthWithoutMinimumsGenerates(t *testing.T) {
	for length := 4; length <= 256; length++ {
		for _, symbols := range []bool{false, true} {
			p := Default()
			p.Length, p.Symbols, p.RequireEachIncludedType = length, symbols, false
			if _, err := mustNew(t, p).Generate(rand.Reader); err != nil {
				t.Fatalf("length %d, symbols %v: %v", length, symbols, err)
			}
		}
	}
}
