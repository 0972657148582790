package password

import (
	"fmt"
	"io"
	"sync"
)

// digitAlphabets[base] draws digits in that base: an alphabet whose
// characters are the digits themselves. Built once, because choosing the
// batch size takes a division per candidate size, which would cost more
// than drawing a few digits.
var digitAlphabets = sync.OnceValue(func() *[maxAlphabet + 1]alphabet {
	var chars [maxAlphabet]byte
	for i := range chars {
		chars[i] = byte(i)
	}
	var all [maxAlphabet + 1]alphabet
	for base := 2; base <= maxAlphabet; base++ {
		all[base] = newAlphabet(string(chars[:base]))
	}
	return &all
})

// Digits fills out with digits drawn uniformly and independently from
// [0, base), 2 ≤ base ≤ 94, reading randomness from r, by the batched
// unbiased method Generate draws characters with; for callers that choose
// from lists by dice, such as Diceware words (five base-6 digits each).
// Like Generate, it gives up with an error after a bounded amount of
// reading when r fails, stalls or is not uniform.
func Digits(r io.Reader, base int, out []byte) error {
	if base < 2 || base > maxAlphabet {
		return fmt.Errorf("password: digits in base %d: the base must be between 2 and %d", base, maxAlphabet)
	}
	a := &digitAlphabets()[base]
	sc := scratchPool.Get().(*scratch)
	src := source{r: r, buf: sc.random[:]}
	src.begin(a.budget(len(out)), a.readAhead(len(out)))
	err := a.fill(&src, out)
	// The bytes read decide the digits, which may be secret.
	clear(sc.random[:src.high])
	scratchPool.Put(sc)
	return err
}
