package orgpolicy

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/bits"
	"strings"

	"github.com/passwordgen/passwordgen/internal/forbidden"
	"github.com/passwordgen/passwordgen/internal/password"
)

// Generator produces passwords for one request under the policy. It is
// immutable and safe for concurrent use.
type Generator struct {
	base  *password.Generator
	bits  float64
	share float64  // fraction of base's passwords the rules accept
	check *checker // nil when every password of base meets the policy
}

// EntropyBits returns log2 of the number of passwords the request and the
// policy allow together; Generate draws each of them equally likely.
func (g *Generator) EntropyBits() float64 { return g.bits }

// Generate returns a password drawn uniformly from those the request and
// the policy allow, reading randomness from r.
func (g *Generator) Generate(r io.Reader) (string, error) {
	if g.check == nil {
		return g.base.Generate(r)
	}
	return g.base.GenerateMatching(r, g.check.allows, g.share)
}

// outcome is a request's cached verdict.
type outcome struct {
	gen *Generator
	err error
}

// bytes counts what an outcome keeps alive, the automaton it checks with
// included (shared automata are counted once per verdict, which only errs
// on the safe side).
func (o outcome) bytes() int {
	n := 512 // the outcome, its Generator and checker, the map entry
	if o.gen != nil {
		n += o.gen.base.Bytes()
		if o.gen.check != nil && o.gen.check.dfa != nil {
			n += o.gen.check.dfa.Bytes()
		}
	}
	return n
}

// Password returns the generator for a request, or why the request cannot
// be served: a *password.PolicyError for a request invalid on its own, an
// *Error for one the organization's policy refuses. Verdicts are cached,
// refusals included, so a repeated request costs a map lookup.
func (c *Compiled) Password(p password.Policy) (*Generator, error) {
	if o, ok := c.requests.get(p); ok {
		return o.gen, o.err
	}
	gen, err := c.judge(p)
	var pe *password.PolicyError
	var oe *Error
	if err == nil || errors.As(err, &pe) || errors.As(err, &oe) || IsTooLarge(err) {
		c.requests.put(p, outcome{gen, err})
	}
	return gen, err
}

// IsTooLarge reports whether err says the organization's patterns need a
// larger automaton over a request's characters than a function may build.
// The deployment's check over the widest alphabet should rule that out, so
// it is the deployer's problem, not the caller's.
func IsTooLarge(err error) bool {
	var tl *forbidden.TooLargeError
	return errors.As(err, &tl)
}

// shape is a request as the policy sees it.
type shape struct {
	p       password.Policy
	classes []password.Class
	sets    []string // the characters of each class
	// minClasses is the policy's, or 0 when the request's minimums
	// already imply it.
	minClasses int
}

// judge decides a request without the cache.
func (c *Compiled) judge(p password.Policy) (*Generator, error) {
	g, sh, err := c.measure(p)
	switch {
	case err != nil:
		return nil, err
	case g.bits < c.policy.MinEntropyBits:
		return nil, c.tooWeak(sh, g.bits)
	case g.share < minShare:
		return nil, c.tooRare(sh, g.share)
	}
	return g, nil
}

// measure counts what a request allows under the rules and prepares its
// generator, refusing only requests the rules or the budget make
// impossible.
func (c *Compiled) measure(p password.Policy) (*Generator, shape, error) {
	pol := c.policy
	classes, err := password.Classes(p)
	if err != nil {
		return nil, shape{}, err
	}
	if pol.MinClasses > len(classes) {
		return nil, shape{}, &Error{Rule: "policy.minClasses", Message: fmt.Sprintf("this organization requires characters of at least %d classes; the request includes %s: %s", pol.MinClasses, describe(classes), includeMore(classes))}
	}
	// When every included class must appear, the password package can
	// enforce that itself, exactly and without rejecting candidates.
	if pol.MinClasses == len(classes) && !p.RequireEachIncludedType {
		p.RequireEachIncludedType = true
		if classes, err = password.Classes(p); err != nil {
			return nil, shape{}, err
		}
	}
	base, err := password.New(p)
	if err != nil {
		return nil, shape{}, err
	}
	sh := shape{p: p, classes: classes, sets: make([]string, len(classes)), minClasses: pol.MinClasses}
	required := 0
	for i, cl := range classes {
		sh.sets[i] = cl.Chars
		if cl.Min > 0 {
			required++
		}
	}
	if sh.minClasses <= required {
		sh.minClasses = 0
	}
	g := &Generator{base: base, bits: base.EntropyBits(), share: 1}
	if len(pol.ForbiddenPatterns) > 0 || pol.MaxRepeat > 0 && pol.MaxRepeat < p.Length || sh.minClasses > 0 {
		d, err := c.dfa(sh.sets)
		if err != nil {
			return nil, shape{}, err
		}
		cnt, err := c.counter(d, p.Length, sh)
		if err != nil {
			return nil, shape{}, err
		}
		g.bits = bitsOf(cnt.count(p.Length))
		// When the rules exclude nothing the share is exactly 1, and two
		// rounded logarithms may put it a hair above, which
		// GenerateMatching refuses.
		g.share = min(1, math.Exp2(g.bits-base.EntropyBits()))
		g.check = newChecker(d, sh, pol)
	}
	return g, sh, nil
}

// bitsOf returns log2(count), −∞ for no password at all.
func bitsOf(count *big.Int) float64 {
	if count.Sign() == 0 {
		return math.Inf(-1)
	}
	return password.Log2(count)
}

// dfa returns the patterns' automaton over a request's classes, cached by
// alphabet.
func (c *Compiled) dfa(sets []string) (*forbidden.DFA, error) {
	key := strings.Join(sets, "\x00") // classes hold printable characters only
	if d, ok := c.dfas.get(key); ok {
		return d, nil
	}
	d, err := c.patterns.DFA(sets, maxStates)
	if err != nil {
		// Compile bounded the automaton over every printable character,
		// and a request's is no larger.
		return nil, fmt.Errorf("orgpolicy: automaton over a request's alphabet: %w", err)
	}
	c.dfas.put(key, d)
	return d, nil
}

// checker recognises the passwords that meet the rules the password
// package does not enforce itself.
type checker struct {
	dfa        *forbidden.DFA // nil without patterns
	maxRepeat  int            // 0 when it cannot bind
	minClasses int            // 0 when the minimums already imply it
	classOf    [256]uint8
}

func newChecker(d *forbidden.DFA, sh shape, pol Policy) *checker {
	ch := &checker{}
	if len(pol.ForbiddenPatterns) > 0 {
		ch.dfa = d
	}
	if pol.MaxRepeat < sh.p.Length {
		ch.maxRepeat = pol.MaxRepeat
	}
	ch.minClasses = sh.minClasses
	for i, cl := range sh.classes {
		for j := range len(cl.Chars) {
			ch.classOf[cl.Chars[j]] = uint8(i)
		}
	}
	return ch
}

func (ch *checker) allows(pw []byte) bool {
	if ch.maxRepeat > 0 {
		run := 1
		for i := 1; i < len(pw); i++ {
			if pw[i] != pw[i-1] {
				run = 1
			} else if run++; run > ch.maxRepeat {
				return false
			}
		}
	}
	if ch.minClasses > 0 {
		var seen uint8
		for _, c := range pw {
			seen |= 1 << ch.classOf[c]
		}
		if bits.OnesCount8(seen) < ch.minClasses {
			return false
		}
	}
	return ch.dfa == nil || ch.dfa.Allows(pw)
}
