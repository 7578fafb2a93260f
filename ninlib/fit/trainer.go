package fit

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
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

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/runs"
)

// trainer trains one run's model an epoch at a time: GoMLX's trainer and
// loop over a store restored from the run's committed checkpoint.
type trainer struct {
	c            *config.Config
	o            TrainOptions
	be           compute.Backend
	store        *model.Store
	loop         *train.Loop
	ckpt         *checkpoint.Handler
	sched        *Schedule
	data         *datasets.Prepared
	batches, val *datasets.Batches

	// Per-epoch sums the step hook fills.
	epoch, steps    int
	lossSum, accSum float64
	stepErr         error
}

// trainEpochs trains from the writer's last committed epoch to c.Epochs,
// committing each epoch through w. It stops with ErrInterrupted within a
// training step or an evaluation batch of ctx's cancellation.
func trainEpochs(ctx context.Context, c *config.Config, o TrainOptions, be compute.Backend, data *datasets.Prepared, w *runs.Writer) error {
	t, err := newEpochTrainer(ctx, c, o, be, data, w)
	if err != nil {
		return err
	}
	for e, n := w.State.EpochsDone, 0; e < c.Epochs; e, n = e+1, n+1 {
		if err := Interrupted(ctx); err != nil {
			return err
		}
		if o.StopAfterEpochs > 0 && n >= o.StopAfterEpochs {
			return fmt.Errorf("%w: stopped after %d epochs as asked", ErrInterrupted, n)
		}
		row, err := t.runEpoch(ctx, e)
		if err != nil {
			return err
		}
		logf(o, "epoch %d/%d  lr %.4g  train loss %.4f acc %.4f  val loss %.4f acc %.4f  %.0fs  %.1f img/s",
			e+1, c.Epochs, row.LR, row.TrainLoss, row.TrainAcc, row.ValLoss, row.ValAcc, row.Seconds, row.ImagesPerSec)
		if !runs.Finite(row.ValLoss) || !runs.Finite(row.TrainLoss) {
			_ = w.RecordUncommitted(row)
			return fmt.Errorf("%w (validation loss %v after epoch %d)", ErrDiverged, row.ValLoss, e+1)
		}
		t.sched.Observe(row.ValAcc)
		if err := w.CommitEpoch(row, t.sched, t.ckpt); err != nil {
			return err
		}
		if o.OnEpoch != nil {
			o.OnEpoch(row)
		}
	}
	return nil
}

// newEpochTrainer builds the model, optimizer, checkpoint handler (which
// restores the committed checkpoint, if any) and batches of a run.
func newEpochTrainer(ctx context.Context, c *config.Config, o TrainOptions, be compute.Backend, data *datasets.Prepared, w *runs.Writer) (*trainer, error) {
	store, gt, err := newTrainer(c, be)
	if err != nil {
		return nil, err
	}
	ckpt, err := checkpoint.Build(store).Dir(w.CheckpointDir()).Keep(2).Done()
	if err != nil {
		return nil, fmt.Errorf("checkpoints in %s: %w", w.CheckpointDir(), err)
	}
	sched := NewSchedule(c)
	if len(w.State.Schedule) > 0 && string(w.State.Schedule) != "null" {
		if err := json.Unmarshal(w.State.Schedule, sched); err != nil {
			return nil, fmt.Errorf("%s: schedule: %w", filepath.Join(w.Dir, runs.StateFile), err)
		}
	}
	sched.Epochs = c.Epochs
	t := &trainer{c: c, o: o, be: be, store: store, ckpt: ckpt, sched: sched, data: data, loop: train.NewLoop(gt)}
	t.batches = datasets.NewBatches("train", data.Train, c.BatchSize)
	t.batches.Shuffle, t.batches.DropLast, t.batches.Seed = true, true, c.Seed
	t.batches.Augment = datasets.Augment{MaxShift: c.Shift, Flip: c.Flip}
	t.val = datasets.NewBatches("validation", data.Val, c.EvalBatchSize)
	t.loop.OnStep("nin-step", 0, func(_ *train.Loop, metrics []*tensors.Tensor) error {
		return t.onStep(ctx, w, metrics)
	})
	attachProgress(t.loop, o)
	return t, nil
}

