// Package stats summarizes the numbers of several runs (seeds) the way
// every table of the workbench does: mean ± sample standard deviation, and
// a rough, conservative "beyond spread" comparison.
package stats

import (
	"fmt"
	"math"
	"slices"
)

// Stat is a mean and sample standard deviation over N values.
type Stat struct {
	Mean, Std float64
	N         int
}

// Of summarizes v (NaN mean and std when v is empty).
func Of(v []float64) Stat {
	s := Stat{N: len(v)}
	if len(v) == 0 {
		return Stat{Mean: math.NaN(), Std: math.NaN()}
	}
	for _, x := range v {
		s.Mean += x
	}
	s.Mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			s.Std += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(s.Std / float64(len(v)-1))
	}
	return s
}

// Median is the middle value of v (the mean of the two middle values for
// an even count; NaN when v is empty). v is left as it is.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	w := slices.Clone(v)
	slices.Sort(w)
	if n := len(w); n%2 == 0 {
		return (w[n/2-1] + w[n/2]) / 2
	}
	return w[len(w)/2]
}

// Beyond compares s to a reference: the difference of the means, and
// whether it exceeds the sum of the two standard deviations (both need
// two values or more). With 3 seeds this is a rough, conservative screen,
// not a significance test.
func Beyond(s, ref Stat) (delta float64, beyond bool) {
	delta = s.Mean - ref.Mean
	return delta, s.N > 1 && ref.N > 1 && math.Abs(delta) > s.Std+ref.Std
}

// PM writes s as "mean ± std", "mean (1 seed)" or "–".
func (s Stat) PM() string {
	switch s.N {
	case 0:
		return "–"
	case 1:
		return fmt.Sprintf("%.2f (1 seed)", s.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f", s.Mean, s.Std)
}

// Short writes s as "mean ± std", or "mean" for one value.
func (s Stat) Short() string {
	if s.N <= 1 {
		return fmt.Sprintf("%.2f", s.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f", s.Mean, s.Std)
}

// Verdict is the "beyond spread" cell of s against ref: "yes (Δ +1.23)",
// "no (Δ -0.40)", "yes (Δ +0.24; 2 seeds)" when a side has two values
// (Few), or "one seed (Δ -25.22)" when either side has a single value and
// so no spread to compare with.
func Verdict(s, ref Stat) string {
	word := "one seed"
	switch Spread(s, ref) {
	case "beyond":
		word = "yes"
	case "within spread":
		word = "no"
	}
	if few := Few(s, ref); few != "" {
		return fmt.Sprintf("%s (Δ %+.2f; %s)", word, s.Mean-ref.Mean, few)
	}
	return fmt.Sprintf("%s (Δ %+.2f)", word, s.Mean-ref.Mean)
}

// Few says "2 seeds" when a verdict of s against ref rests on two values
// on a side (a standard deviation of two values is itself a guess, so
// the verdict is weaker than the usual three seeds'), and "" otherwise:
// with three or more on both sides, or one on a side (Spread says "one
// seed" then).
func Few(s, ref Stat) string {
	if min(s.N, ref.N) == 2 {
		return "2 seeds"
	}
	return ""
}

// Spread is Verdict's word for the at-a-glance table: "beyond", "within
// spread", or "one seed" when either side has a single value.
func Spread(s, ref Stat) string {
	_, b := Beyond(s, ref)
	switch {
	case s.N < 2 || ref.N < 2:
		return "one seed"
	case b:
		return "beyond"
	}
	return "within spread"
}
