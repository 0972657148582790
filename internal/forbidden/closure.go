package forbidden

import (
	"regexp/syntax"
)

// anyContext stands for "every assertion holds" in closer.close.
const anyContext = ^syntax.EmptyOp(0)

// closer follows the empty transitions of a program. It is the only place
// that interprets instructions other than the rune-matching ones.
type closer struct {
	prog  *syntax.Prog
	seen  []uint32 // seen[pc] == stamp: pc already visited in this closure
	stamp uint32
	stack []uint32
	out   []uint32
	// visited counts the instructions the last close visited, for the
	// caller's work bound.
	visited int
}

func newCloser(prog *syntax.Prog) *closer {
	return &closer{prog: prog, seen: make([]uint32, len(prog.Inst))}
}

// close returns the rune-matching instructions reachable from the program's
// start and from pending without consuming a character, where the empty
// assertions that hold are ctx; and whether a match is reachable. Adding
// the start at every position is what makes the search unanchored. The
// result is valid until the next call.
func (c *closer) close(pending []uint32, ctx syntax.EmptyOp) ([]uint32, bool) {
	c.stamp++
	c.out = c.out[:0]
	c.stack = append(c.stack[:0], uint32(c.prog.Start))
	c.stack = append(c.stack, pending...)
	matched := false
	c.visited = 0
	for len(c.stack) > 0 {
		pc := c.stack[len(c.stack)-1]
		c.stack = c.stack[:len(c.stack)-1]
		if c.seen[pc] == c.stamp {
			continue
		}
		c.seen[pc] = c.stamp
		c.visited++
		in := &c.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			c.stack = append(c.stack, in.Arg, in.Out)
		case syntax.InstCapture, syntax.InstNop:
			c.stack = append(c.stack, in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^ctx == 0 {
				c.stack = append(c.stack, in.Out)
			}
		case syntax.InstMatch:
			matched = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			c.out = append(c.out, pc)
		case syntax.InstFail:
		}
	}
	return c.out, matched
}

// matches reports whether the rune instruction at pc accepts r.
func matches(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	default:
		return in.MatchRune(r)
	}
}
