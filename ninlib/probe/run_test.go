package probe

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
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

// TestProbeSourceArmsAndMissingCheckpoints: "source_arms" limits a probe
// to those arms of its source, and a source run whose checkpoints are not
// on this machine is skipped with a line saying so, or fails the probe
// when no run is left to probe.
func TestProbeSourceArmsAndMissingCheckpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three tiny runs on MNIST")
	}
	exps, res := t.TempDir(), t.TempDir()
	for name, text := range map[string]string{
		"src":  "datasets = mnist\nseeds = 1, 2\nsubset = 64\nvalidation = 64\ntest_subset = 64\nepochs = 1\nwidth = 0.25\narm a: model=nin\narm b: model=nin; lr=0.002\n",
		"maps": "kind = confidence-maps\nsource = src\nsource_arms = b\ndatasets = mnist\nimages = 1\n",
	} {
		if err := os.WriteFile(filepath.Join(exps, name+".set"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := plan.Load(exps, "src")
	if err != nil {
		t.Fatal(err)
	}
	if err := src.FilterArms([]string{"b"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := plan.Train(ctx, src, plan.RunOptions{ResultsDir: res, Log: io.Discard, Progress: "none"}); err != nil {
		t.Fatal(err)
	}
	if src, err = plan.Load(exps, "src"); err != nil {
		t.Fatal(err)
	}
	if err := src.FilterArms([]string{"a"}); err != nil {
		t.Fatal(err)
	}
	src.Seeds = []uint64{1}
	if _, err := plan.Train(ctx, src, plan.RunOptions{ResultsDir: res, Log: io.Discard, Progress: "none"}); err != nil {
		t.Fatal(err)
	}
	// Seed 2 of arm b trained elsewhere: its record came without checkpoints.
	recs, _ := runs.ReadAll(res)
	var gone string
	for _, r := range recs {
		if r.Summary.Arm == "b" && r.Summary.Seed == 2 {
			gone = r.Summary.ID
			if err := os.RemoveAll(filepath.Join(r.Dir, runs.CheckpointsDir)); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, err := plan.Load(exps, "maps")
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if err := Run(ctx, p, plan.RunOptions{ResultsDir: res, Log: &log}); err != nil {
		t.Fatal(err)
	}
	recs, _ = runs.ReadAll(res)
	var probed []string
	for _, r := range recs {
		if r.Summary.Experiment == "maps" {
			probed = append(probed, r.Summary.Arm+" s"+strconv.FormatUint(r.Summary.Seed, 10))
			// The peaks are measured over the 64 test images there are.
			if p := r.Summary.Probe; p.PeakImages != 64 || p.PeakOnObject < 0 || p.PeakOnObject > 1 || p.OtherPeakOnObject < 0 || p.OtherPeakOnObject > 1 || p.ObjectCover <= 0 || p.ObjectCover >= 1 {
				t.Errorf("maps of %s: peaks over %d images, on the object %v (other classes %v), object cover %v", r.Summary.Arm, p.PeakImages, p.PeakOnObject, p.OtherPeakOnObject, p.ObjectCover)
			}
		}
	}
	if strings.Join(probed, ",") != "b s1" {
		t.Errorf("probed %v, want only b s1 (arm a is not among source_arms, b s2 has no checkpoints)", probed)
	}
	if want := "maps of " + gone + ": skipped, its best checkpoint is not here"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
	// Again: b s1 is done, and b s2 is all that is left, without
	// checkpoints: said, not an error (this probe has done what it can).
	log.Reset()
	if err := Run(ctx, p, plan.RunOptions{ResultsDir: res, Log: &log}); err != nil || !strings.Contains(log.String(), "1 source run has no checkpoints here ("+gone+")") {
		t.Errorf("probe with only a run without checkpoints left: %v\n%s", err, log.String())
	}
	// A probe that can probe none of its runs fails, naming them.
	if err := os.WriteFile(filepath.Join(exps, "maps2.set"), []byte("kind = confidence-maps\nsource = src\nsource_arms = b\ndatasets = mnist\nimages = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Summary.Arm == "b" {
			if err := os.RemoveAll(filepath.Join(r.Dir, runs.CheckpointsDir)); err != nil {
				t.Fatal(err)
			}
		}
	}
	p2, err := plan.Load(exps, "maps2")
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, p2, plan.RunOptions{ResultsDir: res, Log: io.Discard}); err == nil || !strings.Contains(err.Error(), "probe maps2: 2 source runs have no checkpoints here") {
		t.Errorf("probe of runs none of which has checkpoints: %v", err)
	}
}
