package fit

import (
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/datasets"
)

// TestExecutorsDoNotChangeResults: the Go backend's parallelism settings
// (backend.Effective sets one graph executor per core; GoMLX's default, used
// by the runs recorded before, was 4 here) change the speed of a training
// step, not its result: the losses of several steps agree to the bit, with
// the patches (asked for: auto uses it only with batch norm) and the planes
// formulations.
func TestExecutorsDoNotChangeResults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 10 small models")
	}
	for _, m := range []struct {
		set     string
		h, w, c int
	}{
		{"model=nin;widths=digits;width=0.5;conv_impl=patches", 28, 28, 1},
		{"model=nin;widths=cifar;width=0.25", 32, 32, 3},
	} {
		var want []float32
		for _, config := range []string{"go:num_executors=1", "go:num_executors=2", "go:num_executors=4", "go:num_executors=8,parallelism=8", "go:parallelism=1"} {
			be, err := backend.Open(config)
			if err != nil {
				t.Fatal(err)
			}
			cfg, s := benchSetup(t, m.set, m.h, m.w, m.c, 32)
			_, trainer, err := newTrainer(cfg, be)
			if err != nil {
				t.Fatal(err)
			}
			var losses []float32
			for range 3 {
				for batch := range datasets.NewBatches("steps", s, 32).Iter() {
					out, err := trainer.TrainStep(batch)
					if err != nil {
						t.Fatal(err)
					}
					losses = append(losses, tensors.ToScalar[float32](out[0]))
				}
			}
			if want == nil {
				want = losses
				continue
			}
			for i := range want {
				if losses[i] != want[i] {
					t.Errorf("%s on %s: loss of step %d is %v, with one executor %v", m.set, config, i+1, losses[i], want[i])
				}
			}
		}
	}
}
