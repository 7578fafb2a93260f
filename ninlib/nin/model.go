package nin

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Output is what one forward pass produces.
type Output struct {
	// Logits is [batch, classes].
	Logits *Node
	// Maps is [batch, h, w, classes]: the last mlpconv layer's per-class
	// confidence maps (GAP models), nil for FC heads.
	Maps *Node
}

// ModelFn returns a GoMLX model function (scope, images) -> logits for the
// options, validated up front so that a bad option is an error here, not a
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

// Forward builds the graph of architecture a on images. Graph-building
// errors (such as an input size an FC head cannot take) are raised as GoMLX
// exceptions (panics carrying an error), the convention inside graph code;
// callers outside graph building use CheckInput first or recover them with
// exceptions.TryCatch.
func Forward(scope *model.Scope, images *Node, o Spec, a *Arch) Output {
	dims := images.Shape().Dimensions
	if len(dims) != 4 {
		exceptions.Panicf("model %s: images must be [batch, H, W, C], got shape %s", o.Variant, images.Shape())
	}
	if err := o.CheckInput(dims[1], dims[2], dims[3]); err != nil {
		panic(err)
	}
	g := images.Graph()
	impl := resolveImpl(o, g.Backend(), dims[1], dims[2], scope.IsTraining(g))
	if n := splitParts(o, impl, dims[0]); n > 1 {
		// Independent sub-graphs over slices of the batch sharing the same
		// variables: the Go backend runs them concurrently, so the serial
		// parts of its ops (the fused dense gradient's transpose, the ReLU
		// gradient, slices) overlap on different cores.
		var logits, maps []*Node
		for i := range n {
			lo, hi := i*dims[0]/n, (i+1)*dims[0]/n
			out := forward(scope, Slice(images, AxisRange(lo, hi)), o, a, impl, i > 0)
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
	return forward(scope, images, o, a, impl, false)
}

// planesMinPixels is the image size (H*W) from which "auto" trains with
// the planes formulation on the Go backend. Measured (BenchmarkTrainStep,
// batch 32, alternating rounds, one executor per core as backend.Open
// sets): on 32x32 CIFAR images planes trained every width faster than
// patches (full NIN 96-110 against 82-84 img/s, width 1/2 +7-20%, width
// 1/4 +6-21%, every round), while on 28x28 digits patches was as fast or
// faster (digit NIN 435-438 against 268-370, width 1/2 tied). Inference
// has no weight gradients to transpose: there the two were within noise
// of each other, and patches is kept.
const planesMinPixels = 32 * 32

// Formulation is the convolution formulation that training o on backend b
// uses (o.ConvImpl resolved): planes, patches or native.
func Formulation(o Spec, b compute.Backend) string {
	return resolveImpl(o, b, o.InputH, o.InputW, true)
}

// resolveImpl is the convolution formulation Forward uses for images of
// h x w pixels on backend b: ConvImpl, or for "auto" native off the Go
// backend, and on it patches, or planes to train on images of 32x32 pixels
// or more without batch norm (which normalizes channels-last activations).
func resolveImpl(o Spec, b compute.Backend, h, w int, training bool) string {
	if o.ConvImpl != "auto" {
		return o.ConvImpl
	}
	if b == nil || b.String() != "go" {
		return "native"
	}
	if training && !o.BatchNorm && h*w >= planesMinPixels {
		return "planes"
	}
	return "patches"
}

// splitParts is how many slices of a batch of b images Forward builds as
// independent sub-graphs.
func splitParts(o Spec, impl string, b int) int {
	n := o.Split
	if n == 0 { // auto
		n = 1
		if impl != "native" && !o.BatchNorm && b >= 16 {
			n = 2
		}
	}
	if o.BatchNorm || b < n {
		return 1 // batch statistics are per batch: never split them
	}
	return n
}

// forward builds a on images with the chosen convolution formulation;
// shared reuses the layer scopes of an earlier forward in the same graph.
func forward(scope *model.Scope, images *Node, o Spec, a *Arch, impl string, shared bool) Output {
	g := images.Graph()
	init := initializer.HeFn(scope)
	if o.Init == "gauss" {
		init = initializer.RandomNormalFn(scope, o.InitStd)
	}
	scope = scope.WithInitializer(init)
	x := images
	// inPlanes: x is a planes matrix of spatial shape pl (see planes.go),
	// from the input to the head.
	inPlanes := impl == "planes"
	var pl planes
	if inPlanes {
		x, pl = toPlanes(x)
	}
	var out Output
	for _, l := range a.Layers {
		var ls *model.Scope
		if shared {
			ls = scope.Shared("%s", l.Name)
		} else {
			ls = scope.In("%s", l.Name)
		}
		switch l.Kind {
		case KindConv, KindPointwise:
			switch {
			case inPlanes:
				x = pl.conv(ls, x, l)
			case l.Kind == KindConv:
				x = convLayer(ls, x, l, impl, o.BatchNorm)
			default:
				x = pointwiseLayer(ls, x, l, o.BatchNorm)
			}
		case KindMaxPool, KindAvgPool:
			switch {
			case inPlanes:
				x, pl = pl.pool(x, l)
			case impl == "patches":
				x = slicePool(x, l)
			default:
				x = ceilPool(x, l)
			}
		case KindDropout:
			if inPlanes {
				x = pl.dropout(ls, x, o.Dropout)
			} else {
				x = layers.DropoutStatic(ls, x, o.Dropout)
			}
		case KindGAP:
			if inPlanes {
				maps := pl.maps(x)
				out.Maps = TransposeAllAxes(maps, 1, 2, 3, 0)
				x = Transpose(ReduceMean(maps, 2, 3), 0, 1)
				inPlanes = false
			} else {
				out.Maps = x
				x = ReduceMean(x, 1, 2)
			}
		case KindFlatten:
			if inPlanes {
				x = TransposeAllAxes(pl.maps(x), 1, 2, 3, 0)
				inPlanes = false
			}
			x = Reshape(x, x.Shape().Dimensions[0], -1)
		case KindFC:
			w := ls.VariableWithShape("weights", shapes.Make(x.DType(), x.Shape().Dimensions[1], l.Out))
			b := ls.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(x.DType(), l.Out))
			x = nn.Dense(x, w.NodeValue(g), b.NodeValue(g), compute.DenseLayoutInputOutputs)
		default:
			exceptions.Panicf("unknown layer kind %q", l.Kind)
		}
	}
	out.Logits = x
	return out
}

// denseVars creates the kernel and bias of a conv layer. The kernel is
// stored as [k, k, in, out] (HWIO) for both conv formulations, so a
// checkpoint does not depend on the backend it was trained on.
func denseVars(scope *model.Scope, g *Graph, k, in, out int) (kernel, bias *Node) {
	kv := scope.VariableWithShape("weights", shapes.Make(dtypeF32, k, k, in, out))
	bv := scope.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(dtypeF32, out))
	return kv.NodeValue(g), bv.NodeValue(g)
}

