// Command splitpack reproduces a limit of GoMLX's Go backend (compute
// v0.1.14): a matmul with one matrix and a small output (a weight
// gradient dY · Xᵀ: [N, M] x [K, M]ᵀ with N and K a few dozen, M large) is
// split among the workers by output rows, 8 at a time
// (matmul.FeedWorkItems, Choose2DSplit), and every piece packs the whole
// right operand again: the packing does about N/8 times the work of
// reading the operands. It compares the product as one matrix with the
// same product as a batch of 16 matrices (the M columns in 16 blocks)
// summed over the batch, which the backend splits by batch item, packing
// each operand once. Shapes from the digit NIN's first block at width 1/2
// (N = 49, K = 41, M = 16 images x 28 x 28 pixels).
//
//	GOEXPERIMENT=simd go run ./docs/upstream/splitpack
package main

import (
	"fmt"
	"time"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func main() {
	const n, k, blocks, cols, calls = 49, 41, 16, 784, 200
	be, err := compute.NewWithConfig("go:num_executors=2")
	if err != nil {
		panic(err)
	}
	dy := tensors.FromFlatDataAndDimensions(make([]float32, n*blocks*cols), n, blocks*cols)
	x := tensors.FromFlatDataAndDimensions(make([]float32, k*blocks*cols), k, blocks*cols)
	dyB := tensors.FromFlatDataAndDimensions(make([]float32, n*blocks*cols), blocks, n, cols)
	xB := tensors.FromFlatDataAndDimensions(make([]float32, k*blocks*cols), blocks, k, cols)
	cases := []struct {
		name  string
		fn    func(dy, x *Node) *Node
		dy, x *tensors.Tensor
	}{
		{"one matrix: [49, 12544] x [41, 12544]^T", func(dy, x *Node) *Node {
			return DotGeneral(dy, []int{1}, nil, x, []int{1}, nil)
		}, dy, x},
		{"16 blocks: [16, 49, 784] x [16, 41, 784]^T, summed", func(dy, x *Node) *Node {
			return ReduceSum(DotGeneral(dy, []int{2}, []int{0}, x, []int{2}, []int{0}), 0)
		}, dyB, xB},
	}
	for round := 1; round <= 3; round++ {
		for _, c := range cases {
			exec := MustNewExec(be, c.fn)
			exec.MustExec(c.dy, c.x)[0].FinalizeAll()
			t := time.Now()
			for range calls {
				exec.MustExec(c.dy, c.x)[0].FinalizeAll()
			}
			el := time.Since(t) / calls
			fmt.Printf("round %d  %-52s %6.3f ms, %5.1f GFLOP/s\n", round, c.name, el.Seconds()*1000, 2*float64(n*k*blocks*cols)/el.Seconds()/1e9)
		}
	}
}
