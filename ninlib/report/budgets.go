package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ninbench/nin/ninlib/stats"
)

// ByBudget is a budget study's heads side by side on one dataset: from
// the arms HEAD-e<epochs> of an experiment, one line per budget and one
// column per head, the first head (in the experiment file's order) the
// reference the others are compared with at the same budget. It answers
// the budget study's question, which the arm-by-arm table (every arm
// against the first) does not: does the heads' order depend on the
// budget, and where do they cross?
type ByBudget struct {
	Experiment, Dataset string
	Heads               []string
	Epochs              []int // ascending
	cells               map[int]map[string]*Row
}

// Cell is the row of head trained for epochs, or nil if it has none.
func (t ByBudget) Cell(epochs int, head string) *Row { return t.cells[epochs][head] }

// ByBudgets lists the head-to-head tables rows call for: one per
// experiment and dataset in which two heads or more have completed runs
// at a budget they share, and some head at two budgets or more (so a
// single-budget comparison stays in the arm table alone).
func ByBudgets(rows []*Row) []ByBudget {
	type key struct{ exp, ds string }
	var order []key
	tables := map[key]*ByBudget{}
	for _, r := range rows {
		head, epochs, ok := budgetArm(r)
		if !ok || r.TestErr.N == 0 {
			continue
		}
		k := key{r.Experiment, r.Dataset}
		t := tables[k]
		if t == nil {
			t = &ByBudget{Experiment: r.Experiment, Dataset: r.Dataset, cells: map[int]map[string]*Row{}}
			tables[k] = t
			order = append(order, k)
		}
		t.add(head, epochs, r)
	}
	var out []ByBudget
	for _, k := range order {
		if t := tables[k]; t.compares() {
			slices.Sort(t.Epochs)
			out = append(out, *t)
		}
	}
	return out
}

// add places r, the arm of head at e epochs.
func (t *ByBudget) add(head string, e int, r *Row) {
	if !slices.Contains(t.Heads, head) {
		t.Heads = append(t.Heads, head)
	}
	if t.cells[e] == nil {
		t.cells[e] = map[string]*Row{}
		t.Epochs = append(t.Epochs, e)
	}
	t.cells[e][head] = r
}

// compares says whether t has two heads at a shared budget and a head at
// two budgets.
func (t *ByBudget) compares() bool {
	shared, spans := false, false
	for _, h := range t.Heads {
		n := 0
		for _, e := range t.Epochs {
			if t.cells[e][h] != nil {
				n++
			}
		}
		spans = spans || n >= 2
	}
	for _, e := range t.Epochs {
		shared = shared || len(t.cells[e]) >= 2
	}
	return shared && spans
}

