package password

import (
	"math"
	"math/big"
	"math/bits"
)

// exact generates without rejecting candidates, for policies whose
// minimums few uniform candidates meet. Grouping the valid passwords by how
// many characters each class gets, the group with counts k_1..k_c holds
// L!/(k_1!···k_c!)·Π n_i^k_i passwords. Drawing the counts with
// probability proportional to that size, then a uniform arrangement of the
// classes over the positions, then uniform characters within each class,
// gives every valid password the same probability.
//
// The counts are drawn one class at a time from suffix tables: with s
// characters to spare beyond the minimums, class j gets m_j+e of the
// rest_j+s remaining positions with weight C(rest_j+s, m_j+e)·n_j^(m_j+e)
// times the number of ways the later classes fill the other positions.
type exact struct {
	classes []alphabet
	mins    []int
	rest    []int // rest[j] = Σ_{i≥j} mins[i]
	surplus int   // length − rest[0]
	// suffix[j][s], for j ≥ 1, counts strings of length rest[j]+s over
	// classes j.. in which each meets its minimum.
	suffix    [][]*big.Int
	count     *big.Int
	budget    int // bytes one Generate may consume
	readAhead int // bytes one Generate usually consumes
}

func newExact(length int, classes []class) *exact {
	c := len(classes)
	x := &exact{
		classes: make([]alphabet, c),
		mins:    make([]int, c),
		rest:    make([]int, c+1),
		suffix:  make([][]*big.Int, c),
	}
	for j := c - 1; j >= 0; j-- {
		x.classes[j] = newAlphabet(classes[j].chars)
		x.mins[j] = classes[j].min
		x.rest[j] = x.rest[j+1] + x.mins[j]
	}
	x.surplus = length - x.rest[0]

	n := big.NewInt(int64(x.classes[c-1].n))
	if c == 1 {
		x.count = n.Exp(n, big.NewInt(int64(length)), nil)
	} else {
		// The last class takes whatever the others leave.
		p := new(big.Int).Exp(n, big.NewInt(int64(x.mins[c-1])), nil)
		last := make([]*big.Int, x.surplus+1)
		for s := range last {
			last[s] = new(big.Int).Set(p)
			p.Mul(p, n)
		}
		x.suffix[c-1] = last
		for j := c - 2; j >= 1; j-- {
			row := make([]*big.Int, x.surplus+1)
			for s := range row {
				row[s] = x.total(j, s)
			}
			x.suffix[j] = row
		}
		x.count = x.total(0, x.surplus)
	}

	// Randomness: one integer below count (each try succeeds with
	// probability > 1/2), the characters, and the shuffle (at least one swap
	// per word, each word accepted with probability > 1/2).
	countWords := (x.count.BitLen() + 63) / 64
	perWord, accept := 64, 1.0
	for _, a := range x.classes {
		perWord = min(perWord, a.perWord)
		accept = min(accept, 1-a.reject)
	}
	charWords := length/perWord + c
	swapWords := length*bits.Len(uint(length))/64 + 1
	x.budget = 8 * (budgetWords(1, 0.5)*countWords + budgetWords(charWords, accept) + budgetWords(length, 0.5))
	x.readAhead = 8 * (2*countWords + charWords + 2*swapWords)
	return x
}

// weights calls f, for e = 0..s, with the number w of ways classes j.. can
// fill rest[j]+s positions when class j takes mins[j]+e of them, and the
// number tail of ways the later classes fill the rest. It stops when f
// returns false.
func (x *exact) weights(j, s int, f func(e int, w, tail *big.Int) bool) {
	t := x.rest[j] + s
	m := x.mins[j]
	n := int64(x.classes[j].n)
	coef := new(big.Int).Binomial(int64(t), int64(m)) // C(t,k)·n^k for k = m+e
	coef.Mul(coef, new(big.Int).Exp(big.NewInt(n), big.NewInt(int64(m)), nil))
	w, step := new(big.Int), new(big.Int)
	for e := 0; e <= s; e++ {
		tail := x.suffix[j+1][s-e]
		if !f(e, w.Mul(coef, tail), tail) {
			return
		}
		k := m + e
		coef.Mul(coef, step.SetInt64(n*int64(t-k)))
		coef.Quo(coef, step.SetInt64(int64(k+1)))
	}
}

func (x *exact) total(j, s int) *big.Int {
	sum := new(big.Int)
	x.weights(j, s, func(_ int, w, _ *big.Int) bool {
		sum.Add(sum, w)
		return true
	})
	return sum
}

// pick returns class j's share e of the s spare characters, given r
// uniform below total(j, s), and leaves r uniform below the ways the later
// classes can fill their positions: r falls in e's block of w = coef·tail
// values, and its remainder modulo tail is uniform and independent of e.
func (x *exact) pick(j, s int, r *big.Int) int {
	chosen := s
	x.weights(j, s, func(e int, w, tail *big.Int) bool {
		if e < s && r.Cmp(w) >= 0 {
			r.Sub(r, w)
			return true
		}
		chosen = e
		r.Mod(r, tail)
		return false
	})
	return chosen
}

func (x *exact) generate(src *source, out []byte) error {
	src.begin(x.budget, x.readAhead)
	r, err := src.below(x.count)
	if err != nil {
		return err
	}
	// Filling one block per class and then shuffling the whole password
	// is a uniform arrangement with uniform characters: each password with
	// these counts comes from exactly Π k_i! (blocks, permutation) pairs.
	pos, s := 0, x.surplus
	for j := range x.classes {
		e := s
		if j < len(x.classes)-1 {
			e = x.pick(j, s, r)
		}
		s -= e
		k := x.mins[j] + e
		if err := x.classes[j].fill(src, out[pos:pos+k]); err != nil {
			return err
		}
		pos += k
	}
	return src.shuffle(out)
}

// exactAffordable reports whether newExact and each generate stay within
// their budgets, estimating their cost from their loops.
func exactAffordable(length int, classes []class) bool {
	c, total, need := len(classes), 0, 0
	for _, cl := range classes {
		total += len(cl.chars)
		need += cl.min
	}
	u := float64(length - need)
	w := wordsFor(float64(length) * math.Log2(float64(total)))
	mc := mulCost(w)
	logL := math.Log2(float64(length) + 1)
	if c == 1 {
		return 2*logL*mc <= newBudget
	}
	// weights(j, s): a binomial and a power to start, then s+1 terms.
	start := func(j int) float64 { return (float64(min(classes[j].min, length/2)) + 2*logL) * mc }
	build := (u+1)*(w+100) + start(0) + 4*(u+1)*mc // last row, then total(0, u)
	generate := 0.0
	for j := range c - 1 {
		generate += start(j) + 4*(u+1)*mc
		if j > 0 {
			build += (u+1)*start(j) + 2*(u+1)*(u+2)*mc // total(j, s) for s = 0..u
		}
	}
	return build <= newBudget && generate <= generateBudget
}
