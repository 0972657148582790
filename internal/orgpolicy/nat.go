package orgpolicy

import (
	"math/big"
	"math/bits"
)

// Counts are kept as 64-bit words of a fixed width, modulo 2^(64·width).
// math/big would allocate and dispatch on every one of the millions of
// small additions a count takes; here the width is known up front (no count
// at length n exceeds alphabet^n), so every operation is a short carry
// chain. Working modulo 2^(64·width) also makes the subtractions of a step
// safe: intermediate values may wrap, and the final ones, which fit, come
// out exact.
//
// A row holds one count per class vector, word-major: word i of vector v
// at i·vecs+v. An operation then runs down the words once, with one carry
// per vector, instead of once per vector.
type rows struct {
	vecs   int
	w      int      // words in use at the current length
	carry  []uint64 // one per vector
	borrow []uint64
}

func newRows(vecs int) *rows {
	return &rows{vecs: vecs, carry: make([]uint64, vecs), borrow: make([]uint64, vecs)}
}

// add sets dst += src.
func (r *rows) add(dst, src []uint64) {
	n := r.w * r.vecs
	dst, src = dst[:n], src[:n]
	carry := r.carry
	clear(carry)
	for i := 0; i < n; i += r.vecs {
		d := dst[i : i+r.vecs]
		s, c := src[i:i+len(d)], carry[:len(d)] // bounds proved once, not per vector
		for v := range d {
			d[v], c[v] = bits.Add64(d[v], s[v], c[v])
		}
	}
}

// mulSub sets dst = k·a − b, or k·a when b is nil; a may be dst.
func (r *rows) mulSub(dst, a []uint64, k uint64, b []uint64) {
	n := r.w * r.vecs
	dst, a = dst[:n], a[:n]
	carry, borrow := r.carry, r.borrow
	clear(carry)
	clear(borrow)
	for i := 0; i < n; i += r.vecs {
		d := dst[i : i+r.vecs]
		x, cy := a[i:i+len(d)], carry[:len(d)]
		for v := range d {
			hi, lo := bits.Mul64(x[v], k)
			var c uint64
			d[v], c = bits.Add64(lo, cy[v], 0)
			cy[v] = hi + c
		}
		if b != nil {
			y, bw := b[i:i+len(d)], borrow[:len(d)]
			for v := range d {
				d[v], bw[v] = bits.Sub64(d[v], y[v], bw[v])
			}
		}
	}
}

// scatterAdd adds each vector v of src to the vector inc[v] of dst: the
// counts after one more character of a class. Several vectors may land on
// one (a capped count stays put); each keeps its own carry chain, which
// adds up to the same sum.
func (r *rows) scatterAdd(dst, src []uint64, inc []int32) {
	n := r.w * r.vecs
	dst, src = dst[:n], src[:n]
	carry := r.carry
	clear(carry)
	inc = inc[:r.vecs]
	for i := 0; i < n; i += r.vecs {
		d := dst[i : i+r.vecs]
		s, c := src[i:i+len(inc)], carry[:len(inc)]
		for v, t := range inc {
			d[t], c[v] = bits.Add64(d[t], s[v], c[v])
		}
	}
}

// total returns the sum of the vectors of src that ok accepts, over w
// words.
func (r *rows) total(acc, src []uint64, ok []bool) {
	var carry uint64
	for v, yes := range ok {
		if !yes {
			continue
		}
		carry = 0
		for i := range r.w {
			acc[i], carry = bits.Add64(acc[i], src[i*r.vecs+v], carry)
		}
	}
}

// toBig converts a count of little-endian words to a big.Int.
func toBig(words []uint64) *big.Int {
	x, w := new(big.Int), new(big.Int)
	for i := len(words) - 1; i >= 0; i-- {
		x.Lsh(x, 64)
		x.Or(x, w.SetUint64(words[i]))
	}
	return x
}
