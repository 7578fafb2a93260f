package gofast

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"

	"github.com/ninbench/nin/ninlib/nin/internal/caffe"
)

// SlicePool computes a k x k, stride-s, ceil-mode pool (max, or average
// over the real pixels of each window, as Caffe does) over the spatial
// axes hAxis and hAxis+1 of a rank-4 x (1 for [B, H, W, C], 2 for the
// planes layout [C, B, H, W]) with strided slices, separably (first along
// W, then along H): on the Go backend, GoMLX's generic ReduceWindow and its
// gradient took a third of a training step, while slices, Max and Add run
// at memory speed and differentiate into pads and selects. Max pools pad
// with the lowest float; average pools pad with zeros and divide by the
// count of real pixels in each window. Picking the taps with matmuls by
// constant 0/1 matrices instead (exact, and free of the slices' generic
// index loop) was slower on the planes of the digit NIN's first pool:
// 14 ms forward for [rows, W] @ [W, out] against 6 ms for the slices, and
// 10 ms with the matmuls transposed ([out, W] @ [rows, W]^T), whose
// gradients were 2x the slices' (the backend's kernels on a dimension of
// 14-28).
func SlicePool(x *Node, isMax bool, k, stride, hAxis int) *Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	fill := ScalarZero(g, x.DType())
	if isMax {
		fill = Scalar(g, x.DType(), -3.4e38)
	}
	pool1D := func(x *Node, axis, n int) *Node {
		out := caffe.PoolOut(n, k, stride)
		need := (out-1)*stride + k
		pads := make([]compute.PadAxis, 4)
		pads[axis].End = max(0, need-n)
		if pads[axis].End > 0 {
			x = Pad(x, fill, pads...)
		}
		var acc *Node
		for d := 0; d < k; d++ {
			spec := []SliceAxisSpec{AxisRange(), AxisRange(), AxisRange(), AxisRange()}
			spec[axis] = AxisRange(d, d+(out-1)*stride+1).Stride(stride)
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
	return Mul(y, inverseCounts(g, dims[hAxis], dims[hAxis+1], k, stride, hAxis))
}

// inverseCounts is 1 / (the number of real pixels in each clipped window)
// of a ceil-mode average pool over h x w pixels, shaped to multiply the
// pooled spatial axes hAxis, hAxis+1.
func inverseCounts(g *Graph, h, w, k, stride, hAxis int) *Node {
	counts := func(n int) []float64 {
		c := make([]float64, caffe.PoolOut(n, k, stride))
		for i := range c {
			c[i] = float64(min(n, i*stride+k) - i*stride)
		}
		return c
	}
	ch, cw := counts(h), counts(w)
	inv := make([][]float32, len(ch))
	for i := range ch {
		inv[i] = make([]float32, len(cw))
		for j := range cw {
			inv[i][j] = float32(1 / (ch[i] * cw[j]))
		}
	}
	shape := []int{1, 1, 1, 1}
	shape[hAxis], shape[hAxis+1] = len(ch), len(cw)
	return Reshape(Const(g, inv), shape...)
}
