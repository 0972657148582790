package password

import (
	"math"
	"math/big"
	"math/bits"
)

// Exact counting has to stay cheap because New runs on every invocation,
// yet some policies (thousands of characters with minimums in the
// thousands) would need minutes of big-integer arithmetic. Costs are
// estimated up front in rough nanoseconds, and a policy over budget is
// refused rather than left to stall the function:
//
//   - newBudget bounds New (counting, and building the tables class-count
//     sampling needs): 20 ms, a small share of a Lambda invocation.
//   - generateBudget bounds the big-integer work of one Generate on the
//     class-count path: 2 ms.
//
// The estimates deliberately run high (2 to 10 times the time measured on
// a current server core) because a small Lambda gets a fraction of one.
// Default-like policies cost microseconds; refusals start around length
// 4096 with 50 of each class, or length 400 with min_symbols 250.
const (
	newBudget      = 20e6
	generateBudget = 2e6
)

// mulCost estimates one multiplication of w-word integers: growth between
// schoolbook and Karatsuba, plus a fixed per-call overhead.
func mulCost(w float64) float64 { return w*math.Sqrt(w) + 100 }

// wordsFor returns the 64-bit words an integer of the given bit size needs.
func wordsFor(bitLen float64) float64 { return bitLen/64 + 1 }

// countIE counts the passwords of the given length whose class counts meet
// every minimum, by inclusion–exclusion over the events "class i has fewer
// than its minimum":
//
//	count = Σ_S (-1)^|S| Σ_J C(L,J)·h_S(J)·(N − n_S)^(L−J)
//
// over the subsets S of classes with a minimum, where h_S(J) counts strings
// of length J over the classes in S in which each class falls short of its
// minimum, and J ranges up to D_S = Σ_{i∈S}(m_i − 1). With every minimum at
// most 1 (the default policy) h_S is the constant 1 and each term is a
// single power. Terms with the same base N − n_S are summed before the one
// large power they share, which is where the time goes.
func countIE(length int, classes []class) *big.Int {
	total, dmax := 0, 0
	var short []class
	for _, c := range classes {
		total += len(c.chars)
		if c.min > 0 {
			short = append(short, c)
			dmax += c.min - 1
		}
	}
	// byBase[a] collects Σ (-1)^|S|·C(L,J)·h_S(J)·a^(dmax−J) over the
	// subsets S with N − n_S = a.
	var byBase [maxAlphabet + 1]*big.Int
	// shortfall[S] is h_S, built from S without its lowest class.
	shortfall := make([][]*big.Int, 1<<len(short))
	shortfall[0] = []*big.Int{big.NewInt(1)}
	for set := range shortfall {
		a := total
		if set > 0 {
			i := bits.TrailingZeros(uint(set))
			shortfall[set] = convolveShort(shortfall[set&(set-1)], short[i])
		}
		for i, c := range short {
			if set&(1<<i) != 0 {
				a -= len(c.chars)
			}
		}
		if a == 0 {
			continue // d < length, so every term has a positive power of 0
		}
		if byBase[a] == nil {
			byBase[a] = new(big.Int)
		}
		term := shortfallSum(length, shortfall[set], int64(a), dmax)
		if bits.OnesCount(uint(set))%2 == 0 {
			byBase[a].Add(byBase[a], term)
		} else {
			byBase[a].Sub(byBase[a], term)
		}
	}
	sum, power, exp := new(big.Int), new(big.Int), big.NewInt(int64(length-dmax))
	for a, s := range byBase {
		if s != nil && s.Sign() != 0 {
			sum.Add(sum, s.Mul(s, power.Exp(big.NewInt(int64(a)), exp, nil)))
		}
	}
	return sum
}

// shortfallSum returns Σ_J C(L,J)·h(J)·a^(dmax−J), evaluated by Horner's
// rule on numbers far smaller than the final power.
func shortfallSum(length int, h []*big.Int, a int64, dmax int) *big.Int {
	d := len(h) - 1
	if d == 0 && dmax == 0 {
		return h[0]
	}
	acc, binom, t, small := new(big.Int), big.NewInt(1), new(big.Int), new(big.Int)
	base := big.NewInt(a)
	for J, hJ := range h {
		acc.Mul(acc, base)
		acc.Add(acc, t.Mul(binom, hJ))
		binom.Mul(binom, small.SetInt64(int64(length-J)))
		binom.Quo(binom, small.SetInt64(int64(J+1)))
	}
	return acc.Mul(acc, t.Exp(base, small.SetInt64(int64(dmax-d)), nil))
}

// convolveShort extends h_S by class c: h(J) = Σ_{j<m} C(J,j)·n^j·h_S(J−j),
// choosing which j positions hold class c and which of its characters.
func convolveShort(h []*big.Int, c class) []*big.Int {
	if c.min == 1 {
		return h // only j = 0 contributes
	}
	n := int64(len(c.chars))
	out := make([]*big.Int, len(h)+c.min-1)
	coef, t, step := new(big.Int), new(big.Int), new(big.Int)
	for J := range out {
		sum := new(big.Int)
		coef.SetInt64(1) // C(J,j)·n^j
		for j := 0; j < c.min && j <= J; j++ {
			if J-j < len(h) {
				sum.Add(sum, t.Mul(coef, h[J-j]))
			}
			coef.Mul(coef, step.SetInt64(n*int64(J-j)))
			coef.Quo(coef, step.SetInt64(int64(j+1)))
		}
		out[J] = sum
	}
	return out
}

// ieCost estimates countIE following its loops.
func ieCost(length int, classes []class) float64 {
	total, n := 0, 0
	var short [maxClasses]int
	for _, c := range classes {
		total += len(c.chars)
		if c.min > 0 {
			short[n] = c.min
			n++
		}
	}
	power := mulCost(wordsFor(float64(length) * math.Log2(float64(total))))
	logL := math.Log2(float64(length) + 1)
	cost := 0.0
	for set := range 1 << n {
		d := 0
		for i, m := range short[:n] {
			if set&(1<<i) != 0 {
				d += m - 1
			}
		}
		// Numbers grow with J, so half the largest size stands for all.
		if set > 0 {
			if m := short[bits.TrailingZeros(uint(set))]; m > 1 {
				cost += float64((d+1)*m) * 2 * mulCost(wordsFor(4*float64(d)))
			}
		}
		if d > 0 {
			cost += float64(d+1) * 2 * mulCost(wordsFor(float64(d)*(logL+8)/2))
		}
		cost += (2*logL + 1) * power
	}
	return cost
}

// Log2 returns Log2(x) for x > 0 to float64 precision, for counts far
// beyond float64's range.
func Log2(x *big.Int) float64 {
	shift := max(x.BitLen()-64, 0)
	top := new(big.Int).Rsh(x, uint(shift)).Uint64()
	return math.Log2(float64(top)) + float64(shift)
}
