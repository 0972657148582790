package orgpolicy

import (
	"math"
	"math/big"

	"github.com/passwordgen/passwordgen/internal/forbidden"
)

// counter counts the passwords of one request under every rule at once:
// the request's class minimums, minClasses, maxRepeat and the forbidden
// patterns. It is dynamic programming over one automaton, position by
// position, keeping only the current and the next row.
//
// The automaton's states pair a state of the patterns' DFA with what the
// repeat limit needs: the block of the last character and how many times
// in a row it occurred. Tracking the last character itself would multiply
// the states by the alphabet size; tracking its block suffices because the
// characters of a block are interchangeable for every rule, so the count
// after "x repeated r times" is the same for each x of the block. From a
// state whose last character lies in block B, a next character in block B'
// is different from it in |B'| ways, or |B'|−1 when B' = B, plus the one
// way of repeating it. Summing the row over the states that share a
// pattern state first (agg below) turns the |blocks| moves out of every
// state into |blocks| moves out of every pattern state, each corrected by
// the states that ended in the same block.
//
// Each state's count is further split by a class vector: how many
// characters of each class so far, capped at what any requirement asks
// for. Capping keeps the vectors to Π(cap_k+1) (16 when each of four
// classes is required once) and handles minimums and minClasses in one
// pass. Inclusion–exclusion over the classes would cost about as much for
// "each class at least once", but needs this same split for larger
// minimums and cannot express "at least k of the classes" as directly; with
// capped vectors the cost is one product known before counting starts,
// which is what the budget needs.
type counter struct {
	width  func(n int) int // words a count at length n needs
	vecs   int             // class vectors
	inc    [][]int32       // inc[class][v]: v after one more character of class
	ok     []bool          // ok[v]: v meets every class requirement
	states int
	accept []bool  // a password may end in the state
	first  []start // the states after one character
	blocks []blockMoves
	// Without a repeat limit the states are the pattern states, and the
	// moves read the row itself. With one, they read agg, the row summed
	// per pattern state (slot), and subtract own, the row summed per
	// pattern state and last block.
	repeat     bool
	slots      int
	ownOf      []int32 // each state's (slot, last block) pair
	ownerBlock []int32 // each pair's block
	ownerSlot  []int32 // each pair's slot
	links      []link  // the last character once more
}

type start struct {
	to    int32
	class int32
	size  uint64
}

// blockMoves are the moves by a character of one block, from every state.
// Most pattern states lead to the same state by a given block (the DFA
// falls back to where the block's characters start a match, or to its
// start); only the exceptions are listed, and the default target gets the
// total less the exceptions. That makes a step cost the DFA's distinct
// transitions rather than states × blocks.
type blockMoves struct {
	class      int32
	size       uint64
	to         int32 // default target, -1 when the default is a match
	exceptions []exception
}

// exception is a slot whose move by the block does not go to the default
// target; to is -1 when it completes a match. own is the (slot, block)
// pair whose count has one way fewer to be different, or -1.
type exception struct{ slot, to, own int32 }

type link struct{ from, to, class int32 }

// productKey is a state with a repeat limit: pattern state, block of the
// last character, run length.
type productKey struct{ p, b, r int32 }

