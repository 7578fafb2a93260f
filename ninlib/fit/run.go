package fit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/metric"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/gomlx/gomlx/ui/commandline"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/runs"
)

// ErrDiverged is returned (wrapped) when the loss becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged: the loss became NaN or infinite")

// ErrInterrupted is returned (wrapped) when the context is cancelled.
var ErrInterrupted = errors.New("training interrupted")

// Options control how Train runs, not what it computes.
type Options struct {
	// ResultsDir holds runs/<id>/ (default "results").
	ResultsDir string
	// Resume, if set, is a run directory to continue from its last
	// checkpoint; the configuration is read from its config.json.
	Resume string
	// Command is the command line recorded in config.json.
	Command string
	// Log receives progress lines (default os.Stdout).
	Log io.Writer
	// Progress is "auto" (a bar on terminals and notebooks, lines
	// otherwise), "bar", "lines" or "none".
	Progress string
	// Backend, if not nil, is used instead of opening c.Backend (notebooks
	// and tests reuse one).
	Backend compute.Backend
	// Data, if not nil, is used instead of loading c's dataset.
	Data *datasets.Prepared
	// StopAfterEpochs, if > 0, stops (as interrupted) after that many
	// epochs of this invocation: for tests of resume.
	StopAfterEpochs int
	// KeepCheckpoints keeps the checkpoints after a completed run (by
	// default only the best one is kept, for probes).
	KeepCheckpoints bool
}

// state is state.json: what a resumed run needs, written after every
// epoch as the commit point of that epoch.
type state struct {
	EpochsDone     int       `json:"epochs_done"`
	Step           int64     `json:"step"`
	Checkpoint     string    `json:"checkpoint"`
	BestEpoch      int       `json:"best_epoch"`
	BestValAcc     float64   `json:"best_val_acc"`
	BestCheckpoint string    `json:"best_checkpoint"`
	Schedule       *Schedule `json:"schedule"`
	Elapsed        float64   `json:"elapsed_seconds"`
	Start          time.Time `json:"start"`
}

// BestDir is where the checkpoint chosen by validation accuracy is kept.
func BestDir(runDir string) string {
	return filepath.Join(runDir, runs.CheckpointsDir, checkpoint.BackupDir)
}

// RunID makes the directory name of a new run.
func RunID(c *Config, t time.Time) string {
	arm := c.Arm
	if arm == "" {
		arm = c.Variant
	}
	return fmt.Sprintf("%s.%s.%s.s%d.%s", c.Experiment, arm, c.Setup.Name, c.Seed, t.UTC().Format("20060102T150405.000"))
}

