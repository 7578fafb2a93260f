package stats

import (
	"math"
	"slices"
	"testing"
)

func TestOfAndBeyond(t *testing.T) {
	for _, tc := range []struct {
		a, b        []float64
		mean, std   float64
		delta       float64
		beyond      bool
		pm, verdict string
		spread      string
	}{
		{[]float64{1, 2, 3}, []float64{1, 1, 1}, 2, 1, 1, false, "2.00 ± 1.00", "no (Δ +1.00)", "within spread"},
		{[]float64{5, 5.2, 4.8}, []float64{1, 1.1, 0.9}, 5, 0.2, 4, true, "5.00 ± 0.20", "yes (Δ +4.00)", "beyond"},
		{[]float64{3}, []float64{1, 1.1}, 3, 0, 1.95, false, "3.00 (1 seed)", "one seed (Δ +1.95)", "one seed"},
		{[]float64{5, 5.2, 4.8}, []float64{1}, 5, 0.2, 4, false, "5.00 ± 0.20", "one seed (Δ +4.00)", "one seed"},
		{[]float64{5, 5.2}, []float64{1, 1.1, 0.9}, 5.1, math.Sqrt(0.02), 4.1, true, "5.10 ± 0.14", "yes (Δ +4.10; 2 seeds)", "beyond"},
		{[]float64{1, 1.2, 1.4}, []float64{1, 1.1}, 1.2, 0.2, 1.2 - 1.05, false, "1.20 ± 0.20", "no (Δ +0.15; 2 seeds)", "within spread"},
	} {
		s, ref := Of(tc.a), Of(tc.b)
		if math.Abs(s.Mean-tc.mean) > 1e-12 || math.Abs(s.Std-tc.std) > 1e-12 {
			t.Errorf("Of(%v) = %+v", tc.a, s)
		}
		d, b := Beyond(s, ref)
		if math.Abs(d-tc.delta) > 1e-12 || b != tc.beyond || s.PM() != tc.pm || Verdict(s, ref) != tc.verdict || Spread(s, ref) != tc.spread {
			t.Errorf("%v vs %v: Δ %v beyond %v, %q, %q, %q", tc.a, tc.b, d, b, s.PM(), Verdict(s, ref), Spread(s, ref))
		}
	}
	if e := Of(nil); e.PM() != "–" || !math.IsNaN(e.Mean) {
		t.Errorf("Of(nil) = %+v", e)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		v    []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{120, 2000, 130}, 130}, // one run paused for a timing does not move it
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(tc.v)
		if got := Median(tc.v); got != tc.want || !slices.Equal(in, tc.v) {
			t.Errorf("Median(%v) = %v, want %v (and v unchanged: %v)", in, got, tc.want, tc.v)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}
