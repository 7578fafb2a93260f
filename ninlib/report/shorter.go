package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ninbench/nin/ninlib/stats"
)

// Lengthened is an experiment's arms on one dataset beside the same arms
// at a shorter budget, in the experiments its plan names "shorter": arm
// NAME-e<epochs> here against arm NAME there, each measured against its
// own experiment's first arm. It answers whether an ordering seen at the
// shorter budget holds at the longer one.
type Lengthened struct {
	Dataset string
	Ref     *Row // the first arm here trained for the pairs' budget (the epochs in its name)
	Pairs   []LengthenedPair
}

// LengthenedPair is one arm at both budgets: Here against the first arm
// here, There (run by experiment There.Experiment) against ThereRef, the
// first arm of that experiment.
type LengthenedPair struct {
	Here, There, ThereRef *Row
}

// deltas are the pair's differences to their references, there and here.
func (p LengthenedPair) deltas(ref *Row) (there, here float64) {
	return p.There.TestErr.Mean - p.ThereRef.TestErr.Mean, p.Here.TestErr.Mean - ref.TestErr.Mean
}

// LengthenedTables pairs the rows rs of an experiment whose plan names
// the shorter experiments with their arms in all (every row of every
// experiment, shared arms included): one table per dataset and budget
// here (the epochs in the arms' names NAME-e<epochs>) with at least one
// arm completed at both budgets, each arm measured against the first arm
// of its own budget (an experiment may lengthen its arms to several
// budgets: nin-e8 is the reference of conv-gap-e8, nin-e20 of
// conv-gap-e20).
func LengthenedTables(rs, all []*Row, shorter []string) []Lengthened {
	var out []Lengthened
	for _, ds := range datasetsOf(rs) {
		for _, epochs := range epochsOf(rs, ds) {
			if t, ok := lengthenedAt(rs, all, shorter, ds, epochs); ok {
				out = append(out, t)
			}
		}
	}
	return out
}

// lengthenedAt is LengthenedTables' table of dataset ds at the arms
// trained for epochs; false if the first of those arms (the reference)
// has no completed run, or no other arm has a pair.
func lengthenedAt(rs, all []*Row, shorter []string, ds string, epochs int) (Lengthened, bool) {
	var at []*Row
	for _, r := range rs {
		if _, e, ok := budgetArm(r); ok && e == epochs && r.Dataset == ds {
			at = append(at, r)
		}
	}
	if len(at) < 2 || at[0].TestErr.N == 0 {
		return Lengthened{}, false
	}
	t := Lengthened{Dataset: ds, Ref: at[0]}
	for _, r := range at[1:] {
		if r.TestErr.N == 0 {
			continue
		}
		if p, ok := shorterPair(r, all, shorter); ok {
			t.Pairs = append(t.Pairs, p)
		}
	}
	return t, len(t.Pairs) > 0
}

