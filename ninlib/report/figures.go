package report

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// Figures for notebooks and reports, drawn from run records, each as SVG
// and PNG (plots.Figure). An arm has the same colour in every figure
// (ArmColor).

// Select returns the completed training records of an experiment on a
// dataset, sorted by arm then seed.
func Select(recs []runs.Record, experiment, dataset string) []runs.Record {
	var out []runs.Record
	for _, r := range recs {
		s := r.Summary
		if s.Experiment == experiment && s.Dataset == dataset && s.Status == runs.StatusCompleted && !s.IsProbe() {
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

// armColors fixes the colours of the workbench's arms; others get one
// from their name. Arms that never meet in one experiment may share a
// colour (bneck-half and nin-fc-dropout; bneck-quarter and conv-fc); the
// four bodies of budget-bodies get four far apart.
var armColors = map[string]int{"nin": 0, "nin-fc": 1, "nin-fc-dropout": 2, "conv-gap": 3, "conv-fc": 4, "nin-final-relu": 5, "bneck-half": 2, "bneck-quarter": 4}

// budgetArm splits r's arm, named HEAD-e<epochs> in a budget study, into
// the head and the epochs (plan.SplitBudget); an arm shared from another
// experiment counts as its own.
func budgetArm(r *Row) (head string, epochs int, ok bool) {
	return plan.SplitBudget(ownName(r.Arm))
}

// isBudgetArm says whether r's arm is named HEAD-e<epochs>.
func isBudgetArm(r *Row) bool {
	_, _, ok := budgetArm(r)
	return ok
}

// ArmColor is the palette index of an arm in every figure: the same for
// "nin", "nin (from gap-vs-fc)" and the budget arms "nin-e8".
func ArmColor(arm string) int {
	base := ownName(arm)
	if name, _, ok := plan.SplitBudget(base); ok {
		base = name
	}
	if c, ok := armColors[base]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(base))
	return int(h.Sum32() % 7)
}

// Curves draws train (dashed) and validation (solid) accuracy per epoch
// of one arm's runs (one colour per seed).
func Curves(recs []runs.Record, arm string) (plots.Figure, error) {
	var curves []runs.Curve
	for _, r := range recs {
		if r.Summary.Arm != arm {
			continue
		}
		rows, err := runs.ReadMetrics(r.Dir)
		if err != nil {
			return plots.Figure{}, err
		}
		curves = append(curves, runs.Curve{Label: fmt.Sprintf("seed %d", r.Summary.Seed), Rows: rows})
	}
	if len(curves) == 0 {
		return plots.Figure{}, fmt.Errorf("no completed runs of arm %q", arm)
	}
	return runs.LearningCurvesFigure(arm+": train (dashed) vs validation accuracy", curves...)
}

// ErrorBars draws the mean test error (± std over seeds) of each arm of
// an experiment on a dataset.
func ErrorBars(rows []*Row, experiment, dataset string) (plots.Figure, error) {
	var b plots.Bars
	b.Title = fmt.Sprintf("%s on %s: test error (mean ± std over seeds)", experiment, dataset)
	b.YLabel = "test error %"
	for _, r := range rows {
		if r.Experiment == experiment && r.Dataset == dataset && r.TestErr.N > 0 {
			b.Labels = append(b.Labels, r.Arm)
			b.Values = append(b.Values, r.TestErr.Mean)
			b.Errors = append(b.Errors, r.TestErr.Std)
			b.Colors = append(b.Colors, ArmColor(r.Arm))
		}
	}
	if len(b.Values) == 0 {
		return plots.Figure{}, fmt.Errorf("no completed runs of %s on %s", experiment, dataset)
	}
	return b.Figure()
}

// Cost plots test error (mean ± std over seeds) against multiply-adds
// per image, a point per arm. The arms of a budget study (HEAD-e<epochs>)
// join into one series per head, named with its budgets: at its one cost,
// each longer budget is a point further down.
func Cost(rows []*Row, experiment, dataset string) (plots.Figure, error) {
	c, err := costChart(rows, experiment, dataset)
	if err != nil {
		return plots.Figure{}, err
	}
	return c.Figure()
}

// costChart is Cost's chart, before rendering.
func costChart(rows []*Row, experiment, dataset string) (plots.Chart, error) {
	var series []*plots.Series
	byHead := map[string]*plots.Series{}
	epochs := map[*plots.Series][]int{}
	for _, r := range rows {
		if r.Experiment != experiment || r.Dataset != dataset || r.TestErr.N == 0 {
			continue
		}
		head, e, budget := budgetArm(r)
		s := byHead[head] // nil for an arm outside a budget study
		if s == nil {
			s = &plots.Series{Name: r.Arm, Color: ArmColor(r.Arm)}
			series = append(series, s)
			if budget {
				s.Name, byHead[head] = head, s
			}
		}
		if budget {
			epochs[s] = append(epochs[s], e)
		}
		s.X, s.Y, s.YErr = append(s.X, float64(r.MACs)/1e6), append(s.Y, r.TestErr.Mean), append(s.YErr, r.TestErr.Std)
	}
	if len(series) == 0 {
		return plots.Chart{}, fmt.Errorf("no completed runs of %s on %s", experiment, dataset)
	}
	var out []plots.Series
	for _, s := range series {
		if e := epochs[s]; len(e) > 0 {
			slices.Sort(e)
			s.Name = fmt.Sprintf("%s (%s epochs)", s.Name, andList(epochStrings(e)))
		}
		out = append(out, *s)
	}
	return plots.Chart{Title: fmt.Sprintf("%s on %s: error vs cost", experiment, dataset), XLabel: "million multiply-adds per image", YLabel: "test error % (mean ± std over seeds)", Series: out}, nil
}

// Budget plots test error (mean ± std over seeds) against the training
// budget in epochs, one line per head, from arms named HEAD-e<epochs>.
func Budget(rows []*Row, experiment, dataset string) (plots.Figure, error) {
	c, err := budgetChart(rows, experiment, dataset)
	if err != nil {
		return plots.Figure{}, err
	}
	return c.Figure()
}

// budgetChart is Budget's chart, before rendering.
func budgetChart(rows []*Row, experiment, dataset string) (plots.Chart, error) {
	byHead := map[string]*plots.Series{}
	var heads []string
	for _, r := range rows {
		head, e, ok := budgetArm(r)
		if r.Experiment != experiment || r.Dataset != dataset || r.TestErr.N == 0 || !ok {
			continue
		}
		s := byHead[head]
		if s == nil {
			s = &plots.Series{Name: head, Color: ArmColor(head)}
			byHead[head] = s
			heads = append(heads, head)
		}
		s.X, s.Y, s.YErr = append(s.X, float64(e)), append(s.Y, r.TestErr.Mean), append(s.YErr, r.TestErr.Std)
	}
	if len(heads) == 0 {
		return plots.Chart{}, fmt.Errorf("no completed budget runs of %s on %s", experiment, dataset)
	}
	var series []plots.Series
	for _, h := range heads {
		series = append(series, *byHead[h])
	}
	return plots.Chart{Title: fmt.Sprintf("%s on %s: test error against the training budget", experiment, dataset),
		XLabel: "epochs on the full training split (log scale)", YLabel: "test error % (mean ± std over seeds)", Series: series, LogX: true}, nil
}

// BudgetFigure is a figure of error against the training budget that the
// results README shows: experiment, dataset, and its file relative to the
// results directory; CurvesPath is the file of the same arms' validation
// curves (BudgetCurves).
type BudgetFigure struct{ Experiment, Dataset, Path, CurvesPath string }

// BudgetFigures lists the budget figures rows call for: one per
// experiment and dataset in which some head (arms HEAD-e<epochs>) has
// completed runs at two budgets or more.
func BudgetFigures(rows []*Row) []BudgetFigure {
	type key struct{ exp, ds, head string }
	budgets := map[key]int{}
	var figs []BudgetFigure
	for _, r := range rows {
		head, _, ok := budgetArm(r)
		if !ok || r.TestErr.N == 0 {
			continue
		}
		k := key{r.Experiment, r.Dataset, head}
		if budgets[k]++; budgets[k] != 2 {
			continue
		}
		base := fmt.Sprintf("figures/%s-%s", r.Experiment, r.Dataset)
		f := BudgetFigure{r.Experiment, r.Dataset, base + ".svg", base + "-curves.svg"}
		if !slices.Contains(figs, f) {
			figs = append(figs, f)
		}
	}
	return figs
}

// BudgetCurves draws the validation error of every budget arm of an
// experiment on a dataset after each epoch (mean over the completed runs,
// read from their metrics.csv in resultsDir), so that each budget's end
// can be read against the longer budgets' plateaus: one line per arm,
// coloured by head, its points shaped by budget (the shortest a circle).
func BudgetCurves(rows []*Row, resultsDir, experiment, dataset string) (plots.Figure, error) {
	c, err := budgetCurvesChart(rows, resultsDir, experiment, dataset)
	if err != nil {
		return plots.Figure{}, err
	}
	return c.Figure()
}

// budgetCurvesChart is BudgetCurves' chart, before rendering.
func budgetCurvesChart(rows []*Row, resultsDir, experiment, dataset string) (plots.Chart, error) {
	var series []plots.Series
	for _, r := range rows {
		if r.Experiment != experiment || r.Dataset != dataset || r.TestErr.N == 0 || !isBudgetArm(r) {
			continue
		}
		s, ok := meanValError(r, resultsDir)
		if !ok {
			continue
		}
		series = append(series, s)
	}
	if len(series) == 0 {
		return plots.Chart{}, fmt.Errorf("no completed budget runs of %s on %s", experiment, dataset)
	}
	// A series has a point per epoch of its budget: its marker is the
	// budget's rank among the drawn budgets.
	var budgets []int
	for _, s := range series {
		budgets = append(budgets, len(s.X))
	}
	slices.Sort(budgets)
	budgets = slices.Compact(budgets)
	for i := range series {
		series[i].Marker = slices.Index(budgets, len(series[i].X))
	}
	return plots.Chart{Title: fmt.Sprintf("%s on %s: validation error after each epoch (mean over seeds)", experiment, dataset),
		XLabel: "epoch", YLabel: "validation error %", Series: series, WholeX: true}, nil
}

// meanValError is the line of r's arm in BudgetCurves: the validation
// error after each epoch, averaged over r's runs whose metrics.csv has
// every epoch (an interrupted or diverged run is left out); false if none
// has.
func meanValError(r *Row, resultsDir string) (plots.Series, bool) {
	sum := make([]float64, r.Epochs)
	n := 0
	for _, id := range r.RunIDs {
		m, err := runs.ReadMetrics(filepath.Join(resultsDir, "runs", id))
		if err != nil || len(m) != r.Epochs {
			continue
		}
		for i, e := range m {
			sum[i] += 100 * (1 - e.ValAcc)
		}
		n++
	}
	if n == 0 {
		return plots.Series{}, false
	}
	s := plots.Series{Name: ownName(r.Arm), Color: ArmColor(r.Arm), Dashed: strings.Contains(r.Arm, "-fc")}
	for i, v := range sum {
		s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, v/float64(n))
	}
	return s, true
}

// ProbeCurves draws the probe curves (error against shift or size) of
// every completed probe run of an experiment on a dataset, one line per
// source run, coloured by arm.
func ProbeCurves(rows []*Row, experiment, dataset string) (plots.Figure, error) {
	var series []plots.Series
	xl := "shift (pixels)"
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
				series = append(series, plots.Series{Name: fmt.Sprintf("%s run %d", r.Arm, k+1), X: x, Y: y, Color: ArmColor(r.Arm)})
			}
		}
	}
	if len(series) == 0 {
		return plots.Figure{}, fmt.Errorf("no %s probe runs on %s", experiment, dataset)
	}
	return plots.Chart{Title: fmt.Sprintf("%s on %s", experiment, dataset), XLabel: xl, YLabel: "test error %", Series: series}.Figure()
}
