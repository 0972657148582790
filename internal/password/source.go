package password

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"sync"
)

// errUnusable reports a reader whose output keeps being rejected. A
// uniform source hits the bounds behind it with probability below 2^-64
// per call, so this means a broken source, never bad luck.
var errUnusable = errors.New("password: random source is not uniformly random")

// maxEmptyReads bounds reads that return no bytes and no error, which
// io.Reader permits but which would otherwise loop forever (same bound as
// bufio).
const maxEmptyReads = 100

// scratch is the working memory of one Generate call. It is pooled so that
// the returned string is the only allocation; its size covers a whole
// candidate of maxLength characters in one read.
type scratch struct {
	random [2 * maxLength]byte
	out    [maxLength]byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// source hands out random 64-bit words from a reader, reading ahead in
// batches because each Read of crypto/rand costs a system call.
type source struct {
	r        io.Reader
	buf      []byte
	pos, end int
	high     int // bytes of buf ever written, for Generate to wipe
	read     int // bytes read from r so far
	mark     int // bytes consumed when the current step began
	budget   int // bytes the current step may consume
	ahead    int // bytes to read whenever buf runs dry
}

// begin starts a step of generation (a candidate, or a whole class-count
// draw) that usually consumes about ahead bytes and may consume up to
// budget before the reader is declared broken. Reading a whole step at
// once matters because each Read of crypto/rand has a fixed cost.
func (s *source) begin(budget, ahead int) {
	s.mark = s.read - (s.end - s.pos)
	s.budget = budget
	s.ahead = ahead
}

// fill replaces the unread bytes (fewer than a word) with fresh ones.
func (s *source) fill() error {
	if s.read-s.mark >= s.budget {
		return fmt.Errorf("%w: %d bytes read without completing a password", errUnusable, s.read-s.mark)
	}
	want := min(max((s.ahead+7)&^7, 8), len(s.buf))
	n, empty := 0, 0
	for n < want {
		k, err := s.r.Read(s.buf[n:want])
		if k < 0 || k > want-n {
			return fmt.Errorf("password: read random source: invalid byte count %d", k)
		}
		n += k
		if err != nil && n < 8 {
			return fmt.Errorf("password: read random source: %w", err)
		}
		if err != nil {
			break
		}
		if k > 0 {
			empty = 0
		} else if empty++; empty == maxEmptyReads {
			return fmt.Errorf("password: read random source: %w", io.ErrNoProgress)
		}
	}
	s.pos, s.end, s.read = 0, n&^7, s.read+n
	s.high = max(s.high, n)
	return nil
}

// word returns the next random word.
func (s *source) word() (uint64, error) {
	if s.end-s.pos < 8 {
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	w := binary.LittleEndian.Uint64(s.buf[s.pos:])
	s.pos += 8
	return w, nil
}

// below returns a uniform integer in [0, n) by rejection: random bits of
// n's length, retried while they are >= n (probability below 1/2).
func (s *source) below(n *big.Int) (*big.Int, error) {
	words := make([]big.Word, (n.BitLen()+bits.UintSize-1)/bits.UintSize)
	top := uint(n.BitLen() % bits.UintSize)
	x := new(big.Int)
	for {
		for i := range words {
			w, err := s.word()
			if err != nil {
				return nil, err
			}
			words[i] = big.Word(w)
		}
		if top != 0 {
			words[len(words)-1] &= 1<<top - 1
		}
		if x.SetBits(words).Cmp(n) < 0 {
			return x, nil
		}
	}
}

// shuffle permutes out uniformly (Fisher–Yates). Several swap indices come
// from one word: the word times the product of their bounds, decoded in
// mixed radix and rejected as a whole when biased (see alphabet).
func (s *source) shuffle(out []byte) error {
	var digits [64]uint64
	for i := len(out); i > 1; {
		p, k := uint64(1), 0
		for i-k > 1 {
			hi, lo := bits.Mul64(p, uint64(i-k))
			if hi != 0 {
				break
			}
			p, k = lo, k+1
		}
		threshold := -p % p
		for {
			lo, err := s.word()
			if err != nil {
				return err
			}
			for d := range k {
				digits[d], lo = bits.Mul64(lo, uint64(i-d))
			}
			if lo >= threshold {
				break
			}
		}
		for d := range k {
			j := digits[d]
			out[i-1-d], out[j] = out[j], out[i-1-d]
		}
		i -= k
	}
	return nil
}
