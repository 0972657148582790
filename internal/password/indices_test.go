package password

import (
	"errors"
	"testing"
	"testing/iotest"

	"github.com/passwordgen/passwordgen/internal/testkit/chisquare"
)

func TestIndicesAreUniformAndInRange(t *testing.T) {
	for _, n := range []int{2, 3, 10, 7776, 1 << 32} {
		r := stream(byte(n % 251))
		out := make([]int, 20)
		counts := make([]int, min(n, 16))
		for range 4000 {
			if err := Indices(r, n, out); err != nil {
				t.Fatalf("n %d: %v", n, err)
			}
			for _, v := range out {
				if v < 0 || v >= n {
					t.Fatalf("n %d: drew %d", n, v)
				}
				// For large n, the residue modulo a small count that
				// divides n is uniform too.
				counts[v%len(counts)]++
			}
		}
		if n%len(counts) != 0 {
			continue
		}
		if stat, crit := chisquare.Statistic(counts), chisquare.Critical(len(counts)-1); stat > crit {
			t.Errorf("n %d: chi-square %.1f above %.1f", n, stat, crit)
		}
	}
}

func TestIndicesRefuses(t *testing.T) {
	out := make([]int, 3)
	for _, n := range []int{-1, 0, 1, 1<<32 + 1} {
		if err := Indices(stream(1), n, out); err == nil {
			t.Errorf("n %d accepted", n)
		}
	}
	if err := Indices(iotest.ErrReader(errors.New("gone")), 10, out); err == nil {
		t.Error("a failing reader gave indices")
	}
}