// writeByBudget writes t: the heads' test errors at each budget, each
// other head's difference to the first and its spread word, then the
// order of each pair across the budgets (Ordering).
func writeByBudget(b *strings.Builder, t ByBudget) {
	ref := t.Heads[0]
	fmt.Fprintf(b, "**The arms at each budget (%s).** Test error %%; Δ is the arm's error minus %s's at the same budget.\n\n| epochs |", t.Dataset, ref)
	for _, h := range t.Heads {
		fmt.Fprintf(b, " %s |", h)
	}
	for _, h := range t.Heads[1:] {
		fmt.Fprintf(b, " Δ %s | beyond spread |", h)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(t.Heads)+2*(len(t.Heads)-1)) + "\n")
	for _, e := range t.Epochs {
		fmt.Fprintf(b, "| %d |", e)
		for _, h := range t.Heads {
			fmt.Fprintf(b, " %s |", t.stat(e, h).PM())
		}
		for _, h := range t.Heads[1:] {
			d, word := t.delta(e, h)
			fmt.Fprintf(b, " %s | %s |", d, word)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for _, h := range t.Heads[1:] {
		if s := t.Ordering(h); s != "" {
			fmt.Fprintf(b, "%s\n\n", s)
		}
	}
	if s := t.Convergence(); s != "" {
		fmt.Fprintf(b, "%s\n\n", s)
	}
}

// Convergence says how near the largest budget is to where the heads
// level off, and what the heads' order is there: what each step to a
// longer budget bought each head (the drops in its mean test error,
// budget to budget), whether every step bought less than the one before
// for every head, and each other head against the reference at the
// largest budget both were trained for. It is empty unless some head was
// run at three budgets or more (two points say nothing of a trend).
func (t ByBudget) Convergence() string {
	var drops []string
	diminishing, trend := true, false
	for _, h := range t.Heads {
		var at []int
		for _, e := range t.Epochs {
			if t.stat(e, h).N > 0 {
				at = append(at, e)
			}
		}
		if len(at) < 3 {
			continue
		}
		trend = true
		var d []string
		prev := math.Inf(1) // the step before: the first step has none to beat
		for i := 1; i < len(at); i++ {
			step := t.stat(at[i-1], h).Mean - t.stat(at[i], h).Mean
			if step <= 0 || step >= prev {
				diminishing = false
			}
			prev = step
			d = append(d, fmt.Sprintf("%+.2f", -step))
		}
		drops = append(drops, fmt.Sprintf("%s %s points (%s epochs)", h, andList(d), arrowList(at)))
	}
	if !trend {
		return ""
	}
	var s strings.Builder
	fmt.Fprintf(&s, "**Toward convergence (%s):** each arm's mean test error moved, from each budget to the next: %s", t.Dataset, strings.Join(drops, "; "))
	if diminishing {
		s.WriteString(": every longer budget bought each arm less than the step before, so the largest is the nearest to convergence this study comes")
	} else {
		s.WriteString(": the steps do not shrink throughout, so the largest budget is not yet where the arms level off")
	}
	for _, h := range t.Heads[1:] {
		if v := t.atLargest(h); v != "" {
			s.WriteString(". " + v)
		}
	}
	s.WriteString(".")
	return s.String()
}

// atLargest says how head and the reference compare at the largest budget
// both were trained for, with what the spread lets one conclude.
func (t ByBudget) atLargest(head string) string {
	ref := t.Heads[0]
	for i := len(t.Epochs) - 1; i >= 0; i-- {
		e := t.Epochs[i]
		s, r := t.stat(e, head), t.stat(e, ref)
		if s.N == 0 || r.N == 0 {
			continue
		}
		lead, other := head, ref
		if r.Mean <= s.Mean {
			lead, other = ref, head
		}
		what := map[string]string{
			"beyond":        fmt.Sprintf("beyond spread: %s is the better arm there", lead),
			"within spread": "within spread: the arms cannot be told apart there",
			"one seed":      "one seed on a side: no verdict there yet",
		}[stats.Spread(s, r)]
		if few := stats.Few(s, r); few != "" {
			what += " (" + few + ")"
		}
		return fmt.Sprintf("At %d epochs %s's mean is %.2f points below %s's, %s", e, lead, math.Abs(s.Mean-r.Mean), other, what)
	}
	return ""
}

// arrowList writes budgets as "1 → 3 → 8".
func arrowList(budgets []int) string { return strings.Join(epochStrings(budgets), " → ") }

// stat is the test error of head at epochs (N = 0 if not run).
func (t ByBudget) stat(epochs int, head string) stats.Stat {
	if r := t.Cell(epochs, head); r != nil {
		return r.TestErr
	}
	return stats.Stat{}
}

// delta is head's difference to the reference head at epochs, and its
// spread word, saying "2 seeds" when a side has two ("–" for both when
// either was not run).
func (t ByBudget) delta(epochs int, head string) (string, string) {
	s, ref := t.stat(epochs, head), t.stat(epochs, t.Heads[0])
	if s.N == 0 || ref.N == 0 {
		return "–", "–"
	}
	return fmt.Sprintf("%+.2f", s.Mean-ref.Mean), withFew(stats.Spread(s, ref), s, ref)
}

// withFew is the spread word followed by stats.Few's note, if any:
// "beyond, 2 seeds".
func withFew(word string, s, ref stats.Stat) string {
	if few := stats.Few(s, ref); few != "" {
		return word + ", " + few
	}
	return word
}

// Ordering says in a sentence how head and the reference head order
// across the budgets both were run at: which has the lower mean test
// error at each, where the order changes if it does, the spread word at
// each budget, and how the difference moves. It is empty unless they
// share two budgets or more.
func (t ByBudget) Ordering(head string) string {
	ref := t.Heads[0]
	var shared []int
	for _, e := range t.Epochs {
		if t.stat(e, head).N > 0 && t.stat(e, ref).N > 0 {
			shared = append(shared, e)
		}
	}
	if len(shared) < 2 {
		return "" // one budget says nothing of an order across budgets; the table has it
	}
	leader := func(e int) string {
		if t.stat(e, head).Mean < t.stat(e, ref).Mean {
			return head
		}
		return ref
	}
	var s strings.Builder
	var flips []string
	for i := 1; i < len(shared); i++ {
		if a, z := leader(shared[i-1]), leader(shared[i]); a != z {
			flip := fmt.Sprintf("between %d and %d epochs (%s leads at %d, %s at %d", shared[i-1], shared[i], a, shared[i-1], z, shared[i])
			switch stats.Spread(t.stat(shared[i], head), t.stat(shared[i], ref)) {
			case "within spread":
				flip += fmt.Sprintf(", within the seeds' spread at %d: the means swap, the arms do not part", shared[i])
			case "one seed":
				flip += fmt.Sprintf(", one seed on a side at %d", shared[i])
			}
			flips = append(flips, flip+")")
		}
	}
	if len(flips) == 0 {
		fmt.Fprintf(&s, "**%s against %s:** %s has the lower mean test error at every budget both were trained for (%s epochs), so the order does not change with the budget here", head, ref, leader(shared[0]), epochList(shared))
	} else {
		fmt.Fprintf(&s, "**%s against %s:** the order of the means changes %s", head, ref, strings.Join(flips, "; "))
	}
	fmt.Fprintf(&s, "; the difference is %s; %s.", t.gaps(shared, head), t.spreads(shared, head))
	return s.String()
}

// gaps lists the absolute differences of head to the reference at each
// of the budgets, in points, saying whether they shrink or grow
// throughout.
func (t ByBudget) gaps(budgets []int, head string) string {
	var parts []string
	var prev float64
	shrinks, grows := true, true
	for i, e := range budgets {
		g := math.Abs(t.stat(e, head).Mean - t.stat(e, t.Heads[0]).Mean)
		if i > 0 {
			shrinks, grows = shrinks && g < prev, grows && g > prev
		}
		prev = g
		parts = append(parts, fmt.Sprintf("%.2f", g))
	}
	trend := "points"
	switch {
	case len(budgets) < 2:
	case shrinks:
		trend = "points, shrinking as the budget grows"
	case grows:
		trend = "points, growing as the budget grows"
	}
	return strings.Join(parts, " → ") + " " + trend
}

// spreads groups the budgets by the spread word of head against the
// reference, noting those where a side has only two seeds (stats.Few):
// "beyond spread at 1 and 3 epochs, within spread at 8 (2 seeds on a side
// at 8)".
func (t ByBudget) spreads(budgets []int, head string) string {
	var words []string
	var fewWord string // stats.Few's note, where some budget has one
	at, few := map[string][]int{}, map[string][]int{}
	for _, e := range budgets {
		s, ref := t.stat(e, head), t.stat(e, t.Heads[0])
		w := stats.Spread(s, ref)
		if _, ok := at[w]; !ok {
			words = append(words, w)
		}
		at[w] = append(at[w], e)
		if f := stats.Few(s, ref); f != "" {
			fewWord = f
			few[w] = append(few[w], e)
		}
	}
	shown := map[string]string{"beyond": "beyond spread", "one seed": "one seed on a side"}
	var parts []string
	for _, w := range words {
		name := w
		if s, ok := shown[w]; ok {
			name = s
		}
		part := fmt.Sprintf("%s at %s epochs", name, epochList(at[w]))
		if len(few[w]) > 0 {
			part += fmt.Sprintf(" (%s on a side at %s)", fewWord, epochList(few[w]))
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// epochList writes budgets as "1, 3 and 8".
func epochList(budgets []int) string { return andList(epochStrings(budgets)) }

// epochStrings is budgets written out, one string each.
func epochStrings(budgets []int) []string {
	s := make([]string, len(budgets))
	for i, e := range budgets {
		s[i] = strconv.Itoa(e)
	}
	return s
}

// andList writes items as "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// glanceRow is t's line in the at-a-glance table: the budgets, the
// reference head's error from the smallest to the largest, and each
// other head's difference to it at every budget with its spread word.
// budget is one of t's rows' budgets ("all the training images × 1
// epoch"), for the images part.
func (t ByBudget) glanceRow(label, budget string) string {
	images, _, _ := strings.Cut(budget, " × ")
	ref, first, last := t.Heads[0], t.Epochs[0], t.Epochs[len(t.Epochs)-1]
	refCell := fmt.Sprintf("%s %s at %s", ref, t.stat(first, ref).PM(), epochsWord(first))
	if last != first {
		refCell += fmt.Sprintf(", %s at %d", t.stat(last, ref).PM(), last)
	}
	var others []string
	for _, h := range t.Heads[1:] {
		var at []string
		for _, e := range t.Epochs {
			if d, word := t.delta(e, h); d != "–" {
				at = append(at, fmt.Sprintf("%s at %d (%s)", d, e, word))
			}
		}
		o := fmt.Sprintf("%s: Δ %s", h, strings.Join(at, ", "))
		if c := t.costAgainstRef(h); c != "" {
			o += "; " + c
		}
		others = append(others, o)
	}
	return fmt.Sprintf("| %s (%s, arm against arm at each budget) | %s | %s × %s epochs | %s | %s |\n", t.Experiment, label, t.Dataset, images, epochList(t.Epochs), refCell, strings.Join(others, "; "))
}

// costAgainstRef is head's cost against the reference head's
// (costRatios) at the largest budget both were run at.
func (t ByBudget) costAgainstRef(head string) string {
	for i := len(t.Epochs) - 1; i >= 0; i-- {
		if r, ref := t.Cell(t.Epochs[i], head), t.Cell(t.Epochs[i], t.Heads[0]); r != nil && ref != nil {
			return costRatios(r, ref)
		}
	}
	return ""
}

// epochsWord is "1 epoch" or "N epochs".
func epochsWord(n int) string {
	if n == 1 {
		return "1 epoch"
	}
	return fmt.Sprintf("%d epochs", n)
}