// pointwiseLayer is a 1x1 convolution written as a dense layer over the
// channel axis of [B, H, W, C]: the same weights applied at every pixel,
// i.e. the per-pixel MLP of an mlpconv block.
func pointwiseLayer(scope *model.Scope, x *Node, l Layer, bn bool) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[3]
	kernel, bias := denseVars(scope, g, 1, in, l.Out)
	w := Reshape(kernel, in, l.Out)
	return denseAct(scope, x, w, bias, l.ReLU, bn)
}

// denseAct applies x @ w + b with optional batch norm and ReLU, fusing the
// ReLU into the matmul when there is no batch norm.
//
// The weights w [in, out] are passed transposed ([out, in], the
// "outputs-input" layout): the Go backend's fused dense gradient then
// transposes the small output gradient [pixels, out] instead of the large
// patch matrix [pixels, k*k*in] to compute the weight gradient, which
// halved the time of that step in profiles.
func denseAct(scope *model.Scope, x, w, b *Node, relu, bn bool) *Node {
	wt := Transpose(w, 0, 1)
	if !bn {
		if relu {
			return nn.Dense(x, wt, b, compute.DenseLayoutOutputsInput, activation.TypeRelu)
		}
		return nn.Dense(x, wt, b, compute.DenseLayoutOutputsInput)
	}
	y := nn.Dense(x, wt, b, compute.DenseLayoutOutputsInput)
	y = norm.BatchNorm(scope.In("batch_norm"), y, -1).UseBackendInference(false).Done()
	if relu {
		y = activation.Relu(y)
	}
	return y
}

