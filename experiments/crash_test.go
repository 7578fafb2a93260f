package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ninbench/nin/ninlib/runs"
)

// TestCrashAndResume kills a real training run (the CLI binary, real MNIST,
// tiny configuration) with SIGKILL at several points: mid-epoch, just before
// and just after a checkpoint is written, in the middle of writing one, and
// after metrics.csv but before state.json. Each is resumed with -resume and
// must end with exactly the metrics of an uninterrupted run with the same
// seed (training on the Go backend is deterministic), each epoch once, and
// a complete summary.json.
func TestCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and trains 11 tiny runs")
	}
	root, bin := cli(t)
	set := "subset=192;validation=128;test_subset=128;epochs=3;batch_size=32;width=0.25;experiment=crash"
	train := func(results string, env []string, args ...string) (*exec.Cmd, error) {
		cmd := exec.Command(bin, append([]string{"train", "-results", results, "-progress", "none"}, args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil && cmd.ProcessState.ExitCode() != -1 { // -1: killed by a signal
			t.Logf("%s", out)
		}
		return cmd, err
	}
	runDir := func(results string) string {
		dirs, _ := filepath.Glob(filepath.Join(results, "runs", "*"))
		if len(dirs) != 1 {
			t.Fatalf("%d run directories in %s", len(dirs), results)
		}
		return dirs[0]
	}
	// A rejected setting records nothing and leaves the tables alone.
	bad := t.TempDir()
	if _, err := train(bad, nil, "-set", set+";conv_impl=fft"); err == nil {
		t.Fatal("conv_impl=fft was accepted")
	}
	if left, _ := os.ReadDir(bad); len(left) != 0 {
		t.Errorf("a rejected setting left %d entries in the results directory (%s …)", len(left), left[0].Name())
	}
	ref := t.TempDir()
	if _, err := train(ref, nil, "-set", set); err != nil {
		t.Fatalf("reference run: %v", err)
	}
	want, _ := runs.ReadMetrics(runDir(ref))
	var wantSum runs.Summary
	if err := runs.ReadJSON(filepath.Join(runDir(ref), runs.SummaryFile), &wantSum); err != nil || len(want) != 3 {
		t.Fatalf("reference record: %d rows, %v", len(want), err)
	}
	for _, point := range []string{"mid-epoch:1:2", "mid-epoch:2:3", "before-checkpoint:1", "partial-checkpoint:2", "after-checkpoint:2", "after-metrics:1", "after-metrics:3"} {
		t.Run(strings.ReplaceAll(point, ":", "_"), func(t *testing.T) {
			res := t.TempDir()
			cmd, err := train(res, []string{CrashEnv + "=" + point}, "-set", set)
			if err == nil || cmd.ProcessState.ExitCode() != -1 {
				t.Fatalf("run was not killed at %s: %v", point, err)
			}
			dir := runDir(res)
			if _, err := train(res, nil, "-resume", dir); err != nil {
				t.Fatalf("resume: %v", err)
			}
			got, err := runs.ReadMetrics(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d metrics rows after resume, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].Epoch != i+1 || got[i].TrainLoss != want[i].TrainLoss || got[i].ValAcc != want[i].ValAcc || got[i].ValLoss != want[i].ValLoss {
					t.Errorf("epoch %d: %+v, uninterrupted %+v", i+1, got[i], want[i])
				}
			}
			var sum runs.Summary
			b, _ := os.ReadFile(filepath.Join(dir, runs.SummaryFile))
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatalf("summary.json: %v", err)
			}
			if sum.Status != runs.StatusCompleted || sum.TestAcc != wantSum.TestAcc || sum.Epochs != 3 {
				t.Errorf("summary after resume: status %s, test acc %v (uninterrupted %v), epochs %d", sum.Status, sum.TestAcc, wantSum.TestAcc, sum.Epochs)
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}
