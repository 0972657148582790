package forbidden

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
)

// DFA recognises, over one alphabet, the passwords in which no pattern
// matches anywhere. State 0 is the start; Next returns -1 once a pattern
// has matched, since no continuation can undo that, and states from which
// every continuation matches are folded into -1 too. It is immutable and
// safe for concurrent use.
type DFA struct {
	blocks  []Block
	blockOf [256]uint8 // block of each byte; noBlock outside the alphabet
	next    []int32    // next[s*len(blocks)+b]
	accept  []bool     // ending in s leaves no match
}

// Block is a set of characters of one class that every pattern treats
// alike: from any state, each of them leads to the same state.
type Block struct {
	Chars string
	Class int // index into the classes given to DFA
}

const noBlock = 0xff

// TooLargeError reports an automaton over the state bound.
type TooLargeError struct{ MaxStates int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the automaton needs more than %d states, or more work than that many states may take; simplify the patterns (bounded repetitions such as .{20} multiply states)", e.MaxStates)
}

// workPerState bounds determinization at maxStates·workPerState
// instruction visits, so that large closures cannot make up for few
// states: about 100 ms on a server core at 4,096 states.
const workPerState = 16384

// pendingPerState bounds the memory of determinization: the states kept
// hold maxStates·pendingPerState waiting instructions at most, each stored
// twice (in the state and in its key), 8 bytes: 16 MiB at 4,096 states.
// Few states with huge waiting sets (25 patterns like .{900}) would
// otherwise take hundreds of megabytes inside a 128 MB function before the
// work bound tripped.
const pendingPerState = 512

// DFA builds the minimal automaton over the characters of classes, which
// must be disjoint sets of printable ASCII characters. Blocks never mix
// classes, so that counting can follow each class. It fails with a
// *TooLargeError when determinization would exceed maxStates.
func (ps *Patterns) DFA(classes []string, maxStates int) (*DFA, error) {
	d := &DFA{}
	reps := ps.partition(classes, d)
	raw, err := ps.determinize(reps, maxStates)
	if err != nil {
		return nil, err
	}
	raw.trim()
	d.next, d.accept = raw.minimize()
	return d, nil
}

// partition splits the alphabet into blocks of characters that belong to
// one class, match the same rune instructions and, when a pattern tests word
// boundaries, are alike as word characters. It returns one representative
// character per block.
func (ps *Patterns) partition(classes []string, d *DFA) []rune {
	for i := range d.blockOf {
		d.blockOf[i] = noBlock
	}
	var runeInsts []*syntax.Inst
	for i := range ps.prog.Inst {
		switch in := &ps.prog.Inst[i]; in.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runeInsts = append(runeInsts, in)
		}
	}
	byKey := make(map[string]int)
	var reps []rune
	var chars [][]byte
	key := make([]byte, 0, 2+len(runeInsts)/8+1)
	for class, set := range classes {
		for i := range len(set) {
			c := set[i]
			key = append(key[:0], byte(class), 0)
			if ps.words && syntax.IsWordChar(rune(c)) {
				key[1] = 1
			}
			var bitsByte byte
			for j, in := range runeInsts {
				if matches(in, rune(c)) {
					bitsByte |= 1 << (j % 8)
				}
				if j%8 == 7 || j == len(runeInsts)-1 {
					key = append(key, bitsByte)
					bitsByte = 0
				}
			}
			b, ok := byKey[string(key)]
			if !ok {
				b = len(reps)
				byKey[string(key)] = b
				reps = append(reps, rune(c))
				chars = append(chars, nil)
				d.blocks = append(d.blocks, Block{Class: class})
			}
			chars[b] = append(chars[b], c)
			d.blockOf[c] = uint8(b)
		}
	}
	for b := range d.blocks {
		d.blocks[b].Chars = string(chars[b])
	}
	return reps
}

// rawDFA is the automaton as determinization finds it, before trimming and
// minimization.
type rawDFA struct {
	blocks int
	next   []int32
	accept []bool
}

