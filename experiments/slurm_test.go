package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ninbench/nin/ninlib/runs"
)

// slurmUp skips the test unless a Slurm cluster answers (CI starts one with
// scripts/slurm-cluster.sh and exports SLURM_CONF).
func slurmUp(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("no Slurm here (sbatch not found): scripts/slurm-cluster.sh install && start")
	}
	out, err := exec.Command("sinfo", "-h", "-o", "%T").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "idle") && !strings.Contains(string(out), "mix") && !strings.Contains(string(out), "alloc") {
		t.Skipf("no Slurm cluster answers (sinfo: %v %s): sudo scripts/slurm-cluster.sh start, then export SLURM_CONF", err, out)
	}
}

// slurmCLI runs the CLI in root and returns its output, failing the test
// on an error.
func slurmCLI(t *testing.T, root, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

// waitQueue waits until no job of the given names is in Slurm's queue.
func waitQueue(t *testing.T, names ...string) {
	t.Helper()
	deadline := time.Now().Add(6 * time.Minute)
	for time.Now().Before(deadline) {
		out, err := exec.Command("squeue", "-h", "-n", strings.Join(names, ","), "-o", "%i").Output()
		if err == nil && strings.TrimSpace(string(out)) == "" {
			return
		}
		time.Sleep(2 * time.Second)
	}
	t.Fatalf("jobs %v still queued after 6 minutes", names)
}

// recordsByRun maps "arm/dataset/seed" to the records of a results folder.
func recordsByRun(t *testing.T, results string) map[string]runs.Record {
	t.Helper()
	recs, errs := runs.ReadAll(results)
	if len(errs) > 0 {
		t.Fatalf("unreadable records: %v", errs)
	}
	out := map[string]runs.Record{}
	for _, r := range recs {
		s := r.Summary
		out[fmt.Sprintf("%s/%s/%s/%d", s.Experiment, s.Arm, s.Dataset, s.Seed)] = r
	}
	return out
}

// TestSlurm submits experiments through a real Slurm cluster: a named
// experiment (2 arms x 2 seeds) whose records must equal those of the same
// runs made locally, and whose table job must run; a task made to fail,
// which status reports as failed with its log; a task cancelled while it
// trains, which resumes in its own record when the experiment is
// submitted again; and a sweep.
func TestSlurm(t *testing.T) {
	root, bin := cli(t)
	slurmUp(t)
	exps := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(exps, name+".set"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tiny := "datasets = mnist\n" + strings.ReplaceAll(tinySet, ";", "\n") + "\n"
	write("stiny", "claim = two arms, two seeds\nseeds = 1, 2\n"+strings.Replace(tiny, "epochs=2", "epochs=1", 1)+"arm a: model=nin\narm b: model=conv-gap\n")
	write("sbroken", "claim = a task that fails\nseeds = 1\n"+tiny+"arm big: model=nin; batch_size=4096\n")
	write("sslow", "claim = a task cancelled while it trains\nseeds = 1\ndatasets = mnist\nsubset = 3000\nvalidation = 128\ntest_subset = 128\nepochs = 3\nwidth = 0.25\narm a: model=nin\n")

	local, cluster := t.TempDir(), t.TempDir()
	slurmCLI(t, root, bin, "run", "stiny", "-experiments", exps, "-results", local, "-progress", "none")

	// The named experiment, through sbatch; the same records as locally.
	out := slurmCLI(t, root, bin, "submit", "stiny", "-experiments", exps, "-results", cluster, "-time", "10:00")
	if !strings.Contains(out, "submitted 4 runs of stiny") {
		t.Fatalf("submit: %s", out)
	}
	waitQueue(t, "nin-stiny", "nin-stiny-table")
	want, got := recordsByRun(t, local), recordsByRun(t, cluster)
	if len(got) != 4 {
		t.Fatalf("%d records from the cluster, want 4", len(got))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || g.Summary.Status != runs.StatusCompleted || g.Summary.TestAcc != w.Summary.TestAcc {
			t.Errorf("%s: cluster %+v, local test accuracy %v", k, g.Summary, w.Summary.TestAcc)
			continue
		}
		gm, _ := runs.ReadMetrics(g.Dir)
		wm, _ := runs.ReadMetrics(w.Dir)
		if len(gm) != len(wm) || gm[0].TrainLoss != wm[0].TrainLoss || gm[0].ValAcc != wm[0].ValAcc {
			t.Errorf("%s: cluster metrics %+v, local %+v", k, gm, wm)
		}
	}
	if readme, err := os.ReadFile(filepath.Join(cluster, "README.md")); err != nil || !bytes.Contains(readme, []byte("## stiny")) {
		t.Errorf("the table job did not write the tables: %v", err)
	}
	if out := slurmCLI(t, root, bin, "submit", "stiny", "-experiments", exps, "-results", cluster); !strings.Contains(out, "nothing to submit") {
		t.Errorf("a complete experiment submitted again: %s", out)
	}
	if st := slurmCLI(t, root, bin, "status", "stiny", "-results", cluster); !strings.Contains(st, "4 runs: 4 completed") {
		t.Errorf("status of the complete experiment:\n%s", st)
	}

	// A task that fails: status says failed and where its log is.
	slurmCLI(t, root, bin, "submit", "sbroken", "-experiments", exps, "-results", cluster)
	waitQueue(t, "nin-sbroken", "nin-sbroken-table")
	st := slurmCLI(t, root, bin, "status", "sbroken", "-results", cluster)
	if !strings.Contains(st, "failed") || !strings.Contains(st, ".out") {
		t.Errorf("status of a failed task:\n%s", st)
	}

	// A task cancelled once it has committed an epoch resumes in the same
	// record when the experiment is submitted again.
	slurmCLI(t, root, bin, "submit", "sslow", "-experiments", exps, "-results", cluster)
	dir := waitCommitted(t, cluster, "sslow")
	if out, err := exec.Command("scancel", "-n", "nin-sslow").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v %s", err, out)
	}
	waitQueue(t, "nin-sslow")
	if st := slurmCLI(t, root, bin, "status", "sslow", "-results", cluster); !strings.Contains(st, "interrupted") {
		t.Errorf("status after scancel:\n%s", st)
	}
	slurmCLI(t, root, bin, "submit", "sslow", "-experiments", exps, "-results", cluster)
	waitQueue(t, "nin-sslow", "nin-sslow-table")
	var s runs.Summary
	if err := runs.ReadJSON(filepath.Join(dir, runs.SummaryFile), &s); err != nil || s.Status != runs.StatusCompleted || s.Epochs != 3 {
		t.Errorf("the cancelled run after the second submission: %+v, %v", s, err)
	}
	if n, _ := filepath.Glob(filepath.Join(cluster, "runs", "sslow.*")); len(n) != 1 {
		t.Errorf("%d records of sslow, want the one resumed", len(n))
	}

	// A sweep submits the same way.
	out = slurmCLI(t, root, bin, "submit", "-grid", "lr=0.001,0.002", "-name", "ssweep", "-set", strings.Replace(tinySet, "epochs=2", "epochs=1", 1), "-results", cluster)
	if !strings.Contains(out, "submitted 2 runs of ssweep") {
		t.Fatalf("sweep submit: %s", out)
	}
	waitQueue(t, "nin-ssweep", "nin-ssweep-table")
	if st := slurmCLI(t, root, bin, "status", "ssweep", "-results", cluster); !strings.Contains(st, "2 runs: 2 completed") {
		t.Errorf("status of the sweep:\n%s", st)
	}
}

// waitCommitted waits until a record of experiment exp has committed an
// epoch and returns its directory.
func waitCommitted(t *testing.T, results, exp string) string {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		dirs, _ := filepath.Glob(filepath.Join(results, "runs", exp+".*"))
		for _, d := range dirs {
			b, err := os.ReadFile(filepath.Join(d, runs.StateFile))
			var st runs.State
			if err == nil && json.Unmarshal(b, &st) == nil && st.EpochsDone >= 1 {
				return d
			}
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("no record of %s committed an epoch within 4 minutes", exp)
	return ""
}
