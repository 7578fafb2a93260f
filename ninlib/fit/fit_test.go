package fit

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/runs"
)

// goBackend opens the Go backend the way runs do.
func goBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := backend.Open("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSGDUpdate checks two steps of momentum SGD with weight decay and
// Caffe multipliers against values computed by hand.
func TestSGDUpdate(t *testing.T) {
	b := goBackend(t)
	store := model.NewStore()
	opt := &SGD{Momentum: 0.9, WeightDecay: 0.1, InitialLR: 0.5, Mults: CaffeMults("last")}
	exec := model.MustNewExec(b, store, func(scope *model.Scope, x *Node) []*Node {
		g := x.Graph()
		layer := scope.In("layer")
		w := layer.WithInitializer(initializer.BroadcastTensorToShape(tensors.FromValue(float32(1)))).
			VariableWithShape("weights", shapes.Make(dtypes.Float32, 2))
		bias := layer.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(dtypes.Float32))
		// loss = sum(w*x) + 3*bias  =>  dL/dw = x, dL/db = 3
		loss := Add(ReduceAllSum(Mul(w.NodeValue(g), x)), MulScalar(bias.NodeValue(g), 3))
		opt.UpdateGraph(scope, g, loss)
		return []*Node{w.NodeValue(g), bias.NodeValue(g)}
	})
	x := []float32{1, -2}
	var w, bias []float32
	for step := 0; step < 2; step++ {
		out := exec.MustExec(x)
		w = tensors.MustCopyFlatData[float32](out[0])
		bias = []float32{tensors.ToScalar[float32](out[1])}
		// Read every variable on the host between steps, as checkpoint
		// saving does: no update may be lost because of it.
		for v := range store.IterVariables() {
			_ = v.MustValue().Value()
		}
	}
	// By hand, weights (lr 0.5, decay 0.1): w0 = 1,1
	//  step 1: g = x + 0.1*w = (1.1, -1.9); v = 0.5*g = (0.55, -0.95); w = (0.45, 1.95)
	//  step 2: g = (1.045, -1.805); v = 0.9*v + 0.5*g = (1.0175, -1.7575); w = (-0.5675, 3.7075)
	// Bias (lr x2, no decay): step 1 v = 1*3 = 3, b = -3; step 2 v = 2.7+3 = 5.7, b = -8.7
	want := []float32{-0.5675, 3.7075}
	for i := range want {
		if math.Abs(float64(w[i]-want[i])) > 1e-5 {
			t.Errorf("w[%d] = %v, want %v", i, w[i], want[i])
		}
	}
	if math.Abs(float64(bias[0]+8.7)) > 1e-5 {
		t.Errorf("bias = %v, want -8.7", bias[0])
	}
}

func TestSchedules(t *testing.T) {
	c := config.Defaults()
	c.LR, c.Epochs, c.WarmupEpochs = 1, 10, 0
	for _, tc := range []struct {
		kind       string
		milestones string
		vals       []float64 // validation accuracy observed after each epoch
		want       []float64 // LR of epochs 0..len-1
	}{
		{"constant", "", []float64{.1, .1, .1}, []float64{1, 1, 1}},
		{"steps", "2,4", []float64{.1, .2, .3, .4, .5}, []float64{1, 1, .1, .1, .01}},
		{"plateau", "", []float64{.5, .6, .6, .6, .7, .7, .7}, []float64{1, 1, 1, 1, .1, .1, .1}},
		{"cosine", "", []float64{0, 0}, []float64{1, 0.5 * (1 + math.Cos(math.Pi/10))}},
	} {
		c.Schedule, c.Milestones, c.Patience = tc.kind, tc.milestones, 2
		s := NewSchedule(&c)
		for e, w := range tc.want {
			if got := s.LR(e); math.Abs(got-w) > 1e-12 {
				t.Errorf("%s epoch %d: lr %v, want %v", tc.kind, e, got, w)
			}
			s.Observe(tc.vals[e])
		}
	}
	c.Schedule, c.WarmupEpochs = "constant", 2
	s := NewSchedule(&c)
	if got := []float64{s.LR(0), s.LR(1), s.LR(2)}; math.Abs(got[0]-0.1) > 1e-12 || math.Abs(got[1]-0.55) > 1e-12 || got[2] != 1 {
		t.Errorf("warm-up: %v, want [0.1 0.55 1]", got)
	}
}

