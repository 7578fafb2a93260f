package fit

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
)

// trainToy trains the toy configuration with epochs epochs into results
// and returns its summary and run directory.
func trainToy(t *testing.T, results string, epochs int, o TrainOptions) (*runs.Summary, string) {
	t.Helper()
	c := toyConfig()
	c.Epochs = epochs
	o.ResultsDir, o.Log, o.Progress = results, io.Discard, "none"
	if o.Backend == nil {
		o.Backend = goBackend(t)
	}
	if o.Data == nil {
		o.Data = toyPrepared()
	}
	sum, err := Train(context.Background(), c, o)
	if sum == nil {
		t.Fatalf("nothing recorded: %v", err)
	}
	return sum, filepath.Join(results, "runs", sum.ID)
}

// resume resumes dir with settings and returns the summary and error.
func resume(t *testing.T, dir, settings string) (*runs.Summary, error) {
	t.Helper()
	return Train(context.Background(), config.Defaults(), TrainOptions{Resume: dir, ResumeSet: settings, Log: io.Discard, Progress: "none",
		Backend: goBackend(t), Data: toyPrepared(), Command: "resume " + settings})
}

// sameRows fails unless two runs' metrics agree to the bit (timings aside).
func sameRows(t *testing.T, got, want []runs.Epoch) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d metrics rows, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Epoch != w.Epoch || g.Step != w.Step || g.LR != w.LR || g.TrainLoss != w.TrainLoss || g.ValLoss != w.ValLoss || g.ValAcc != w.ValAcc {
			t.Errorf("epoch %d: %+v, want %+v", i+1, g, w)
		}
	}
}

// TestExtendCompletedRun: a completed run extended with epochs=N continues
// from its last weights and optimizer state, so its metrics equal those of
// a run trained for N epochs at once (constant schedule), the step counter
// goes on, and config.json records the change.
func TestExtendCompletedRun(t *testing.T) {
	straight, straightDir := trainToy(t, t.TempDir(), 3, TrainOptions{})
	want, _ := runs.ReadMetrics(straightDir)

	short, dir := trainToy(t, t.TempDir(), 2, TrainOptions{})
	if short.Status != runs.StatusCompleted {
		t.Fatalf("2-epoch run: %s", short.Status)
	}
	ext, err := resume(t, dir, "epochs=3")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := runs.ReadMetrics(dir)
	sameRows(t, got, want)
	if ext.Status != runs.StatusCompleted || ext.Epochs != 3 || ext.TestAcc != straight.TestAcc {
		t.Errorf("extended run: status %s, %d epochs, test acc %v (straight run %v)", ext.Status, ext.Epochs, ext.TestAcc, straight.TestAcc)
	}
	// Not a fresh start: epoch 3's loss is the straight run's, well below epoch 1's.
	if got[2].TrainLoss >= got[0].TrainLoss {
		t.Errorf("epoch 3 training loss %v is not below epoch 1's %v: fresh weights?", got[2].TrainLoss, got[0].TrainLoss)
	}
	rec, err := runs.ReadRunConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Epochs != 3 || len(rec.Amendments) != 1 || rec.Amendments[0].Key != "epochs" || rec.Amendments[0].From != "2" || rec.Amendments[0].To != "3" {
		t.Errorf("config.json after the extension: epochs %d, amendments %+v", rec.Epochs, rec.Amendments)
	}
}

// TestResumeKeepsSavedConfig: a resume trains the saved configuration's
// epochs, whatever configuration the caller passes.
func TestResumeKeepsSavedConfig(t *testing.T) {
	_, dir := trainToy(t, t.TempDir(), 2, TrainOptions{StopAfterEpochs: 1})
	sum, err := resume(t, dir, "") // the caller passes config.Defaults(), 1 epoch
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := runs.ReadRunConfig(dir)
	if sum.Epochs != 2 || rec.Epochs != 2 || len(rec.Amendments) != 0 {
		t.Errorf("resumed a 2-epoch run: %d epochs done, config.json says %d, amendments %v", sum.Epochs, rec.Epochs, rec.Amendments)
	}
}

