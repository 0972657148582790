package password

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

// Indices fills out with integers drawn uniformly and independently from
// [0, n), reading randomness from r, by the same batched unbiased method
// Generate draws characters with; for callers that choose from a list,
// such as passphrase words. n must be between 2 and 2^32. Like Generate,
// it gives up with an error after a bounded amount of reading when r fails,
// stalls or is not uniform.
func Indices(r io.Reader, n int, out []int) error {
	if n < 2 || n > 1<<32 {
		return fmt.Errorf("password: cannot draw indices below %d", n)
	}
	a := alphabet{n: uint64(n)}
	a.setBatch()
	sc := scratchPool.Get().(*scratch)
	src := source{r: r, buf: sc.random[:]}
	src.begin(a.budget(len(out)), a.readAhead(len(out)))
	err := a.indices(&src, out)
	// The bytes read decide the indices, which may be secret.
	clear(sc.random[:src.high])
	scratchPool.Put(sc)
	return err
}

// indices is fill for integers instead of characters.
func (a *alphabet) indices(s *source, out []int) error {
	n, perWord, threshold := a.n, a.perWord, a.threshold
	for i := 0; i < len(out); {
		if s.end-s.pos < 8 {
			if err := s.fill(); err != nil {
				return err
			}
		}
		lo := binary.LittleEndian.Uint64(s.buf[s.pos:])
		s.pos += 8
		dst := out[i:min(i+perWord, len(out))]
		var hi uint64
		for d := range dst {
			hi, lo = bits.Mul64(lo, n)
			dst[d] = int(hi)
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
