package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ninbench/nin/ninlib/stats"
)

// budgetRow is a budget study's row with a test error of mean ± std over
// n seeds.
func budgetRow(exp, arm, ds string, mean, std float64, n int) *Row {
	return &Row{Experiment: exp, Arm: arm, Dataset: ds, TestErr: stats.Stat{Mean: mean, Std: std, N: n}, Params: 100, Budget: "all the training images × 1 epoch"}
}

// TestByBudgets: a head-to-head table per experiment and dataset where
// two heads share a budget and a head spans two; none otherwise.
func TestByBudgets(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []*Row
		want []string // "experiment/dataset: heads @ epochs"
	}{
		{"two heads at two budgets", []*Row{
			budgetRow("budget", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("budget", "nin-fc-e1", "mnist", 2, 0.1, 3),
			budgetRow("budget", "nin-e8", "mnist", 1, 0.1, 3), budgetRow("budget", "nin-fc-e8", "mnist", 0.9, 0.1, 3)},
			[]string{"budget/mnist: nin,nin-fc @ [1 8]"}},
		{"budgets listed out of order", []*Row{
			budgetRow("budget", "nin-e8", "mnist", 1, 0.1, 3), budgetRow("budget", "nin-fc-e8", "mnist", 0.9, 0.1, 3),
			budgetRow("budget", "nin-e1", "mnist", 3, 0.1, 3)},
			[]string{"budget/mnist: nin,nin-fc @ [1 8]"}},
		{"one budget only (batch-norm)", []*Row{
			budgetRow("batch-norm", "nin-bn-e1", "mnist", 2, 0.1, 3), budgetRow("batch-norm", "nin-bn-lr3-e1", "mnist", 1.5, 0.1, 3)}, nil},
		{"one head only", []*Row{
			budgetRow("budget", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("budget", "nin-e3", "mnist", 2, 0.1, 3)}, nil},
		{"no completed runs at the shared budget", []*Row{
			budgetRow("budget", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("budget", "nin-e3", "mnist", 2, 0.1, 3),
			budgetRow("budget", "nin-fc-e3", "mnist", 0, 0, 0)}, nil},
		{"an arm shared from another experiment", []*Row{
			budgetRow("bodies", "nin-e1 (from budget)", "mnist", 3, 0.1, 3), budgetRow("bodies", "nin-e8 (from budget)", "mnist", 1, 0.1, 3),
			budgetRow("bodies", "conv-gap-e8", "mnist", 2, 0.1, 3)},
			[]string{"bodies/mnist: nin,conv-gap @ [1 8]"}},
		{"every arm at one budget (budget-bodies)", []*Row{
			budgetRow("bodies", "nin-e8 (from budget)", "mnist", 1, 0.1, 3), budgetRow("bodies", "conv-gap-e8", "mnist", 2, 0.1, 3),
			budgetRow("bodies", "bneck-half-e8", "mnist", 2, 0.1, 3)}, nil},
		{"two datasets", []*Row{
			budgetRow("budget", "nin-e1", "fashion-mnist", 19, 1, 3), budgetRow("budget", "nin-fc-e1", "fashion-mnist", 14, 1, 3),
			budgetRow("budget", "nin-e3", "fashion-mnist", 13, 1, 3),
			budgetRow("budget", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("budget", "nin-fc-e1", "mnist", 2, 0.1, 3)},
			[]string{"budget/fashion-mnist: nin,nin-fc @ [1 3]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, b := range ByBudgets(tc.rows) {
				got = append(got, fmt.Sprintf("%s/%s: %s @ %v", b.Experiment, b.Dataset, strings.Join(b.Heads, ","), b.Epochs))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// sentenceCase is rows and what a sentence written from them must and
// must not say.
type sentenceCase struct {
	name          string
	rows          []*Row
	want, notWant []string
}

// TestOrdering: the sentence names the leader at every budget, where the
// order changes, how the difference moves, and each budget's spread word.
func TestOrdering(t *testing.T) {
	for _, tc := range []sentenceCase{
		{"FC leads throughout, by less and less", []*Row{
			budgetRow("b", "nin-e1", "mnist", 2.75, 0.46, 3), budgetRow("b", "nin-fc-e1", "mnist", 1.58, 0.11, 3),
			budgetRow("b", "nin-e3", "mnist", 1.32, 0.10, 3), budgetRow("b", "nin-fc-e3", "mnist", 0.79, 0.07, 3),
			budgetRow("b", "nin-e8", "mnist", 0.67, 0.07, 3), budgetRow("b", "nin-fc-e8", "mnist", 0.58, 0.04, 3)},
			[]string{"nin-fc has the lower mean test error at every budget both were trained for (1, 3 and 8 epochs)", "1.17 → 0.53 → 0.09 points, shrinking", "beyond spread at 1 and 3 epochs, within spread at 8 epochs"},
			[]string{"changes"}},
		{"the order flips at the largest budget", []*Row{
			budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-fc-e1", "mnist", 2, 0.1, 3),
			budgetRow("b", "nin-e8", "mnist", 0.5, 0.02, 3), budgetRow("b", "nin-fc-e8", "mnist", 0.6, 0.02, 3),
			budgetRow("b", "nin-e20", "mnist", 0.4, 0.02, 1), budgetRow("b", "nin-fc-e20", "mnist", 0.55, 0.02, 3)},
			[]string{"the order of the means changes between 1 and 8 epochs (nin-fc leads at 1, nin at 8)", "1.00 → 0.10 → 0.15 points;", "beyond spread at 1 and 8 epochs, one seed on a side at 20 epochs"},
			[]string{"every budget", "shrinking", "growing", "do not part"}},
		{"two seeds on a side at the largest budget", []*Row{
			budgetRow("b", "nin-e8", "mnist", 9.95, 0.06, 3), budgetRow("b", "nin-fc-e8", "mnist", 11.60, 0.24, 3),
			budgetRow("b", "nin-e20", "mnist", 8.26, 0.11, 3), budgetRow("b", "nin-fc-e20", "mnist", 9.64, 0.01, 2)},
			[]string{"beyond spread at 8 and 20 epochs (2 seeds on a side at 20)."},
			[]string{"2 seeds on a side at 8"}},
		{"the means swap within the seeds' spread", []*Row{
			budgetRow("b", "nin-e1", "mnist", 2.75, 0.46, 3), budgetRow("b", "nin-fc-e1", "mnist", 1.58, 0.11, 3),
			budgetRow("b", "nin-e8", "mnist", 0.67, 0.07, 3), budgetRow("b", "nin-fc-e8", "mnist", 0.58, 0.04, 3),
			budgetRow("b", "nin-e20", "mnist", 0.50, 0.04, 3), budgetRow("b", "nin-fc-e20", "mnist", 0.51, 0.09, 3)},
			[]string{"between 8 and 20 epochs (nin-fc leads at 8, nin at 20, within the seeds' spread at 20: the means swap, the arms do not part)"},
			[]string{"one seed"}},
		{"the means swap with one seed on a side", []*Row{
			budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-fc-e1", "mnist", 2, 0.1, 3),
			budgetRow("b", "nin-e8", "mnist", 1, 0.1, 1), budgetRow("b", "nin-fc-e8", "mnist", 1.2, 0.1, 3)},
			[]string{"(nin-fc leads at 1, nin at 8, one seed on a side at 8)"},
			[]string{"do not part"}},
		{"a budget run by one head only is left out", []*Row{
			budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-fc-e1", "mnist", 2, 0.1, 3),
			budgetRow("b", "nin-e3", "mnist", 2, 0.1, 3), budgetRow("b", "nin-e8", "mnist", 1, 0.1, 3), budgetRow("b", "nin-fc-e8", "mnist", 0.5, 0.1, 3)},
			[]string{"(1 and 8 epochs)", "1.00 → 0.50 points, shrinking"}, []string{"3 epochs"}},
		{"one shared budget says nothing", []*Row{
			budgetRow("b", "nin-e8", "mnist", 0.67, 0.07, 3), budgetRow("b", "nin-fc-e8", "mnist", 1.2, 0.1, 3), budgetRow("b", "nin-e20", "mnist", 0.5, 0.04, 3)},
			nil, []string{"nin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			containsAll(t, onlyTable(t, tc.rows).Ordering("nin-fc"), tc.want, tc.notWant)
		})
	}
}

// TestGlanceShowsHeadsAtEachBudget: a budget study's at-a-glance line
// compares the heads at the same budget, not every arm with the first
// (nin-e8 against nin-e1 says nothing about the heads).
func TestGlanceShowsHeadsAtEachBudget(t *testing.T) {
	rows := []*Row{
		budgetRow("budget", "nin-e1", "mnist", 2.75, 0.46, 3), budgetRow("budget", "nin-fc-e1", "mnist", 1.58, 0.11, 3),
		budgetRow("budget", "nin-e8", "mnist", 0.67, 0.07, 3), budgetRow("budget", "nin-fc-e8", "mnist", 0.58, 0.04, 3),
		budgetRow("gap-vs-fc", "nin", "mnist", 2.9, 0.4, 3),
	}
	md := string(Markdown(rows, nil, nil))
	want := "| budget (test error %, arm against arm at each budget) | mnist | all the training images × 1 and 8 epochs | nin 2.75 ± 0.46 at 1 epoch, 0.67 ± 0.07 at 8 | nin-fc: Δ -1.17 at 1 (beyond), -0.09 at 8 (within spread) |"
	if !strings.Contains(md, want) {
		t.Errorf("at a glance lacks\n%s\nin\n%s", want, md)
	}
	if strings.Contains(md, "nin-e8 [") {
		t.Errorf("at a glance still compares nin-e8 with nin-e1:\n%s", md)
	}
	if !strings.Contains(md, "| 8 | 0.67 ± 0.07 | 0.58 ± 0.04 | -0.09 | within spread |") {
		t.Errorf("the budget section lacks the heads' line at 8 epochs:\n%s", md)
	}
}

// TestGlanceCost: an arm's parameters and multiply-adds against the
// reference's come from the largest budget both were run at, so an arm
// not yet run at the largest budget still shows its cost.
func TestGlanceCost(t *testing.T) {
	cost := func(r *Row, params, macs int64) *Row { r.Params, r.MACs = params, macs; return r }
	rows := []*Row{
		cost(budgetRow("budget-bodies", "nin-e8 (from budget)", "mnist", 0.67, 0.07, 3), 100, 1000),
		cost(budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.22, 0.14, 3), 103, 1140),
		cost(budgetRow("budget-bodies", "bneck-half-e8", "mnist", 0.86, 0.13, 3), 100, 700),
		cost(budgetRow("budget-bodies", "nin-e20 (from budget)", "mnist", 0.50, 0.04, 3), 100, 1000),
		budgetRow("gap-vs-fc", "nin", "mnist", 2.9, 0.4, 3), // the glance table needs two experiments
	}
	md := string(Markdown(rows, nil, nil))
	for _, want := range []string{"conv-gap: Δ +0.55 at 8 (beyond); params ×1.03, mult-adds ×1.14;", "bneck-half: Δ +0.19 at 8 (within spread); mult-adds ×0.70 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("at a glance lacks %q:\n%s", want, md)
		}
	}
}

// TestConvergence: what each longer budget bought each head, whether the
// steps shrink throughout, and the heads' order at the largest budget
// with what its spread allows one to say.
func TestConvergence(t *testing.T) {
	for _, tc := range []sentenceCase{
		{"every step buys less; within spread at the largest", []*Row{
			budgetRow("b", "nin-e1", "mnist", 2.75, 0.46, 3), budgetRow("b", "nin-fc-e1", "mnist", 1.58, 0.11, 3),
			budgetRow("b", "nin-e3", "mnist", 1.32, 0.10, 3), budgetRow("b", "nin-fc-e3", "mnist", 0.79, 0.07, 3),
			budgetRow("b", "nin-e20", "mnist", 0.50, 0.06, 3), budgetRow("b", "nin-fc-e20", "mnist", 0.46, 0.04, 3)},
			[]string{"**Toward convergence (mnist):**", "nin -1.43 and -0.82 points (1 → 3 → 20 epochs); nin-fc -0.79 and -0.33 points", "every longer budget bought each arm less", "At 20 epochs nin-fc's mean is 0.04 points below nin's, within spread: the arms cannot be told apart there."},
			[]string{"not yet"}},
		{"the error rises at the last step; GAP ahead beyond spread", []*Row{
			budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-fc-e1", "mnist", 2, 0.1, 3),
			budgetRow("b", "nin-e3", "mnist", 1, 0.1, 3), budgetRow("b", "nin-fc-e3", "mnist", 1.5, 0.1, 3),
			budgetRow("b", "nin-e8", "mnist", 0.5, 0.02, 3), budgetRow("b", "nin-fc-e8", "mnist", 1.6, 0.02, 3)},
			[]string{"nin-fc -0.50 and +0.10 points", "the steps do not shrink throughout", "At 8 epochs nin's mean is 1.10 points below nin-fc's, beyond spread: nin is the better arm there."},
			[]string{"bought each arm less"}},
		{"a step that buys more than the one before", []*Row{
			budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-e3", "mnist", 2.8, 0.1, 3),
			budgetRow("b", "nin-e8", "mnist", 1, 0.1, 3), budgetRow("b", "nin-fc-e8", "mnist", 1, 0.1, 1)},
			[]string{"nin -0.20 and -1.80 points", "not yet where the arms level off", "one seed on a side: no verdict there yet"},
			[]string{"nin-fc -"}},
		{"two seeds on a side at the largest", []*Row{
			budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-fc-e1", "mnist", 2, 0.1, 3),
			budgetRow("b", "nin-e3", "mnist", 1, 0.1, 3), budgetRow("b", "nin-fc-e3", "mnist", 1.5, 0.1, 3),
			budgetRow("b", "nin-e8", "mnist", 0.5, 0.02, 3), budgetRow("b", "nin-fc-e8", "mnist", 1.6, 0.02, 2)},
			[]string{"beyond spread: nin is the better arm there (2 seeds)."},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			containsAll(t, onlyTable(t, tc.rows).Convergence(), tc.want, tc.notWant)
		})
	}
	two := ByBudgets([]*Row{
		budgetRow("b", "nin-e1", "mnist", 3, 0.1, 3), budgetRow("b", "nin-fc-e1", "mnist", 2, 0.1, 3),
		budgetRow("b", "nin-e8", "mnist", 1, 0.1, 3), budgetRow("b", "nin-fc-e8", "mnist", 0.9, 0.1, 3)})
	if s := two[0].Convergence(); s != "" {
		t.Errorf("two budgets make a trend: %q", s)
	}
}

// onlyTable is the one head-to-head table rows make, failing t otherwise.
func onlyTable(t *testing.T, rows []*Row) ByBudget {
	t.Helper()
	tables := ByBudgets(rows)
	if len(tables) != 1 {
		t.Fatalf("%d tables, want 1", len(tables))
	}
	return tables[0]
}

// TestCostJoinsBudgets: in the error-against-cost chart, a budget study's
// arms join into one series per head, named with its budgets; other arms
// stay a point each.
func TestCostJoinsBudgets(t *testing.T) {
	cost := func(r *Row, macs int64) *Row { r.MACs = macs; return r }
	for _, tc := range []struct {
		name string
		rows []*Row
		want []string // "name: points"
	}{
		{"budget arms, one shared", []*Row{
			cost(budgetRow("bb", "nin-e8 (from budget)", "mnist", 0.67, 0.07, 3), 10e6), cost(budgetRow("bb", "conv-gap-e8", "mnist", 1.2, 0.1, 3), 12e6),
			cost(budgetRow("bb", "nin-e20 (from budget)", "mnist", 0.5, 0.04, 3), 10e6), cost(budgetRow("bb", "conv-gap-e20", "mnist", 0, 0, 0), 12e6)},
			[]string{"nin (8 and 20 epochs): 2", "conv-gap (8 epochs): 1"}},
		{"plain arms", []*Row{cost(budgetRow("bn", "nin (from gap-vs-fc)", "mnist", 2.9, 0.4, 3), 10e6), cost(budgetRow("bn", "bneck-half", "mnist", 3.7, 0.4, 3), 7e6)},
			[]string{"nin (from gap-vs-fc): 1", "bneck-half: 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := costChart(tc.rows, tc.rows[0].Experiment, "mnist")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range c.Series {
				got = append(got, fmt.Sprintf("%s: %d", s.Name, len(s.X)))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTrainingTableReference: in a budget study each arm's spread column
// is against the first arm at its own budget (budget-bodies' e20 arms
// against nin-e20, not nin-e8); elsewhere against the dataset's first arm.
func TestTrainingTableReference(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rows   []*Row
		header string
		want   []string // "arm: column"
	}{
		{"two budgets", []*Row{
			budgetRow("bodies", "nin-e8 (from budget)", "mnist", 0.67, 0.07, 3), budgetRow("bodies", "conv-gap-e8", "mnist", 1.22, 0.14, 3),
			budgetRow("bodies", "nin-e20 (from budget)", "mnist", 0.50, 0.04, 3), budgetRow("bodies", "conv-gap-e20", "mnist", 0.68, 0.02, 3)},
			"beyond spread vs first arm at its budget",
			[]string{"nin-e8 (from budget): (reference)", "conv-gap-e8: yes (Δ +0.55)", "nin-e20 (from budget): (reference)", "conv-gap-e20: yes (Δ +0.18)"}},
		{"one budget (batch-norm)", []*Row{
			budgetRow("batch-norm", "nin-e1 (from budget)", "mnist", 2.75, 0.46, 3), budgetRow("batch-norm", "nin-bn-e1", "mnist", 1.65, 0.18, 3)},
			"beyond spread vs first arm |",
			[]string{"nin-e1 (from budget): (reference)", "nin-bn-e1: yes (Δ -1.10)"}},
		{"no budgets in the names", []*Row{
			budgetRow("gap-vs-fc", "nin", "mnist", 2.9, 0.44, 3), budgetRow("gap-vs-fc", "nin-fc", "mnist", 1.55, 0.28, 3),
			budgetRow("gap-vs-fc", "nin", "fashion-mnist", 19.83, 1.58, 3), budgetRow("gap-vs-fc", "nin-fc", "fashion-mnist", 13.39, 0.92, 3)},
			"beyond spread vs first arm |",
			[]string{"nin: (reference)", "nin-fc: yes (Δ -1.35)", "nin: (reference)", "nin-fc: yes (Δ -6.44)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			writeTraining(&b, tc.rows)
			lines := strings.Split(strings.TrimSpace(b.String()), "\n")
			if !strings.Contains(lines[0], tc.header) {
				t.Errorf("header %q lacks %q", lines[0], tc.header)
			}
			var got []string
			for _, l := range lines[2:] {
				cells := strings.Split(l, " | ")
				got = append(got, cells[1]+": "+cells[3])
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