// Train runs one training run end to end and writes its record. It returns
// the summary (also written to summary.json) and an error wrapping
// ErrDiverged or ErrInterrupted when the run stopped early; the record is
// complete in every case.
func Train(ctx context.Context, c Config, o Options) (*runs.Summary, error) {
	if o.Log == nil {
		o.Log = os.Stdout
	}
	if o.ResultsDir == "" {
		o.ResultsDir = "results"
	}
	logf := func(format string, args ...any) { fmt.Fprintf(o.Log, format+"\n", args...) }

	// The run directory and its state.
	var dir string
	st := &state{}
	var rows []runs.Epoch
	if o.Resume != "" {
		dir = o.Resume
		var saved Config
		if err := runs.ReadJSON(filepath.Join(dir, runs.ConfigFile), &saved); err != nil {
			return nil, fmt.Errorf("resume %s: %w", dir, err)
		}
		if c.Epochs > saved.Epochs { // the only setting a resume may change
			saved.Epochs = c.Epochs
		}
		c = saved
		if err := runs.ReadJSON(filepath.Join(dir, runs.StateFile), st); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("resume %s: %w", dir, err)
		}
		var err error
		if rows, err = runs.ReadMetrics(dir); err != nil {
			return nil, fmt.Errorf("resume %s: %w", dir, err)
		}
		// Rows written after the last committed epoch are dropped: they
		// will be computed again, identically.
		if len(rows) > st.EpochsDone {
			rows = rows[:st.EpochsDone]
		}
		if err := pruneCheckpoints(dir, st); err != nil {
			return nil, err
		}
		logf("resuming %s after epoch %d of %d", dir, st.EpochsDone, c.Epochs)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// The backend and the data are opened before anything is written, so a
	// missing plugin or dataset leaves no record behind.
	be := o.Backend
	if be == nil {
		var err error
		if be, err = backend.Open(c.Backend); err != nil {
			return nil, err
		}
	}
	data := o.Data
	if data == nil {
		var err error
		if data, err = datasets.Prepare(c.Setup); err != nil {
			return nil, err
		}
	}
	if o.Resume == "" {
		dir = filepath.Join(o.ResultsDir, "runs", RunID(&c, time.Now()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create run directory: %w (is %s writable?)", err, o.ResultsDir)
		}
		st.Start = time.Now().UTC()
		st.Schedule = NewSchedule(&c)
		st.BestValAcc = -1
		rec := struct {
			Config
			Command string `json:"command"`
		}{c, o.Command}
		if err := runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), rec); err != nil {
			return nil, err
		}
	}
	if st.Schedule == nil { // resumed before its first epoch was committed
		st.Schedule = NewSchedule(&c)
		st.BestValAcc = -1
	}
	if st.Start.IsZero() {
		st.Start = time.Now().UTC()
	}
	st.Schedule.Epochs = c.Epochs

	// Everything the summary needs, even if the run fails early.
	summ, err := Summarize(&c)
	if err != nil {
		return nil, err
	}
	sum := &runs.Summary{
		ID: filepath.Base(dir), Experiment: c.Experiment, Arm: armOf(&c), Dataset: c.Setup.Name, Variant: c.Variant,
		Seed: c.Seed, Status: runs.StatusRunning, Params: summ.Params, MACs: summ.MACs, Start: st.Start,
		Command: o.Command, Env: Environment(c.Backend, be),
	}
	sum.Env.Formulation = nin.Formulation(c.Options, be)
	t0 := time.Now()
	finish := func(status string, runErr error) (*runs.Summary, error) {
		sum.Status = status
		if runErr != nil {
			sum.Error = runErr.Error()
		}
		sum.End = time.Now().UTC()
		sum.WallSeconds = st.Elapsed + time.Since(t0).Seconds()
		sum.PeakRSSMB = runs.PeakRSSMB()
		sum.Epochs = st.EpochsDone
		if len(rows) > 0 {
			sum.TrainAcc = rows[len(rows)-1].TrainAcc
		}
		sum.BestEpoch, sum.ValAcc = st.BestEpoch, math.Max(st.BestValAcc, 0)
		sum.ValErr = 1 - sum.ValAcc
		if err := runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), sum); err != nil {
			return sum, errors.Join(runErr, err)
		}
		return sum, runErr
	}
	// A summary marked "running" tells a reader the run has not ended.
	if err := runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), sum); err != nil {
		return nil, err
	}

	if data.Train.H != c.InputH || data.Train.W != c.InputW || data.Train.C != c.InputC || data.Train.Classes != c.Classes {
		return finish(runs.StatusFailed, fmt.Errorf("dataset %s is %dx%dx%d with %d classes but the model is configured for %dx%dx%d with %d (set input_h/input_w/input_c/classes, or let the CLI adapt them)",
			c.Setup.Name, data.Train.H, data.Train.W, data.Train.C, data.Train.Classes, c.InputH, c.InputW, c.InputC, c.Classes))
	}
	logf("run %s\n  %s\n  data %s: %d train, %d validation, %d test; backend %s", dir, nin.Describe(c.Options), c.Setup.Name, data.Train.N, data.Val.N, data.Test.N, sum.Env.BackendDesc)

	store, trainer, err := newTrainer(&c, be)
	if err != nil {
		return finish(runs.StatusFailed, err)
	}
	ckptDir := filepath.Join(dir, runs.CheckpointsDir)
	ckpt, err := checkpoint.Build(store).Dir(ckptDir).Keep(2).Done()
	if err != nil {
		return finish(runs.StatusFailed, fmt.Errorf("checkpoints in %s: %w", ckptDir, err))
	}

	trainDS := datasets.NewBatches("train", data.Train, c.BatchSize)
	trainDS.Shuffle, trainDS.DropLast, trainDS.Seed = true, true, c.Seed
	trainDS.Augment = datasets.Augment{MaxShift: c.Shift, Flip: c.Flip}
	valDS := datasets.NewBatches("validation", data.Val, c.EvalBatchSize)
	if trainDS.NumBatches() == 0 {
		return finish(runs.StatusFailed, fmt.Errorf("batch_size %d is larger than the %d training records", c.BatchSize, data.Train.N))
	}

	loop := train.NewLoop(trainer)
	var lossSum, accSum float64
	var lossN int
	var stepErr error
	loop.OnStep("nin-divergence", 0, func(_ *train.Loop, metrics []*tensors.Tensor) error {
		l := float64(tensors.ToScalar[float32](metrics[0]))
		if !runs.Finite(l) {
			stepErr = fmt.Errorf("%w (batch loss %v at step %d)", ErrDiverged, l, loop.LoopStep)
			return stepErr
		}
		lossSum += l
		accSum += float64(tensors.ToScalar[float32](metrics[2]))
		lossN++
		crashPoint("mid-epoch", st.EpochsDone+1, lossN)
		if ctx.Err() != nil {
			stepErr = fmt.Errorf("%w: %v", ErrInterrupted, context.Cause(ctx))
			return stepErr
		}
		return nil
	})
	attachProgress(loop, o, logf)

	epochsThisCall := 0
	for e := st.EpochsDone; e < c.Epochs; e++ {
		if ctx.Err() != nil {
			return finish(runs.StatusInterrupted, fmt.Errorf("%w: %v", ErrInterrupted, context.Cause(ctx)))
		}
		if o.StopAfterEpochs > 0 && epochsThisCall >= o.StopAfterEpochs {
			return finish(runs.StatusInterrupted, fmt.Errorf("%w: stopped after %d epochs as asked", ErrInterrupted, epochsThisCall))
		}
		lr := st.Schedule.LR(e)
		if err := setLR(store, lr); err != nil {
			return finish(runs.StatusFailed, err)
		}
		trainDS.Epoch = e
		lossSum, accSum, lossN, stepErr = 0, 0, 0, nil
		te := time.Now()
		_, err := runSteps(loop, trainDS, trainDS.NumBatches())
		if err != nil {
			switch {
			case errors.Is(stepErr, ErrDiverged):
				logf("epoch %d: %v", e+1, stepErr)
				return finish(runs.StatusDiverged, stepErr)
			case errors.Is(stepErr, ErrInterrupted):
				return finish(runs.StatusInterrupted, stepErr)
			}
			return finish(runs.StatusFailed, err)
		}
		secs := time.Since(te).Seconds()
		trainAcc := accSum / float64(max(lossN, 1))
		if c.BatchNorm {
			if _, err := norm.UpdateBatchNormAverages(trainer, bnAveragesData(&c, data)); err != nil {
				return finish(runs.StatusFailed, err)
			}
		}
		valLoss, valAcc, err := Evaluate(&c, be, store, valDS)
		if err != nil {
			return finish(runs.StatusFailed, err)
		}
		row := runs.Epoch{Epoch: e + 1, Step: int64((e + 1) * trainDS.NumBatches()), LR: lr, TrainLoss: lossSum / float64(max(lossN, 1)),
			TrainAcc: trainAcc, ValLoss: valLoss, ValAcc: valAcc, Seconds: secs,
			ImagesPerSec: float64(trainDS.NumBatches()*c.BatchSize) / secs}
		rows = append(rows, row)
		logf("epoch %d/%d  lr %.4g  train loss %.4f acc %.4f  val loss %.4f acc %.4f  %.0fs  %.1f img/s",
			e+1, c.Epochs, lr, row.TrainLoss, row.TrainAcc, valLoss, valAcc, secs, row.ImagesPerSec)
		if !runs.Finite(valLoss) || !runs.Finite(row.TrainLoss) {
			st.EpochsDone = e + 1
			_ = runs.WriteMetrics(dir, rows)
			return finish(runs.StatusDiverged, fmt.Errorf("%w (validation loss %v after epoch %d)", ErrDiverged, valLoss, e+1))
		}
		st.Schedule.Observe(valAcc)

		// Commit the epoch: checkpoint, best copy, metrics, then state.json.
		crashPoint("before-checkpoint", e+1, 0)
		crashWritingCheckpoint(ckptDir, e+1)
		if err := ckpt.Save(); err != nil {
			return finish(runs.StatusFailed, fmt.Errorf("saving checkpoint: %w", err))
		}
		latest, err := latestCheckpoint(ckptDir)
		if err != nil {
			return finish(runs.StatusFailed, err)
		}
		if valAcc > st.BestValAcc {
			if err := ckpt.Backup(); err != nil {
				return finish(runs.StatusFailed, fmt.Errorf("keeping best checkpoint: %w", err))
			}
			st.BestEpoch, st.BestValAcc, st.BestCheckpoint = e+1, valAcc, latest
			if err := keepOnly(BestDir(dir), latest); err != nil {
				return finish(runs.StatusFailed, err)
			}
		}
		crashPoint("after-checkpoint", e+1, 0)
		if err := runs.WriteMetrics(dir, rows); err != nil {
			return finish(runs.StatusFailed, err)
		}
		if svg, err := LearningCurves(sum.ID, rows); err == nil {
			_ = runs.WriteFileAtomic(filepath.Join(dir, runs.CurveFile), svg)
		}
		st.EpochsDone, st.Step, st.Checkpoint = e+1, row.Step, latest
		st.Elapsed += time.Since(t0).Seconds()
		t0 = time.Now()
		crashPoint("after-metrics", e+1, 0)
		if err := runs.WriteJSON(filepath.Join(dir, runs.StateFile), st); err != nil {
			return finish(runs.StatusFailed, err)
		}
		epochsThisCall++
	}

	// Test once, on the checkpoint with the best validation accuracy.
	testAcc, err := TestBest(&c, be, dir, data.Test)
	if err != nil {
		return finish(runs.StatusFailed, err)
	}
	sum.TestAcc, sum.TestErr = testAcc, 1-testAcc
	sum.TestOn = fmt.Sprintf("best validation accuracy (epoch %d)", st.BestEpoch)
	logf("test accuracy %.4f (error %.2f%%) on the epoch-%d checkpoint (best validation accuracy %.4f)", testAcc, 100*(1-testAcc), st.BestEpoch, st.BestValAcc)
	if !o.KeepCheckpoints {
		if err := keepOnly(ckptDir, ""); err != nil {
			logf("warning: %v", err)
		}
	}
	return finish(runs.StatusCompleted, nil)
}

