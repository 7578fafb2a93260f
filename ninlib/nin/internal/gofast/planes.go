package gofast

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// Planes is the formulation that trains fastest on the Go backend.
// Activations are channel-major matrices with one row (plane) per channel
// plus a last plane of constant ones, one matrix per chunk of the batch:
// [S, C+1, g*H*W] for S chunks of g images. Every convolution (1x1, or
// k x k on patches) is one batched matmul  y[s] = Waug @ X[s]  with
// X[s] [K, g*H*W] and Waug [N+1, K] holding the kernel, the bias (as the
// weight of the ones plane) and a constant row that reproduces the ones
// plane in y. None of the matmuls of training transposes a large operand:
//
//   - forward: Waug [N+1, K] @ X[s] [K, P], the matmul's native layout;
//   - input gradient: Waug^T @ dY[s], where only the small Waug is
//     transposed (set by hand in chunkMatMul);
//   - weight gradient: the sum over chunks of dY[s] [N+1, P] @ X[s]^T, X
//     read as the "transposed" right operand the backend's matmul takes
//     as is.
//
// In the channels-last layout [B, H, W, C] the weight gradient needs the
// transpose of an [M, N] matrix, which the Go backend does on one core
// (a quarter of the full NIN's training step). The chunks are for the
// weight gradients too: as one matrix, their small output [N+1, K] is
// split among the workers by rows, 8 at a time, and every piece packs the
// whole right operand again (docs/upstream.md 5); as a batch of chunks,
// the backend splits by chunk. Two chunks per graph (batch slice) trained
// fastest: digit NIN width 1/2 +12-16% over one matrix, full NIN +9%;
// one image per chunk was no faster than one matrix (its outputs,
// 784 columns and fewer, go through the backend's packed-output copy).
// The ReLU is a separate op: fused into the dense layer, its gradient is
// computed into a freshly allocated buffer, which cost more here than
// the separate op's pass.
//
// A Planes tracks the spatial shape of the batch as pools shrink it; use a
// new one for each forward pass (and for each slice of a batch).
type Planes struct{ s, g, h, w int }

// planesChunks is how many chunks a batch is cut into (when it divides
// evenly; else one).
const planesChunks = 2

// In converts images [B, H, W, C] to planes [S, C+1, g*H*W].
func (p *Planes) In(images *Node) *Node {
	d := images.Shape().Dimensions
	b, c := d[0], d[3]
	p.s = planesChunks
	if b%p.s != 0 {
		p.s = 1
	}
	p.g, p.h, p.w = b/p.s, d[1], d[2]
	x := Reshape(images, p.s, p.g, p.h, p.w, c)
	x = Reshape(TransposeAllAxes(x, 0, 4, 1, 2, 3), p.s, c, p.m())
	return Concatenate([]*Node{x, Ones(x.Graph(), shapes.Make(x.DType(), p.s, 1, p.m()))}, 1)
}

// m is the number of pixels of a chunk: the planes' length.
func (p *Planes) m() int { return p.g * p.h * p.w }

// Channels is the channel count of x, its ones plane aside.
func (p *Planes) Channels(x *Node) int { return x.Shape().Dimensions[1] - 1 }

// Maps drops the ones plane and returns the maps as [B, H, W, C].
func (p *Planes) Maps(x *Node) *Node {
	c := p.Channels(x)
	maps := Reshape(Slice(x, AxisRange(), AxisRange(0, c)), p.s, c, p.g, p.h, p.w)
	return Reshape(TransposeAllAxes(maps, 0, 2, 3, 4, 1), p.s*p.g, p.h, p.w, c)
}

// Conv is a k x k "same" convolution (k from kernel [k, k, C, N]; 1 for the
// 1x1 layers), stride 1, with bias and optional ReLU, as one batched
// matmul over the chunks.
func (p *Planes) Conv(x, kernel, bias *Node, relu bool) *Node {
	k := kernel.Shape().Dimensions[0]
	y := chunkMatMul(planesWeights(kernel, bias), p.patches(x, k))
	if relu {
		y = activation.Relu(y)
	}
	return y
}

// Norm is batch norm over the channel planes of xs, the planes of every
// slice of the batch ([S, C+1, M] each), with the ones plane left alone.
// Every large step works on the planes viewed as rows [S*(C+1), M] (a sum
// along each row, a value per row broadcast along it): GoMLX's batch norm
// on the planes' middle axis ran through the backend's generic index
// iterator, and with the ones plane sliced off and put back it trained
// 2.5x slower than patches.
func (p *Planes) Norm(scope *model.Scope, xs []*Node) []*Node {
	return normalize(scope, xs, planesView{}, true)
}

// planesView is the planes [S, C, M] as rows [S*C, M] for batch norm.
type planesView struct{}

func (planesView) view(x *Node) *Node {
	d := x.Shape().Dimensions
	return Reshape(x, d[0]*d[1], d[2])
}

func (planesView) sums(x, v *Node) *Node {
	d := x.Shape().Dimensions
	return ReduceSum(Reshape(ReduceSum(v, 1), d[0], d[1]), 0)
}

func (planesView) spread(x, c *Node) *Node {
	d := x.Shape().Dimensions
	return Reshape(BroadcastToDims(InsertAxes(c, 0), d[0], d[1]), d[0]*d[1], 1)
}

