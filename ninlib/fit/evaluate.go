package fit

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/runs"
)

// BestDir is where the checkpoint chosen by validation accuracy is kept.
func BestDir(runDir string) string {
	return filepath.Join(runDir, runs.CheckpointsDir, runs.BestDir)
}

// Evaluate returns the mean loss and accuracy of c's model with the
// weights in store over ds (dropout off, batch norm in inference mode),
// summing per-batch loss and correct counts in Go so that every example,
// including those of a last partial batch, weighs the same. It stops with
// ErrInterrupted between two batches once ctx is cancelled.
//
// It compiles a fresh graph over a clone of the store on every call: on the
// Go backend of GoMLX v0.28.16 / compute v0.1.14, an executable that only
// reads variables which another executable (the training step) updates
// returns stale values from its previous call, and can make the training
// step lose an update (reproduced in TestEvalSeesCurrentWeights). Cloning
// keeps the training buffers out of the evaluation graph entirely.
func Evaluate(ctx context.Context, c *config.Config, be compute.Backend, store *model.Store, ds train.Dataset) (meanLoss, acc float64, err error) {
	a, err := c.Spec.Arch()
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
	opts := c.Spec
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
		if err := Interrupted(ctx); err != nil {
			return 0, 0, err
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
func TestBest(ctx context.Context, c *config.Config, be compute.Backend, runDir string, test *datasets.Set) (float64, error) {
	store, err := LoadBest(runDir)
	if err != nil {
		return 0, err
	}
	return Accuracy(ctx, c, be, store, test)
}

// Accuracy evaluates the model of c with the weights in store on s.
func Accuracy(ctx context.Context, c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set) (float64, error) {
	if err := c.Spec.CheckInput(s.H, s.W, s.C); err != nil {
		return 0, err
	}
	_, acc, err := Evaluate(ctx, c, be, store, datasets.NewBatches("test", s, c.EvalBatchSize))
	return acc, err
}
