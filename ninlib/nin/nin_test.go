package nin

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

func goBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tiny returns options for a fast test model.
func tiny(variant string) Spec {
	o := Defaults()
	o.Variant = variant
	o.Width = 1.0 / 16
	o.InputH, o.InputW = 12, 12
	return o
}

func TestNINAccountingMatchesPaper(t *testing.T) {
	s, err := Account(Defaults())
	if err != nil {
		t.Fatal(err)
	}
	// Hand-computed in the package doc of ../../README.md: 966,986 params and
	// 222,486,528 multiply-adds on 32x32x3 with 10 classes.
	if s.Params != 966986 {
		t.Errorf("nin params = %d, want 966986", s.Params)
	}
	if s.MACs != 222486528 {
		t.Errorf("nin mult-adds = %d, want 222486528", s.MACs)
	}
	wantShapes := map[string][3]int{"b1_pool": {16, 16, 96}, "b2_pool": {8, 8, 192}, "b3_mlp2": {8, 8, 10}, "head_gap": {1, 1, 10}}
	for _, l := range s.Layers {
		if w, ok := wantShapes[l.Name]; ok && w != l.Shape {
			t.Errorf("%s: shape %v, want %v", l.Name, l.Shape, w)
		}
	}
}

func TestBottleneckCutsCost(t *testing.T) {
	base, _ := Account(Defaults())
	prev := base.MACs
	for _, r := range []float64{0.5, 0.25} {
		o := Defaults()
		o.Variant, o.Bottleneck = "nin-bottleneck", r
		s, err := Account(o)
		if err != nil {
			t.Fatal(err)
		}
		if s.MACs >= prev || s.Params >= base.Params {
			t.Errorf("bottleneck %v: %d MACs / %d params, want fewer than %d / %d", r, s.MACs, s.Params, prev, base.Params)
		}
		prev = s.MACs
	}
}

func TestUnknownVariantAndBadOptions(t *testing.T) {
	o := Defaults()
	o.Variant = "resnet"
	if _, err := o.Arch(); err == nil || !strings.Contains(err.Error(), "nin-fc") {
		t.Errorf("unknown variant: got %v, want an error listing valid variants", err)
	}
	for _, tc := range []struct {
		mut func(*Spec)
		key string
	}{
		{func(o *Spec) { o.Dropout = 1 }, "dropout"},
		{func(o *Spec) { o.Width = -1 }, "width"},
		{func(o *Spec) { o.Classes = 1 }, "classes"},
		{func(o *Spec) { o.Init = "xavier" }, "init"},
		{func(o *Spec) { o.Pool2 = "min" }, "pool2"},
		{func(o *Spec) { o.Bottleneck = 2 }, "bottleneck"},
		{func(o *Spec) { o.InputH = 4 }, "input"},
		{func(o *Spec) { o.ConvImpl = "fft" }, "conv_impl"},
	} {
		o := Defaults()
		tc.mut(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: got %v, want an error naming %q", tc.key, err, tc.key)
		}
	}
}

func randomImages(n, h, w, c int, seed float32) *tensors.Tensor {
	v := make([]float32, n*h*w*c)
	for i := range v {
		v[i] = float32(math.Sin(float64(seed + float32(i)*0.37)))
	}
	return tensors.FromFlatDataAndDimensions(v, n, h, w, c)
}

func TestEveryVariantVariablesMatchAccounting(t *testing.T) {
	b := goBackend(t)
	for _, v := range Variants() {
		for _, bn := range []bool{false, true} {
			o := tiny(v)
			o.BatchNorm = bn
			store := seededStore(t, 1)
			logits, _, err := Infer(b, store, o, randomImages(2, 12, 12, 3, 1))
			if err != nil {
				t.Fatal(err)
			}
			if got := logits.Shape().Dimensions; got[0] != 2 || got[1] != o.Classes {
				t.Errorf("%s: logits %v, want [2 %d]", v, got, o.Classes)
			}
			var n int64
			for vr := range store.IterVariables() {
				if vr.Trainable {
					n += int64(vr.Shape().Size())
				}
			}
			s, _ := Account(o)
			if n != s.Params {
				t.Errorf("%s (batch_norm=%v): %d trainable scalars in GoMLX variables, accounting says %d", v, bn, n, s.Params)
			}
		}
	}
}