// newCounter builds the automaton for a DFA over the request's alphabet.
// mins are per class of the DFA's blocks; maxRepeat 0 means no limit.
func newCounter(d *forbidden.DFA, mins []int, minClasses, maxRepeat int) *counter {
	c := &counter{}
	c.classVectors(mins, minClasses)
	blocks := d.Blocks()
	total := 0
	for _, b := range blocks {
		total += len(b.Chars)
	}
	log2n := math.Log2(float64(total))
	c.width = func(n int) int { return (int(math.Ceil(float64(n)*log2n))+1)/64 + 1 }
	// The automaton's states, and for each the pattern state it holds and
	// its last block (-1 without a repeat limit).
	var pat, last []int32
	target := func(q, b int32) int32 { return q }
	if maxRepeat == 0 {
		for p := range d.States() {
			pat = append(pat, int32(p))
			last = append(last, -1)
		}
	} else {
		c.repeat = true
		index := map[productKey]int32{}
		var keys []productKey
		add := func(k productKey) int32 {
			if i, ok := index[k]; ok {
				return i
			}
			i := int32(len(keys))
			index[k] = i
			keys = append(keys, k)
			return i
		}
		for b := range blocks {
			if q := d.Next(0, b); q >= 0 {
				add(productKey{int32(q), int32(b), 1})
			}
		}
		for i := 0; i < len(keys); i++ {
			k := keys[i]
			for b := range blocks {
				// With a one-character block, the only character of the
				// last block cannot be a different one.
				if q := d.Next(int(k.p), b); q >= 0 && (int32(b) != k.b || len(blocks[b].Chars) > 1) {
					add(productKey{int32(q), int32(b), 1})
				}
			}
			if q := d.Next(int(k.p), int(k.b)); q >= 0 && int(k.r) < maxRepeat {
				c.links = append(c.links, link{from: int32(i), to: add(productKey{int32(q), k.b, k.r + 1}), class: int32(blocks[k.b].Class)})
			}
		}
		for _, k := range keys {
			pat = append(pat, k.p)
			last = append(last, k.b)
		}
		target = func(q, b int32) int32 {
			if t, ok := index[productKey{q, b, 1}]; ok {
				return t
			}
			return -1 // only reachable from the block's one character: always zero
		}
	}
	c.states = len(pat)
	// Slots number the pattern states in use, owners the (slot, block)
	// pairs.
	slotOf := map[int32]int32{}
	ownerOf := map[[2]int32]int32{}
	var slotPat []int32
	for s, p := range pat {
		c.accept = append(c.accept, d.Accepts(int(p)))
		slot, ok := slotOf[p]
		if !ok {
			slot = int32(len(slotPat))
			slotOf[p] = slot
			slotPat = append(slotPat, p)
		}
		if c.repeat {
			o, ok := ownerOf[[2]int32{slot, last[s]}]
			if !ok {
				o = int32(len(ownerOf))
				ownerOf[[2]int32{slot, last[s]}] = o
				c.ownerBlock = append(c.ownerBlock, last[s])
				c.ownerSlot = append(c.ownerSlot, slot)
			}
			c.ownOf = append(c.ownOf, o)
		}
	}
	c.slots = len(slotPat)
	for b, blk := range blocks {
		bm := blockMoves{class: int32(blk.Class), size: uint64(len(blk.Chars))}
		if q := d.Next(0, b); q >= 0 {
			c.first = append(c.first, start{to: target(int32(q), int32(b)), class: bm.class, size: bm.size})
		}
		// The most common target is the default.
		counts := map[int32]int{}
		for _, p := range slotPat {
			counts[int32(d.Next(int(p), b))]++
		}
		def, most := int32(-1), 0
		for q, n := range counts {
			if n > most || n == most && q < def {
				def, most = q, n
			}
		}
		bm.to = -1
		if def >= 0 {
			bm.to = target(def, int32(b))
		}
		for slot, p := range slotPat {
			q := int32(d.Next(int(p), b))
			if q == def {
				continue
			}
			e := exception{slot: int32(slot), to: -1, own: -1}
			if q >= 0 {
				e.to = target(q, int32(b))
			}
			if o, ok := ownerOf[[2]int32{int32(slot), int32(b)}]; ok {
				e.own = o
			}
			bm.exceptions = append(bm.exceptions, e)
		}
		c.blocks = append(c.blocks, bm)
	}
	return c
}

// classVectors sets up the capped class counts: class k is capped at its
// minimum, or at 1 when minClasses asks for classes to be present.
func (c *counter) classVectors(mins []int, minClasses int) {
	caps := make([]int, len(mins))
	strides := make([]int, len(mins))
	c.vecs = 1
	for k, m := range mins {
		caps[k] = m
		if minClasses > 0 {
			caps[k] = max(m, 1)
		}
		strides[k] = c.vecs
		c.vecs *= caps[k] + 1
	}
	c.inc = make([][]int32, len(mins))
	for k := range mins {
		c.inc[k] = make([]int32, c.vecs)
	}
	c.ok = make([]bool, c.vecs)
	for v := range c.vecs {
		present, ok := 0, true
		for k := range mins {
			digit := v / strides[k] % (caps[k] + 1)
			next := v
			if digit < caps[k] {
				next += strides[k]
			}
			c.inc[k][v] = int32(next)
			ok = ok && digit >= mins[k]
			if digit > 0 {
				present++
			}
		}
		c.ok[v] = ok && present >= minClasses
	}
}

