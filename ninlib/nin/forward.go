package nin

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/ninbench/nin/ninlib/nin/internal/gofast"
)

// Output is what one forward pass produces.
type Output struct {
	// Logits is [batch, classes].
	Logits *Node
	// Maps is [batch, h, w, classes]: the last mlpconv layer's per-class
	// confidence maps (GAP models), nil for FC heads.
	Maps *Node
}

// Ops computes NIN's layers in one formulation of its activations. The
// forward pass (forward, below) is the same for all of them: Reference,
// on GoMLX's own ops, and the Go backend's fast formulations (package
// internal/gofast), which the equivalence tests hold to the reference.
type Ops interface {
	// In takes images [B, H, W, C] into the formulation's layout.
	In(images *Node) *Node
	// Channels is the channel count of activations x.
	Channels(x *Node) int
	// Conv is a k x k "same" convolution, stride 1 (k from kernel [k, k,
	// C, N]; 1 for the 1x1 layers of an mlpconv block), plus bias,
	// optionally followed by a ReLU.
	Conv(x, kernel, bias *Node, relu bool) *Node
	// Norm is batch norm of xs, the activations of every slice of a batch
	// that Forward computes as independent sub-graphs: each channel's
	// statistics over all of them together, as over the whole batch.
	Norm(scope *model.Scope, xs []*Node) []*Node
	// Pool is a k x k, stride-s max (or average) pool in Caffe's ceil mode.
	Pool(x *Node, max bool, k, stride int) *Node
	// Dropout drops activations at rate in training.
	Dropout(scope *model.Scope, x *Node, rate float64) *Node
	// Maps returns activations as [B, H, W, C].
	Maps(x *Node) *Node
}

// ModelFn returns a GoMLX model function (scope, images) -> logits for the
// spec, validated up front so that a bad setting is an error here, not a
// panic while the graph is built. Images are [batch, H, W, C] float32.
func ModelFn(o Spec) (func(scope *model.Scope, images *Node) *Node, error) {
	a, err := o.Arch()
	if err != nil {
		return nil, err
	}
	return func(scope *model.Scope, images *Node) *Node {
		return Forward(scope, images, o, a).Logits
	}, nil
}

// Forward builds the graph of architecture a on images, in the
// formulation o.ConvImpl resolves to on the graph's backend (Formulation),
// over o.Split slices of the batch at once. Graph-building errors (such as
// an input size an FC head cannot take) are raised as GoMLX exceptions
// (panics carrying an error), the convention inside graph code; callers
// outside graph building use CheckInput first or recover them with
// exceptions.TryCatch.
func Forward(scope *model.Scope, images *Node, o Spec, a *Arch) Output {
	dims := images.Shape().Dimensions
	if len(dims) != 4 {
		exceptions.Panicf("model %s: images must be [batch, H, W, C], got shape %s", o.Variant, images.Shape())
	}
	if err := o.CheckInput(dims[1], dims[2], dims[3]); err != nil {
		panic(err)
	}
	impl := Formulation(o, images.Graph().Backend())
	n := splitParts(o, impl, dims[0])
	if n == 1 {
		return forward(scope, []*Node{images}, o, a, impl)[0]
	}
	// Independent sub-graphs over slices of the batch sharing the same
	// variables: the Go backend runs them concurrently, so the serial
	// parts of its ops (the fused dense gradient's transpose, the ReLU
	// gradient, slices) overlap on different cores. Batch norm joins them
	// only for its per-channel statistics.
	slices := make([]*Node, n)
	for i := range n {
		slices[i] = Slice(images, AxisRange(i*dims[0]/n, (i+1)*dims[0]/n))
	}
	var logits, maps []*Node
	for _, out := range forward(scope, slices, o, a, impl) {
		logits = append(logits, out.Logits)
		if out.Maps != nil {
			maps = append(maps, out.Maps)
		}
	}
	out := Output{Logits: Concatenate(logits, 0)}
	if len(maps) == n {
		out.Maps = Concatenate(maps, 0)
	}
	return out
}