func armOf(c *Config) string {
	if c.Arm != "" {
		return c.Arm
	}
	return c.Variant
}

// Environment describes where a run (or a probe) is made: the machine and
// git checkout, the backend and the GoMLX version.
func Environment(backendConfig string, be compute.Backend) runs.Environment {
	e := runs.Probe(".")
	info := backend.Describe(backendConfig, be)
	e.Backend, e.BackendDesc = info.Config, info.Description
	e.GoMLX = backend.ModuleVersion("github.com/gomlx/gomlx")
	return e
}

// Summarize is the model accounting of a config.
func Summarize(c *Config) (*nin.Summary, error) { return nin.Summarize(c.Options) }

// newTrainer creates a store seeded with c.Seed and a GoMLX trainer.
func newTrainer(c *Config, be compute.Backend) (*model.Store, *train.Trainer, error) {
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(int64(c.Seed)); err != nil {
		return nil, nil, err
	}
	trainer, err := trainerFor(c, be, store)
	return store, trainer, err
}

// trainerFor builds the trainer of c's model over store.
func trainerFor(c *Config, be compute.Backend, store *model.Store) (*train.Trainer, error) {
	a, err := c.Options.Arch()
	if err != nil {
		return nil, err
	}
	last := ""
	for _, l := range a.Layers {
		if l.Kind == nin.KindPointwise || l.Kind == nin.KindFC || l.Kind == nin.KindConv {
			last = l.Name
		}
	}
	opt, err := newOptimizer(c, last)
	if err != nil {
		return nil, err
	}
	opts := c.Options
	modelFn := func(scope *model.Scope, images *Node) *Node {
		return nin.Forward(scope.In("model"), images, opts, a).Logits
	}
	trainer := train.NewTrainer(be, store, modelFn, loss.SparseCategoricalCrossEntropyLogits, opt,
		[]metric.Interface{metric.NewBaseMetric("Batch accuracy", "acc", metric.AccuracyMetricType, metric.SparseCategoricalAccuracyGraph, nil)},
		nil)
	return trainer, nil
}

