// Package forbidden compiles an organization's forbidden RE2 patterns into a
// deterministic automaton over the characters one request can produce, so
// that passwords containing a match can be counted exactly and recognised in
// one pass.
//
// "Forbidden" means "must not match anywhere": the automaton recognises the
// complement of .*(p1|p2|…).* over the request's alphabet. Only the
// characters the request can produce matter, and characters that no pattern
// tells apart share one block, which keeps the automaton small.
//
// Anchors mean what RE2 says for a one-line text: ^ and \A match at the
// start of the password, $ and \z at its end ((?m) changes nothing, since a
// password holds no line break), and \b and \B test ASCII word boundaries.
// A pattern that can match an empty string is refused: it would match every
// password, or depend on context in ways nobody intends.
package forbidden

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strconv"
)

// MaxPatternBytes bounds the text of all patterns together. Policies travel
// to the function in an environment variable, of which Lambda allows 4 KB
// in total, and a longer list is more likely a mistake than a policy.
const MaxPatternBytes = 2048

// PrintableASCII is every character a password can hold: printable ASCII
// without the space.
const PrintableASCII = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

// Patterns is a compiled, validated list of forbidden patterns. It is
// immutable and safe for concurrent use.
type Patterns struct {
	list   []string
	parsed []*syntax.Regexp
	prog   *syntax.Prog // the alternation of every pattern
	words  bool         // some pattern tests word boundaries
}

// PatternError reports one pattern Compile refuses.
type PatternError struct {
	Index   int // position in the list given to Compile
	Pattern string
	Message string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("forbiddenPatterns[%d] %s: %s", e.Index, strconv.Quote(excerpt(e.Pattern)), e.Message)
}

// Compile parses every pattern and compiles them together. It reports
// every problem at once, joined, each a *PatternError naming its pattern:
// syntax errors, and patterns that can match an empty string. Check looks
// further, at a cost.
func Compile(patterns []string) (*Patterns, error) {
	total := 0
	for _, p := range patterns {
		total += len(p)
	}
	if total > MaxPatternBytes {
		return nil, fmt.Errorf("forbiddenPatterns: %d bytes in all, more than the %d allowed", total, MaxPatternBytes)
	}
	var problems []error
	var subs []*syntax.Regexp
	for i, p := range patterns {
		re, err := parse(p)
		if err != nil {
			problems = append(problems, &PatternError{Index: i, Pattern: p, Message: err.Error()})
			continue
		}
		subs = append(subs, re)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	ps, err := compileAll(subs)
	if err != nil {
		return nil, fmt.Errorf("forbiddenPatterns: %w", err)
	}
	ps.list = append([]string(nil), patterns...)
	ps.parsed = subs
	return ps, nil
}

// parse checks one pattern on its own.
func parse(p string) (*syntax.Regexp, error) {
	if p == "" {
		return nil, errors.New("is empty, which would match every password")
	}
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		// The parser quotes the offending text raw; quote it escaped.
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: %s", se.Code, strconv.Quote(excerpt(se.Expr)))
		}
		return nil, err
	}
	re = re.Simplify()
	one, err := compileAll([]*syntax.Regexp{re})
	if err != nil {
		return nil, err
	}
	if one.matchesEmpty() {
		return nil, errors.New("can match an empty string, so it would match every password (or none, by position only); make every alternative consume a character")
	}
	return re, nil
}

// Check builds the automata a deployment should afford before it goes
// live, reporting every problem at once: a pattern that matches no
// password (it needs characters passwords never hold), and automata over
// maxStates states. Bounding the automaton over all printable ASCII bounds
// it for every request, since a request's alphabet is a subset and
// restricting the alphabet only removes reachable states.
func (ps *Patterns) Check(maxStates int) error {
	var problems []error
	for i, re := range ps.parsed {
		one, err := compileAll([]*syntax.Regexp{re})
		if err == nil {
			var d *DFA
			if d, err = one.DFA([]string{PrintableASCII}, maxStates); err == nil && !d.canMatch() {
				err = errors.New("matches no password: passwords hold only printable ASCII characters other than the space")
			}
		}
		if err != nil {
			problems = append(problems, &PatternError{Index: i, Pattern: ps.list[i], Message: err.Error()})
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	if len(ps.list) > 1 {
		if _, err := ps.DFA([]string{PrintableASCII}, maxStates); err != nil {
			return fmt.Errorf("forbiddenPatterns: all together, %w", err)
		}
	}
	return nil
}

func compileAll(subs []*syntax.Regexp) (*Patterns, error) {
	re := &syntax.Regexp{Op: syntax.OpNoMatch}
	switch len(subs) {
	case 0:
	case 1:
		re = subs[0]
	default:
		re = &syntax.Regexp{Op: syntax.OpAlternate, Sub: subs}
	}
	prog, err := syntax.Compile(re)
	if err != nil {
		return nil, err
	}
	ps := &Patterns{prog: prog}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&(syntax.EmptyWordBoundary|syntax.EmptyNoWordBoundary) != 0 {
			ps.words = true
		}
	}
	return ps, nil
}

// List returns the patterns as given.
func (ps *Patterns) List() []string { return append([]string(nil), ps.list...) }

// matchesEmpty reports whether some context lets the program match without
// consuming a character: every assertion is taken as satisfiable.
func (ps *Patterns) matchesEmpty() bool {
	c := newCloser(ps.prog)
	_, matched := c.close(nil, anyContext)
	return matched
}

// excerpt keeps messages short whatever the pattern.
func excerpt(s string) string {
	const limit = 40
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
