package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Files of a run directory that only its writing process uses.
const (
	// ReserveFile holds disk space that Finish frees to write summary.json
	// when the disk is full. Git-ignored.
	ReserveFile = ".reserve"
	// BestDir is the sub-directory of CheckpointsDir holding the checkpoint
	// with the best validation accuracy (GoMLX's checkpoint.BackupDir).
	BestDir = "backup"
	// reserveBytes is far more than summary.json ever needs (about 2 KiB).
	reserveBytes = 64 << 10
)

// State is state.json: what a resumed run needs, written after every
// epoch as that epoch's commit point. Nothing written after it counts.
type State struct {
	EpochsDone int   `json:"epochs_done"`
	Step       int64 `json:"step"`
	// Checkpoint is the base name of the committed checkpoint (the weights
	// and optimizer state after EpochsDone epochs); CheckpointSHA256 holds
	// the sha256 of each of its files, checked before a resume trusts it.
	Checkpoint       string            `json:"checkpoint"`
	CheckpointSHA256 map[string]string `json:"checkpoint_sha256,omitempty"`
	BestEpoch        int               `json:"best_epoch"`
	BestValAcc       float64           `json:"best_val_acc"`
	BestCheckpoint   string            `json:"best_checkpoint"`
	// Schedule is the learning-rate schedule's own state (package fit).
	Schedule json.RawMessage `json:"schedule"`
	Elapsed  float64         `json:"elapsed_seconds"`
	Start    time.Time       `json:"start"`
}

// Checkpointer saves the model's state: GoMLX's checkpoint.Handler. Save
// writes a new checkpoint into the checkpoints directory; Backup links the
// newest one into its BestDir.
type Checkpointer interface {
	Save() error
	Backup() error
}

// FaultHook, when not nil, is called with the run directory at each point
// of the commit protocol ("mid-epoch", "before-checkpoint",
// "after-checkpoint", "after-metrics"); only tests install one, to kill the
// process or fill the disk there.
type FaultHook func(dir, point string, epoch, step int)

// Writer owns a run directory for the life of the process training it: it
// holds the directory's lock, commits each epoch in a fixed order
// (checkpoint, best copy, metrics, then state.json) and writes the final
// summary. Only state.json makes an epoch count, so a process killed at
// any point leaves a record that resumes exactly.
type Writer struct {
	Dir   string
	State State
	// Rows are the committed epochs' metrics.
	Rows []Epoch
	// Summary is written by Begin (status running) and Finish.
	Summary Summary
	Fault   FaultHook
	lock    *Lock
	t0      time.Time
}

// Create makes the directory of a new run, resultsDir/runs/id, locks it
// and writes config.json.
func Create(resultsDir, id string, config any) (*Writer, error) {
	dir := filepath.Join(resultsDir, "runs", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create run directory: %w (is %s writable?)", err, resultsDir)
	}
	w, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	w.State = State{BestValAcc: -1, Start: time.Now().UTC()}
	if err := WriteJSON(filepath.Join(dir, ConfigFile), config); err != nil {
		w.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	return w, nil
}

// Open locks an existing run directory and reads its committed state:
// metrics rows after the last commit are dropped (they will be computed
// again, identically), checkpoints newer than it are removed, and the
// committed checkpoint must be present and intact, or Open refuses.
func Open(dir string) (*Writer, error) {
	w, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Writer, error) { w.Close(); return nil, err }
	w.State = State{BestValAcc: -1}
	if err := ReadJSON(filepath.Join(dir, StateFile), &w.State); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(fmt.Errorf("resume %s: %w", dir, err))
	}
	if w.Rows, err = ReadMetrics(dir); err != nil {
		return fail(fmt.Errorf("resume %s: %w", dir, err))
	}
	if len(w.Rows) < w.State.EpochsDone {
		return fail(fmt.Errorf("resume %s: state.json commits %d epochs but metrics.csv has %d rows: the record was edited; start a new run", dir, w.State.EpochsDone, len(w.Rows)))
	}
	w.Rows = w.Rows[:w.State.EpochsDone]
	if err := w.discardUncommitted(); err != nil {
		return fail(err)
	}
	if err := w.verifyCommitted(); err != nil {
		return fail(err)
	}
	return w, nil
}

func lockDir(dir string) (*Writer, error) {
	l, err := TryLock(filepath.Join(dir, LockFile))
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("run %s is being trained by another process: %w; wait for it to end or stop it, then resume", dir, err)
	}
	if err != nil {
		return nil, err
	}
	w := &Writer{Dir: dir, lock: l, t0: time.Now()}
	// Space that Finish frees to record a failure on a full disk.
	if err := WriteFileAtomic(filepath.Join(dir, ReserveFile), make([]byte, reserveBytes)); err != nil {
		l.Unlock()
		return nil, err
	}
	return w, nil
}

// Close releases the directory's lock and reserved space.
func (w *Writer) Close() {
	os.Remove(filepath.Join(w.Dir, ReserveFile))
	w.lock.Unlock()
}

// CheckpointDir is the directory GoMLX's checkpoint handler writes into.
func (w *Writer) CheckpointDir() string { return filepath.Join(w.Dir, CheckpointsDir) }

