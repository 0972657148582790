package orgpolicy

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/passwordgen/passwordgen/internal/password"
)

// Refusals say how to meet the policy, computed rather than guessed: the
// shortest length that reaches the entropy floor, or the longest one whose
// candidates the rules still accept often enough. Both come from one more
// run of the counter, which yields every length on the way.

// allFields are the include fields in the password package's class order.
var allFields = []string{"include_lowercase", "include_uppercase", "include_numbers", "include_symbols"}

// includeMore returns the advice to turn on the classes a request leaves
// out, or "" when it includes them all.
func includeMore(classes []password.Class) string {
	var missing []string
	for _, f := range allFields {
		found := false
		for _, cl := range classes {
			found = found || cl.Include == f
		}
		if !found {
			missing = append(missing, f)
		}
	}
	switch len(missing) {
	case 0:
		return ""
	case 1:
		return "set " + missing[0] + " to true"
	default:
		return "set " + strings.Join(missing[:len(missing)-1], ", ") + " or " + missing[len(missing)-1] + " to true"
	}
}

// orMore appends the advice to include more classes, when there are any.
func orMore(advice string, classes []password.Class) string {
	if more := includeMore(classes); more != "" {
		return advice + ", or " + more
	}
	return advice
}

// scan runs the counter for the request's rules up to the longest length
// within budget, at most limit, and calls visit for each length with its
// count. It reports whether the budget cut the scan short.
func (c *Compiled) scan(sh shape, limit int, visit func(n int, count func() *big.Int) bool) (cut bool, err error) {
	d, err := c.dfa(sh.sets)
	if err != nil {
		return false, err
	}
	cnt, err := c.counter(d, limit, sh)
	if pe, ok := err.(*Error); ok && pe.longest > 0 {
		// Scan as far as the budget goes.
		cut, limit = true, pe.longest
		cnt, err = c.counter(d, limit, sh)
	}
	if err != nil {
		return true, nil
	}
	cnt.run(limit, visit)
	return cut, nil
}

// tooWeak explains a request below the entropy floor.
func (c *Compiled) tooWeak(sh shape, bits float64) error {
	p, classes := sh.p, sh.classes
	floor := c.policy.MinEntropyBits
	allows := fmt.Sprintf("allows %.1f bits", bits)
	if math.IsInf(bits, -1) {
		allows = "allows no password at all"
	}
	shortest := 0
	cut, err := c.scan(sh, c.maxLength, func(n int, count func() *big.Int) bool {
		if n > p.Length && bitsOf(count()) >= floor {
			shortest = n
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	var advice string
	switch {
	case shortest > 0:
		advice = orMore(fmt.Sprintf("use length ≥ %d", shortest), classes)
	case cut:
		advice = orMore("use a longer length", classes)
	default:
		advice = fmt.Sprintf("no length up to %d reaches it with these characters", c.maxLength)
		if more := includeMore(classes); more != "" {
			advice += "; " + more
		} else {
			advice += "; exclude fewer characters"
		}
	}
	return &Error{Rule: "policy.minEntropyBits", Message: fmt.Sprintf("length %d with %s %s; this organization requires %v: %s", p.Length, describe(classes), allows, floor, advice)}
}

// tooRare explains a request whose candidates the rules accept too rarely
// to draw quickly, with the longest shorter length that is quick enough.
func (c *Compiled) tooRare(sh shape, share float64) error {
	p, classes := sh.p, sh.classes
	var rules []string
	if sh.minClasses > 0 {
		rules = append(rules, "policy.minClasses")
	}
	if c.policy.MaxRepeat > 0 && c.policy.MaxRepeat < p.Length {
		rules = append(rules, "policy.maxRepeat")
	}
	if len(c.policy.ForbiddenPatterns) > 0 {
		rules = append(rules, "policy.forbiddenPatterns")
	}
	longest := 0
	if _, err := c.scan(sh, p.Length-1, func(n int, count func() *big.Int) bool {
		q := p
		q.Length = n
		if base, err := password.New(q); err == nil && bitsOf(count())-base.EntropyBits() >= math.Log2(minShare) {
			longest = n
		}
		return true
	}); err != nil {
		return err
	}
	advice := "include more characters"
	if longest > 0 {
		advice = fmt.Sprintf("use length ≤ %d", longest)
	}
	return &Error{Rule: strings.Join(rules, ", "), Message: fmt.Sprintf("only %.2g%% of the passwords of length %d with %s meet these rules, too few to draw quickly (at least %g%% must): %s", 100*share, p.Length, describe(classes), 100*minShare, orMore(advice, classes))}
}
