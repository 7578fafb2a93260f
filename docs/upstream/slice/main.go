// Command slice reproduces a limit of GoMLX's Go backend (compute
// v0.1.14): Slice copies element by element, so the strided slices a pool
// takes (every other column) and even contiguous ones run well below
// memory speed. It compares three graphs with the same input and output,
// NIN's [32, 32, 32, 192] activations: an element-wise op (Neg), two
// contiguous Slices (halves of H) concatenated, and two strided Slices
// (every other W) concatenated, in milliseconds and Gfloat/s of output.
//
//	GOEXPERIMENT=simd go run ./docs/upstream/slice
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
	const b, h, w, c, calls = 32, 32, 32, 192, 20
	be, err := compute.NewWithConfig("go:num_executors=2")
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, b*h*w*c), b, h, w, c)
	// Three graphs with the same input and output sizes, so that they
	// differ only in how the output is made.
	ops := []struct {
		name string
		fn   func(x *Node) *Node
	}{
		{"Neg (element-wise)", func(x *Node) *Node { return Neg(x) }},
		{"2 contiguous Slices (halves of H) + Concatenate", func(x *Node) *Node {
			return Concatenate([]*Node{Slice(x, AxisRange(), AxisRange(h/2, h)), Slice(x, AxisRange(), AxisRange(0, h/2))}, 1)
		}},
		{"2 strided Slices (every other W) + Concatenate", func(x *Node) *Node {
			return Concatenate([]*Node{Slice(x, AxisRange(), AxisRange(), AxisRange(0, w).Stride(2)), Slice(x, AxisRange(), AxisRange(), AxisRange(1, w).Stride(2))}, 2)
		}},
	}
	for round := 1; round <= 3; round++ {
		for _, op := range ops {
			exec := MustNewExec(be, op.fn)
			exec.MustExec(x)[0].FinalizeAll()
			t := time.Now()
			for range calls {
				exec.MustExec(x)[0].FinalizeAll()
			}
			el := time.Since(t) / calls
			fmt.Printf("round %d  %-48s %6.2f ms, %5.2f Gfloat/s\n", round, op.name, el.Seconds()*1000, float64(b*h*w*c)/el.Seconds()/1e9)
		}
	}
}