// Begin writes summary.json with status running: a reader sees the run
// has not ended (and, from the lock, whether its process is alive).
func (w *Writer) Begin(s Summary) error {
	s.Status = StatusRunning
	s.Start = w.State.Start
	w.Summary = s
	return WriteJSON(filepath.Join(w.Dir, SummaryFile), s)
}

// CommitEpoch makes one epoch count: it saves a checkpoint (and links it
// as the best one if its validation accuracy is the best yet), writes
// metrics.csv and then state.json, the commit point. schedule is the
// learning-rate schedule's state after the epoch. On any error nothing
// written for this epoch is trusted: its checkpoint files are removed and
// state.json still names the previous epoch.
func (w *Writer) CommitEpoch(row Epoch, schedule any, ck Checkpointer) error {
	if err := w.commit(row, schedule, ck); err != nil {
		if derr := w.discardUncommitted(); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}
	return nil
}

func (w *Writer) commit(row Epoch, schedule any, ck Checkpointer) error {
	e := row.Epoch
	w.fault("before-checkpoint", e, 0)
	if err := ck.Save(); err != nil {
		return fmt.Errorf("saving the epoch-%d checkpoint: %w", e, err)
	}
	latest, err := latestCheckpoint(w.CheckpointDir())
	if err != nil {
		return err
	}
	sums, err := checkpointSums(w.CheckpointDir(), latest)
	if err != nil {
		return fmt.Errorf("checking the epoch-%d checkpoint just written: %w", e, err)
	}
	st := w.State
	if row.ValAcc > st.BestValAcc {
		if err := ck.Backup(); err != nil {
			return fmt.Errorf("keeping the best checkpoint: %w", err)
		}
		st.BestEpoch, st.BestValAcc, st.BestCheckpoint = e, row.ValAcc, latest
	}
	w.fault("after-checkpoint", e, 0)
	rows := append(w.Rows[:len(w.Rows):len(w.Rows)], row)
	if err := WriteMetrics(w.Dir, rows); err != nil {
		return err
	}
	sched, err := json.Marshal(schedule)
	if err != nil {
		return err
	}
	st.EpochsDone, st.Step, st.Checkpoint, st.CheckpointSHA256, st.Schedule = e, row.Step, latest, sums, sched
	st.Elapsed += time.Since(w.t0).Seconds()
	w.fault("after-metrics", e, 0)
	if err := WriteJSON(filepath.Join(w.Dir, StateFile), st); err != nil {
		return err
	}
	w.t0 = time.Now()
	w.State, w.Rows = st, rows
	// The learning curve is a view of metrics.csv: not part of the commit.
	if svg, err := LearningCurves(w.Summary.ID, Curve{Rows: rows}); err == nil {
		_ = WriteFileAtomic(filepath.Join(w.Dir, CurveFile), svg)
	}
	// Only now, with the new best committed, may the old one go.
	return keepOnly(w.bestDir(), st.BestCheckpoint)
}

// RecordUncommitted writes row into metrics.csv without committing it: the
// epoch that made a run diverge, kept for the reader (a diverged run is
// never resumed).
func (w *Writer) RecordUncommitted(row Epoch) error {
	return WriteMetrics(w.Dir, append(w.Rows[:len(w.Rows):len(w.Rows)], row))
}

// Finish writes the final summary.json with status and runErr's message,
// and returns the summary with runErr (joined with any write error). A
// completed run keeps two checkpoints: its last one, from which it can be
// extended, and its best one, which probes load.
func (w *Writer) Finish(status string, runErr error) (*Summary, error) {
	defer w.Close()
	// Free the reserved space first: on a full disk it is what lets the
	// summary below be written.
	os.Remove(filepath.Join(w.Dir, ReserveFile))
	s := &w.Summary
	s.Status = status
	if runErr != nil {
		s.Error = runErr.Error()
	}
	s.End = time.Now().UTC()
	s.WallSeconds = w.State.Elapsed + time.Since(w.t0).Seconds()
	s.PeakRSSMB = PeakRSSMB()
	s.Epochs = w.State.EpochsDone
	if len(w.Rows) > 0 {
		s.TrainAcc = w.Rows[len(w.Rows)-1].TrainAcc
	}
	s.BestEpoch, s.ValAcc = w.State.BestEpoch, math.Max(w.State.BestValAcc, 0)
	s.ValErr = 1 - s.ValAcc
	if status != StatusCompleted {
		s.TestAcc, s.TestErr, s.TestOn = 0, 0, ""
	}
	var errs []error
	if status == StatusCompleted {
		if err := keepOnly(w.CheckpointDir(), w.State.Checkpoint); err != nil {
			errs = append(errs, err)
		}
	}
	if err := WriteJSON(filepath.Join(w.Dir, SummaryFile), s); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(append([]error{runErr}, errs...)...)
}

func (w *Writer) fault(point string, epoch, step int) {
	if w.Fault != nil {
		w.Fault(w.Dir, point, epoch, step)
	}
}

// MidEpoch calls the fault hook after a training step (tests only).
func (w *Writer) MidEpoch(epoch, step int) { w.fault("mid-epoch", epoch, step) }

func (w *Writer) bestDir() string { return filepath.Join(w.CheckpointDir(), BestDir) }