// bnAveragesData is the data over which batch-norm averages are computed
// after each epoch: a seeded 2,000-image subset of the training set.
func bnAveragesData(c *Config, data *datasets.Prepared) train.Dataset {
	return datasets.NewBatches("bn", datasets.Subset(data.Train, 2000, c.Seed), c.EvalBatchSize)
}

// runSteps runs loop.RunSteps, turning graph-building panics into errors.
func runSteps(loop *train.Loop, ds train.Dataset, n int) (metrics []*tensors.Tensor, err error) {
	if e := exceptions.Try(func() { metrics, err = loop.RunSteps(ds, n) }); e != nil {
		return nil, fmt.Errorf("%v", e)
	}
	return metrics, err
}

// Evaluate returns the mean loss and accuracy of c's model with the
// weights in store over ds (dropout off, batch norm in inference mode),
// summing per-batch loss and correct counts in Go so that every example,
// including those of a last partial batch, weighs the same.
//
// It compiles a fresh graph over a clone of the store on every call: on the
// Go backend of GoMLX v0.28.16 / compute v0.1.14, an executable that only
// reads variables which another executable (the training step) updates
// returns stale values from its previous call, and can make the training
// step lose an update (reproduced in TestEvalSeesCurrentWeights). Cloning
// keeps the training buffers out of the evaluation graph entirely.
func Evaluate(c *Config, be compute.Backend, store *model.Store, ds train.Dataset) (meanLoss, acc float64, err error) {
	a, err := c.Options.Arch()
	if err != nil {
		return 0, 0, err
	}
	clone, err := store.Clone()
	if err != nil {
		return 0, 0, fmt.Errorf("evaluation: cloning the weights: %w", err)
	}
	defer clone.Finalize()
	// The clone must not share a lazy checkpoint loader with store (see LoadBest).
	clone.SetLoader(nil)
	opts := c.Options
	exec, err := model.NewExec(be, clone, func(scope *model.Scope, images, labels *Node) []*Node {
		logits := nin.Forward(scope.In("model"), images, opts, a).Logits
		n := float64(images.Shape().Dimensions[0])
		lossSum := MulScalar(ReduceAllMean(loss.SparseCategoricalCrossEntropyLogits([]*Node{labels}, []*Node{logits})), n)
		pred := ArgMax(logits, -1, labels.DType())
		correct := ReduceAllSum(ConvertDType(Equal(pred, Squeeze(labels, -1)), logits.DType()))
		return []*Node{lossSum, correct}
	})
	if err != nil {
		return 0, 0, err
	}
	defer exec.Finalize()
	var lossSum, correct, n float64
	for batch, berr := range ds.Iter() {
		if berr != nil {
			return 0, 0, berr
		}
		var res []*tensors.Tensor
		if e := exceptions.Try(func() { res, err = exec.Exec(batch.Inputs[0], batch.Labels[0]) }); e != nil {
			return 0, 0, fmt.Errorf("evaluation: %v", e)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("evaluation: %w", err)
		}
		lossSum += float64(tensors.ToScalar[float32](res[0]))
		correct += float64(tensors.ToScalar[float32](res[1]))
		n += float64(batch.Inputs[0].Shape().Dimensions[0])
		_ = batch.Finalize()
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("evaluation dataset %q is empty", ds.Name())
	}
	return lossSum / n, correct / n, nil
}

