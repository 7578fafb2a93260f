package fit

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ninbench/nin/ninlib/runs"
)

// TestFullDisk trains on a real 4 MiB tmpfs and fills it just before the
// second epoch's checkpoint is written: the run must end "failed" with a
// message naming the cause, leave no checkpoint newer than the committed
// epoch 1, and, once space is freed, resume to exactly the metrics of an
// uninterrupted run. It needs root (mount); elsewhere it is skipped.
func TestFullDisk(t *testing.T) {
	mnt, err := os.MkdirTemp("", "nin-full-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		os.Remove(mnt)
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
		os.Remove(mnt)
	})
	_, refDir := trainToy(t, t.TempDir(), 2, TrainOptions{})
	want, _ := runs.ReadMetrics(refDir)

	filler := filepath.Join(mnt, "filler")
	fill := func(dir, point string, epoch, _ int) {
		if point == "before-checkpoint" && epoch == 2 {
			f, _ := os.Create(filler)
			buf := make([]byte, 64<<10)
			for {
				if _, err := f.Write(buf); err != nil {
					break // ENOSPC: the disk is full
				}
			}
			f.Close()
		}
	}
	sum, dir := trainToy(t, mnt, 2, TrainOptions{Fault: fill})
	if sum.Status != runs.StatusFailed || !strings.Contains(sum.Error, "checkpoint") || !errors.Is(unwrapErrno(sum.Error), syscall.ENOSPC) {
		t.Errorf("run on a full disk: status %s, error %q; want failed with the checkpoint's no-space error", sum.Status, sum.Error)
	}
	var onDisk runs.Summary
	if err := runs.ReadJSON(filepath.Join(dir, runs.SummaryFile), &onDisk); err != nil || onDisk.Status != runs.StatusFailed {
		t.Fatalf("summary.json on the full disk: %+v, %v", onDisk, err)
	}
	var st runs.State
	if err := runs.ReadJSON(filepath.Join(dir, runs.StateFile), &st); err != nil || st.EpochsDone != 1 {
		t.Fatalf("state.json: %+v, %v", st, err)
	}
	ckpts, _ := filepath.Glob(filepath.Join(dir, runs.CheckpointsDir, "checkpoint-*"))
	for _, c := range ckpts {
		if !strings.Contains(c, st.Checkpoint) {
			t.Errorf("a checkpoint other than the committed one was left: %s", c)
		}
	}
	os.Remove(filler)
	res, err := resume(t, dir, "")
	if err != nil || res.Status != runs.StatusCompleted {
		t.Fatalf("resume after freeing space: %v", err)
	}
	got, _ := runs.ReadMetrics(dir)
	sameRows(t, got, want)
}

// unwrapErrno maps an error message to the errno it names (for messages
// stored in summary.json).
func unwrapErrno(msg string) error {
	if strings.Contains(msg, syscall.ENOSPC.Error()) {
		return syscall.ENOSPC
	}
	return fmt.Errorf("%s", msg)
}
