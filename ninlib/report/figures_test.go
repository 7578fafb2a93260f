package report

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/ninbench/nin/ninlib/runs"
	"github.com/ninbench/nin/ninlib/stats"
)

// TestBudgetCurves: one line per budget arm, the mean over its runs that
// have every epoch, coloured by body and shaped by budget, so that a
// body's two budgets (one colour) are told apart.
func TestBudgetCurves(t *testing.T) {
	res := t.TempDir()
	// writeRun writes a run's metrics.csv with the given validation
	// errors (%), one per epoch.
	writeRun := func(id string, valErr ...float64) string {
		dir := filepath.Join(res, "runs", id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var ep []runs.Epoch
		for i, e := range valErr {
			ep = append(ep, runs.Epoch{Epoch: i + 1, ValAcc: 1 - e/100})
		}
		if err := runs.WriteMetrics(dir, ep); err != nil {
			t.Fatal(err)
		}
		return id
	}
	row := func(arm string, epochs int, ids ...string) *Row {
		return &Row{Experiment: "budget-bodies", Arm: arm, Dataset: "mnist", Epochs: epochs, RunIDs: ids,
			TestErr: stats.Stat{N: len(ids), Mean: 0.01}}
	}
	rows := []*Row{
		row("nin-e2", 2, writeRun("a", 4, 2), writeRun("b", 6, 4)),
		row("conv-gap-e2", 2, writeRun("c", 5, 3)),
		row("nin-e3", 3, writeRun("d", 4, 2, 1), writeRun("interrupted", 9)),
		row("conv-gap-e3", 3, writeRun("e", 5, 3, 2)),
		row("bneck-half-e3", 3),               // no completed run
		row("nin", 3, writeRun("f", 1, 1, 1)), // not a budget arm
	}
	c, err := budgetCurvesChart(rows, res, "budget-bodies", "mnist")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name          string
		marker, color int
		y             []float64
	}{
		{"nin-e2", 0, ArmColor("nin"), []float64{5, 3}},
		{"conv-gap-e2", 0, ArmColor("conv-gap"), []float64{5, 3}},
		{"nin-e3", 1, ArmColor("nin"), []float64{4, 2, 1}},
		{"conv-gap-e3", 1, ArmColor("conv-gap"), []float64{5, 3, 2}},
	}
	if len(c.Series) != len(want) {
		t.Fatalf("%d series, want %d: %+v", len(c.Series), len(want), c.Series)
	}
	for i, w := range want {
		s := c.Series[i]
		if s.Name != w.name || s.Marker != w.marker || s.Color != w.color || len(s.Y) != len(w.y) {
			t.Errorf("series %d: %s marker %d colour %d, %d points; want %s marker %d colour %d, %d points",
				i, s.Name, s.Marker, s.Color, len(s.Y), w.name, w.marker, w.color, len(w.y))
			continue
		}
		for j := range w.y {
			if math.Abs(s.Y[j]-w.y[j]) > 1e-6 || s.X[j] != float64(j+1) {
				t.Errorf("%s: point %d is (%v, %v), want (%d, %v)", s.Name, j, s.X[j], s.Y[j], j+1, w.y[j])
			}
		}
	}
	colors := map[int]string{}
	for _, body := range []string{"nin", "conv-gap", "bneck-half", "bneck-quarter"} {
		if other, ok := colors[ArmColor(body)]; ok {
			t.Errorf("budget-bodies' %s and %s share colour %d", other, body, ArmColor(body))
		}
		colors[ArmColor(body)] = body
	}
	if _, err := budgetCurvesChart(rows, res, "budget-bodies", "fashion-mnist"); err == nil {
		t.Errorf("a chart of no runs was drawn")
	}
}
