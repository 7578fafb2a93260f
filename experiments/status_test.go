package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
)

// TestWriteStatus: the columns line up whatever the labels' lengths, each
// run not completed says its time left (or that it has no estimate), and
// the last line adds them up.
func TestWriteStatus(t *testing.T) {
	task := func(arm string) plan.Task { return plan.Task{Arm: arm, Dataset: "mnist", Seed: 1} }
	for _, tc := range []struct {
		name string
		st   []plan.RunStatus
		want []string
		not  []string
	}{
		{"all completed", []plan.RunStatus{{Task: task("nin"), State: runs.StatusCompleted, Where: "runs/x"}},
			[]string{"1 runs: 1 completed"}, []string{"time left:", "no estimate"}},
		{"two left, one without an estimate", []plan.RunStatus{
			{Task: task("bneck-quarter-e20"), State: runs.StatusCompleted, Where: "runs/x"},
			{Task: task("conv-gap-e20"), State: "not submitted", Expected: plan.Expectation{Time: 34 * time.Minute, Runs: 3}},
			{Task: task("nin-e20"), State: runs.StatusInterrupted, Expected: plan.Expectation{Time: 50 * time.Minute, Runs: 1}, Where: "runs/y"},
			{Task: task("new"), State: "not submitted"}},
			[]string{"about 34 min", "about 50 min", "no estimate", "4 runs: 1 completed, 2 not submitted, 1 interrupted", "time left: about 1 h 24 min", "1 of the 3 runs left have no estimate"}, []string{"*"}},
		{"one from another kind of machine", []plan.RunStatus{
			{Task: task("conv-gap-e20"), State: "not submitted", Expected: plan.Expectation{Time: 34 * time.Minute, Runs: 3}},
			{Task: task("nin-e20"), State: "not submitted", Expected: plan.Expectation{Time: 40 * time.Minute, Runs: 2, Elsewhere: "Xeon, 2 cores"}}},
			[]string{"about 34 min\n", "about 40 min*\n", "time left: about 1 h 14 min", "* 1 of the 2 runs left: no run of its model and data on this kind of machine yet", "`run e -dry` says from which"}, []string{"no estimate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			writeStatus(&b, "e", tc.st)
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("unexpected %q in\n%s", w, out)
				}
			}
			lines := strings.Split(out, "\n")
			col := strings.Index(lines[0], "state")
			for _, l := range lines[1 : len(tc.st)+1] {
				if strings.HasSuffix(l, " ") {
					t.Errorf("trailing spaces in %q", l)
				}
				if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
					t.Errorf("state column not at %d in %q", col, l)
				}
			}
		})
	}
}
