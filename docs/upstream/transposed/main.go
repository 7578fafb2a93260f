// Command transposed reproduces a limit of GoMLX's Go backend (compute
// v0.1.14): a matmul whose right operand is laid out transposed (contracted
// on its last axis, as in the weight gradient dW = dY · Xᵀ of every dense
// or convolution layer) is packed by a generic Go loop
// (matmul.unsafePackLHS) instead of the SIMD packer the normal layout gets.
// It times the same product both ways, alternating: [N, M] x [M, K] against
// [N, M] x [K, M]ᵀ, with the shapes of a NIN layer's weight gradient at
// batch 32 (M = 32x32x32 pixels, N = 192 outputs, K = 5x5x96 patch
// features).
//
//	GOEXPERIMENT=simd go run ./docs/upstream/transposed
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
	const n, m, k, calls = 192, 32768, 2400, 10
	be, err := compute.NewWithConfig("go:num_executors=2")
	if err != nil {
		panic(err)
	}
	dy := tensors.FromFlatDataAndDimensions(make([]float32, n*m), n, m)
	normal := MustNewExec(be, func(a, b *Node) *Node { return DotGeneral(a, []int{1}, nil, b, []int{0}, nil) })
	transposed := MustNewExec(be, func(a, b *Node) *Node { return DotGeneral(a, []int{1}, nil, b, []int{1}, nil) })
	xNormal := tensors.FromFlatDataAndDimensions(make([]float32, m*k), m, k)
	xTransposed := tensors.FromFlatDataAndDimensions(make([]float32, k*m), k, m)
	for round := 1; round <= 3; round++ {
		for _, c := range []struct {
			name string
			exec *Exec
			x    *tensors.Tensor
		}{{"[N,M] x [M,K] (normal)", normal, xNormal}, {"[N,M] x [K,M]^T (transposed)", transposed, xTransposed}} {
			c.exec.MustExec(dy, c.x)[0].FinalizeAll()
			t := time.Now()
			for range calls {
				c.exec.MustExec(dy, c.x)[0].FinalizeAll()
			}
			el := time.Since(t) / calls
			fmt.Printf("round %d  %-30s %7.1f ms, %5.1f GFLOP/s\n", round, c.name, el.Seconds()*1000, 2*float64(n*m*k)/el.Seconds()/1e9)
		}
	}
}
