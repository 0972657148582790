// Package orgpolicy enforces an organization's floor under every password
// request: a minimum entropy, a minimum number of character classes, a
// limit on repeated characters and forbidden patterns. Under these rules it
// keeps what the password package promises without them: entropy_bits is
// log2 of the exact number of passwords the request and the policy allow
// together, and generation is uniform over exactly those passwords.
//
// Counting is dynamic programming over one automaton that holds every rule
// (see counter); generation draws uniform candidates from the password
// package and rejects those the rules refuse, which is uniform over the
// valid ones by construction. Both are cached per distinct request in the
// warm function, and both have explicit budgets (see budget.go), so that
// no request can make the function stall.
package orgpolicy

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/passwordgen/passwordgen/internal/forbidden"
	"github.com/passwordgen/passwordgen/internal/password"
)

// Policy is the organization's policy as the stack configures it. The zero
// value imposes nothing.
type Policy struct {
	// MinEntropyBits is the least entropy, in bits, of any request: the
	// exact count of passwords a request allows under every rule must be
	// at least 2^MinEntropyBits. It applies to passphrases too.
	MinEntropyBits float64 `json:"minEntropyBits,omitempty"`
	// MinClasses is how many character classes every password contains
	// characters of, 0 to 4.
	MinClasses int `json:"minClasses,omitempty"`
	// MaxRepeat is how many times in a row a character may occur; 0 means
	// no limit.
	MaxRepeat int `json:"maxRepeat,omitempty"`
	// ForbiddenPatterns are RE2 expressions that must not match anywhere in
	// a password.
	ForbiddenPatterns []string `json:"forbiddenPatterns,omitempty"`
}

// IsZero reports whether p imposes nothing.
func (p Policy) IsZero() bool {
	return p.MinEntropyBits == 0 && p.MinClasses == 0 && p.MaxRepeat == 0 && len(p.ForbiddenPatterns) == 0
}

// Error is a request the policy refuses. The handler shows it to the
// caller as a 400, so it names the rule and says how to meet it.
type Error struct {
	// Rule is the setting at fault as `pulumi config` spells its path,
	// such as "policy.minEntropyBits"; "policy" for the policy as a whole.
	Rule    string
	Message string
	longest int // for a refusal over budget, the longest length within it
}

func (e *Error) Error() string { return e.Rule + ": " + e.Message }

// maxClasses is the number of character classes a request can include.
const maxClasses = 4

// Compiled is a validated policy, ready to judge requests. It caches what
// each distinct request costs to decide, and is safe for concurrent use.
type Compiled struct {
	policy    Policy
	patterns  *forbidden.Patterns
	maxLength int
	dfas      *cache[string, *forbidden.DFA]
	requests  *cache[password.Policy, outcome]
}

// Compile validates p's settings and parses its patterns, for a
// deployment whose requests are at most maxLength characters long. It is
// what the function runs at start-up; Validate adds the costlier checks a
// deployment runs before it goes live. Both report every problem at once,
// joined, each naming its setting.
func Compile(p Policy, maxLength int) (*Compiled, error) {
	var problems []error
	fail := func(field, format string, args ...any) {
		problems = append(problems, fmt.Errorf("policy.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if math.IsNaN(p.MinEntropyBits) || math.IsInf(p.MinEntropyBits, 0) || p.MinEntropyBits < 0 {
		fail("minEntropyBits", "must be a number of bits of at least 0, got %v", p.MinEntropyBits)
	}
	if p.MinClasses < 0 || p.MinClasses > maxClasses {
		fail("minClasses", "must be between 0 and %d, got %d", maxClasses, p.MinClasses)
	}
	if p.MaxRepeat < 0 || p.MaxRepeat > maxLength {
		fail("maxRepeat", "must be between 1 and maxLength (%d), or 0 for no limit, got %d", maxLength, p.MaxRepeat)
	}
	patterns, err := forbidden.Compile(p.ForbiddenPatterns)
	problems = append(problems, blame(err)...)
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	p.ForbiddenPatterns = patterns.List() // the caller keeps its slice
	return &Compiled{
		policy:    p,
		patterns:  patterns,
		maxLength: maxLength,
		dfas:      newCache[string, *forbidden.DFA](cacheBytes, (*forbidden.DFA).Bytes),
		requests:  newCache[password.Policy, outcome](cacheBytes, outcome.bytes),
	}, nil
}

// Validate compiles p and checks that the deployment can live with it:
// every pattern can match some password, the automaton stays within its
// bound for every request, counting the longest, widest request stays
// within budget, and that request reaches the entropy floor, since no
// request would fare better.
func Validate(p Policy, maxLength int) (*Compiled, error) {
	c, err := Compile(p, maxLength)
	if err != nil {
		return nil, err
	}
	if problems := blame(c.patterns.Check(maxStates)); len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if err := c.checkWidest(); err != nil {
		return nil, err
	}
	return c, nil
}

// blame prefixes each of the patterns' problems with "policy.", the path
// of the setting in the stack's configuration.
func blame(err error) []error {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return []error{fmt.Errorf("policy.%w", err)}
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, fmt.Errorf("policy.%w", e))
	}
	return out
}