// epochsOf lists the budgets in the names of the arms of dataset ds
// (NAME-e<epochs>) in order of first appearance.
func epochsOf(rows []*Row, ds string) []int {
	var out []int
	for _, r := range rows {
		if _, e, ok := budgetArm(r); ok && r.Dataset == ds && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// shorterPair finds the arm that r lengthens in one of the shorter
// experiments, with that experiment's reference, both completed.
func shorterPair(r *Row, all []*Row, shorter []string) (LengthenedPair, bool) {
	base, _, ok := budgetArm(r)
	if !ok {
		return LengthenedPair{}, false
	}
	for _, x := range all {
		if x.Dataset != r.Dataset || ownName(x.Arm) != base || x.TestErr.N == 0 || !slices.Contains(shorter, x.Experiment) {
			continue
		}
		if ref := firstOf(rowsOf(all, x.Experiment), r.Dataset); ref != nil && ref != x && ref.TestErr.N > 0 {
			return LengthenedPair{Here: r, There: x, ThereRef: ref}, true
		}
	}
	return LengthenedPair{}, false
}

// ownName is an arm's name without the " (from OTHER)" of a shared arm.
func ownName(arm string) string {
	name, _, _ := strings.Cut(arm, " (from ")
	return name
}

// rowsOf lists the rows of experiment e.
func rowsOf(rows []*Row, e string) []*Row {
	var out []*Row
	for _, r := range rows {
		if r.Experiment == e {
			out = append(out, r)
		}
	}
	return out
}

// firstOf is the first row of dataset ds in rows (an experiment's
// reference there), or nil.
func firstOf(rows []*Row, ds string) *Row {
	for _, r := range rows {
		if r.Dataset == ds {
			return r
		}
	}
	return nil
}

// datasetsOf lists the datasets of rows in order of first appearance.
func datasetsOf(rows []*Row) []string {
	var out []string
	for _, r := range rows {
		if !slices.Contains(out, r.Dataset) {
			out = append(out, r.Dataset)
		}
	}
	return out
}

// writeLengthened writes t: each arm's difference to the reference at the
// shorter budget and here, then the order in a sentence (Orders).
func writeLengthened(b *strings.Builder, t Lengthened) {
	fmt.Fprintf(b, "**Against the shorter budget (%s).** Δ is the arm's test error %% minus its experiment's first arm's: %s here (%s), the shorter experiment's first arm there.\n\n", t.Dataset, t.Ref.Arm, t.Ref.Budget)
	b.WriteString("| arm | at the shorter budget | Δ there | Δ here |\n|---|---|---|---|\n")
	for _, p := range t.Pairs {
		there, here := p.deltas(t.Ref)
		fmt.Fprintf(b, "| %s | %s against %s, %s (%s) | %+.2f (%s) | %+.2f (%s) |\n", p.Here.Arm, ownName(p.There.Arm), ownName(p.ThereRef.Arm), p.There.Budget, p.There.Experiment,
			there, stats.Spread(p.There.TestErr, p.ThereRef.TestErr), here, stats.Spread(p.Here.TestErr, t.Ref.TestErr))
	}
	fmt.Fprintf(b, "\n%s\n\n", t.Orders())
}

// Orders says in a sentence, arm by arm, whether each trails or leads the
// reference at both budgets or changes sides, how the difference moves,
// and what the spread allows here; then whether the shorter budget's
// order holds for every arm.
func (t Lengthened) Orders() string {
	var parts, changed []string
	for _, p := range t.Pairs {
		there, here := p.deltas(t.Ref)
		ref := ownName(t.Ref.Arm)
		var s string
		switch {
		case there > 0 && here > 0:
			s = fmt.Sprintf("%s trails %s at both budgets", p.Here.Arm, ref)
		case there <= 0 && here <= 0:
			s = fmt.Sprintf("%s leads %s at both budgets", p.Here.Arm, ref)
		case there > 0:
			s = fmt.Sprintf("%s trailed %s at the shorter budget and leads it here", p.Here.Arm, ref)
			changed = append(changed, p.Here.Arm)
		default:
			s = fmt.Sprintf("%s led %s at the shorter budget and trails it here", p.Here.Arm, ref)
			changed = append(changed, p.Here.Arm)
		}
		move := "narrows"
		if math.Abs(here) > math.Abs(there) {
			move = "widens"
		}
		s += fmt.Sprintf(" (Δ %+.2f → %+.2f: the difference %s; %s here)", there, here, move, spreadHere(p.Here.TestErr, t.Ref.TestErr))
		parts = append(parts, s)
	}
	verdict := "So the order of the means at the shorter budget holds for every arm here."
	if len(changed) > 0 {
		verdict = fmt.Sprintf("So the order changes with the budget for %s.", andList(changed))
	}
	return fmt.Sprintf("**The order at both budgets:** %s. %s", strings.Join(parts, "; "), verdict)
}

// spreadHere words stats.Spread for the sentence, naming the seeds when
// a side has two (stats.Few).
func spreadHere(s, ref stats.Stat) string {
	spread := "the seeds' spread"
	if few := stats.Few(s, ref); few != "" {
		spread = "the spread of " + few
	}
	switch stats.Spread(s, ref) {
	case "beyond":
		return "beyond " + spread
	case "one seed":
		return "one seed on a side"
	}
	return "within " + spread
}
