package password

import (
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// constReader returns the same byte forever.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

// stallReader returns neither bytes nor an error, which io.Reader allows.
type stallReader struct{}

func (stallReader) Read([]byte) (int, error) { return 0, nil }

// liarReader claims more bytes than it was given room for.
type liarReader struct{}

func (liarReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestBrokenReadersGiveErrors(t *testing.T) {
	boom := errors.New("entropy pool on fire")
	noSymbolMinimum := Default()
	noSymbolMinimum.RequireEachIncludedType = false
	tests := []struct {
		name string
		p    Policy
		r    io.Reader
		is   error // nil: any error
	}{
		{"failing reader", Default(), iotest.ErrReader(boom), boom},
		{"reader that ends within a word", Default(), io.LimitReader(stream(1), 5), io.EOF},
		{"reader that ends after a word", Default(), io.LimitReader(stream(1), 12), io.EOF},
		{"stalled reader", Default(), stallReader{}, io.ErrNoProgress},
		{"reader returning 0xFF", Default(), constReader(0xFF), errUnusable},
		// Zero words are always rejected for a 94-character set (their
		// product with 94^9 falls below 2^64 mod 94^9), so even a policy
		// without minimums sees the source is broken.
		{"reader returning zeros", tinyPolicy(16, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"+allPunctuation), constReader(0), errUnusable},
		{"reader returning zeros, minimums", Default(), constReader(0), errUnusable},
		{"reader miscounting", noSymbolMinimum, liarReader{}, nil},
	}
	for _, tt := range tests {
		for _, m := range methods {
			t.Run(tt.name+"/"+m.name, func(t *testing.T) {
				pw, err := mustNewWith(t, tt.p, m.m).Generate(tt.r)
				if err == nil || pw != "" {
					t.Fatalf("Generate returned a %d-character password and error %v; want no password and an error", len(pw), err)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("Generate error = %v, want one wrapping %v", err, tt.is)
				}
			})
		}
	}
}

func TestShortReadsAreCompleted(t *testing.T) {
	for _, m := range methods {
		g := mustNewWith(t, Default(), m.m)
		pw, err := g.Generate(iotest.OneByteReader(stream(5)))
		if err != nil || len(pw) != 16 {
			t.Errorf("%s: Generate with one byte per Read = %d characters, %v; want 16, nil", m.name, len(pw), err)
		}
	}
}
