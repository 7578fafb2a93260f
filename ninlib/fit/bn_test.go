package fit

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"github.com/ninbench/nin/ninlib/runs"
)

// TestBatchNormAveragesAreCurrent guards batch norm against the Go
// backend's stale reads (see TestEvalSeesCurrentWeights): after each epoch
// the moving averages are recomputed by an executable that reads weights
// another executable updates. After the last epoch they must equal the
// averages a fresh store and a fresh executable compute from the same
// weights and images; stale weights would make them differ.
func TestBatchNormAveragesAreCurrent(t *testing.T) {
	b := goBackend(t)
	c := toyConfig()
	c.BatchNorm, c.Dropout = true, 0
	data := toyPrepared()
	res := t.TempDir()
	sum, err := Train(context.Background(), c, TrainOptions{ResultsDir: res, Log: io.Discard, Progress: "none", Backend: b, Data: data}) // a completed run keeps its last checkpoint
	if err != nil {
		t.Fatal(err)
	}
	load := func() *model.Store {
		s := model.NewStore()
		if _, err := checkpoint.Build(s).Dir(filepath.Join(res, "runs", sum.ID, runs.CheckpointsDir)).Immediate().Done(); err != nil {
			t.Fatal(err)
		}
		return s
	}
	trained, fresh := load(), load() // the last epoch's checkpoint, twice
	tr, err := trainerFor(&c, b, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := norm.UpdateBatchNormAverages(tr, bnAveragesData(&c, data)); err != nil {
		t.Fatal(err)
	}
	n, maxDiff, maxAbs := 0, 0.0, 0.0
	for v := range trained.IterVariables() {
		if !strings.Contains(v.Scope(), "batch_normalization") || (v.Name() != "mean" && v.Name() != "variance") {
			continue
		}
		w := fresh.GetVariable(v.Path())
		if w == nil {
			t.Fatalf("%s missing from the fresh store", v.Path())
		}
		a, _ := v.Value()
		bb, _ := w.Value()
		av, bv := tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](bb)
		for i := range av {
			maxDiff = math.Max(maxDiff, math.Abs(float64(av[i]-bv[i])))
			maxAbs = math.Max(maxAbs, math.Abs(float64(bv[i])))
		}
		n++
	}
	if n == 0 || maxAbs == 0 {
		t.Fatalf("%d batch-norm averages found, largest %g: nothing to compare", n, maxAbs)
	}
	if maxDiff > 1e-4*math.Max(1, maxAbs) {
		t.Errorf("batch-norm averages after training differ from a fresh computation by %g (largest value %g): stale weights?", maxDiff, maxAbs)
	}
}
