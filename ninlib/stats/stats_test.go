package stats

import (
	"math"
	"testing"
)

func TestOfAndBeyond(t *testing.T) {
	for _, tc := range []struct {
		a, b        []float64
		mean, std   float64
		delta       float64
		beyond      bool
		pm, verdict string
	}{
		{[]float64{1, 2, 3}, []float64{1, 1, 1}, 2, 1, 1, false, "2.00 ± 1.00", "no (Δ +1.00)"},
		{[]float64{5, 5.2, 4.8}, []float64{1, 1.1, 0.9}, 5, 0.2, 4, true, "5.00 ± 0.20", "yes (Δ +4.00)"},
		{[]float64{3}, []float64{1, 1.1}, 3, 0, 1.95, false, "3.00 (1 seed)", "no (Δ +1.95)"},
	} {
		s, ref := Of(tc.a), Of(tc.b)
		if math.Abs(s.Mean-tc.mean) > 1e-12 || math.Abs(s.Std-tc.std) > 1e-12 {
			t.Errorf("Of(%v) = %+v", tc.a, s)
		}
		d, b := Beyond(s, ref)
		if math.Abs(d-tc.delta) > 1e-12 || b != tc.beyond || s.PM() != tc.pm || Verdict(s, ref) != tc.verdict {
			t.Errorf("%v vs %v: Δ %v beyond %v, %q, %q", tc.a, tc.b, d, b, s.PM(), Verdict(s, ref))
		}
	}
	if e := Of(nil); e.PM() != "–" || !math.IsNaN(e.Mean) {
		t.Errorf("Of(nil) = %+v", e)
	}
}