// LoadBest returns a store holding the best-validation weights of a run.
func LoadBest(runDir string) (*model.Store, error) {
	store := model.NewStore()
	// Immediate creates every variable now: a store that loads lazily
	// hands each value out once, so a second graph over a clone of it
	// would silently get freshly initialized weights.
	if _, err := checkpoint.Build(store).Dir(BestDir(runDir)).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("run %s: cannot load its best checkpoint: %w", runDir, err)
	}
	return store, nil
}

// TestBest evaluates the best-validation checkpoint of a run on a test set
// and returns its accuracy.
func TestBest(c *Config, be compute.Backend, runDir string, test *datasets.Set) (float64, error) {
	store, err := LoadBest(runDir)
	if err != nil {
		return 0, err
	}
	return Accuracy(c, be, store, test)
}

// Accuracy evaluates the model of c with the weights in store on s.
func Accuracy(c *Config, be compute.Backend, store *model.Store, s *datasets.Set) (float64, error) {
	if err := c.Options.CheckInput(s.H, s.W, s.C); err != nil {
		return 0, err
	}
	_, acc, err := Evaluate(c, be, store, datasets.NewBatches("test", s, c.EvalBatchSize))
	return acc, err
}

// attachProgress adds GoMLX's progress bar on terminals and in notebooks,
// and plain progress lines every 30 s when output is not a terminal.
func attachProgress(loop *train.Loop, o Options, logf func(string, ...any)) {
	mode := o.Progress
	if mode == "" || mode == "auto" {
		mode = "lines"
		if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && o.Log == os.Stdout {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		commandline.AttachProgressBar(loop)
	case "lines":
		var last time.Time
		var start time.Time
		loop.OnStart("nin-lines", 0, func(l *train.Loop, _ train.Dataset) error {
			start, last = time.Now(), time.Now()
			return nil
		})
		loop.OnStep("nin-lines", 1, func(l *train.Loop, metrics []*tensors.Tensor) error {
			if time.Since(last) < 30*time.Second {
				return nil
			}
			last = time.Now()
			done := l.LoopStep - l.StartStep + 1
			total := l.EndStep - l.StartStep
			el := time.Since(start)
			eta := time.Duration(float64(el) / float64(done) * float64(total-done))
			logf("  step %d/%d  loss %.4f  %.1f steps/s  ETA %s", done, total,
				tensors.ToScalar[float32](metrics[0]), float64(done)/el.Seconds(), eta.Round(time.Second))
			return nil
		})
	}
}

// latestCheckpoint returns the base name of the newest checkpoint in dir.
func latestCheckpoint(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	latest := ""
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "checkpoint-") && strings.HasSuffix(n, checkpoint.JsonNameSuffix) {
			latest = max(latest, strings.TrimSuffix(n, checkpoint.JsonNameSuffix))
		}
	}
	if latest == "" {
		return "", fmt.Errorf("no checkpoint found in %s after saving", dir)
	}
	return latest, nil
}

