package report

import (
	"fmt"
	"strings"
	"testing"
)

// laptop is the shorter experiments' rows on MNIST: nin (shared) and
// conv-gap in mlpconv-vs-conv, nin and bneck-half in bottleneck.
func laptop() []*Row {
	return []*Row{
		budgetRow("mlpconv-vs-conv", "nin (from gap-vs-fc)", "mnist", 2.9, 0.4, 3), budgetRow("mlpconv-vs-conv", "conv-gap", "mnist", 4.1, 0.3, 3),
		budgetRow("bottleneck", "nin (from gap-vs-fc)", "mnist", 2.9, 0.4, 3), budgetRow("bottleneck", "bneck-half", "mnist", 3.7, 0.4, 3),
	}
}

// atBudget sets r's budget to the full split for epochs.
func atBudget(r *Row, epochs int) *Row {
	r.Budget = fmt.Sprintf("all the training images × %d epochs", epochs)
	return r
}

// noBudget clears r's budget, as a row without completed runs has none
// (the budget is read from its records).
func noBudget(r *Row) *Row {
	r.Budget = ""
	return r
}

// TestLengthenedTables: each arm NAME-e<epochs> is paired with arm NAME of
// a shorter experiment, both against their own first arm; arms without a
// completed counterpart, or the other experiments' arms of that name, are
// left out.
func TestLengthenedTables(t *testing.T) {
	ref := budgetRow("budget-bodies", "nin-e8 (from budget)", "mnist", 0.67, 0.07, 3)
	for _, tc := range []struct {
		name    string
		here    []*Row
		others  []*Row
		shorter []string
		want    []string // "dataset vs ref: arm=there-experiment/there-arm-vs-ref"
	}{
		{"both bodies", []*Row{ref, budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3), budgetRow("budget-bodies", "bneck-half-e8", "mnist", 0.8, 0.1, 3)},
			laptop(), []string{"mlpconv-vs-conv", "bottleneck"},
			[]string{"mnist vs nin-e8: conv-gap-e8=mlpconv-vs-conv/conv-gap-vs-nin bneck-half-e8=bottleneck/bneck-half-vs-nin"}},
		{"each budget against its own first arm", []*Row{ref, budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3),
			atBudget(budgetRow("budget-bodies", "nin-e20 (from budget)", "mnist", 0.5, 0.05, 3), 20), atBudget(budgetRow("budget-bodies", "conv-gap-e20", "mnist", 0.9, 0.1, 3), 20)},
			laptop(), []string{"mlpconv-vs-conv"},
			[]string{"mnist vs nin-e8: conv-gap-e8=mlpconv-vs-conv/conv-gap-vs-nin", "mnist vs nin-e20: conv-gap-e20=mlpconv-vs-conv/conv-gap-vs-nin"}},
		{"a budget whose first arm has no run yet", []*Row{ref, budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3),
			noBudget(budgetRow("budget-bodies", "nin-e20 (from budget)", "mnist", 0, 0, 0)), atBudget(budgetRow("budget-bodies", "conv-gap-e20", "mnist", 0.9, 0.1, 3), 20),
			atBudget(budgetRow("budget-bodies", "bneck-half-e20", "mnist", 0.8, 0.1, 3), 20)},
			laptop(), []string{"mlpconv-vs-conv", "bottleneck"},
			[]string{"mnist vs nin-e8: conv-gap-e8=mlpconv-vs-conv/conv-gap-vs-nin"}},
		{"an experiment not named shorter is not looked in", []*Row{ref, budgetRow("budget-bodies", "bneck-half-e8", "mnist", 0.8, 0.1, 3)},
			laptop(), []string{"mlpconv-vs-conv"}, nil},
		{"no run here yet", []*Row{ref, budgetRow("budget-bodies", "conv-gap-e8", "mnist", 0, 0, 0)},
			laptop(), []string{"mlpconv-vs-conv"}, nil},
		{"no run there yet", []*Row{ref, budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3)},
			[]*Row{budgetRow("mlpconv-vs-conv", "nin (from gap-vs-fc)", "mnist", 2.9, 0.4, 3), budgetRow("mlpconv-vs-conv", "conv-gap", "mnist", 0, 0, 0)},
			[]string{"mlpconv-vs-conv"}, nil},
		{"another dataset there", []*Row{ref, budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3)},
			[]*Row{budgetRow("mlpconv-vs-conv", "nin (from gap-vs-fc)", "fashion-mnist", 20, 1, 3), budgetRow("mlpconv-vs-conv", "conv-gap", "fashion-mnist", 21, 1, 3)},
			[]string{"mlpconv-vs-conv"}, nil},
		{"no reference here", []*Row{budgetRow("budget-bodies", "nin-e8 (from budget)", "mnist", 0, 0, 0), budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3)},
			laptop(), []string{"mlpconv-vs-conv"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := append(append([]*Row{}, tc.others...), tc.here...)
			var got []string
			for _, l := range LengthenedTables(tc.here, all, tc.shorter) {
				var pairs []string
				for _, p := range l.Pairs {
					pairs = append(pairs, fmt.Sprintf("%s=%s/%s-vs-%s", p.Here.Arm, p.There.Experiment, p.There.Arm, ownName(p.ThereRef.Arm)))
				}
				got = append(got, l.Dataset+" vs "+ownName(l.Ref.Arm)+": "+strings.Join(pairs, " "))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLengthenedOrders: the sentence says for each arm whether it keeps
// its side of the reference, how the difference moves, what the spread
// allows here, and whether the order holds for every arm.
func TestLengthenedOrders(t *testing.T) {
	ref := budgetRow("budget-bodies", "nin-e8 (from budget)", "mnist", 0.67, 0.07, 3)
	for _, tc := range []struct {
		name      string
		here      *Row
		want, not []string
	}{
		{"trails at both, narrower, beyond", budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 3),
			[]string{"conv-gap-e8 trails nin-e8 at both budgets", "Δ +1.20 → +0.53: the difference narrows", "beyond the seeds' spread here", "holds for every arm"},
			[]string{"changes", "widens"}},
		{"trails at both, within spread", budgetRow("budget-bodies", "conv-gap-e8", "mnist", 0.75, 0.1, 3),
			[]string{"trails nin-e8 at both budgets", "within the seeds' spread here"}, []string{"beyond"}},
		{"one seed here", budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0, 1),
			[]string{"one seed on a side here"}, nil},
		{"two seeds here", budgetRow("budget-bodies", "conv-gap-e8", "mnist", 1.2, 0.1, 2),
			[]string{"beyond the spread of 2 seeds here"}, nil},
		{"changes side", budgetRow("budget-bodies", "conv-gap-e8", "mnist", 0.6, 0.01, 3),
			[]string{"conv-gap-e8 trailed nin-e8 at the shorter budget and leads it here", "the order changes with the budget for conv-gap-e8"},
			[]string{"holds for every arm"}},
		{"widens", budgetRow("budget-bodies", "conv-gap-e8", "mnist", 3, 0.1, 3),
			[]string{"the difference widens"}, []string{"narrows"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := LengthenedTables([]*Row{ref, tc.here}, append(laptop(), ref, tc.here), []string{"mlpconv-vs-conv"})
			if len(ls) != 1 {
				t.Fatalf("%d tables, want 1", len(ls))
			}
			containsAll(t, ls[0].Orders(), tc.want, tc.not)
		})
	}
}
