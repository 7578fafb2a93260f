package fit

import (
	"fmt"
	"os"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
)

// benchConfigs are the model configurations benchmarked: the full CIFAR
// NIN, its FC ablation, the digit configuration, and narrower widths.
var benchConfigs = []struct {
	name    string
	set     string
	h, w, c int
}{
	{"nin", "model=nin;widths=cifar;width=1", 32, 32, 3},
	{"nin-nosplit", "model=nin;widths=cifar;width=1;split=1", 32, 32, 3}, // the batch as one graph
	{"nin-w0.5", "model=nin;widths=cifar;width=0.5", 32, 32, 3},
	{"nin-w0.25", "model=nin;widths=cifar;width=0.25", 32, 32, 3},
	{"nin-fc", "model=nin-fc;widths=cifar;width=1", 32, 32, 3},
	{"digits", "model=nin;widths=digits;width=1", 28, 28, 1},
	{"digits-w0.5", "model=nin;widths=digits;width=0.5", 28, 28, 1}, // experiments/laptop.conf's model
}

// benchBackend opens $NIN_BENCH_BACKEND (default "go") the way runs do, so
// the benchmarks measure the settings training gets (backend.Effective).
func benchBackend(b *testing.B) compute.Backend {
	cfg := os.Getenv("NIN_BENCH_BACKEND")
	if cfg == "" {
		cfg = "go"
	}
	be, err := backend.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return be
}

func benchSetup(b testing.TB, set string, h, w, c, batch int) (*config.Config, *datasets.Set) {
	cfg := config.Defaults()
	cfg.InputH, cfg.InputW, cfg.InputC, cfg.Classes = h, w, c, 10
	// NIN_BENCH_SET overrides options of every configuration, to compare
	// formulations: NIN_BENCH_SET="conv_impl=patches;split=4".
	// The paper's layers (no batch norm), as the PyTorch peer trains them.
	if err := cfg.Set(set + ";init=he;batch_norm=false;" + os.Getenv("NIN_BENCH_SET")); err != nil {
		b.Fatal(err)
	}
	s := &datasets.Set{N: batch, H: h, W: w, C: c, Classes: 10, X: make([]float32, batch*h*w*c), Labels: make([]int32, batch)}
	for i := range s.X {
		s.X[i] = float32(i%17) / 17
	}
	for i := range s.Labels {
		s.Labels[i] = int32(i % 10)
	}
	return &cfg, s
}

func reportRates(b *testing.B, cfg *config.Config, batch int, factor float64) {
	sum, err := nin.Account(cfg.Spec)
	if err != nil {
		b.Fatal(err)
	}
	imgs := float64(b.N*batch) / b.Elapsed().Seconds()
	b.ReportMetric(imgs, "img/s")
	// Training costs about 3x the forward pass (forward, input and weight gradients).
	b.ReportMetric(imgs*float64(sum.FLOPs())*factor/1e9, "GFLOP/s")
}

// BenchmarkTrainStep measures one SGD step (forward, backward, update).
func BenchmarkTrainStep(b *testing.B) {
	be := benchBackend(b)
	for _, bc := range benchConfigs {
		for _, batch := range []int{32, 128} {
			b.Run(fmt.Sprintf("%s/b%d", bc.name, batch), func(b *testing.B) {
				cfg, s := benchSetup(b, bc.set, bc.h, bc.w, bc.c, batch)
				_, trainer, err := newTrainer(cfg, be)
				if err != nil {
					b.Fatal(err)
				}
				ds := datasets.NewBatches("bench", s, batch)
				step := func() {
					for batch := range ds.Iter() {
						if _, err := trainer.TrainStep(batch); err != nil {
							b.Fatal(err)
						}
					}
				}
				// Compile, then let the heap reach its steady size: the first
				// steps fault in fresh memory, which later steps reuse.
				step()
				step()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					step()
				}
				reportRates(b, cfg, batch, 3)
			})
		}
	}
}

// BenchmarkInference measures one forward pass (evaluation mode).
func BenchmarkInference(b *testing.B) {
	be := benchBackend(b)
	for _, bc := range benchConfigs {
		for _, batch := range []int{32, 128} {
			b.Run(fmt.Sprintf("%s/b%d", bc.name, batch), func(b *testing.B) {
				cfg, s := benchSetup(b, bc.set, bc.h, bc.w, bc.c, batch)
				store, _, err := newTrainer(cfg, be)
				if err != nil {
					b.Fatal(err)
				}
				x := tensors.FromFlatDataAndDimensions(s.X, batch, bc.h, bc.w, bc.c)
				a, _ := cfg.Spec.Arch()
				exec, err := model.NewExec(be, store, func(scope *model.Scope, images *Node) *Node {
					return nin.Forward(scope.In("model"), images, cfg.Spec, a).Logits
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := exec.Exec(x); err != nil { // compile
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := exec.Exec(x); err != nil {
						b.Fatal(err)
					}
				}
				reportRates(b, cfg, batch, 1)
			})
		}
	}
}
