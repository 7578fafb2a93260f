package gofast

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/nn"
)

// Planes is the formulation that trains large models fastest on the Go
// backend. Activations are channel-major matrices [C+1, B*H*W]: one row
// (plane) per channel plus a last plane of constant ones. Every
// convolution (1x1, or k x k on patches) is one matmul  y = Waug @ X  with
// X [K, B*H*W] and Waug [N+1, K] holding the kernel, the bias (as the
// weight of the ones plane) and a constant row that reproduces the ones
// plane in y. None of the matmuls of training transposes a large operand:
//
//   - forward: Waug [N+1, K] @ X [K, M], the matmul's native layout;
//   - input gradient: Waug^T @ dY, where only the small Waug is transposed;
//   - weight gradient: dY [N+1, M] @ X^T, X read as the "transposed" right
//     operand the backend's matmul takes as is.
//
// In the channels-last layout [B, H, W, C] the weight gradient needs the
// transpose of an [M, N] matrix, which the Go backend does on one core
// (a quarter of the full NIN's training step). The ReLU is a separate op:
// fused into the dense layer, its gradient is computed into a freshly
// allocated buffer, which cost more here than the separate op's pass.
//
// A Planes tracks the spatial shape of the batch as pools shrink it; use a
// new one for each forward pass. It does not support batch norm (which
// normalizes channels-last activations).
type Planes struct{ b, h, w int }

// In converts images [B, H, W, C] to planes [C+1, B*H*W].
func (p *Planes) In(images *Node) *Node {
	d := images.Shape().Dimensions
	p.b, p.h, p.w = d[0], d[1], d[2]
	x := Reshape(TransposeAllAxes(images, 3, 0, 1, 2), d[3], p.m())
	return Concatenate([]*Node{x, Ones(x.Graph(), shapes.Make(x.DType(), 1, p.m()))}, 0)
}

// m is the number of pixels of the batch: the planes' length.
func (p *Planes) m() int { return p.b * p.h * p.w }

// Channels is the channel count of x, its ones plane aside.
func (p *Planes) Channels(x *Node) int { return x.Shape().Dimensions[0] - 1 }

// Maps drops the ones plane and returns the maps as [B, H, W, C].
func (p *Planes) Maps(x *Node) *Node {
	c := p.Channels(x)
	return TransposeAllAxes(Reshape(Slice(x, AxisRange(0, c)), c, p.b, p.h, p.w), 1, 2, 3, 0)
}

// Conv is a k x k "same" convolution (k from kernel [k, k, C, N]; 1 for the
// 1x1 layers), stride 1, with bias and optional ReLU, as one matmul.
func (p *Planes) Conv(_ *model.Scope, x, kernel, bias *Node, relu bool) *Node {
	k := kernel.Shape().Dimensions[0]
	w := planesWeights(kernel, bias)
	var y *Node
	if k == 1 {
		y = nn.Dense(w, x, nil, compute.DenseLayoutInputOutputs)
	} else {
		y = matMulPatches(w, p.patches(x, k))
	}
	if relu {
		y = activation.Relu(y)
	}
	return y
}

// matMulPatches is w [N, K] @ x [K, M] for the patch matrix x of a k x k
// convolution (K = k*k*(C+1), many times N), with gradients computed so
// that the Go backend's matmul never packs x in a transposed layout.
// Differentiated as usual (and by the backend's fused dense gradient), the
// weight gradient dY @ x^T reads x as a transposed right operand, which the
// backend packs with a generic element-by-element loop; here it is
// (x @ dY^T)^T: x is the left operand, packed by SIMD code, the transposed
// operand is dY [N, M], K/N times smaller, and only the small [K, N]
// result is transposed. The input gradient is w^T @ dY with w transposed
// first (small): the backend's matmul wants the left operand's contracting
// axis last, and otherwise transposes both operands.
//
// GoMLX sets custom gradients only through identities: the identity on
// the output captures dY, and those on w and x return the gradients
// computed from it (the matmul's own gradient is then unused, and the
// backend never computes it). The weight gradient reads x through its
// identity, so x has one consumer and the identity does not copy it.
func matMulPatches(w, x *Node) *Node {
	var dy, xi *Node
	wi := IdentityWithCustomGradient(w, func(_, _ *Node) *Node {
		return Transpose(DotGeneral(xi, []int{1}, nil, dy, []int{1}, nil), 0, 1)
	})
	xi = IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		return MatMul(Transpose(w, 0, 1), dy)
	})
	return IdentityWithCustomGradient(MatMul(wi, xi), func(_, v *Node) *Node {
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

// patches returns the k x k "same" patches of x [C+1, M] as a matrix
// [k*k*(C+1), M]: for each tap (dy, dx), the zero-padded planes shifted by
// it. It is one gather of the k*k shifted windows (each copied row by row,
// W floats at a time), whose gradient is one scatter-add.
func (p *Planes) patches(x *Node, k int) *Node {
	if k == 1 {
		return x
	}
	c1 := x.Shape().Dimensions[0]
	o := k / 2
	padded := Pad(Reshape(x, c1, p.b, p.h, p.w), ScalarZero(x.Graph(), x.DType()),
		compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{Start: o, End: k - 1 - o}, compute.PadAxis{Start: o, End: k - 1 - o})
	start := make([]int32, 0, 2*k*k)
	for dy := range k {
		for dx := range k {
			start = append(start, int32(dy), int32(dx))
		}
	}
	idx := Const(x.Graph(), tensors.FromFlatDataAndDimensions(start, k*k, 2))
	taps := GatherSlices(padded, []int{2, 3}, idx, []int{p.h, p.w}, false) // [k*k, C+1, B, H, W]
	return Reshape(taps, k*k*c1, p.m())
}

// Pool is SlicePool on the planes; the ones plane pools to ones.
func (p *Planes) Pool(x *Node, isMax bool, k, stride int) *Node {
	c1 := x.Shape().Dimensions[0]
	y := SlicePool(Reshape(x, c1, p.b, p.h, p.w), isMax, k, stride, 2)
	d := y.Shape().Dimensions
	p.h, p.w = d[2], d[3]
	return Reshape(y, c1, p.m())
}

// Dropout is dropout that leaves the ones plane alone (a dropped or
// rescaled one would scale the next layer's biases).
func (p *Planes) Dropout(scope *model.Scope, x *Node, rate float64) *Node {
	g := x.Graph()
	if rate <= 0 || !layers.IsDropoutActive(scope, g) {
		return x
	}
	c := p.Channels(x)
	mask := layers.DropoutStatic(scope, Ones(g, shapes.Make(x.DType(), c, p.m())), rate)
	mask = Pad(mask, ScalarOne(g, x.DType()), compute.PadAxis{End: 1}, compute.PadAxis{})
	return Mul(x, mask)
}