// determinize runs the subset construction. A state is the set of
// instructions waiting for the next character plus what the assertions need
// to know about the previous one: whether there was one, and whether it was
// a word character. Assertions are evaluated lazily, when the next
// character (or the end) is known.
func (ps *Patterns) determinize(reps []rune, maxStates int) (*rawDFA, error) {
	type state struct {
		pending  []uint32
		start    bool
		prevWord bool
	}
	c := newCloser(ps.prog)
	index := map[string]int32{}
	var states []state
	keyOf := func(s state) string {
		var b strings.Builder
		b.Grow(1 + 4*len(s.pending))
		flags := byte(0)
		if s.start {
			flags |= 1
		}
		if s.prevWord {
			flags |= 2
		}
		b.WriteByte(flags)
		for _, pc := range s.pending {
			b.WriteByte(byte(pc))
			b.WriteByte(byte(pc >> 8))
			b.WriteByte(byte(pc >> 16))
			b.WriteByte(byte(pc >> 24))
		}
		return b.String()
	}
	stored, maxStored := 0, maxStates*pendingPerState
	add := func(s state) (int32, error) {
		k := keyOf(s)
		if i, ok := index[k]; ok {
			return i, nil
		}
		if stored += len(s.pending); len(states) == maxStates || stored > maxStored {
			return 0, &TooLargeError{MaxStates: maxStates}
		}
		i := int32(len(states))
		index[k] = i
		states = append(states, s)
		return i, nil
	}
	if _, err := add(state{start: true}); err != nil {
		return nil, err
	}
	raw := &rawDFA{blocks: len(reps)}
	work, maxWork := 0, maxStates*workPerState
	seen := make([]bool, len(ps.prog.Inst))
	// takes[pc][b]: the rune instruction at pc accepts block b. Deciding
	// once per block spares case folding in the loop below.
	takes := make([][]bool, len(ps.prog.Inst))
	for pc := range ps.prog.Inst {
		switch in := &ps.prog.Inst[pc]; in.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			takes[pc] = make([]bool, len(reps))
			for b, r := range reps {
				takes[pc][b] = matches(in, r)
			}
		}
	}
	for i := 0; i < len(states); i++ {
		s := states[i]
		before := rune('!') // any character that is neither a word character nor a line break
		switch {
		case s.start:
			before = -1
		case s.prevWord:
			before = 'a'
		}
		_, matched := c.close(s.pending, syntax.EmptyOpContext(before, -1))
		raw.accept = append(raw.accept, !matched)
		// The closure depends on the next character only through the
		// assertions, so blocks share the few distinct ones.
		type closure struct {
			ctx     syntax.EmptyOp
			closed  []uint32
			matched bool
		}
		var closures []closure
		for b, r := range reps {
			ctx := syntax.EmptyOpContext(before, r)
			k := slices.IndexFunc(closures, func(cl closure) bool { return cl.ctx == ctx })
			if k < 0 {
				closed, matched := c.close(s.pending, ctx)
				work += c.visited
				k = len(closures)
				closures = append(closures, closure{ctx, slices.Clone(closed), matched})
			}
			closed, matched := closures[k].closed, closures[k].matched
			if work += len(closed); work > maxWork {
				return nil, &TooLargeError{MaxStates: maxStates}
			}
			if matched {
				raw.next = append(raw.next, -1)
				continue
			}
			var pending []uint32
			for _, pc := range closed {
				in := &ps.prog.Inst[pc]
				if takes[pc][b] && !seen[in.Out] {
					seen[in.Out] = true
					pending = append(pending, in.Out)
				}
			}
			for _, pc := range pending {
				seen[pc] = false
			}
			slices.Sort(pending)
			next, err := add(state{pending: pending, prevWord: ps.words && syntax.IsWordChar(r)})
			if err != nil {
				return nil, err
			}
			raw.next = append(raw.next, next)
		}
	}
	return raw, nil
}

// trim folds into -1 every state from which no accepting state is
// reachable: every password through it contains a match.
func (raw *rawDFA) trim() {
	n := len(raw.accept)
	preds := make([][]int32, n)
	for s := range n {
		for _, t := range raw.next[s*raw.blocks : (s+1)*raw.blocks] {
			if t >= 0 {
				preds[t] = append(preds[t], int32(s))
			}
		}
	}
	live := make([]bool, n)
	var queue []int32
	for s, ok := range raw.accept {
		if ok {
			live[s] = true
			queue = append(queue, int32(s))
		}
	}
	for len(queue) > 0 {
		t := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, s := range preds[t] {
			if !live[s] {
				live[s] = true
				queue = append(queue, s)
			}
		}
	}
	for i, t := range raw.next {
		if t >= 0 && !live[t] {
			raw.next[i] = -1
		}
	}
}

// States returns the number of states.
func (d *DFA) States() int { return len(d.accept) }

// Blocks returns the character blocks; a block index is what Next takes.
func (d *DFA) Blocks() []Block { return d.blocks }

// Next returns the state after a character of block b, or -1 when every
// password continuing this way contains a match.
func (d *DFA) Next(s, b int) int { return int(d.next[s*len(d.blocks)+b]) }

// Accepts reports whether a password may end in state s.
func (d *DFA) Accepts(s int) bool { return d.accept[s] }

// Allows reports whether pw contains no match of any pattern and only
// characters of the alphabet.
func (d *DFA) Allows(pw []byte) bool {
	nb := int32(len(d.blocks))
	s := int32(0)
	for _, c := range pw {
		b := d.blockOf[c]
		if b == noBlock {
			return false
		}
		s = d.next[s*nb+int32(b)]
		if s < 0 {
			return false
		}
	}
	return d.accept[s]
}

// canMatch reports whether some password over the alphabet contains a
// match.
func (d *DFA) canMatch() bool {
	if slices.Contains(d.next, -1) {
		return true
	}
	return slices.Contains(d.accept, false)
}

// Bytes returns about how much memory the automaton holds, for callers
// that bound what they cache.
func (d *DFA) Bytes() int {
	n := 4*len(d.next) + len(d.accept) + len(d.blockOf)
	for _, b := range d.blocks {
		n += len(b.Chars) + 24
	}
	return n
}
