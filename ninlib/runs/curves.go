package runs

import (
	"fmt"

	"github.com/ninbench/nin/ninlib/plots"
)

// Curve is one run's learning curve in a figure.
type Curve struct {
	// Label prefixes the series names ("seed 2"); "" for a lone run.
	Label string
	Rows  []Epoch
}

// LearningCurves draws training (dashed) and validation (solid) accuracy
// per epoch of one or more runs, one colour per run, as SVG: the curve.svg
// of each record.
func LearningCurves(title string, curves ...Curve) ([]byte, error) {
	c, err := learningChart(title, curves)
	if err != nil {
		return nil, err
	}
	return c.SVG()
}

// LearningCurvesFigure is LearningCurves as SVG and PNG (for notebooks).
func LearningCurvesFigure(title string, curves ...Curve) (plots.Figure, error) {
	c, err := learningChart(title, curves)
	if err != nil {
		return plots.Figure{}, err
	}
	return c.Figure()
}

func learningChart(title string, curves []Curve) (plots.Chart, error) {
	var series []plots.Series
	for i, c := range curves {
		var x, tr, va []float64
		for _, r := range c.Rows {
			x, tr, va = append(x, float64(r.Epoch)), append(tr, r.TrainAcc), append(va, r.ValAcc)
		}
		name := func(s string) string {
			if c.Label == "" {
				return s
			}
			return c.Label + " " + s
		}
		series = append(series,
			plots.Series{Name: name("train"), X: x, Y: tr, Dashed: true, Color: i},
			plots.Series{Name: name("validation"), X: x, Y: va, Color: i})
	}
	if len(series) == 0 {
		return plots.Chart{}, fmt.Errorf("%s: no runs to draw", title)
	}
	return plots.Chart{Title: title, XLabel: "epoch", YLabel: "accuracy", Series: series, WholeX: true}, nil
}