// TestResumeRefuses: every resume that cannot continue exactly is refused
// with an error naming why, and leaves the record as it was.
func TestResumeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stop     int // StopAfterEpochs of the original 3-epoch run (0: complete)
		mut      func(t *testing.T, dir string)
		settings string
		want     string
	}{
		{"latest checkpoint deleted", 2, func(t *testing.T, dir string) { removeCommitted(t, dir, ".bin") }, "", "missing"},
		{"latest checkpoint's metadata deleted", 2, func(t *testing.T, dir string) { removeCommitted(t, dir, ".json") }, "", "missing"},
		{"latest checkpoint altered", 2, func(t *testing.T, dir string) { alterCommitted(t, dir) }, "", "sha256"},
		{"best checkpoint deleted", 2, func(t *testing.T, dir string) { os.RemoveAll(BestDir(dir)) }, "", "best checkpoint"},
		{"another setting changed", 1, nil, "lr=0.5", "only epochs may change, not lr"},
		{"epochs lowered below those done", 2, nil, "epochs=1", "can only grow"},
		{"complete, nothing to do", 0, nil, "", "nothing to resume"},
		{"unknown setting", 1, nil, "learning_rate=1", "unknown setting"},
		{"held by another process", 1, func(t *testing.T, dir string) {
			l, err := runs.TryLock(filepath.Join(dir, runs.LockFile))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(l.Unlock)
		}, "", "another process"},
		{"diverged", 1, func(t *testing.T, dir string) {
			var s runs.Summary
			runs.ReadJSON(filepath.Join(dir, runs.SummaryFile), &s)
			s.Status = runs.StatusDiverged
			runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), s)
		}, "", "resuming would diverge again"},
		{"a probe's record", 1, func(t *testing.T, dir string) {
			var s runs.Summary
			runs.ReadJSON(filepath.Join(dir, runs.SummaryFile), &s)
			s.Probe = &runs.ProbeResult{Kind: "translation", Source: "src"}
			runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), s)
		}, "", "record of a probe"},
		{"not a run directory", 1, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, runs.ConfigFile)) }, "", "is it a run directory"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			_, dir := trainToy(t, t.TempDir(), 3, TrainOptions{StopAfterEpochs: tc.stop})
			if tc.mut != nil {
				tc.mut(t, dir)
			}
			before, _ := os.ReadFile(filepath.Join(dir, runs.StateFile))
			sum, err := resume(t, dir, tc.settings)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			if sum != nil {
				t.Errorf("a refused resume returned a summary: %+v", sum)
			}
			after, _ := os.ReadFile(filepath.Join(dir, runs.StateFile))
			if string(before) != string(after) {
				t.Errorf("a refused resume changed state.json")
			}
		})
	}
}

// committed returns the path of the committed checkpoint's file with suffix.
func committed(t *testing.T, dir, suffix string) string {
	t.Helper()
	var st runs.State
	if err := runs.ReadJSON(filepath.Join(dir, runs.StateFile), &st); err != nil || st.Checkpoint == "" {
		t.Fatalf("state.json: %+v, %v", st, err)
	}
	return filepath.Join(dir, runs.CheckpointsDir, st.Checkpoint+suffix)
}

func removeCommitted(t *testing.T, dir, suffix string) {
	if err := os.Remove(committed(t, dir, suffix)); err != nil {
		t.Fatal(err)
	}
}

