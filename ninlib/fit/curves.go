package fit

import (
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// LearningCurves draws train and validation accuracy per epoch as SVG.
func LearningCurves(title string, rows []runs.Epoch) ([]byte, error) {
	var x, tr, va []float64
	for _, r := range rows {
		x = append(x, float64(r.Epoch))
		tr = append(tr, r.TrainAcc)
		va = append(va, r.ValAcc)
	}
	return plots.Chart{Title: title, XLabel: "epoch", YLabel: "accuracy", Series: []plots.Series{
		{Name: "train", X: x, Y: tr, Dashed: true, Color: 0},
		{Name: "validation", X: x, Y: va, Color: 0},
	}}.SVG()
}