// removeCheckpoints deletes the checkpoint files in dir for which drop,
// given the file name and its base name (the part before the first '.'),
// returns true.
func removeCheckpoints(dir string, drop func(name, stem string) bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, "checkpoint-") {
			continue
		}
		stem, _, _ := strings.Cut(n, ".")
		if drop(n, stem) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepOnly deletes the checkpoint files in dir other than those of base
// (all of them if base is "").
func keepOnly(dir, base string) error {
	return removeCheckpoints(dir, func(_, stem string) bool { return base == "" || stem != base })
}

// pruneCheckpoints removes checkpoints written after the last committed
// epoch (a crash between a checkpoint and state.json), so that resuming
// loads exactly the committed one.
func pruneCheckpoints(dir string, st *state) error {
	ck := filepath.Join(dir, runs.CheckpointsDir)
	if st.Checkpoint == "" {
		if err := os.RemoveAll(ck); err != nil {
			return err
		}
		return nil
	}
	if err := keepOnlyUpTo(ck, st.Checkpoint); err != nil {
		return err
	}
	if st.BestCheckpoint != "" {
		return keepOnly(BestDir(dir), st.BestCheckpoint)
	}
	return nil
}

// keepOnlyUpTo deletes checkpoint files in dir newer than base (written
// after the last committed epoch).
func keepOnlyUpTo(dir, base string) error {
	return removeCheckpoints(dir, func(name, stem string) bool { return stem > base || strings.Contains(name, ".tmp") })
}