// toyData makes a learnable 4-class problem: a bright 3x3 square in one of
// the four quadrants of a 12x12 image, plus noise.
func toyData(n int, seed uint64) *datasets.Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := &datasets.Set{Name: "toy", N: n, H: 12, W: 12, C: 1, Classes: 4, X: make([]float32, n*144), Labels: make([]int32, n)}
	for i := 0; i < n; i++ {
		c := r.IntN(4)
		s.Labels[i] = int32(c)
		img := s.Image(i)
		for j := range img {
			img[j] = float32(r.NormFloat64() * 0.3)
		}
		y0, x0 := 1+6*(c/2)+r.IntN(2), 1+6*(c%2)+r.IntN(2)
		for y := y0; y < y0+3; y++ {
			for x := x0; x < x0+3; x++ {
				img[y*12+x] += 2
			}
		}
	}
	return s
}

func toyConfig() config.Config {
	c := config.Defaults()
	c.Setup.Name = "mnist" // only validated by name; data comes from TrainOptions.Data
	c.InputH, c.InputW, c.InputC, c.Classes = 12, 12, 1, 4
	c.Width = 1.0 / 8
	c.Epochs, c.BatchSize, c.EvalBatchSize = 3, 16, 64
	c.Optimizer, c.LR, c.WarmupEpochs, c.Init = "sgd", 0.05, 0, "he"
	c.BatchNorm = false     // the paper's layers; the batch norm tests turn it on
	c.FinalReLU = true      // the toy learns its 4 classes in 3 epochs of SGD with the released ReLU on the maps (without it, not yet)
	c.Schedule = "constant" // the resume tests compare extended runs with straight ones: a constant rate does not depend on the budget
	c.Experiment, c.Arm = "test", "toy"
	return c
}

func toyPrepared() *datasets.Prepared {
	return &datasets.Prepared{Train: toyData(256, 1), Val: toyData(64, 2), Test: toyData(64, 3)}
}