// widest is the request with the most passwords a deployment allows: the
// longest, over every printable character, each class present. A policy
// that this request cannot meet, or cannot count within budget, is refused
// up front, since no request would fare better.
func (c *Compiled) widest() password.Policy {
	p := password.Default()
	p.Length = c.maxLength
	p.SymbolSet = punctuation
	return p
}

// punctuation is every printable ASCII punctuation character.
const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func (c *Compiled) checkWidest() error {
	p := c.widest()
	g, _, err := c.measure(p)
	var pe *Error
	switch {
	case errors.As(err, &pe) && pe.Rule == "policy":
		advice := "simplify the policy"
		if pe.longest > 0 {
			advice = fmt.Sprintf("lower maxLength to %d or less, or simplify the policy", pe.longest)
		}
		return fmt.Errorf("policy: counting the passwords of the longest request (length %d) would exceed the function's budget (%.0e word operations, %d MB): %s", p.Length, workBudget, memoryBudget>>20, advice)
	case err != nil:
		return fmt.Errorf("policy: the longest request (length %d, every printable character) fails: %w", p.Length, err)
	case math.IsInf(g.bits, -1):
		return fmt.Errorf("policy: the rules leave no password at all for the longest request (length %d, every printable character); relax maxRepeat, minClasses or forbiddenPatterns", p.Length)
	case g.bits < c.policy.MinEntropyBits:
		return fmt.Errorf("policy.minEntropyBits: %v bits is out of reach: the longest request (length %d, every printable character) allows %.1f bits; lower minEntropyBits or raise maxLength", c.policy.MinEntropyBits, p.Length, g.bits)
	}
	return nil
}

// Policy returns the policy in force.
func (c *Compiled) Policy() Policy {
	p := c.policy
	p.ForbiddenPatterns = c.patterns.List()
	return p
}

// CheckPassphrase applies the entropy floor, the one rule that concerns
// passphrases, to one of words words of bitsPerWord each; maxWords is the
// most a request may ask for.
func (c *Compiled) CheckPassphrase(words int, bitsPerWord float64, maxWords int) error {
	floor := c.policy.MinEntropyBits
	bits := float64(words) * bitsPerWord
	if bits >= floor {
		return nil
	}
	need := int(math.Ceil(floor / bitsPerWord))
	advice := fmt.Sprintf("use words ≥ %d", need)
	if need > maxWords {
		advice = fmt.Sprintf("no passphrase reaches it (%d words allow %.1f bits); ask for a password instead", maxWords, float64(maxWords)*bitsPerWord)
	}
	return &Error{Rule: "policy.minEntropyBits", Message: fmt.Sprintf("%d words allow %.1f bits; this organization requires %v: %s", words, bits, floor, advice)}
}

// describe names a request's characters for messages: "numbers only",
// "lowercase and numbers".
func describe(classes []password.Class) string {
	names := make([]string, len(classes))
	for i, cl := range classes {
		names[i] = strings.TrimPrefix(cl.Include, "include_")
	}
	switch len(names) {
	case 0:
		return "no class"
	case 1:
		return names[0] + " only"
	default:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
}
