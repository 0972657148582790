package forbidden

// minimize merges equivalent states and renumbers the reachable ones in
// breadth-first order from the start, which stays state 0. It is
// Hopcroft's algorithm, O(blocks · n log n): Moore's simpler refinement
// needs a round per state along a chain such as [a-z]{1000}, which is
// quadratic and took seconds at the state bound. A start state that is
// itself dead cannot occur: the empty password contains no match, since no
// pattern matches an empty string.
func (raw *rawDFA) minimize() ([]int32, []bool) {
	n, nb := len(raw.accept), raw.blocks
	// -1 becomes an explicit sink, state n, so every state has a move by
	// every block.
	sink, total := int32(n), n+1
	target := func(s int32, b int) int32 {
		if s == sink {
			return sink
		}
		if t := raw.next[int(s)*nb+b]; t >= 0 {
			return t
		}
		return sink
	}
	// preds[start[b·total+t] : start[b·total+t+1]] are the states that
	// reach t by block b.
	start := make([]int32, nb*total+1)
	for s := range int32(total) {
		for b := range nb {
			start[b*total+int(target(s, b))+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	preds := make([]int32, nb*total)
	fill := append([]int32(nil), start[:nb*total]...)
	for s := range int32(total) {
		for b := range nb {
			k := b*total + int(target(s, b))
			preds[fill[k]] = s
			fill[k]++
		}
	}

	p := newPartition(total, func(s int) bool { return s < n && raw.accept[s] })
	var work []int32
	inWork := make([]bool, len(p.first))
	for c := range p.first {
		work = append(work, int32(c))
		inWork[c] = true
	}
	var members []int32
	for len(work) > 0 {
		a := work[len(work)-1]
		work = work[:len(work)-1]
		inWork[a] = false
		members = append(members[:0], p.elems[p.first[a]:p.end[a]]...)
		for b := range nb {
			for _, t := range members {
				k := b*total + int(t)
				for _, s := range preds[start[k]:start[k+1]] {
					p.mark(s)
				}
			}
			p.split(func(old, split int32) {
				inWork = append(inWork, false)
				switch {
				case inWork[old]:
					work = append(work, split)
					inWork[split] = true
				case p.size(split) < p.size(old):
					work = append(work, split)
					inWork[split] = true
				default:
					work = append(work, old)
					inWork[old] = true
				}
			})
		}
	}

	// Renumber the reachable classes from the start; the sink's is -1.
	order := make([]int32, len(p.first))
	for i := range order {
		order[i] = -1
	}
	var reps []int32 // one original state per new state
	order[p.cls[0]] = 0
	reps = append(reps, 0)
	for i := 0; i < len(reps); i++ {
		for b := range nb {
			if t := target(reps[i], b); t != sink && p.cls[t] != p.cls[sink] && order[p.cls[t]] < 0 {
				order[p.cls[t]] = int32(len(reps))
				reps = append(reps, t)
			}
		}
	}
	next := make([]int32, 0, len(reps)*nb)
	accept := make([]bool, len(reps))
	for i, s := range reps {
		accept[i] = raw.accept[s]
		for b := range nb {
			t := target(s, b)
			if p.cls[t] == p.cls[sink] {
				next = append(next, -1)
			} else {
				next = append(next, order[p.cls[t]])
			}
		}
	}
	return next, accept
}

// partition is a refinable partition of states: each class is a range of
// elems, whose first marked[c] entries are the marked states.
type partition struct {
	elems   []int32 // states grouped by class
	loc     []int32 // position of each state in elems
	cls     []int32 // class of each state
	first   []int32
	end     []int32
	marked  []int32
	touched []int32 // classes with a marked state
}

// newPartition returns the states split by in, leaving out an empty part.
func newPartition(n int, in func(int) bool) *partition {
	p := &partition{elems: make([]int32, 0, n), loc: make([]int32, n), cls: make([]int32, n)}
	for _, want := range []bool{true, false} {
		c := int32(len(p.first))
		from := int32(len(p.elems))
		for s := range n {
			if in(s) == want {
				p.loc[s] = int32(len(p.elems))
				p.cls[s] = c
				p.elems = append(p.elems, int32(s))
			}
		}
		if to := int32(len(p.elems)); to > from {
			p.first = append(p.first, from)
			p.end = append(p.end, to)
			p.marked = append(p.marked, 0)
		}
	}
	return p
}

func (p *partition) size(c int32) int32 { return p.end[c] - p.first[c] }

// mark moves s into the marked part of its class.
func (p *partition) mark(s int32) {
	c := p.cls[s]
	i, m := p.loc[s], p.first[c]+p.marked[c]
	if i < m {
		return
	}
	o := p.elems[m]
	p.elems[m], p.elems[i] = s, o
	p.loc[s], p.loc[o] = m, i
	if p.marked[c] == 0 {
		p.touched = append(p.touched, c)
	}
	p.marked[c]++
}

// split makes the marked part of each touched class a class of its own,
// unless it is the whole class, and unmarks everything; onSplit learns of
// each new class and the class it came from.
func (p *partition) split(onSplit func(old, split int32)) {
	for _, c := range p.touched {
		m := p.marked[c]
		p.marked[c] = 0
		if p.first[c]+m == p.end[c] {
			continue
		}
		split := int32(len(p.first))
		p.first = append(p.first, p.first[c])
		p.end = append(p.end, p.first[c]+m)
		p.marked = append(p.marked, 0)
		p.first[c] += m
		for _, s := range p.elems[p.first[split]:p.end[split]] {
			p.cls[s] = split
		}
		onSplit(c, split)
	}
	p.touched = p.touched[:0]
}