func TestTrainDeterministicResumeAndRecord(t *testing.T) {
	b := goBackend(t)
	c := toyConfig()
	results := t.TempDir()
	opts := TrainOptions{ResultsDir: results, Log: io.Discard, Progress: "none", Backend: b, Data: toyPrepared(), Command: "test"}

	full, err := Train(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Well above chance (0.25 for the toy's 4 classes): on 64 test images
	// the exact accuracy moves with the formulation's summation order.
	if full.Status != runs.StatusCompleted || full.Epochs != 3 || full.TestAcc < 0.4 {
		t.Fatalf("full run: %+v", full)
	}
	if full.Env.Backend != "go" || full.Env.Formulation != "planes" {
		t.Errorf("recorded backend %q, formulation %q; want go, planes", full.Env.Backend, full.Env.Formulation)
	}
	fullDir := filepath.Join(results, "runs", full.ID)
	fullRows, err := runs.ReadMetrics(fullDir)
	if err != nil || len(fullRows) != 3 {
		t.Fatalf("metrics: %v rows, %v", len(fullRows), err)
	}
	for _, f := range []string{runs.ConfigFile, runs.SummaryFile, runs.CurveFile} {
		if _, err := os.Stat(filepath.Join(fullDir, f)); err != nil {
			t.Errorf("record lacks %s: %v", f, err)
		}
	}

	// Same seed, same config: the same metrics, to the bit.
	again, err := Train(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	againRows, _ := runs.ReadMetrics(filepath.Join(results, "runs", again.ID))
	for i := range fullRows {
		if fullRows[i].TrainLoss != againRows[i].TrainLoss || fullRows[i].ValAcc != againRows[i].ValAcc {
			t.Errorf("epoch %d differs between identical runs: %+v vs %+v", i+1, fullRows[i], againRows[i])
		}
	}

	// Interrupt after 1 epoch, then resume: identical rows, none repeated.
	o2 := opts
	o2.StopAfterEpochs = 1
	part, err := Train(context.Background(), c, o2)
	if !errors.Is(err, ErrInterrupted) || part.Status != runs.StatusInterrupted {
		t.Fatalf("interrupted run: status %s, err %v", part.Status, err)
	}
	o3 := opts
	o3.Resume = filepath.Join(results, "runs", part.ID)
	res, err := Train(context.Background(), c, o3)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := runs.ReadMetrics(o3.Resume)
	if len(rows) != 3 {
		t.Fatalf("resumed run has %d rows, want 3", len(rows))
	}
	for i := range rows {
		if rows[i].Epoch != i+1 || rows[i].TrainLoss != fullRows[i].TrainLoss || rows[i].ValAcc != fullRows[i].ValAcc {
			t.Errorf("resumed epoch %d: %+v, uninterrupted %+v", i+1, rows[i], fullRows[i])
		}
	}
	if res.TestAcc != full.TestAcc {
		t.Errorf("resumed test accuracy %v, uninterrupted %v", res.TestAcc, full.TestAcc)
	}

	// The best checkpoint evaluates to the recorded test accuracy, every
	// time (a lazily loaded store once gave fresh random weights on the
	// second evaluation).
	store, err := LoadBest(fullDir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		acc, err := Accuracy(context.Background(), &c, b, store, opts.Data.Test)
		if err != nil {
			t.Fatal(err)
		}
		if acc != full.TestAcc {
			t.Errorf("evaluation %d of the best checkpoint: %v, recorded %v", i+1, acc, full.TestAcc)
		}
	}
}

func TestDivergenceStopsAndIsRecorded(t *testing.T) {
	c := toyConfig()
	c.LR, c.Init, c.InitStd, c.CaffeMults = 50, "gauss", 1e4, false // activations overflow float32 within the first steps
	opts := TrainOptions{ResultsDir: t.TempDir(), Log: io.Discard, Progress: "none", Backend: goBackend(t), Data: toyPrepared()}
	sum, err := Train(context.Background(), c, opts)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("got %v, want ErrDiverged", err)
	}
	var onDisk runs.Summary
	if err := runs.ReadJSON(filepath.Join(opts.ResultsDir, "runs", sum.ID, runs.SummaryFile), &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.Status != runs.StatusDiverged || !strings.Contains(onDisk.Error, "NaN or infinite") {
		t.Errorf("summary.json: status %q error %q", onDisk.Status, onDisk.Error)
	}
}

func TestResultsDirThatCannotBeCreated(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, []byte("x"), 0o644)
	opts := TrainOptions{ResultsDir: file, Log: io.Discard, Progress: "none", Backend: goBackend(t), Data: toyPrepared()}
	_, err := Train(context.Background(), toyConfig(), opts)
	if err == nil || !strings.Contains(err.Error(), "writable") {
		t.Errorf("got %v, want an error asking whether the results directory is writable", err)
	}
}

func TestWrongInputSizeForFCModel(t *testing.T) {
	c := toyConfig()
	c.Variant = "nin-fc"
	p := toyPrepared()
	p.Test = datasetsResize(p.Test, 16)
	sum, err := Train(context.Background(), c, TrainOptions{ResultsDir: t.TempDir(), Log: io.Discard, Progress: "none", Backend: goBackend(t), Data: p})
	if err == nil || !strings.Contains(err.Error(), "fully connected head built for 12x12") || sum.Status != runs.StatusFailed {
		t.Errorf("got %v (status %s)", err, sum.Status)
	}
}

// datasetsResize pads a set's images to size x size (top-left).
func datasetsResize(s *datasets.Set, size int) *datasets.Set {
	t := &datasets.Set{N: s.N, H: size, W: size, C: s.C, Classes: s.Classes, Labels: s.Labels, X: make([]float32, s.N*size*size*s.C)}
	for i := 0; i < s.N; i++ {
		for y := 0; y < s.H; y++ {
			copy(t.Image(i)[y*size*s.C:], s.Image(i)[y*s.W*s.C:(y+1)*s.W*s.C])
		}
	}
	return t
}

// TestEveryVariantTrains trains every variant (and nin with batch norm) for
// one short epoch on the Go backend and checks the record is complete and
// the loss finite.
func TestEveryVariantTrains(t *testing.T) {
	b := goBackend(t)
	data := toyPrepared()
	for _, v := range append(nin.Variants(), "nin+bn") {
		c := toyConfig()
		c.Epochs = 1
		c.Variant = strings.TrimSuffix(v, "+bn")
		c.BatchNorm = strings.HasSuffix(v, "+bn")
		sum, err := Train(context.Background(), c, TrainOptions{ResultsDir: t.TempDir(), Log: io.Discard, Progress: "none", Backend: b, Data: data})
		if err != nil {
			t.Errorf("%s: %v", v, err)
			continue
		}
		if sum.Status != runs.StatusCompleted || sum.Epochs != 1 || sum.Params <= 0 {
			t.Errorf("%s: %+v", v, sum)
		}
	}
}
