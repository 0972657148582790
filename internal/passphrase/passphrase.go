// Package passphrase generates passphrases: words of the EFF large word
// list (7,776 words, log2(7776) ≈ 12.925 bits each), each drawn uniformly
// and independently with an injected random source, joined by a separator.
//
// The entropy is exact because the encoding is injective: two different
// word sequences never give the same passphrase, for every separator New
// accepts (TestEveryAllowedSeparatorDecodesUniquely proves it over the
// whole list). Words may repeat, as independent draws do; options fixed by
// the request, such as capitalization, add nothing.
package passphrase

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/sethvargo/go-diceware/diceware"

	"github.com/passwordgen/passwordgen/internal/password"
)

// The request's bounds and defaults.
const (
	MinWords         = 3
	MaxWords         = 20
	DefaultWords     = 6
	DefaultSeparator = "-"
)

// Options describe the passphrases one request may produce.
type Options struct {
	Words int
	// Separator is one printable ASCII character that is not a letter.
	Separator string
	// Capitalize upper-cases the first letter of every word.
	Capitalize bool
}

// Default returns 6 words joined by "-", in lower case.
func Default() Options {
	return Options{Words: DefaultWords, Separator: DefaultSeparator}
}

// BitsPerWord is the entropy of one uniformly drawn word.
func BitsPerWord() float64 { return math.Log2(listSize) }

// listSize is the number of words in the EFF large list.
const listSize = 6 * 6 * 6 * 6 * 6

// list returns the EFF large word list in dice order (11111 to 66666),
// built once from go-diceware's map keyed by dice rolls: the word at index
// i is the one rolled as i's five base-6 digits, each plus one.
var list = sync.OnceValue(func() []string {
	src := diceware.WordListEffLarge()
	words := make([]string, 0, listSize)
	for i := range listSize {
		roll := 0
		for unit := listSize / 6; unit > 0; unit /= 6 {
			roll = 10*roll + i/unit%6 + 1
		}
		words = append(words, src.WordAt(roll))
	}
	return words
})

// Generator produces passphrases for one validated Options. It is
// immutable and safe for concurrent use.
type Generator struct {
	opts Options
}

// New validates o. Every error is a *password.PolicyError naming the
// request field to change.
func New(o Options) (*Generator, error) {
	if o.Words < MinWords || o.Words > MaxWords {
		return nil, &password.PolicyError{Field: "words", Message: fmt.Sprintf("must be between %d and %d, got %d", MinWords, MaxWords, o.Words)}
	}
	if err := CheckSeparator(o.Separator); err != nil {
		return nil, &password.PolicyError{Field: "separator", Message: err.Error()}
	}
	return &Generator{opts: o}, nil
}

// CheckSeparator allows one printable ASCII character other than a
// letter: letters could merge into words and make two word sequences read
// the same.
func CheckSeparator(s string) error {
	if len(s) != 1 || s[0] < ' ' || s[0] > '~' {
		return fmt.Errorf("must be exactly one printable ASCII character, such as \"-\", got %q", s)
	}
	if c := s[0] | 0x20; c >= 'a' && c <= 'z' {
		return fmt.Errorf("must not be a letter, got %q", s)
	}
	return nil
}

// EntropyBits returns log2 of the number of passphrases the options allow.
func (g *Generator) EntropyBits() float64 { return float64(g.opts.Words) * BitsPerWord() }

// Generate returns a passphrase of independently and uniformly drawn
// words, reading randomness from r. Errors carry no passphrase text.
func (g *Generator) Generate(r io.Reader) (string, error) {
	// Five dice per word, as Diceware rolls them: the list is in dice
	// order, so the rolls read in base 6 are the word's index.
	var dice [MaxWords * 5]byte
	rolls := dice[:5*g.opts.Words]
	if err := password.Digits(r, 6, rolls); err != nil {
		return "", fmt.Errorf("passphrase: %w", err)
	}
	var idx [MaxWords]int
	picks := idx[:g.opts.Words]
	for k := range picks {
		for _, d := range rolls[5*k : 5*k+5] {
			picks[k] = 6*picks[k] + int(d)
		}
	}
	clear(rolls)
	words := list()
	size := len(picks) - 1
	for _, i := range picks {
		size += len(words[i])
	}
	var b strings.Builder
	b.Grow(size)
	for k, i := range picks {
		if k > 0 {
			b.WriteString(g.opts.Separator)
		}
		w := words[i]
		if g.opts.Capitalize {
			b.WriteByte(w[0] - 'a' + 'A') // every word starts with a lowercase letter
			w = w[1:]
		}
		b.WriteString(w)
	}
	clear(picks)
	return b.String(), nil
}
