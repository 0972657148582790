package chisquare

import (
	"math"
	"testing"
)

func TestCriticalMatchesTables(t *testing.T) {
	// Upper 0.001 quantiles from standard tables.
	for df, want := range map[int]float64{1: 10.828, 10: 29.588, 100: 149.449} {
		if got := Critical(df); math.Abs(got-want)/want > 0.05 {
			t.Errorf("Critical(%d) = %.3f, want about %.3f", df, got, want)
		}
	}
}

func TestStatistic(t *testing.T) {
	if got := Statistic([]int{10, 10, 10}); got != 0 {
		t.Errorf("flat counts: %v, want 0", got)
	}
	// Expected 10 each: (5²+5²)/10.
	if got := Statistic([]int{5, 15}); got != 5 {
		t.Errorf("5, 15: %v, want 5", got)
	}
}