// onStep checks each training step for divergence and cancellation and
// sums its loss and accuracy.
func (t *trainer) onStep(ctx context.Context, w *runs.Writer, metrics []*tensors.Tensor) error {
	l := float64(tensors.ToScalar[float32](metrics[0]))
	if !runs.Finite(l) {
		t.stepErr = fmt.Errorf("%w (batch loss %v at step %d)", ErrDiverged, l, t.loop.LoopStep)
		return t.stepErr
	}
	acc := float64(tensors.ToScalar[float32](metrics[2]))
	t.lossSum += l
	t.accSum += acc
	t.steps++
	w.MidEpoch(t.epoch+1, t.steps)
	if t.o.OnStep != nil {
		t.o.OnStep(t.epoch+1, t.steps, t.batches.NumBatches(), l, acc)
	}
	if err := Interrupted(ctx); err != nil {
		t.stepErr = err
		return err
	}
	return nil
}

// runEpoch trains epoch e (0-based) and evaluates on the validation split.
func (t *trainer) runEpoch(ctx context.Context, e int) (runs.Epoch, error) {
	c := t.c
	lr := t.sched.LR(e)
	if err := setLR(t.store, lr); err != nil {
		return runs.Epoch{}, err
	}
	t.batches.Epoch, t.epoch = e, e
	t.lossSum, t.accSum, t.steps, t.stepErr = 0, 0, 0, nil
	start := time.Now()
	n := t.batches.NumBatches()
	if _, err := runSteps(t.loop, t.batches, n); err != nil {
		if t.stepErr != nil {
			return runs.Epoch{}, t.stepErr
		}
		return runs.Epoch{}, err
	}
	secs := time.Since(start).Seconds()
	if c.BatchNorm {
		if _, err := norm.UpdateBatchNormAverages(t.loop.Trainer, bnAveragesData(c, t.data)); err != nil {
			return runs.Epoch{}, err
		}
	}
	valLoss, valAcc, err := Evaluate(ctx, c, t.be, t.store, t.val)
	if err != nil {
		return runs.Epoch{}, err
	}
	steps := float64(max(t.steps, 1))
	return runs.Epoch{Epoch: e + 1, Step: int64((e + 1) * n), LR: lr, TrainLoss: t.lossSum / steps, TrainAcc: t.accSum / steps,
		ValLoss: valLoss, ValAcc: valAcc, Seconds: secs, ImagesPerSec: float64(n*c.BatchSize) / secs}, nil
}

// testBest tests the checkpoint with the best validation accuracy once,
// on the test split, and puts the result in the writer's summary.
func testBest(ctx context.Context, c *config.Config, o TrainOptions, be compute.Backend, data *datasets.Prepared, w *runs.Writer) error {
	st := w.State
	logf(o, "testing the epoch-%d checkpoint (best validation accuracy %.4f) on %d images", st.BestEpoch, st.BestValAcc, data.Test.N)
	acc, err := TestBest(ctx, c, be, w.Dir, data.Test)
	if err != nil {
		return err
	}
	s := &w.Summary
	s.TestAcc, s.TestErr = acc, 1-acc
	s.TestOn = fmt.Sprintf("best validation accuracy (epoch %d)", st.BestEpoch)
	logf(o, "test accuracy %.4f (error %.2f%%)", acc, 100*(1-acc))
	return nil
}

// newTrainer creates a store seeded with c.Seed and a GoMLX trainer.
func newTrainer(c *config.Config, be compute.Backend) (*model.Store, *train.Trainer, error) {
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(int64(c.Seed)); err != nil {
		return nil, nil, err
	}
	trainer, err := trainerFor(c, be, store)
	return store, trainer, err
}

// trainerFor builds the trainer of c's model over store.
func trainerFor(c *config.Config, be compute.Backend, store *model.Store) (*train.Trainer, error) {
	a, err := c.Spec.Arch()
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
	opts := c.Spec
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
func bnAveragesData(c *config.Config, data *datasets.Prepared) train.Dataset {
	return datasets.NewBatches("bn", datasets.Subset(data.Train, 2000, c.Seed), c.EvalBatchSize)
}

// runSteps runs loop.RunSteps, turning graph-building panics into errors.
func runSteps(loop *train.Loop, ds train.Dataset, n int) (metrics []*tensors.Tensor, err error) {
	if e := exceptions.Try(func() { metrics, err = loop.RunSteps(ds, n) }); e != nil {
		return nil, fmt.Errorf("%v", e)
	}
	return metrics, err
}
