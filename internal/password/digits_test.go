package password

import (
	"errors"
	"testing"
	"testing/iotest"

	"github.com/passwordgen/passwordgen/internal/testkit/chisquare"
)

func TestDigitsAreUniformAndInRange(t *testing.T) {
	for _, base := range []int{2, 6, 10, 94} {
		r := stream(byte(base))
		out := make([]byte, 50)
		counts := make([]int, base)
		for range 2000 {
			if err := Digits(r, base, out); err != nil {
				t.Fatalf("base %d: %v", base, err)
			}
			for _, d := range out {
				if int(d) >= base {
					t.Fatalf("base %d: drew %d", base, d)
				}
				counts[d]++
			}
		}
		if stat, crit := chisquare.Statistic(counts), chisquare.Critical(base-1); stat > crit {
			t.Errorf("base %d: chi-square %.1f above %.1f", base, stat, crit)
		}
	}
}

func TestDigitsRefuses(t *testing.T) {
	out := make([]byte, 3)
	for _, base := range []int{-1, 0, 1, 95} {
		if err := Digits(stream(1), base, out); err == nil {
			t.Errorf("base %d accepted", base)
		}
	}
	if err := Digits(iotest.ErrReader(errors.New("gone")), 6, out); err == nil {
		t.Error("a failing reader gave digits")
	}
}
