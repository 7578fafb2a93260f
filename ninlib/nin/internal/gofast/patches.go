// Package gofast holds the formulations of NIN's layers that make training
// fast on GoMLX's pure-Go backend, behind the small interface that package
// nin's forward pass calls (nin.Ops): Patches (channels-last activations,
// each convolution one gather of patches and one matmul, pools as strided
// slices) and Planes (channel-major activations with a plane of ones, each
// convolution one matmul that transposes no large operand). Both compute
// what nin's reference formulation computes, with the same variables:
// nin's equivalence tests compare outputs and every gradient.
package gofast

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/nn"
)

// Patches is the channels-last formulation: activations [B, H, W, C].
type Patches struct{}

// In returns the images as they are.
func (Patches) In(images *Node) *Node { return images }

// Channels is the channel count of x [B, H, W, C].
func (Patches) Channels(x *Node) int { return x.Shape().Dimensions[3] }

// Maps returns x [B, H, W, C] as it is.
func (Patches) Maps(x *Node) *Node { return x }

// Conv is a k x k "same" convolution, stride 1 (k from kernel [k, k, C,
// N]): the patches of x (x itself for k = 1) times the kernel as one
// matmul, plus bias, then a ReLU if asked.
func (Patches) Conv(x, kernel, bias *Node, relu bool) *Node {
	d := kernel.Shape().Dimensions
	k, in, out := d[0], d[2], d[3]
	return denseAct(ExtractPatches(x, k), Reshape(kernel, k*k*in, out), bias, relu)
}

// Norm is batch norm over the channels of xs, the activations of every
// slice of the batch ([B, H, W, C] each), viewed as [B*H*W, C]: a sum down
// each column, a value per column broadcast down it.
func (Patches) Norm(scope *model.Scope, xs []*Node) []*Node {
	return normalize(scope, xs, patchesView{}, false)
}

// patchesView is channels-last activations as a matrix [pixels, C].
type patchesView struct{}

func (patchesView) view(x *Node) *Node {
	d := x.Shape().Dimensions
	return Reshape(x, -1, d[len(d)-1])
}

func (patchesView) sums(_, v *Node) *Node { return ReduceSum(v, 0) }

func (patchesView) spread(_, c *Node) *Node { return InsertAxes(c, 0) }

func (patchesView) count(x *Node) int { return x.Shape().Size() / patchesView{}.channels(x) }

func (patchesView) channels(x *Node) int {
	d := x.Shape().Dimensions
	return d[len(d)-1]
}

// Pool is the ceil-mode pool as strided slices (SlicePool).
func (Patches) Pool(x *Node, max bool, k, stride int) *Node { return SlicePool(x, max, k, stride, 1) }

// Dropout is GoMLX's dropout.
func (Patches) Dropout(scope *model.Scope, x *Node, rate float64) *Node {
	return layers.DropoutStatic(scope, x, rate)
}

// denseAct applies x @ w + b with an optional ReLU fused into the matmul.
//
// The weights w [in, out] are passed transposed ([out, in], the
// "outputs-input" layout): the Go backend's fused dense gradient then
// transposes the small output gradient [pixels, out] instead of the large
// patch matrix [pixels, k*k*in] to compute the weight gradient, which
// halved the time of that step in profiles.
func denseAct(x, w, b *Node, relu bool) *Node {
	wt := Transpose(w, 0, 1)
	if relu {
		return nn.Dense(x, wt, b, compute.DenseLayoutOutputsInput, activation.TypeRelu)
	}
	return nn.Dense(x, wt, b, compute.DenseLayoutOutputsInput)
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
