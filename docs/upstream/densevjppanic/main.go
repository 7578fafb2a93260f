// Command densevjppanic reproduces a bug of GoMLX's Go backend (compute
// v0.1.14): the executor panics ("index out of range", executable.go)
// when a fused dense node's gradient (FusedDenseVJP) runs with one of its
// outputs unused: here the gradient of a dense layer whose bias is a
// constant, taken with respect to the weights only.
//
//	GOEXPERIMENT=simd go run ./docs/upstream/densevjppanic
package main

import (
	"fmt"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

func main() {
	be, err := compute.NewWithConfig("go")
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	w := tensors.FromFlatDataAndDimensions([]float32{1, 0, 0, 1, 1, 1}, 3, 2)
	if e := exceptions.Try(func() {
		exec := MustNewExec(be, func(x, w *Node) *Node {
			b := Const(x.Graph(), []float32{0.5, -0.5}) // a constant bias: its gradient is not needed
			y := nn.Dense(x, w, b, compute.DenseLayoutInputOutputs)
			return Gradient(ReduceAllSum(y), w)[0]
		})
		fmt.Println("gradient:", exec.MustExec(x, w)[0])
	}); e != nil {
		fmt.Println("the gradient panicked:", e)
	}
}
