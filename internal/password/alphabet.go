package password

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// alphabet draws characters uniformly and independently from a set of up
// to 94 characters.
//
// One random 64-bit word r yields k characters at once: r·n^k/2^64 is
// decoded in base n by k successive 64-bit multiplications, each high word
// being one character. The low word left at the end equals r·n^k mod 2^64,
// and rejecting the word when it is below 2^64 mod n^k makes every k-digit
// value exactly equally likely (Lemire's unbiased range reduction, batched
// as in Brackett-Rozinsky and Lemire, "Batched Ranged Random Integer
// Generation", 2024). Compared with one byte per character and rejecting
// bytes, this reads about 7 instead of 11.6 bits per character from a
// 94-character set, and reading is what Generate spends its time on.
type alphabet struct {
	chars     [256]byte // chars[i] for i < n; indexed by a byte to skip bounds checks
	n         uint64
	perWord   int     // characters decoded from one word
	threshold uint64  // 2^64 mod n^perWord
	reject    float64 // probability that a word is rejected
}

// newAlphabet returns the alphabet of the characters of sets, which
// validation guarantees are distinct and at most maxAlphabet.
func newAlphabet(sets ...string) alphabet {
	var a alphabet
	for _, s := range sets {
		a.n += uint64(copy(a.chars[a.n:], s))
	}
	a.setBatch()
	return a
}

// setBatch picks the batch size for a.n with the most accepted values per
// word: the largest one wastes close to half its words when n^k lands just
// above 2^63.
func (a *alphabet) setBatch() {
	best := 0.0
	p := uint64(1)
	for k := 1; k <= 64; k++ {
		hi, lo := bits.Mul64(p, a.n)
		if hi != 0 {
			break
		}
		p = lo
		threshold := -p % p
		reject := float64(threshold) / (1 << 64)
		if yield := float64(k) * (1 - reject); yield > best {
			best, a.perWord, a.threshold, a.reject = yield, k, threshold, reject
		}
	}
}

// words returns how many accepted words n characters take.
func (a *alphabet) words(n int) int { return (n + a.perWord - 1) / a.perWord }

// readAhead returns how many bytes to read for n characters: the needed
// words plus the expected rejections and one standard deviation, rounded.
// More would waste bytes on every call to save a second Read on a few: with
// crypto/rand each byte costs a few nanoseconds, and a Read call costs tens
// (vDSO getrandom) to hundreds (a system call).
func (a *alphabet) readAhead(n int) int {
	w := float64(a.words(n))
	extra := w*a.reject/(1-a.reject) + math.Sqrt(w*a.reject)
	return 8 * (a.words(n) + int(math.Round(extra)))
}

// budget returns how many bytes n characters may consume before the source
// is declared broken. With B words each accepted with probability q ≥ 1/2
// and qB = 2W+180 for W needed words, a Chernoff bound puts the chance of
// fewer than W acceptances below exp(-(W+180)/4) < 2^-64.
func (a *alphabet) budget(n int) int {
	return 8 * budgetWords(a.words(n), 1-a.reject)
}

func budgetWords(needed int, accept float64) int {
	return int(math.Ceil(float64(2*needed+180) / accept))
}

// fill sets every byte of out to a uniformly drawn character.
func (a *alphabet) fill(s *source, out []byte) error {
	// Locals, because stores into out could alias a's fields as far as
	// the compiler knows, which would reload them for every character.
	n, perWord, threshold, chars := a.n, a.perWord, a.threshold, &a.chars
	for i := 0; i < len(out); {
		if s.end-s.pos < 8 {
			if err := s.fill(); err != nil {
				return err
			}
		}
		lo := binary.LittleEndian.Uint64(s.buf[s.pos:])
		s.pos += 8
		// Characters land in out before the word is judged; a rejected
		// word does not advance i, so the next word overwrites them. The
		// judgement needs all perWord products, used or not.
		dst := out[i:min(i+perWord, len(out))]
		var hi uint64
		for d := range dst {
			hi, lo = bits.Mul64(lo, n)
			dst[d] = chars[byte(hi)]
		}
		for range perWord - len(dst) {
			_, lo = bits.Mul64(lo, n)
		}
		if lo >= threshold {
			i += len(dst)
		}
	}
	return nil
}
