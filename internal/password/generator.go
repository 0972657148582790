package password

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"unsafe"
)

// minAcceptance is the share of uniform candidates that must meet the
// minimums for Generate to draw whole candidates and reject the misses.
// Below it a password would take more than 16 candidates on average, and
// drawing exact class counts is the faster of the two exact methods.
const minAcceptance = 1.0 / 16

// maxClasses is the number of character classes a Policy can include.
const maxClasses = 4

// Generator produces passwords for one validated Policy. It is immutable
// and safe for concurrent use.
type Generator struct {
	length int
	bits   float64
	chars  alphabet // every allowed character
	// tally[c] adds 1 to the 16-bit lane of c's class. Counting in lanes of
	// one register avoids the store-to-load stall of incrementing an array
	// slot per character, and no lane can reach 2^16 since length ≤ 4096.
	tally   [256]uint64
	mins    [maxClasses]uint64 // effective minimum of each class index; 0 past the included ones
	checked bool               // some minimum is above zero
	tries   int                // candidates to draw before blaming the reader
	budget  int                // bytes one candidate may consume
	ahead   int                // bytes one candidate usually consumes
	exact   *exact             // non-nil: draw class counts instead of rejecting
}

// method selects how Generate meets the minimums. Tests force each one to
// show that both are uniform; New always chooses automatically.
type method int

const (
	automatic method = iota
	rejection
	classCounts
)

// New validates p and precomputes everything Generate needs, including the
// exact number of passwords p allows. Every error is a *PolicyError naming
// the request field to change; besides invalid policies, New refuses the
// rare ones (thousands of characters with minimums in the hundreds) whose
// exact count or sampling tables would take more than about 20 ms, rather
// than stall the caller.
func New(p Policy) (*Generator, error) { return newGenerator(p, automatic) }

func newGenerator(p Policy, m method) (*Generator, error) {
	classes, err := validate(p)
	if err != nil {
		return nil, err
	}
	g := &Generator{length: p.Length}
	var sets [maxClasses]string
	for i, c := range classes {
		sets[i] = c.chars
		g.mins[i] = uint64(c.min)
		g.checked = g.checked || c.min > 0
		for j := range len(c.chars) {
			g.tally[c.chars[j]] = 1 << (16 * i)
		}
	}
	g.chars = newAlphabet(sets[:len(classes)]...)

	var count *big.Int
	switch {
	case ieCost(p.Length, classes) <= newBudget:
		count = countIE(p.Length, classes)
	case exactAffordable(p.Length, classes):
		g.exact = newExact(p.Length, classes)
		count = g.exact.count
	default:
		return nil, tooCostly(p.Length, classes)
	}
	g.bits = Log2(count)

	// The share of uniform candidates that meet the minimums. Without
	// minimums it is exactly 1, but the floating-point logarithms may round
	// it a hair above, which candidates must never see.
	accept := min(1, math.Exp2(g.bits-float64(p.Length)*math.Log2(float64(g.chars.n))))
	if m == classCounts || m == automatic && accept < minAcceptance {
		if g.exact == nil {
			if !exactAffordable(p.Length, classes) {
				return nil, tooCostly(p.Length, classes)
			}
			g.exact = newExact(p.Length, classes)
		}
		return g, nil
	}
	g.exact = nil
	g.tries = candidates(accept)
	g.budget = g.chars.budget(p.Length)
	g.ahead = g.chars.readAhead(p.Length)
	return g, nil
}

// tooCostly blames the largest minimum the caller asked for, since
// minimums are what make exact counting expensive.
func tooCostly(length int, classes []class) error {
	field, largest := "length", 0
	for _, c := range classes {
		if c.asked > largest {
			field, largest = c.minField, c.asked
		}
	}
	return &PolicyError{field, fmt.Sprintf("length %d with these minimums allows too many combinations of class counts to count or sample exactly in reasonable time; lower the minimums or the length", length)}
}