func (planesView) count(x *Node) int {
	d := x.Shape().Dimensions
	return d[0] * d[2]
}

func (planesView) channels(x *Node) int { return x.Shape().Dimensions[1] }

// chunkMatMul is y[s] = w @ x[s] for w [N, K] and x [S, K, P], as one
// batched matmul with w broadcast over the chunks (a small copy). Its
// weight gradient, as GoMLX differentiates it, is the batch of
// dY[s] @ x[s]^T summed over s, each operand in a layout the backend's
// matmul takes as is. The input gradient is set here: differentiated as
// usual it would contract dY on its middle axis, a layout the backend
// gets to by transposing dY and w first; w^T @ dY[s] needs no transpose
// of dY.
//
// GoMLX sets custom gradients only through identities: the identity on
// the output captures dY, the one on x returns its gradient (the
// matmul's own gradient for x is then unused, and the backend never
// computes it).
func chunkMatMul(w, x *Node) *Node {
	d := x.Shape().Dimensions
	s, k := d[0], d[1]
	n := w.Shape().Dimensions[0]
	var dy *Node
	xi := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		wt := BroadcastToDims(InsertAxes(Transpose(w, 0, 1), 0), s, k, n)
		return DotGeneral(wt, []int{2}, []int{0}, dy, []int{1}, []int{0})
	})
	wb := BroadcastToDims(InsertAxes(w, 0), s, n, k)
	y := DotGeneral(wb, []int{2}, []int{0}, xi, []int{1}, []int{0}) // [S, N, P]
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		dy = v
		return v
	})
}

// planesWeights builds Waug [N+1, k*k*(C+1)] from kernel [k, k, C, N] and
// bias [N]: row n holds the kernel of output n, in the patches' feature
// order (dy*k + dx)*(C+1) + c, with the bias at the ones plane of the
// centre tap (always inside the image, unlike the zero-padded border
// taps); the last row is 1 at that same position and 0 elsewhere, so the
// output's last plane is 1 again (and ReLU(1) = 1).
func planesWeights(kernel, bias *Node) *Node {
	g := kernel.Graph()
	dims := kernel.Shape().Dimensions
	k, c, n := dims[0], dims[2], dims[3]
	rows := TransposeAllAxes(kernel, 3, 0, 1, 2) // [N, k, k, C]
	rows = Pad(rows, ScalarZero(g, rows.DType()), compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{End: 1})
	centre := make([]float32, k*k*(c+1))
	centre[(k/2*k+k/2)*(c+1)+c] = 1
	unit := Const(g, tensors.FromFlatDataAndDimensions(centre, 1, k*k*(c+1)))
	rows = Add(Reshape(rows, n, k*k*(c+1)), Mul(Reshape(bias, n, 1), unit))
	return Concatenate([]*Node{rows, unit}, 0)
}

// patches returns the k x k "same" patches of x [S, C+1, g*H*W] as
// [S, k*k*(C+1), g*H*W], in the feature order of planesWeights: for each
// chunk and tap (dy, dx), the zero-padded planes shifted by it. It is one
// gather of the shifted windows (each copied row by row, W floats at a
// time), whose gradient is one scatter-add.
func (p *Planes) patches(x *Node, k int) *Node {
	if k == 1 {
		return x
	}
	c1 := x.Shape().Dimensions[1]
	o := k / 2
	padded := Pad(Reshape(x, p.s, c1, p.g, p.h, p.w), ScalarZero(x.Graph(), x.DType()),
		compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{Start: o, End: k - 1 - o}, compute.PadAxis{Start: o, End: k - 1 - o})
	start := make([]int32, 0, 3*p.s*k*k)
	for i := range p.s {
		for dy := range k {
			for dx := range k {
				start = append(start, int32(i), int32(dy), int32(dx))
			}
		}
	}
	idx := Const(x.Graph(), tensors.FromFlatDataAndDimensions(start, p.s, k*k, 3))
	taps := GatherSlices(padded, []int{0, 3, 4}, idx, []int{1, p.h, p.w}, false) // [S, k*k, 1, C+1, g, H, W]
	return Reshape(taps, p.s, k*k*c1, p.m())
}

// Pool is SlicePool on the planes of each image; the ones plane pools to
// ones.
func (p *Planes) Pool(x *Node, isMax bool, k, stride int) *Node {
	c1 := x.Shape().Dimensions[1]
	y := SlicePool(Reshape(x, p.s*c1, p.g, p.h, p.w), isMax, k, stride, 2)
	d := y.Shape().Dimensions
	p.h, p.w = d[2], d[3]
	return Reshape(y, p.s, c1, p.m())
}

// Dropout is dropout that leaves the ones plane alone (a dropped or
// rescaled one would scale the next layer's biases).
func (p *Planes) Dropout(scope *model.Scope, x *Node, rate float64) *Node {
	g := x.Graph()
	if rate <= 0 || !layers.IsDropoutActive(scope, g) {
		return x
	}
	c := p.Channels(x)
	mask := layers.DropoutStatic(scope, Ones(g, shapes.Make(x.DType(), p.s, c, p.m())), rate)
	mask = Pad(mask, ScalarOne(g, x.DType()), compute.PadAxis{}, compute.PadAxis{End: 1}, compute.PadAxis{})
	return Mul(x, mask)
}
