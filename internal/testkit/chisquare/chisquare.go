// Package chisquare provides the goodness-of-fit test the uniformity tests
// share: Pearson's statistic against equal expected counts, and the value
// it exceeds by chance with probability 0.001.
package chisquare

import "math"

// Statistic returns Pearson's statistic for observed counts against equal
// expected counts.
func Statistic(observed []int) float64 {
	total := 0
	for _, o := range observed {
		total += o
	}
	expected := float64(total) / float64(len(observed))
	stat := 0.0
	for _, o := range observed {
		d := float64(o) - expected
		stat += d * d / expected
	}
	return stat
}

// Critical returns the value a chi-square statistic with df degrees of
// freedom exceeds with probability 0.001 (Wilson–Hilferty; within a few
// percent even at df = 1).
func Critical(df int) float64 {
	const z = 3.0902 // upper 0.001 quantile of the standard normal
	k := float64(df)
	v := 2 / (9 * k)
	return k * math.Pow(1-v+z*math.Sqrt(v), 3)
}
