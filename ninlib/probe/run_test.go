package probe

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
)

// TestProbeAnalysesOnlyCurrentRuns trains one tiny run with its experiment
// file's settings and one with an extra -set, then probes: only the run the
// file reproduces is analysed, and a probe whose -set matches no run says
// why it has nothing to do.
func TestProbeAnalysesOnlyCurrentRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny runs on MNIST")
	}
	exps, res := t.TempDir(), t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(exps, name+".set"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("src", "datasets = mnist\nseeds = 1\nsubset = 64\nvalidation = 64\ntest_subset = 64\nepochs = 1\nwidth = 0.25\narm nin: model=nin\n")
	write("shift", "kind = translation\nsource = src\ndatasets = mnist\nshifts = 0, 2\n")
	write("gen", "kind = generalization\nsource = src\ndatasets = mnist\n")
	src, err := plan.Load(exps, "src")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, extra := range []string{"", "lr=0.002"} {
		if _, err := plan.Train(ctx, src, plan.RunOptions{ResultsDir: res, Extra: extra, Log: io.Discard, Progress: "none"}); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := runs.ReadAll(res)
	var current string
	var testAcc float64
	for _, r := range recs {
		if src.Reproduces(r, "") {
			current, testAcc = r.Summary.ID, r.Summary.TestAcc
		}
	}
	if len(recs) != 2 || current == "" {
		t.Fatalf("%d records, current %q", len(recs), current)
	}
	p, shifts := runProbe(t, exps, res, "shift")
	var probed []string
	for _, r := range shifts {
		probed = append(probed, r.Source)
		if _, err := os.Stat(filepath.Join(r.dir, "probe.svg")); err != nil || r.Figure != "probe.svg" {
			t.Errorf("translation record without its curve: %v", err)
		}
	}
	if len(probed) != 1 || probed[0] != current {
		t.Errorf("probed %v, want only %s", probed, current)
	}

	// The generalization probe evaluates the same best checkpoint on the
	// same test set as the run did: the accuracies must be equal.
	_, gens := runProbe(t, exps, res, "gen")
	if len(gens) != 1 {
		t.Fatalf("%d generalization records, want 1", len(gens))
	}
	if g := gens[0]; g.TestAcc != testAcc || g.TrainAcc <= 0 || g.TrainAcc > 1 {
		t.Errorf("generalization probe: test accuracy %v (the run recorded %v), train accuracy %v", g.TestAcc, testAcc, g.TrainAcc)
	}
	err = Run(ctx, p, plan.RunOptions{ResultsDir: res, Extra: "epochs=2", Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("probe with a -set no run was made with: %v", err)
	}
}

// probeRecord is a probe record's result and where it lies.
type probeRecord struct {
	runs.ProbeResult
	dir string
}

// runProbe runs experiment name from exps over the runs in res and returns
// the plan and every record of that experiment.
func runProbe(t *testing.T, exps, res, name string) (*plan.Plan, []probeRecord) {
	t.Helper()
	p, err := plan.Load(exps, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), p, plan.RunOptions{ResultsDir: res, Log: io.Discard}); err != nil {
		t.Fatal(err)
	}
	recs, _ := runs.ReadAll(res)
	var out []probeRecord
	for _, r := range recs {
		if r.Summary.Experiment != name {
			continue
		}
		if !r.Summary.IsProbe() {
			t.Fatalf("%s: a record of probe %s without a probe result", r.Dir, name)
		}
		out = append(out, probeRecord{*r.Summary.Probe, r.Dir})
	}
	return p, out
}
