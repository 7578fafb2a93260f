package nin

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/nin/internal/caffe"
	"github.com/ninbench/nin/ninlib/nin/internal/gofast"
)

// Reference computes NIN's layers with GoMLX's own ops, on activations
// [B, H, W, C], as the paper describes them: the formulation a reader can
// check against the paper, and the one XLA backends use.
type Reference struct {
}

// In returns the images as they are.
func (Reference) In(images *Node) *Node { return images }

// Channels is the channel count of x [B, H, W, C].
func (Reference) Channels(x *Node) int { return x.Shape().Dimensions[3] }

// Maps returns x [B, H, W, C] as it is.
func (Reference) Maps(x *Node) *Node { return x }

// Conv is a k x k "same" convolution with stride 1 (a 1x1 one is the
// per-pixel MLP layer of an mlpconv block), plus bias, then a ReLU if
// asked.
func (Reference) Conv(x, kernel, bias *Node, relu bool) *Node {
	out := kernel.Shape().Dimensions[3]
	y := Convolve(x, kernel).PadSame().Done()
	y = Add(y, Reshape(bias, 1, 1, 1, out))
	if relu {
		y = activation.Relu(y)
	}
	return y
}

// Norm is batch norm over the channels of xs, the activations of every
// slice of the batch: GoMLX's batch norm (with the gradient it leaves out,
// gofast.BatchNorm) on the whole batch, cut back into the slices.
func (Reference) Norm(scope *model.Scope, xs []*Node) []*Node {
	if len(xs) == 1 {
		return []*Node{gofast.BatchNorm(scope, xs[0], -1)}
	}
	y := gofast.BatchNorm(scope, Concatenate(xs, 0), -1)
	out := make([]*Node, len(xs))
	lo := 0
	for i, x := range xs {
		hi := lo + x.Shape().Dimensions[0]
		out[i] = Slice(y, AxisRange(lo, hi))
		lo = hi
	}
	return out
}

// Pool is a k x k, stride-s pool whose output size is rounded up as in
// Caffe (32 -> 16 -> 8 for 3x3 stride 2): the input is padded at the end
// so the last window fits; average pools divide by the number of real
// (unpadded) pixels in each window, as Caffe does.
func (Reference) Pool(x *Node, isMax bool, k, stride int) *Node {
	dims := x.Shape().Dimensions
	pads := make([][2]int, 2)
	for i, n := range dims[1:3] {
		out := caffe.PoolOut(n, k, stride)
		pads[i] = [2]int{0, max(0, (out-1)*stride+k-n)}
	}
	if isMax {
		return MaxPool(x).Window(k).Strides(stride).PaddingPerDim(pads).Done()
	}
	return MeanPool(x).Window(k).Strides(stride).PaddingPerDim(pads).Done()
}

// Dropout is GoMLX's dropout.
func (Reference) Dropout(scope *model.Scope, x *Node, rate float64) *Node {
	return layers.DropoutStatic(scope, x, rate)
}
