// Command relu reproduces a limit of GoMLX's Go backend (compute v0.1.14):
// the fused activation op (what activation.Relu builds) always writes into
// a fresh buffer, copying its input there first and then applying the
// activation in place, even when its input is an intermediate that nothing
// else reads; a binary op (Max with a scalar zero) reuses such an input's
// buffer and makes one pass. Shape: the planes of the digit NIN's widest
// layer at half width (2 chunks of 16 MNIST images, 97 planes of 16*28*28
// pixels), behind an element-wise op so that the activation's input is an
// owned intermediate, as a layer's matmul output is.
//
//	GOEXPERIMENT=simd go run ./docs/upstream/relu
package main

import (
	"fmt"
	"time"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

func main() {
	const s, c, m, calls = 2, 97, 16 * 28 * 28, 40
	be, err := compute.NewWithConfig("go:num_executors=2")
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, s*c*m), s, c, m)
	cases := []struct {
		name string
		fn   func(x *Node) *Node
	}{
		{"Neg", func(x *Node) *Node { return Neg(x) }},
		{"Neg, then activation.Relu (fused op)", func(x *Node) *Node { return activation.Relu(Neg(x)) }},
		{"Neg, then Max(_, 0) (binary op)", func(x *Node) *Node { return Max(Neg(x), ScalarZero(x.Graph(), x.DType())) }},
	}
	for round := 1; round <= 3; round++ {
		for _, cs := range cases {
			exec := MustNewExec(be, cs.fn)
			exec.MustExec(x)[0].FinalizeAll()
			t := time.Now()
			for range calls {
				exec.MustExec(x)[0].FinalizeAll()
			}
			el := time.Since(t) / calls
			fmt.Printf("round %d  %-40s %6.2f ms\n", round, cs.name, el.Seconds()*1000)
		}
	}
}
