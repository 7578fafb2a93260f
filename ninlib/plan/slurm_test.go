package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
)

// TestBatchScript compares the batch script of a small array with the
// reviewed one in testdata (regenerate it with -update).
func TestBatchScript(t *testing.T) {
	tasks := []plan.Task{{Index: 0, Arm: "nin", Dataset: "mnist", Seed: 1}, {Index: 1, Arm: "nin-fc", Dataset: "mnist", Seed: 2}}
	o := plan.SlurmOptions{Partition: "gpu", Time: "2:00:00", CPUs: 4, Mem: "8G", GRES: "gpu:1", Account: "lab", QOS: "high", Constraint: "avx512", Lines: []string{"--exclusive"}}
	got := plan.BatchScript("gap-vs-fc", "/shared/results/slurm/bin/experiments-x", "/home/me/nin", "/shared/results/slurm", tasks,
		[]string{"-results", "/shared/results", "-set", "epochs=2;lr=0.01", "-backend", "xla:cuda"}, o)
	golden := filepath.Join("testdata", "gap-vs-fc.sbatch")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("batch script differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", golden, got)
	}
}

// TestSiteFile: a site's defaults fill what the flags leave, and bad lines
// are refused with their line.
func TestSiteFile(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site.conf")
	os.WriteFile(site, []byte("partition = cpu  # comment\ntime = 4:00:00\ncpus = 2\nqos = low\nconstraint = avx2\nsbatch = --exclusive\nsbatch = --nice=10\n"), 0o644)
	o := plan.SlurmOptions{Partition: "gpu", QOS: "high"}
	if err := o.SetSite(site); err != nil {
		t.Fatal(err)
	}
	if o.Partition != "gpu" || o.Time != "4:00:00" || o.CPUs != 2 || o.QOS != "high" || o.Constraint != "avx2" || len(o.Lines) != 2 {
		t.Errorf("site applied: %+v", o)
	}
	for _, bad := range []string{"partition = a\npartition = b\n", "cpus = many\n", "queue = x\n", "time\n"} {
		os.WriteFile(site, []byte(bad), 0o644)
		var o plan.SlurmOptions
		if err := o.SetSite(site); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestStatusFromQueueAndMarkers: runs in the queue are pending or running,
// a task that left a failure marker is failed with its log, a run never
// submitted says so.
func TestStatusFromQueueAndMarkers(t *testing.T) {
	exps, res := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(exps, "e.set"), []byte("claim = c\ndatasets = mnist\nseeds = 1, 2, 3\narm a: model=nin\n"), 0o644)
	p, err := plan.Load(exps, "e")
	if err != nil {
		t.Fatal(err)
	}
	tasks := []plan.Task{{Index: 0, Arm: "a", Dataset: "mnist", Seed: 1, Log: "/r/slurm/e.7_0.out"}, {Index: 1, Arm: "a", Dataset: "mnist", Seed: 2, Log: "/r/slurm/e.7_1.out"}}
	if err := plan.WriteSubmission(res, plan.Submission{Experiment: "e", Submitted: time.Now(), ArrayJob: "7", Tasks: tasks, Experiments: exps}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(res, plan.SlurmDir, "e.7_1.failed"), []byte("exit 1\n"), 0o644)
	st, err := p.Status(res, "", "", plan.ParseQueue("7_0|PENDING\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pending", runs.StatusFailed, "not submitted"}
	for i, s := range st {
		if s.State != want[i] {
			t.Errorf("seed %d: %s, want %s", s.Seed, s.State, want[i])
		}
	}
	if st[1].Where != "/r/slurm/e.7_1.out" {
		t.Errorf("the failed task's log: %q", st[1].Where)
	}
}
