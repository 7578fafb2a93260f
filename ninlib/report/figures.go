package report

import (
	"fmt"
	"sort"

	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// Figures for notebooks and reports, drawn from run records.

// Select returns the completed training records of an experiment on a
// dataset, sorted by arm then seed.
func Select(recs []runs.Record, experiment, dataset string) []runs.Record {
	var out []runs.Record
	for _, r := range recs {
		s := r.Summary
		if s.Experiment == experiment && s.Dataset == dataset && s.Status == runs.StatusCompleted && s.Probe == nil {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Summary.Arm != out[j].Summary.Arm {
			return out[i].Summary.Arm < out[j].Summary.Arm
		}
		return out[i].Summary.Seed < out[j].Summary.Seed
	})
	return out
}

// CurvesSVG draws train (dashed) and validation (solid) accuracy per epoch
// of one arm's runs (one colour per seed).
func CurvesSVG(recs []runs.Record, arm string) ([]byte, error) {
	var curves []runs.Curve
	for _, r := range recs {
		if r.Summary.Arm != arm {
			continue
		}
		rows, err := runs.ReadMetrics(r.Dir)
		if err != nil {
			return nil, err
		}
		curves = append(curves, runs.Curve{Label: fmt.Sprintf("seed %d", r.Summary.Seed), Rows: rows})
	}
	if len(curves) == 0 {
		return nil, fmt.Errorf("no completed runs of arm %q", arm)
	}
	return runs.LearningCurves(arm+": train (dashed) vs validation accuracy", curves...)
}

// ErrorBarsSVG draws the mean test error (± std over seeds) of each arm of
// an experiment on a dataset.
func ErrorBarsSVG(rows []*Row, experiment, dataset string) ([]byte, error) {
	var b plots.Bars
	b.Title = fmt.Sprintf("%s on %s: test error (mean ± std over seeds)", experiment, dataset)
	b.YLabel = "test error %"
	for _, r := range rows {
		if r.Experiment == experiment && r.Dataset == dataset && r.TestErr.N > 0 {
			b.Labels = append(b.Labels, r.Arm)
			b.Values = append(b.Values, r.TestErr.Mean)
			b.Errors = append(b.Errors, r.TestErr.Std)
		}
	}
	if len(b.Values) == 0 {
		return nil, fmt.Errorf("no completed runs of %s on %s", experiment, dataset)
	}
	return b.SVG()
}

// CostSVG plots test error against multiply-adds (one point per arm, with
// std error bars), for accuracy-versus-cost comparisons.
func CostSVG(rows []*Row, experiment, dataset string) ([]byte, error) {
	var series []plots.Series
	for i, r := range rows {
		if r.Experiment == experiment && r.Dataset == dataset && r.TestErr.N > 0 {
			series = append(series, plots.Series{Name: r.Arm, X: []float64{float64(r.MACs) / 1e6}, Y: []float64{r.TestErr.Mean}, YErr: []float64{r.TestErr.Std}, Color: i})
		}
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("no completed runs of %s on %s", experiment, dataset)
	}
	return plots.Chart{Title: fmt.Sprintf("%s on %s: error vs cost", experiment, dataset), XLabel: "million multiply-adds per image", YLabel: "test error %", Series: series}.SVG()
}

// ProbeSVG draws the probe curves (accuracy against shift or size) of every
// completed probe run of an experiment on a dataset, one line per source run.
func ProbeSVG(rows []*Row, experiment, dataset string) ([]byte, error) {
	var series []plots.Series
	xl := "shift (pixels)"
	n := 0
	for _, r := range rows {
		if r.Experiment != experiment || r.Dataset != dataset {
			continue
		}
		for k, p := range r.Probe {
			if p.Kind == "input-size" {
				xl = "input size (pixels, resized)"
			}
			var x, y []float64
			for i := range p.X {
				if p.Acc[i] >= 0 {
					x, y = append(x, float64(p.X[i])), append(y, 100*(1-p.Acc[i]))
				}
			}
			if len(x) > 0 {
				series = append(series, plots.Series{Name: fmt.Sprintf("%s run %d", r.Arm, k+1), X: x, Y: y, Color: armColor(r.Arm)})
				n++
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("no %s probe runs on %s", experiment, dataset)
	}
	return plots.Chart{Title: fmt.Sprintf("%s on %s", experiment, dataset), XLabel: xl, YLabel: "test error %", Series: series, Height: 0}.SVG()
}

func armColor(arm string) int {
	switch arm {
	case "nin":
		return 0
	case "nin-fc":
		return 1
	case "nin-fc-dropout":
		return 2
	}
	return 3
}
