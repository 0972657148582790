package password

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/testkit/chisquare"
	"github.com/passwordgen/passwordgen/internal/testkit/enumerate"
)

// TestCharacterFrequenciesAreUniform counts 200,000 characters per
// alphabet. The sizes straddle 64, where reducing bytes modulo the size
// would make some characters a quarter (63) or a third (65) likelier, or
// none (64);
// tinyPolicy builds each alphabet from classes, exclusions and custom
// symbols. Without minimums every character is equally likely at every
// position, so per-character counts must be flat.
func TestCharacterFrequenciesAreUniform(t *testing.T) {
	const length, chars = 64, 200_000
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	tests := []struct {
		name    string
		allowed string
	}{
		{"1 character", "7"},
		{"2 characters", "01"},
		{"63 characters", alnum + "!"},
		{"64 characters", alnum + "!#"},
		{"65 characters", alnum + "!#%"},
		{"94 characters", alnum + allPunctuation},
	}
	for _, tt := range tests {
		for _, m := range methods {
			t.Run(tt.name+"/"+m.name, func(t *testing.T) {
				size := len(tt.allowed)
				g := mustNewWith(t, tinyPolicy(length, tt.allowed), m.m)
				r := stream(byte(size))
				var seen [256]int
				for range (chars + length - 1) / length {
					pw, err := g.Generate(r)
					if err != nil {
						t.Fatalf("Generate: %v", err)
					}
					for i := range len(pw) {
						seen[pw[i]]++
					}
				}
				var observed []int
				for c, n := range seen {
					if n == 0 {
						continue
					}
					if !strings.ContainsRune(tt.allowed, rune(c)) {
						t.Fatalf("a character outside the policy appeared %d times", n)
					}
					observed = append(observed, n)
				}
				if len(observed) != size {
					t.Fatalf("%d distinct characters appeared, want %d", len(observed), size)
				}
				if size == 1 {
					return
				}
				if stat, crit := chisquare.Statistic(observed), chisquare.Critical(size-1); stat > crit {
					t.Errorf("chi-square = %.1f over %d characters, above the 0.001 critical value %.1f", stat, size, crit)
				}
			})
		}
	}
}

// tinyCase is a policy over the characters of keep, set up by edit, that
// allows valid passwords.
type tinyCase struct {
	name  string
	keep  string
	edit  func(*Policy)
	valid int
}

func (tc tinyCase) policy() Policy {
	p := tinyPolicy(0, tc.keep)
	tc.edit(&p)
	return p
}

// tinyCases are policies small enough to list every valid password.
var tinyCases = []tinyCase{
	// 27 strings minus aaa-style (8) and 111.
	{"a b 1, length 3, each class", "ab1", func(p *Policy) { p.Length, p.RequireEachIncludedType = 3, true }, 18},
	// 81 minus 16 letter-only and 1111.
	{"a b 1, length 4, each class", "ab1", func(p *Policy) { p.Length, p.RequireEachIncludedType = 4, true }, 64},
	// Two digits: 6·4·4, three digits: 4·8·2.
	{"a b 1 2, length 4, two numbers", "ab12", func(p *Policy) { p.Length, p.RequireEachIncludedType, p.MinNumbers = 4, true, 2 }, 160},
	// 3!·8: few of the 1000 candidates qualify, so New draws class counts.
	{"a-h 1 !, length 3, each class", "abcdefgh1!", func(p *Policy) { p.Length, p.RequireEachIncludedType = 3, true }, 48},
}

// validPasswords lists, by brute force over keep^length, the passwords
// whose class counts meet the policy's minimums.
func validPasswords(keep string, p Policy) []string {
	mins := effectiveMins(p)
	var valid []string
	enumerate.Each(keep, p.Length, func(pw []byte) {
		var n [4]int
		for _, c := range pw {
			n[classify(c)]++
		}
		for k := range n {
			if n[k] < mins[k] {
				return
			}
		}
		valid = append(valid, string(pw))
	})
	return valid
}