func alterCommitted(t *testing.T, dir string) {
	p := committed(t, dir, ".bin")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x55
	// The best checkpoint may be a hard link to the same file: replace, not write in place.
	os.Remove(p)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInterruptDuringFinalTest: a cancellation during the final test ends
// the run as interrupted without a test figure, and the resume tests the
// same checkpoint to the same accuracy.
func TestInterruptDuringFinalTest(t *testing.T) {
	straight, _ := trainToy(t, t.TempDir(), 2, TrainOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := toyConfig()
	c.Epochs = 2
	results := t.TempDir()
	o := TrainOptions{ResultsDir: results, Log: io.Discard, Progress: "none", Backend: goBackend(t), Data: toyPrepared(),
		OnEpoch: func(r runs.Epoch) {
			if r.Epoch == 2 {
				cancel() // the last epoch is committed: the final test comes next
			}
		}}
	sum, err := Train(ctx, c, o)
	if !errors.Is(err, ErrInterrupted) || sum.Status != runs.StatusInterrupted || sum.TestErr != 0 || sum.Epochs != 2 {
		t.Fatalf("interrupted in the final test: err %v, summary %+v", err, sum)
	}
	var onDisk runs.Summary
	if err := runs.ReadJSON(filepath.Join(results, "runs", sum.ID, runs.SummaryFile), &onDisk); err != nil || onDisk.Status != runs.StatusInterrupted {
		t.Fatalf("summary.json: %+v, %v", onDisk, err)
	}
	res, err := resume(t, filepath.Join(results, "runs", sum.ID), "")
	if err != nil || res.TestAcc != straight.TestAcc {
		t.Errorf("resumed: %v, test acc %v, uninterrupted %v", err, res.TestAcc, straight.TestAcc)
	}
}

// TestRejectedBeforeTrainingLeavesNoRecord: a run that cannot start
// returns an error and leaves no run directory.
func TestRejectedBeforeTrainingLeavesNoRecord(t *testing.T) {
	for _, tc := range []struct {
		name string
		mut  func(c *config.Config)
		want string
	}{
		{"batch larger than the data", func(c *config.Config) { c.BatchSize = 1000 }, "batch_size 1000 is larger than the 256 training records"},
		{"input shape", func(c *config.Config) { c.InputH, c.InputW = 16, 16 }, "is 12x12x1 with 4 classes but the model is configured for 16x16x1"},
		{"classes", func(c *config.Config) { c.Classes = 7 }, "with 4 classes"},
		{"bad value", func(c *config.Config) { c.Factor = 0.5 }, "factor"},
	} {
		c := toyConfig()
		tc.mut(&c)
		results := t.TempDir()
		sum, err := Train(context.Background(), c, TrainOptions{ResultsDir: results, Log: io.Discard, Progress: "none", Backend: goBackend(t), Data: toyPrepared()})
		if err == nil || !strings.Contains(err.Error(), tc.want) || sum != nil {
			t.Errorf("%s: got %v (summary %v), want an error with %q and no record", tc.name, err, sum, tc.want)
		}
		if left, _ := os.ReadDir(results); len(left) != 0 {
			t.Errorf("%s: %d entries left in the results directory", tc.name, len(left))
		}
	}
}

// TestCompletedRunKeepsLastAndBest: a completed run keeps exactly two
// checkpoints, its last (to extend it) and its best (for probes), and its
// state.json names them with their checksums.
func TestCompletedRunKeepsLastAndBest(t *testing.T) {
	_, dir := trainToy(t, t.TempDir(), 3, TrainOptions{})
	var st runs.State
	if err := runs.ReadJSON(filepath.Join(dir, runs.StateFile), &st); err != nil {
		t.Fatal(err)
	}
	last, _ := filepath.Glob(filepath.Join(dir, runs.CheckpointsDir, "checkpoint-*"))
	best, _ := filepath.Glob(filepath.Join(BestDir(dir), "checkpoint-*"))
	if len(last) != 2 || !strings.Contains(last[0], st.Checkpoint) || len(best) != 2 || !strings.Contains(best[0], st.BestCheckpoint) {
		t.Errorf("checkpoints kept: %v and best %v; state names %s and %s", last, best, st.Checkpoint, st.BestCheckpoint)
	}
	if len(st.CheckpointSHA256) != 2 {
		t.Errorf("state.json checksums: %v", st.CheckpointSHA256)
	}
	if _, err := os.Stat(filepath.Join(dir, runs.ReserveFile)); err == nil {
		t.Errorf("%s left after the run ended", runs.ReserveFile)
	}
	if runs.Live(dir) {
		t.Errorf("the run's lock is still held after Train returned")
	}
}