// convLayer is a k x k "same" convolution, stride 1.
func convLayer(scope *model.Scope, x *Node, l Layer, impl string, bn bool) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[3]
	kernel, bias := denseVars(scope, g, l.K, in, l.Out)
	if impl == "native" {
		y := Convolve(x, kernel).PadSame().Done()
		y = Add(y, Reshape(bias, 1, 1, 1, l.Out))
		if bn {
			y = norm.BatchNorm(scope.In("batch_norm"), y, -1).UseBackendInference(false).Done()
		}
		if l.ReLU {
			y = activation.Relu(y)
		}
		return y
	}
	patches := ExtractPatches(x, l.K)
	w := Reshape(kernel, l.K*l.K*in, l.Out)
	return denseAct(scope, patches, w, bias, l.ReLU, bn)
}

// ExtractPatches returns, for each pixel of x [B, H, W, C], the k x k
// neighbourhood (zero-padded, "same" size) flattened into the channel axis:
// [B, H, W, k*k*C] with feature index (dy*k + dx)*C + c. A k x k convolution
// is then one matmul with the kernel reshaped to [k*k*C, out]. On the Go
// backend this is ~40x faster than its direct convolution loop.
//
// The patches are one gather of B*H*W*k rows of k*C contiguous floats from
// the padded input (one per pixel and kernel row), and its gradient one
// scatter-add of the same rows: on the Go backend both copy whole rows,
// where k*k slices (and the slices that differentiate a concatenation) copy
// element by element; see ExtractPatchesSlices.
func ExtractPatches(x *Node, k int) *Node {
	if k == 1 {
		return x
	}
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	padded := padSame(x, k)
	start := make([]int32, 0, b*h*w*k*3)
	for i := range b {
		for y := range h {
			for xx := range w {
				for dy := range k {
					start = append(start, int32(i), int32(y+dy), int32(xx))
				}
			}
		}
	}
	idx := ConstTensor(x.Graph(), tensors.FromFlatDataAndDimensions(start, b, h, w, k, 3))
	rows := GatherSlices(padded, []int{0, 1, 2}, idx, []int{1, 1, k}, false) // [B, H, W, k, 1, 1, k, C]
	return Reshape(rows, b, h, w, k*k*c)
}

// ExtractPatchesSlices is ExtractPatches as k*k slices of the padded input
// concatenated on the channel axis: the formulation used before the gather,
// kept as the reference of the equivalence tests and benchmarks.
func ExtractPatchesSlices(x *Node, k int) *Node {
	if k == 1 {
		return x
	}
	dims := x.Shape().Dimensions
	h, w := dims[1], dims[2]
	padded := padSame(x, k)
	parts := make([]*Node, 0, k*k)
	for dy := 0; dy < k; dy++ {
		for dx := 0; dx < k; dx++ {
			parts = append(parts, Slice(padded, AxisRange(), AxisRange(dy, dy+h), AxisRange(dx, dx+w), AxisRange()))
		}
	}
	return Concatenate(parts, 3)
}

// padSame zero-pads the spatial axes of x [B, H, W, C] for a k x k "same"
// convolution.
func padSame(x *Node, k int) *Node {
	p := k / 2
	return Pad(x, ScalarZero(x.Graph(), x.DType()),
		compute.PadAxis{}, compute.PadAxis{Start: p, End: k - 1 - p}, compute.PadAxis{Start: p, End: k - 1 - p}, compute.PadAxis{})
}