// forward is the network itself: architecture a's layers, in order, in
// formulation impl, on each slice of a batch (images), layer by layer
// across the slices (they share every variable, and batch norm's
// statistics).
func forward(scope *model.Scope, images []*Node, o Spec, a *Arch, impl string) []Output {
	init := initializer.HeFn(scope)
	if o.Init == "gauss" {
		init = initializer.RandomNormalFn(scope, o.InitStd)
	}
	scope = scope.WithInitializer(init)
	g := images[0].Graph()
	training := scope.IsTraining(g)
	xs, ops := make([]*Node, len(images)), make([]Ops, len(images))
	for i, im := range images {
		ops[i] = opsFor(impl) // one per slice: planes track their slice's spatial shape
		xs[i] = ops[i].In(im)
	}
	each := func(f func(i int, x *Node) *Node) {
		for i, x := range xs {
			xs[i] = f(i, x)
		}
	}
	outs := make([]Output, len(images))
	flat := false // xs are [batch, features], out of ops' layout (after flatten)
	for _, l := range a.Layers {
		ls := scope.In("%s", l.Name)
		switch l.Kind {
		case KindConv, KindPointwise:
			kernel, bias := convVars(ls, g, max(l.K, 1), ops[0].Channels(xs[0]), l.Out)
			// The formulation's fused ReLU in training (its gradient is one
			// fused op); inference's is relu's own (see there).
			each(func(i int, x *Node) *Node { return ops[i].Conv(x, kernel, bias, l.ReLU && !l.Norm && training) })
			if l.Norm {
				xs = ops[0].Norm(ls, xs)
			}
			if l.ReLU && (l.Norm || !training) {
				each(func(_ int, x *Node) *Node { return relu(x, training) })
			}
		case KindMaxPool, KindAvgPool:
			each(func(i int, x *Node) *Node { return ops[i].Pool(x, l.Kind == KindMaxPool, l.K, l.Stride) })
		case KindDropout:
			each(func(i int, x *Node) *Node {
				if flat {
					return layers.DropoutStatic(ls, x, o.Dropout)
				}
				return ops[i].Dropout(ls, x, o.Dropout)
			})
		case KindGAP: // one map per class, averaged: the logits
			each(func(i int, x *Node) *Node {
				outs[i].Maps = ops[i].Maps(x)
				return ReduceMean(outs[i].Maps, 1, 2)
			})
		case KindFlatten:
			each(func(i int, x *Node) *Node { return Reshape(ops[i].Maps(x), images[i].Shape().Dimensions[0], -1) })
			flat = true
		case KindFC:
			each(func(_ int, x *Node) *Node { return fc(ls, x, l.Out) })
		default:
			exceptions.Panicf("unknown layer kind %q", l.Kind)
		}
	}
	for i, x := range xs {
		assertShape(x, images[i].Shape().Dimensions[0], o.Classes)
		outs[i].Logits = x
	}
	return outs
}

// convVars creates the kernel and bias of a conv layer. The kernel is
// stored as [k, k, in, out] (HWIO) in every formulation, so a checkpoint
// does not depend on the backend it was trained on.
func convVars(scope *model.Scope, g *Graph, k, in, out int) (kernel, bias *Node) {
	kv := scope.VariableWithShape("weights", shapes.Make(dtypeF32, k, k, in, out))
	bv := scope.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(dtypeF32, out))
	return kv.NodeValue(g), bv.NodeValue(g)
}

// fc is a fully connected layer [B, in] -> [B, out].
func fc(scope *model.Scope, x *Node, out int) *Node {
	g := x.Graph()
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), x.Shape().Dimensions[1], out))
	b := scope.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(x.DType(), out))
	return nn.Dense(x, w.NodeValue(g), b.NodeValue(g), compute.DenseLayoutInputOutputs)
}

// assertShape panics (a GoMLX exception) unless x has the given dimensions.
func assertShape(x *Node, dims ...int) {
	if !x.Shape().Equal(shapes.Make(x.DType(), dims...)) {
		exceptions.Panicf("internal error: shape %s, expected %v", x.Shape(), dims)
	}
}

// opsFor returns the Ops of formulation impl.
func opsFor(impl string) Ops {
	switch impl {
	case "planes":
		return &gofast.Planes{}
	case "patches":
		return gofast.Patches{}
	}
	return Reference{}
}

// Formulation is the convolution formulation that o uses on backend b
// (o.ConvImpl resolved): planes, patches or native.
//
// For "auto": native (GoMLX's own ops) off the Go backend, planes on it,
// with or without batch norm. Measured on 2 cores
// (BenchmarkTrainStep and BenchmarkInference, alternating rounds on a
// quiet machine, 2026-12-02):
// planes trained the digit NIN at width 1/2 30% faster than patches
// (478-510 against 340-387 img/s at batch 32 and 128) and the full digit
// NIN as fast (227-239 against 200-240), and ran inference as fast or
// faster at every width (digit NIN width 1/2 1749-1953 against 1313-1408
// img/s, full NIN 259-271 against 259-274); on CIFAR-sized images it was
// already the faster to train.
func Formulation(o Spec, b compute.Backend) string {
	if o.ConvImpl != "auto" {
		return o.ConvImpl
	}
	if b == nil || b.String() != "go" {
		return "native"
	}
	return "planes"
}

// splitParts is how many slices of a batch of b images Forward builds as
// independent sub-graphs.
func splitParts(o Spec, impl string, b int) int {
	n := o.Split
	if n == 0 { // auto
		n = 1
		if impl != "native" && b >= 16 {
			n = 2
		}
	}
	return min(n, b)
}

// Describe is a one-line description of a model for logs.
func Describe(o Spec) string {
	s, err := Account(o)
	if err != nil {
		return fmt.Sprintf("%s (%v)", o.Variant, err)
	}
	return fmt.Sprintf("%s: %s params, %s mult-adds/image at %dx%dx%d", o.Variant, Commas(s.Params), Commas(s.MACs), o.InputH, o.InputW, o.InputC)
}

// relu is the ReLU: GoMLX's activation.Relu in training, whose gradient is
// one fused op, and Max(x, 0) in inference, which the Go backend computes
// in one pass over x's own buffer, where its fused activation copies x
// into a fresh buffer first (docs/upstream.md 10): 1.0 against 1.5 ms on
// the digit NIN's widest planes, a few percent of its inference.
func relu(x *Node, training bool) *Node {
	if training {
		return activation.Relu(x)
	}
	return Max(x, ScalarZero(x.Graph(), x.DType()))
}