// equallyLikely draws samples passwords per valid one and returns how many
// valid passwords never appeared, how many draws were not valid at all, and
// the chi-square statistic with its 0.001 critical value.
func equallyLikely(valid []string, perPassword int, draw func() (string, error)) (missing, invalid int, stat, crit float64, err error) {
	index := make(map[string]int, len(valid))
	for i, v := range valid {
		index[v] = i
	}
	counts := make([]int, len(valid))
	for range perPassword * len(valid) {
		pw, err := draw()
		if err != nil {
			return 0, 0, 0, 0, err
		}
		i, ok := index[pw]
		if !ok {
			invalid++
			continue
		}
		counts[i]++
	}
	for _, c := range counts {
		if c == 0 {
			missing++
		}
	}
	return missing, invalid, chisquare.Statistic(counts), chisquare.Critical(len(valid) - 1), nil
}

func TestValidPasswordsAreEquallyLikely(t *testing.T) {
	for i, tc := range tinyCases {
		p := tc.policy()
		valid := validPasswords(tc.keep, p)
		if len(valid) != tc.valid {
			t.Fatalf("%s: brute force found %d valid passwords, want %d", tc.name, len(valid), tc.valid)
		}
		for _, m := range methods {
			t.Run(tc.name+"/"+m.name, func(t *testing.T) {
				g := mustNewWith(t, p, m.m)
				r := stream(byte(i))
				missing, invalid, stat, crit, err := equallyLikely(valid, 500, func() (string, error) { return g.Generate(r) })
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if missing != 0 || invalid != 0 {
					t.Fatalf("%d of %d valid passwords never appeared and %d draws were invalid", missing, len(valid), invalid)
				}
				if stat > crit {
					t.Errorf("chi-square = %.1f over %d passwords, above the 0.001 critical value %.1f", stat, len(valid), crit)
				}
			})
		}
	}
}

func TestNewDrawsClassCountsWhenFewCandidatesQualify(t *testing.T) {
	for _, tc := range tinyCases {
		p := tc.policy()
		g := mustNew(t, p)
		accept := float64(tc.valid) / math.Pow(float64(len(tc.keep)), float64(p.Length))
		if want := accept < minAcceptance; (g.exact != nil) != want {
			t.Errorf("%s: %.3f of candidates qualify, class-count sampling = %v, want %v", tc.name, accept, g.exact != nil, want)
		}
	}
}

// oneOfEachThenShuffle is the common algorithm the package must not use:
// one character of each class, the rest from the union, then a shuffle.
//
// It is not uniform. Over {a,b,1}, length 4, each class required, it makes
// aaa1 only via required a, required 1, fill a, a: 1/2·1/3·1/3 = 1/18, split
// over 4 arrangements, 1/72 each; but aa11 via required a and fills {a,1}
// in either order: 1/2·2/9 = 1/9 over 6 arrangements, 1/54 each; a uniform
// generator gives each of the 64 valid passwords 1/64. (At length 3 the
// same arithmetic happens to give every password 1/18, which is why the
// test uses length 4.)
func oneOfEachThenShuffle(keep string, length int, r *rand.Rand) string {
	var classes [4][]byte
	for i := range len(keep) {
		c := classify(keep[i])
		classes[c] = append(classes[c], keep[i])
	}
	var pw []byte
	for _, cl := range classes {
		if len(cl) > 0 {
			pw = append(pw, cl[r.IntN(len(cl))])
		}
	}
	for len(pw) < length {
		pw = append(pw, keep[r.IntN(len(keep))])
	}
	r.Shuffle(len(pw), func(i, j int) { pw[i], pw[j] = pw[j], pw[i] })
	return string(pw)
}

func TestEquallyLikelyTestCatchesOneOfEachThenShuffle(t *testing.T) {
	tc := tinyCases[1]
	p := tc.policy()
	valid := validPasswords(tc.keep, p)
	r := rand.New(stream(99))
	missing, invalid, stat, crit, err := equallyLikely(valid, 500, func() (string, error) {
		return oneOfEachThenShuffle(tc.keep, p.Length, r), nil
	})
	if err != nil || missing != 0 || invalid != 0 {
		t.Fatalf("one-of-each: err %v, %d missing, %d invalid; want only a skewed distribution", err, missing, invalid)
	}
	if stat <= crit {
		t.Errorf("chi-square = %.1f, not above the critical value %.1f: the test cannot tell a skewed generator from a uniform one", stat, crit)
	}
}