// ceilPool is a k x k, stride-s pool whose output size is rounded up as in
// Caffe (32 -> 16 -> 8 for 3x3 stride 2): the input is padded at the end
// so the last window fits; average pools divide by the number of real
// (unpadded) pixels in each window, as Caffe does.
func ceilPool(x *Node, l Layer) *Node {
	dims := x.Shape().Dimensions
	pads := make([][2]int, 2)
	for i, n := range dims[1:3] {
		out := poolOut(n, l.K, l.Stride)
		pads[i] = [2]int{0, max(0, (out-1)*l.Stride+l.K-n)}
	}
	if l.Kind == KindMaxPool {
		return MaxPool(x).Window(l.K).Strides(l.Stride).PaddingPerDim(pads).Done()
	}
	return MeanPool(x).Window(l.K).Strides(l.Stride).PaddingPerDim(pads).Done()
}

// slicePool computes the same ceil-mode pool as ceilPool with strided
// slices, separably (first along W, then along H): on the Go backend,
// GoMLX's generic ReduceWindow and its gradient took a third of a training
// step, while slices, Max and Add run at memory speed and differentiate
// into pads and selects. Max pools pad with the lowest float; average pools
// pad with zeros and divide by the count of real pixels in each window.
func slicePool(x *Node, l Layer) *Node { return slicePoolAt(x, l, 1) }

// slicePoolAt is slicePool over the spatial axes hAxis and hAxis+1 of a
// rank-4 x: 1 for [B, H, W, C], 2 for the planes layout [C, B, H, W].
func slicePoolAt(x *Node, l Layer, hAxis int) *Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	isMax := l.Kind == KindMaxPool
	fill := ScalarZero(g, x.DType())
	if isMax {
		fill = Scalar(g, x.DType(), -3.4e38)
	}
	pool1D := func(x *Node, axis, n int) *Node {
		out := poolOut(n, l.K, l.Stride)
		need := (out-1)*l.Stride + l.K
		pads := make([]compute.PadAxis, 4)
		pads[axis].End = max(0, need-n)
		if pads[axis].End > 0 {
			x = Pad(x, fill, pads...)
		}
		var acc *Node
		for d := 0; d < l.K; d++ {
			spec := []SliceAxisSpec{AxisRange(), AxisRange(), AxisRange(), AxisRange()}
			spec[axis] = AxisRange(d, d+(out-1)*l.Stride+1).Stride(l.Stride)
			part := Slice(x, spec...)
			switch {
			case acc == nil:
				acc = part
			case isMax:
				acc = Max(acc, part)
			default:
				acc = Add(acc, part)
			}
		}
		return acc
	}
	y := pool1D(pool1D(x, hAxis+1, dims[hAxis+1]), hAxis, dims[hAxis])
	if isMax {
		return y
	}
	// Divide by the number of real pixels in each (clipped) window.
	counts := func(n int) []float64 {
		out := poolOut(n, l.K, l.Stride)
		c := make([]float64, out)
		for i := range c {
			c[i] = float64(min(n, i*l.Stride+l.K) - i*l.Stride)
		}
		return c
	}
	ch, cw := counts(dims[hAxis]), counts(dims[hAxis+1])
	inv := make([][]float32, len(ch))
	for i := range ch {
		inv[i] = make([]float32, len(cw))
		for j := range cw {
			inv[i][j] = float32(1 / (ch[i] * cw[j]))
		}
	}
	shape := []int{1, 1, 1, 1}
	shape[hAxis], shape[hAxis+1] = len(ch), len(cw)
	return Mul(y, Reshape(Const(g, inv), shape...))
}

// Describe is a one-line description of a model for logs.
func Describe(o Spec) string {
	s, err := Account(o)
	if err != nil {
		return fmt.Sprintf("%s (%v)", o.Variant, err)
	}
	return fmt.Sprintf("%s: %s params, %s mult-adds/image at %dx%dx%d", o.Variant, Commas(s.Params), Commas(s.MACs), o.InputH, o.InputW, o.InputC)
}
