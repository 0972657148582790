package password

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestEntropyBitsOfKnownPolicies(t *testing.T) {
	noRequirements := Default()
	noRequirements.RequireEachIncludedType = false
	ab1 := tinyPolicy(3, "ab1")
	ab1.RequireEachIncludedType = true
	tests := []struct {
		name string
		p    Policy
		want float64
	}{
		{"a b 1, length 3, each class", ab1, math.Log2(18)},
		{"digits only", tinyPolicy(20, "0123456789"), 20 * math.Log2(10)},
		{"one character", tinyPolicy(12, "x"), 0},
		{"lowercase only, longest", Policy{Length: 4096, Lowercase: true}, 4096 * math.Log2(26)},
		{"no requirements", noRequirements, 16 * math.Log2(88)},
		// Σ over the 455 compositions of 16 into 4 positive parts,
		// computed independently with arbitrary precision.
		{"default", Default(), math.Log2(10922066122218054169310944296960)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range methods {
				if got := mustNewWith(t, tt.p, m.m).EntropyBits(); math.Abs(got-tt.want) > 1e-9*max(1, tt.want) {
					t.Errorf("%s: EntropyBits = %.12f, want %.12f", m.name, got, tt.want)
				}
			}
		})
	}
}

// bySequence counts valid passwords by brute force over every sequence of
// class labels, weighting each by the characters its classes offer.
func bySequence(length int, sizes, mins []int) *big.Int {
	total := new(big.Int)
	labels := make([]int, length)
	for {
		var n [maxClasses]int
		weight := big.NewInt(1)
		for _, l := range labels {
			n[l]++
			weight.Mul(weight, big.NewInt(int64(sizes[l])))
		}
		ok := true
		for i := range sizes {
			ok = ok && n[i] >= mins[i]
		}
		if ok {
			total.Add(total, weight)
		}
		i := 0
		for ; i < length && labels[i] == len(sizes)-1; i++ {
			labels[i] = 0
		}
		if i == length {
			return total
		}
		labels[i]++
	}
}

// byComposition counts valid passwords as the sum, over every split k of
// the length among the classes, of L!/(k_1!···k_c!)·Π n_i^k_i.
func byComposition(length int, sizes, mins []int) *big.Int {
	total := new(big.Int)
	fact := func(n int) *big.Int { return new(big.Int).MulRange(1, int64(n)) }
	k := make([]int, len(sizes))
	var split func(i, left int)
	split = func(i, left int) {
		if i == len(sizes)-1 {
			if left < mins[i] {
				return
			}
			k[i] = left
			term := fact(length)
			for j, kj := range k {
				term.Mul(term, new(big.Int).Exp(big.NewInt(int64(sizes[j])), big.NewInt(int64(kj)), nil))
				term.Quo(term, fact(kj))
			}
			total.Add(total, term)
			return
		}
		for k[i] = mins[i]; k[i] <= left; k[i]++ {
			split(i+1, left-k[i])
		}
	}
	split(0, length)
	return total
}

// randomPolicy returns an arbitrary small policy, valid or not.
func randomPolicy(r *rand.Rand, maxLen int) Policy {
	p := Policy{
		Length:                  1 + r.IntN(maxLen),
		Lowercase:               r.IntN(2) == 0,
		Uppercase:               r.IntN(2) == 0,
		Numbers:                 r.IntN(2) == 0,
		Symbols:                 r.IntN(2) == 0,
		SymbolSet:               allPunctuation[:1+r.IntN(len(allPunctuation))],
		ExcludeAmbiguous:        r.IntN(2) == 0,
		RequireEachIncludedType: r.IntN(2) == 0,
	}
	for range r.IntN(60) {
		p.ExcludeCharacters += string(rune(' ' + r.IntN(95)))
	}
	mins := []*int{&p.MinLowercase, &p.MinUppercase, &p.MinNumbers, &p.MinSymbols}
	on := []bool{p.Lowercase, p.Uppercase, p.Numbers, p.Symbols}
	for i, m := range mins {
		if on[i] && r.IntN(2) == 0 {
			*m = r.IntN(1 + p.Length/2)
		}
	}
	return p
}

func TestCountMethodsAgreeWithIndependentCounts(t *testing.T) {
	r := rand.New(stream(7))
	checked := 0
	for checked < 300 {
		p := randomPolicy(r, 40)
		classes, err := validate(p)
		if err != nil {
			continue
		}
		checked++
		var sizes, mins []int
		for _, c := range classes {
			sizes = append(sizes, len(c.chars))
			mins = append(mins, c.min)
		}
		want := byComposition(p.Length, sizes, mins)
		if p.Length <= 8 {
			if seq := bySequence(p.Length, sizes, mins); seq.Cmp(want) != 0 {
				t.Fatalf("length %d, sizes %v, minimums %v: by sequence %v, by composition %v", p.Length, sizes, mins, seq, want)
			}
		}
		if got := countIE(p.Length, classes); got.Cmp(want) != 0 {
			t.Errorf("length %d, sizes %v, minimums %v: inclusion–exclusion %v, want %v", p.Length, sizes, mins, got, want)
		}
		if got := newExact(p.Length, classes).count; got.Cmp(want) != 0 {
			t.Errorf("length %d, sizes %v, minimums %v: class-count tables %v, want %v", p.Length, sizes, mins, got, want)
		}
		if got := mustNew(t, p).EntropyBits(); math.Abs(got-Log2(want)) > 1e-9*max(1, got) {
			t.Errorf("length %d, sizes %v, minimums %v: EntropyBits %v, want %v", p.Length, sizes, mins, got, Log2(want))
		}
	}
}

// TestCountWhenInclusionExclusionIsTooCostly covers minimums that nearly
// fill a long password: inclusion–exclusion would need hundreds of
// milliseconds, the class-count tables almost nothing.
func TestCountWhenInclusionExclusionIsTooCostly(t *testing.T) {
	p := Default()
	p.Length, p.MinLowercase, p.MinUppercase, p.MinNumbers = 600, 200, 200, 199
	want := byComposition(p.Length, []int{26, 26, 10, 26}, []int{200, 200, 199, 1})
	if got := mustNew(t, p).EntropyBits(); math.Abs(got-Log2(want)) > 1e-9*got {
		t.Errorf("EntropyBits = %v, want %v", got, Log2(want))
	}
}

func TestDefaultPolicyCountsForShortLengths(t *testing.T) {
	for length := 4; length <= 9; length++ {
		p := Default()
		p.Length = length
		want := bySequence(length, []int{26, 26, 10, 26}, []int{1, 1, 1, 1})
		if got := mustNew(t, p).EntropyBits(); math.Abs(got-Log2(want)) > 1e-12*got {
			t.Errorf("length %d: EntropyBits = %.15f, want log2(%v) = %.15f", length, got, want, Log2(want))
		}
	}
}

func TestEntropyBitsIsExactForTinyAlphabets(t *testing.T) {
	for _, tc := range tinyCases {
		p := tc.policy()
		if got := math.Exp2(mustNew(t, p).EntropyBits()); math.Abs(got-float64(tc.valid)) > 1e-9 {
			t.Errorf("%s: 2^EntropyBits = %v, want %d valid passwords", tc.name, got, tc.valid)
		}
	}
}

func TestLog2IsAccurateForHugeCounts(t *testing.T) {
	x := new(big.Int).Exp(big.NewInt(94), big.NewInt(4096), nil)
	if got, want := Log2(x), 4096*math.Log2(94); math.Abs(got-want) > 1e-9 {
		t.Errorf("log2(94^4096) = %v, want %v", got, want)
	}
}