func TestPointwiseEqualsPerPixelDense(t *testing.T) {
	d, err := PointwiseVsDense(goBackend(t), 5, 4, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	if d > 1e-5 {
		t.Errorf("1x1 conv vs per-pixel dense: max diff %g, want < 1e-5", d)
	}
}

func TestConvFormulationsAgree(t *testing.T) {
	for _, k := range []int{3, 5} {
		out, grad, err := ConvImplsAgree(goBackend(t), 2, 7, 6, 3, 4, k)
		if err != nil {
			t.Fatal(err)
		}
		if out > 1e-4 || grad > 1e-3 {
			t.Errorf("k=%d: patches vs native: outputs differ by %g, gradients by %g", k, out, grad)
		}
	}
}

func TestGAPAcceptsAnySizeFCDoesNot(t *testing.T) {
	b := goBackend(t)
	for _, v := range []string{"nin", "conv-gap", "nin-bottleneck"} {
		o := tiny(v)
		store := seededStore(t, 1)
		for _, size := range []int{12, 9, 16, 20} {
			logits, maps, err := Infer(b, store, o, randomImages(2, size, size, 3, 2))
			if err != nil {
				t.Fatalf("%s at %dx%d: %v", v, size, size, err)
			}
			if d := logits.Shape().Dimensions; d[0] != 2 || d[1] != o.Classes {
				t.Errorf("%s at %d: logits %v", v, size, d)
			}
			s, _ := AccountAt(o, size, size)
			want := s.Layers[len(s.Layers)-2].Shape
			if d := maps.Shape().Dimensions; d[1] != want[0] || d[2] != want[1] || d[3] != o.Classes {
				t.Errorf("%s at %d: maps %v, want [2 %d %d %d]", v, size, d, want[0], want[1], o.Classes)
			}
		}
	}
	for _, v := range []string{"nin-fc", "nin-fc-dropout", "conv-fc"} {
		o := tiny(v)
		store := seededStore(t, 1)
		if _, _, err := Infer(b, store, o, randomImages(1, 12, 12, 3, 2)); err != nil {
			t.Fatalf("%s at its own size: %v", v, err)
		}
		_, _, err := Infer(b, store, o, randomImages(1, 16, 16, 3, 2))
		if err == nil || !strings.Contains(err.Error(), "12x12") || !strings.Contains(err.Error(), "16x16") {
			t.Errorf("%s at 16x16: got %v, want an error naming 12x12 and 16x16", v, err)
		}
	}
}

func TestConfidenceMapsAverageToLogits(t *testing.T) {
	o := tiny("nin")
	logits, maps, err := Infer(goBackend(t), seededStore(t, 1), o, randomImages(2, 12, 12, 3, 3))
	if err != nil {
		t.Fatal(err)
	}
	l := tensors.MustCopyFlatData[float32](logits)
	m := tensors.MustCopyFlatData[float32](maps)
	d := maps.Shape().Dimensions
	for n := 0; n < d[0]; n++ {
		for c := 0; c < d[3]; c++ {
			var s float64
			for p := 0; p < d[1]*d[2]; p++ {
				s += float64(m[(n*d[1]*d[2]+p)*d[3]+c])
			}
			if got := s / float64(d[1]*d[2]); math.Abs(got-float64(l[n*d[3]+c])) > 1e-5 {
				t.Errorf("image %d class %d: mean of map %g != logit %g", n, c, got, l[n*d[3]+c])
			}
		}
	}
}

func TestMatchWidth(t *testing.T) {
	ref, _ := Account(Defaults())
	o := Defaults()
	o.Variant = "conv-gap"
	w, err := MatchWidth(o, ref, "params")
	if err != nil {
		t.Fatal(err)
	}
	o.Width = w
	s, _ := Account(o)
	if rel := math.Abs(float64(s.Params-ref.Params)) / float64(ref.Params); rel > 0.02 {
		t.Errorf("conv-gap at width %.3f has %d params, nin %d (%.1f%% off)", w, s.Params, ref.Params, 100*rel)
	}
}

func TestPoolFormulationsAgree(t *testing.T) {
	for _, kind := range []string{"max", "avg"} {
		for _, size := range [][2]int{{8, 8}, {7, 9}, {28, 28}, {14, 15}} {
			out, grad, err := PoolImplsAgree(goBackend(t), kind, 2, size[0], size[1], 3)
			if err != nil {
				t.Fatal(err)
			}
			if out > 1e-6 || grad > 1e-5 {
				t.Errorf("%s pool %v: slices vs ReduceWindow differ: outputs %g, gradients %g", kind, size, out, grad)
			}
		}
	}
}

func TestBottleneckCostSeedExample(t *testing.T) {
	// 500x500x100 -> 5x5 conv to 100 maps: 25*100*100*250000 = 62.5 G
	// multiply-adds; with a 1x1 reduction to 20 first: 100*20*250000 +
	// 25*20*100*250000 = 0.5 G + 12.5 G = 13 G.
	direct, bn := BottleneckCost(500, 500, 100, 20, 100, 5)
	if direct != 62_500_000_000 || bn != 13_000_000_000 {
		t.Errorf("direct %d, bottleneck %d", direct, bn)
	}
}

// TestSplitBatchAgrees: building the graph as independent sub-graphs over
// slices of the batch (Spec.Split) gives the same logits, maps and
// weight gradients as one graph over the whole batch, for GAP and FC
// heads and for a batch that does not divide evenly.
func TestSplitBatchAgrees(t *testing.T) {
	b := goBackend(t)
	for _, v := range []string{"nin", "nin-fc"} {
		x := randomImages(5, 12, 12, 3, 2)
		o := tiny(v)
		o.Split = 1
		store := smoothStore(t, b, o, x, false, 1e-4)
		whole := outputsAndGradients(t, b, store, o, x)
		o.Split = 3
		parts := outputsAndGradients(t, b, store, o, x)
		compareOutputs(t, v+" split 1 vs 3", whole, parts)
	}
}

// TestSplitBatchNormAgrees: with batch norm in training, slices of the
// batch built as independent sub-graphs take their statistics together:
// the same outputs and gradients as one graph over the whole batch (and
// not what per-slice statistics would give), in every formulation.
func TestSplitBatchNormAgrees(t *testing.T) {
	b := goBackend(t)
	for _, v := range []string{"nin", "nin-fc"} {
		for _, impl := range []string{"planes", "patches", "native"} {
			x := randomImages(6, 12, 12, 3, 2)
			o := tiny(v)
			o.BatchNorm, o.Dropout, o.Init, o.ConvImpl = true, 0, "he", impl
			o.Split = 1
			store := smoothStore(t, b, o, x, true, 1e-3)
			whole := outputsAndGradientsIn(t, b, store, o, x, true)
			o.Split = 3
			parts := outputsAndGradientsIn(t, b, store, o, x, true)
			compareOutputsTol(t, v+" "+impl+" batch norm split 1 vs 3", whole, parts, 1e-3)
		}
	}
}

// TestFormulationsAgreeWithGradients: the planes and patches formulations
// (the Go backend's) and GoMLX's native convolution and pooling give the
// same logits, maps and gradients of every variable, on every variant
// (with the ReLU on the class maps and without, so the maps' sign is
// exercised both ways), with the same variables.
func TestFormulationsAgreeWithGradients(t *testing.T) {
	b := goBackend(t)
	for _, v := range Variants() {
		for _, finalReLU := range []bool{true, false} {
			x := randomImages(4, 12, 12, 3, 4) // even: planes cuts it into 2 chunks
			o := tiny(v)
			o.FinalReLU = finalReLU
			o.Init = "he"
			store := smoothStore(t, b, o, x, false, 1e-4)
			got := map[string]map[string][]float32{}
			for _, impl := range []string{"native", "patches", "planes"} {
				o.ConvImpl = impl
				got[impl] = outputsAndGradients(t, b, store, o, x)
			}
			name := fmt.Sprintf("%s final_relu=%v", v, finalReLU)
			compareOutputs(t, name+" native vs patches", got["native"], got["patches"])
			compareOutputs(t, name+" native vs planes", got["native"], got["planes"])
		}
	}
}

// TestFormulationsAgreeWithBatchNorm: in training, where batch norm uses
// the batch's statistics and its gradient runs through them, the three
// formulations agree on every variant's outputs and gradients (dropout
// off: its masks are drawn per formulation's layout).
func TestFormulationsAgreeWithBatchNorm(t *testing.T) {
	b := goBackend(t)
	for _, v := range Variants() {
		x := randomImages(4, 12, 12, 3, 5) // even: planes cuts it into 2 chunks
		o := tiny(v)
		o.BatchNorm, o.Dropout, o.Init = true, 0, "he"
		store := smoothStore(t, b, o, x, true, 3e-3)
		got := map[string]map[string][]float32{}
		for _, impl := range []string{"native", "patches", "planes"} {
			o.ConvImpl = impl
			got[impl] = outputsAndGradientsIn(t, b, store, o, x, true)
		}
		// Batch statistics over a few pixels per channel (deep layers of a
		// 12x12 input) amplify the rounding of sums taken in another order:
		// gradients moved by up to 5e-4 of their size between runs.
		compareOutputsTol(t, v+" batch norm: native vs patches", got["native"], got["patches"], 3e-3)
		compareOutputsTol(t, v+" batch norm: native vs planes", got["native"], got["planes"], 3e-3)
	}
}

// TestBatchNormAveragesAgree: the formulations keep batch norm's moving
// averages alike. From a reset, the averages phase (the first of
// norm.UpdateBatchNormAverages's passes) sets each channel's mean and
// variance to the batch's; every formulation must set the same ones and
// then, in inference, read them the same way. The averages must also
// differ from their initial 0 and 1, so the comparison can fail.
func TestBatchNormAveragesAgree(t *testing.T) {
	b := goBackend(t)
	for _, v := range []string{"nin", "nin-fc", "conv-gap"} {
		store := seededStore(t, 1)
		x, other := randomImages(4, 12, 12, 3, 5), randomImages(4, 12, 12, 3, 7)
		o := tiny(v)
		o.BatchNorm, o.Dropout, o.Init = true, 0, "he"
		averages := map[string]map[string][]float32{}
		for _, impl := range []string{"native", "patches", "planes", "planes split 3"} {
			o.ConvImpl, o.Split = impl, 0
			if impl == "planes split 3" {
				o.ConvImpl, o.Split = "planes", 3
			}
			if err := norm.ResetBatchNormWeights(b, store); err != nil {
				t.Fatal(err)
			}
			inference(t, b, store, o, x, 0)
			averages[impl] = map[string][]float32{}
			for vr := range store.IterVariables() {
				if name := vr.Path(); strings.HasSuffix(name, "/mean") || strings.HasSuffix(name, "/variance") {
					averages[impl][name] = tensors.MustCopyFlatData[float32](vr.MustValue())
				}
			}
		}
		if len(averages["native"]) == 0 {
			t.Fatalf("%s: no batch norm averages in the store", v)
		}
		for name, mean := range averages["native"] {
			if strings.HasSuffix(name, "/mean") && !slices.ContainsFunc(mean, func(m float32) bool { return m != 0 }) {
				t.Errorf("%s: %s still all 0 after the averages phase", v, name)
			}
		}
		for _, impl := range []string{"patches", "planes", "planes split 3"} {
			compareOutputsTol(t, v+" batch norm averages: native vs "+impl, averages["native"], averages[impl], 1e-3)
		}
		logits := map[string]map[string][]float32{}
		for _, impl := range []string{"native", "patches", "planes"} {
			o.ConvImpl = impl
			logits[impl] = inference(t, b, store, o, other, -1)
		}
		compareOutputsTol(t, v+" batch norm inference: native vs patches", logits["native"], logits["patches"], 1e-3)
		compareOutputsTol(t, v+" batch norm inference: native vs planes", logits["native"], logits["planes"], 1e-3)
	}
}

// inference runs o on x in inference mode, in the given phase of the batch
// norm averages update (-1: none), and returns the logits and the maps
// (GAP heads) by name, with the logits also split by class (so that
// compareOutputs sees at least three outputs).
func inference(t *testing.T, b compute.Backend, store *model.Store, o Spec, x *tensors.Tensor, phase int) map[string][]float32 {
	t.Helper()
	a, err := o.Arch()
	if err != nil {
		t.Fatal(err)
	}
	exec, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) []*Node {
		g := x.Graph()
		scope.SetTraining(g, false)
		if phase >= 0 {
			scope.SetGraphParam(g, train.BatchNormalizationUpdatePhase, phase)
		}
		out := Forward(scope.In("model"), x, o, a)
		outs := []*Node{out.Logits, ReduceSum(out.Logits, 0), ReduceSum(out.Logits, 1)}
		if out.Maps != nil {
			outs = append(outs, out.Maps)
		}
		return outs
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(x)
	if err != nil {
		t.Fatalf("%s (conv_impl %s): %v", o.Variant, o.ConvImpl, err)
	}
	got := map[string][]float32{}
	for i, r := range res {
		got[fmt.Sprint("output ", i)] = tensors.MustCopyFlatData[float32](r)
	}
	return got
}

// seededStore returns an empty store whose initializers draw from seed, so
// that a test sees the same weights on every run and every machine.
func seededStore(t testing.TB, seed int64) *model.Store {
	t.Helper()
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(seed); err != nil {
		t.Fatal(err)
	}
	return store
}

// smoothStore returns a store seeded from the first of seeds 1-8 whose
// weights put o's outputs and gradients at x (native formulation, in
// training or not) on smooth ground: moving x by 1e-6 of itself moves
// none of them by more than within/10 of its size.
//
// The formulations differ only in rounding, but where a max pool's two
// largest inputs are nearly tied a rounding decides which one the
// gradient flows to, and batch norm over a few pixels per channel
// amplifies it. At such weights the formulations disagree as much as the
// model disagrees with itself at a nudged input, which says nothing about
// the formulations: among seeds 1-400, nin-bottleneck with batch norm at
// seed 129 moved its gradients by 150% under a 1e-6 nudge, and a
// comparison at an unseeded draw failed CI once in that way.
func smoothStore(t *testing.T, b compute.Backend, o Spec, x *tensors.Tensor, training bool, within float64) *model.Store {
	t.Helper()
	o.ConvImpl = "native"
	nudged := tensors.MustCopyFlatData[float32](x)
	for i := range nudged {
		nudged[i] *= 1 + 1e-6*float32(i%3-1)
	}
	xn := tensors.FromFlatDataAndDimensions(nudged, x.Shape().Dimensions...)
	for seed := int64(1); seed <= 8; seed++ {
		store := seededStore(t, seed)
		at, near := outputsAndGradientsIn(t, b, store, o, x, training), outputsAndGradientsIn(t, b, store, o, xn, training)
		if moved := largestDifference(at, near); moved <= within/10 {
			t.Logf("%s: weights of seed %d (a 1e-6 nudge of the input moves the outputs and gradients by %.2g)", o.Variant, seed, moved)
			return store
		}
	}
	t.Fatalf("%s: no seed in 1-8 puts the outputs and gradients where a 1e-6 nudge of the input moves them by less than %g", o.Variant, within/10)
	return nil
}

// largestDifference is the largest difference between want's and got's
// values relative to the larger of 1 and want's value (the measure of
// compareOutputsTol).
func largestDifference(want, got map[string][]float32) float64 {
	var most float64
	for name, w := range want {
		for i, g := range got[name] {
			most = math.Max(most, math.Abs(float64(w[i]-g))/math.Max(1, math.Abs(float64(w[i]))))
		}
	}
	return most
}

// outputsAndGradients runs o on x with the variables of store and returns
// the logits, the maps (GAP heads) and the gradient of a weighted sum of
// the logits with respect to every trainable variable, by name.
func outputsAndGradients(t *testing.T, b compute.Backend, store *model.Store, o Spec, x *tensors.Tensor) map[string][]float32 {
	t.Helper()
	return outputsAndGradientsIn(t, b, store, o, x, false)
}

// outputsAndGradientsIn is outputsAndGradients in training mode or not.
func outputsAndGradientsIn(t *testing.T, b compute.Backend, store *model.Store, o Spec, x *tensors.Tensor, training bool) map[string][]float32 {
	t.Helper()
	a, err := o.Arch()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	exec, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) []*Node {
		scope.SetTraining(x.Graph(), training)
		out := Forward(scope.In("model"), x, o, a)
		wts := AddScalar(Sin(ConvertDType(Iota(x.Graph(), out.Logits.Shape(), 1), out.Logits.DType())), 1.5)
		loss := ReduceAllSum(Mul(out.Logits, wts))
		outs := []*Node{out.Logits}
		names = append(names, "logits")
		if out.Maps != nil {
			outs = append(outs, out.Maps)
			names = append(names, "maps")
		}
		var vars []*Node
		for v := range store.IterVariables() {
			if v.Trainable {
				vars = append(vars, v.ValueGraph(x.Graph()))
				names = append(names, v.Path())
			}
		}
		return append(outs, Gradient(loss, vars...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(x)
	if err != nil {
		t.Fatalf("%s (conv_impl %s, split %d): %v", o.Variant, o.ConvImpl, o.Split, err)
	}
	got := map[string][]float32{}
	for i, r := range res {
		got[names[i]] = tensors.MustCopyFlatData[float32](r)
	}
	return got
}

// compareOutputs fails unless want and got hold the same outputs with the
// same values (relative tolerance 1e-4).
func compareOutputs(t *testing.T, what string, want, got map[string][]float32) {
	t.Helper()
	compareOutputsTol(t, what, want, got, 1e-4)
}

// compareOutputsTol is compareOutputs with relative tolerance tol.
func compareOutputsTol(t *testing.T, what string, want, got map[string][]float32, tol float64) {
	t.Helper()
	if len(want) < 3 || len(want) != len(got) {
		t.Fatalf("%s: %d outputs vs %d", what, len(want), len(got))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok || len(g) != len(w) {
			t.Fatalf("%s: output %s missing or of another size", what, name)
		}
		for i := range w {
			if math.Abs(float64(w[i]-g[i])) > tol*math.Max(1, math.Abs(float64(w[i]))) {
				t.Fatalf("%s: %s differs at %d: %v vs %v", what, name, i, w[i], g[i])
			}
		}
	}
}

// TestAutoFormulation: "auto" picks native off the Go backend, and on it
// planes, with batch norm too.
func TestAutoFormulation(t *testing.T) {
	b := goBackend(t)
	for _, tc := range []struct {
		name    string
		mut     func(*Spec)
		backend compute.Backend
		want    string
	}{
		{"full NIN", func(o *Spec) {}, b, "planes"},
		{"full NIN with batch norm", func(o *Spec) { o.BatchNorm = true }, b, "planes"},
		{"width 1/4", func(o *Spec) { o.Width = 0.25 }, b, "planes"},
		{"FC ablation", func(o *Spec) { o.Variant = "nin-fc" }, b, "planes"},
		{"digit NIN", func(o *Spec) { o.Widths, o.InputH, o.InputW, o.InputC = "digits", 28, 28, 1 }, b, "planes"},
		{"digit NIN with batch norm", func(o *Spec) {
			o.Widths, o.InputH, o.InputW, o.InputC, o.BatchNorm = "digits", 28, 28, 1, true
		}, b, "planes"},
		{"no backend (XLA elsewhere)", func(o *Spec) {}, nil, "native"},
		{"asked for", func(o *Spec) { o.ConvImpl = "patches" }, b, "patches"},
	} {
		o := Defaults()
		tc.mut(&o)
		if got := Formulation(o, tc.backend); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestBatchNormSkipsTheClassMaps: with batch norm, every convolution is
// normalized except the class maps that GAP averages into the logits
// (normalized, they would hold the logits together); an FC head's body is
// normalized throughout.
func TestBatchNormSkipsTheClassMaps(t *testing.T) {
	for _, tc := range []struct {
		variant   string
		unnormed  string // the one convolution without batch norm ("" for none)
		convCount int
	}{
		{"nin", "b3_mlp2", 9},
		{"conv-gap", "b3_conv3x3", 3},
		{"nin-bottleneck", "b3_mlp2", 11},
		{"nin-fc", "", 8},
		{"conv-fc", "", 3},
	} {
		o := tiny(tc.variant)
		o.BatchNorm = true
		a, err := o.Arch()
		if err != nil {
			t.Fatal(err)
		}
		var convs int
		for _, l := range a.Layers {
			if l.Kind != KindConv && l.Kind != KindPointwise {
				if l.Norm {
					t.Errorf("%s: %s (%s) normalized", tc.variant, l.Name, l.Kind)
				}
				continue
			}
			convs++
			if want := l.Name != tc.unnormed; l.Norm != want {
				t.Errorf("%s: %s normalized %v, want %v", tc.variant, l.Name, l.Norm, want)
			}
		}
		if convs != tc.convCount {
			t.Errorf("%s: %d convolutions, want %d", tc.variant, convs, tc.convCount)
		}
		o.BatchNorm = false
		if a, _ := o.Arch(); slices.ContainsFunc(a.Layers, func(l Layer) bool { return l.Norm }) {
			t.Errorf("%s: a layer normalized without batch_norm", tc.variant)
		}
	}
}

// TestInferenceReLU: inference's ReLU (Max with zero, in place) equals
// training's (GoMLX's fused activation) on negative, zero and positive
// values, and on a shape of the planes layout.
func TestInferenceReLU(t *testing.T) {
	b := goBackend(t)
	x := tensors.FromFlatDataAndDimensions([]float32{-3, -1e-30, 0, 1e-30, 0.5, 7, -0.25, 2, float32(math.Inf(-1)), float32(math.Inf(1)), -5, 5}, 2, 3, 2)
	exec, err := NewExec(b, func(x *Node) (*Node, *Node) {
		// Neg twice: the ReLUs' input is an intermediate the backend may reuse.
		y := Neg(Neg(x))
		return relu(y, true), relu(Neg(Neg(x)), false)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	train, infer := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	if !slices.Equal(train, infer) {
		t.Errorf("ReLU in training %v, in inference %v", train, infer)
	}
	if want := float32(7); slices.Max(infer) != float32(math.Inf(1)) || infer[5] != want || slices.Min(infer) != 0 {
		t.Errorf("ReLU in inference: %v", infer)
	}
}

// TestInferrerCompilesOncePerShape: an Inferrer's batches of one shape
// share one compiled graph, a new shape gets its own, and its answers are
// Infer's.
func TestInferrerCompilesOncePerShape(t *testing.T) {
	b, o, store := goBackend(t), tiny("nin"), seededStore(t, 1)
	in, err := NewInferrer(b, store, o)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Finalize()
	graphOf := func(images *tensors.Tensor) *Graph {
		_, g, err := in.exec.ExecWithGraph(images)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	first := graphOf(randomImages(2, 12, 12, 3, 1))
	if again := graphOf(randomImages(2, 12, 12, 3, 2)); again != first {
		t.Errorf("a second batch of the same shape compiled a new graph")
	}
	if other := graphOf(randomImages(1, 12, 12, 3, 2)); other == first {
		t.Errorf("a batch of another shape reused the first graph")
	}
	images := randomImages(2, 12, 12, 3, 4)
	got, _, err := in.Infer(images)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := Infer(b, store, o, images)
	if err != nil {
		t.Fatal(err)
	}
	g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want)
	for i := range w {
		if g[i] != w[i] {
			t.Fatalf("logit %d: Inferrer %g, Infer %g", i, g[i], w[i])
		}
	}
	if _, _, err := in.Infer(randomImages(2, 12, 12, 1, 1)); err == nil {
		t.Errorf("an image with 1 channel for a 3-channel model was accepted")
	}
}