// EntropyBits returns log2 of the number of distinct passwords the policy
// allows, which is the entropy of Generate's output because every one of
// them is equally likely.
func (g *Generator) EntropyBits() float64 { return g.bits }

// Generate returns a password drawn uniformly from every password the
// policy allows, reading randomness from r. Errors carry no password text;
// a reader that fails, stalls or keeps producing rejected values yields an
// error after a bounded amount of work.
func (g *Generator) Generate(r io.Reader) (string, error) { return g.generate(r, nil, 1) }

// GenerateMatching returns a password drawn uniformly from the passwords
// the policy allows and keep accepts, by drawing uniform candidates and
// rejecting those keep refuses; share is the fraction of the policy's
// passwords keep accepts, which bounds how many candidates a uniform
// source needs. keep sees each candidate in memory that is wiped
// afterwards, so it must not retain pw.
func (g *Generator) GenerateMatching(r io.Reader, keep func(pw []byte) bool, share float64) (string, error) {
	if !(share > 0 && share <= 1) {
		return "", fmt.Errorf("password: share %v of accepted candidates is not in (0, 1]", share)
	}
	return g.generate(r, keep, candidates(share))
}

// candidates returns how many candidates to draw before blaming the
// reader: enough that a uniform source misses every time with probability
// below 2^-64 when a share of them is accepted.
func candidates(share float64) int {
	if share >= 1 {
		// Every candidate is accepted; the formula would divide by
		// infinity, or take the logarithm of a negative number.
		return 2
	}
	return int(min(max(math.Ceil(64*math.Ln2/-math.Log1p(-share)), 2), 1<<20))
}

func (g *Generator) generate(r io.Reader, keep func([]byte) bool, tries int) (string, error) {
	sc := scratchPool.Get().(*scratch)
	src := source{r: r, buf: sc.random[:]}
	out := sc.out[:g.length]
	var err error
	for try := 1; ; try++ {
		if g.exact != nil {
			err = g.exact.generate(&src, out)
		} else {
			err = g.reject(&src, out)
		}
		if err != nil || keep == nil || keep(out) {
			break
		}
		if try == tries {
			err = fmt.Errorf("%w: %d candidates in a row were not accepted", errUnusable, tries)
			break
		}
	}
	pw := ""
	if err == nil {
		pw = string(out)
	}
	// Pooled memory must not keep the password or the bytes it came from.
	clear(sc.random[:src.high])
	clear(out)
	scratchPool.Put(sc)
	return pw, err
}

// reject draws uniform candidates until one meets the minimums, which
// leaves the accepted one uniform over exactly the valid passwords.
func (g *Generator) reject(src *source, out []byte) error {
	for range g.tries {
		src.begin(g.budget, g.ahead)
		if err := g.chars.fill(src, out); err != nil {
			return err
		}
		if g.meetsMinimums(out) {
			return nil
		}
	}
	return fmt.Errorf("%w: %d candidates in a row missed the minimums", errUnusable, g.tries)
}

func (g *Generator) meetsMinimums(pw []byte) bool {
	if !g.checked {
		return true
	}
	var lanes uint64
	for _, c := range pw {
		lanes += g.tally[c]
	}
	for i, m := range g.mins {
		if lanes>>(16*i)&0xffff < m {
			return false
		}
	}
	return true
}

// Bytes returns about how much memory g holds, for callers that cache
// generators: the class-count tables of a long password with large
// minimums reach hundreds of kilobytes.
func (g *Generator) Bytes() int {
	n := int(unsafe.Sizeof(*g))
	if x := g.exact; x != nil {
		n += int(unsafe.Sizeof(*x)) + len(x.classes)*int(unsafe.Sizeof(alphabet{}))
		ints := append([]*big.Int{x.count}, slices.Concat(x.suffix...)...)
		for _, v := range ints {
			n += int(unsafe.Sizeof(*v)) + len(v.Bits())*bits.UintSize/8
		}
	}
	return n
}