// run counts lengths 1, 2, … up to maxLen, calling visit with each length
// and a function that returns its count; visit returns false to stop.
// Building the count is left to visit because converting it costs more
// than a step when only one length is wanted.
//
// A step computes, for each block b and class vector, the total
// size_b·T − B_b that moves by b from every state, where T sums the row and
// B_b sums the states whose last character is in b (one way fewer to
// differ). Each exception's share size_b·agg − own goes to its own target
// instead, and the rest to the default target.
func (c *counter) run(maxLen int, visit func(n int, count func() *big.Int) bool) {
	stride := c.vecs * c.width(maxLen)
	cur := make([]uint64, c.states*stride)
	next := make([]uint64, c.states*stride)
	agg, own := cur, []uint64(nil)
	if c.repeat {
		agg = make([]uint64, c.slots*stride)
		own = make([]uint64, len(c.ownerBlock)*stride)
	}
	byBlock := make([]uint64, len(c.blocks)*stride) // B_b
	all := make([]uint64, stride)                   // T
	rest := make([]uint64, stride)                  // what the default target gets
	share := make([]uint64, stride)                 // one exception's share
	row := func(r []uint64, i int32) []uint64 { return r[int(i)*stride : int(i+1)*stride] }
	for _, f := range c.first {
		row(cur, f.to)[c.inc[f.class][0]] += f.size
	}
	r := newRows(c.vecs)
	total := make([]uint64, c.width(maxLen))
	count := func(n int) func() *big.Int {
		return func() *big.Int {
			r.w = c.width(n)
			clear(total)
			for s, ok := range c.accept {
				if ok {
					r.total(total, row(cur, int32(s)), c.ok)
				}
			}
			return toBig(total[:r.w])
		}
	}
	for n := 1; ; n++ {
		if !visit(n, count(n)) || n >= maxLen {
			return
		}
		r.w = c.width(n + 1)
		clear(next)
		clear(all)
		if c.repeat {
			clear(agg)
			clear(own)
			clear(byBlock)
			for s, o := range c.ownOf {
				r.add(row(own, o), row(cur, int32(s)))
			}
			for o, b := range c.ownerBlock {
				r.add(row(byBlock, b), row(own, int32(o)))
				r.add(row(agg, c.ownerSlot[o]), row(own, int32(o)))
			}
		}
		for s := range c.slots {
			r.add(all, row(agg, int32(s)))
		}
		for b, bm := range c.blocks {
			inc := c.inc[bm.class]
			if bm.to >= 0 {
				r.mulSub(rest, all, bm.size, row(byBlock, int32(b)))
			}
			for _, e := range bm.exceptions {
				var mine []uint64
				if e.own >= 0 {
					mine = row(own, e.own)
				}
				r.mulSub(share, row(agg, e.slot), bm.size, mine)
				if e.to >= 0 {
					r.scatterAdd(row(next, e.to), share, inc)
				}
				if bm.to >= 0 {
					r.mulSub(rest, rest, 1, share)
				}
			}
			if bm.to >= 0 {
				r.scatterAdd(row(next, bm.to), rest, inc)
			}
		}
		for _, l := range c.links {
			r.scatterAdd(row(next, l.to), row(cur, l.from), c.inc[l.class])
		}
		cur, next = next, cur
		if !c.repeat {
			agg = cur
		}
	}
}

// count returns the number of passwords of length n.
func (c *counter) count(n int) *big.Int {
	var got *big.Int
	c.run(n, func(m int, count func() *big.Int) bool {
		if m == n {
			got = count()
		}
		return m < n
	})
	return got
}

// work returns the word operations run(maxLen) performs, following its
// loops: per step and class vector, one row operation of w words for each
// state, pair, slot and link, two per block and four per exception.
func (c *counter) work(maxLen int) float64 {
	rows := c.slots + 2*len(c.blocks) + len(c.links)
	if c.repeat {
		rows += c.states + 2*len(c.ownerBlock)
	}
	for _, bm := range c.blocks {
		rows += 4 * len(bm.exceptions)
	}
	words := 0
	for n := 2; n <= maxLen; n++ {
		words += c.width(n)
	}
	return float64(c.vecs) * float64(rows) * float64(words)
}

// memory returns the bytes run(maxLen) allocates.
func (c *counter) memory(maxLen int) int {
	rows := 2*c.states + len(c.blocks) + 3
	if c.repeat {
		rows += c.slots + len(c.ownerBlock)
	}
	return 8 * rows * c.vecs * c.width(maxLen)
}
