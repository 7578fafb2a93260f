// Command midaxis reproduces a limit of GoMLX's Go backend (compute
// v0.1.14): a binary op that broadcasts along a middle axis
// ([S, C, M] times [1, C, 1]) and a reduction that keeps a middle axis
// (sum over axes 0 and 2 of [S, C, M]) fall back to the generic
// element-by-element paths, while the same arithmetic on the same buffer
// viewed as rows [S*C, M] (a value per row, a sum along each row) runs on
// the vector kernels. Shapes: per-channel scaling and sums of NIN's planes
// (2 chunks of 16 MNIST images, 97 channel planes, 16*28*28 pixels each),
// as batch norm needs them.
//
//	GOEXPERIMENT=simd go run ./docs/upstream/midaxis
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
	const s, c, m, calls = 2, 97, 16 * 28 * 28, 20
	be, err := compute.NewWithConfig("go:num_executors=2")
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, s*c*m), s, c, m)
	v := tensors.FromFlatDataAndDimensions(make([]float32, c), c)
	perRow := func(v *Node) *Node { return Reshape(BroadcastToDims(InsertAxes(v, 0), s, c), s*c, 1) }
	cases := []struct {
		name string
		fn   func(x, v *Node) *Node
	}{
		{"Neg (element-wise)", func(x, _ *Node) *Node { return Neg(x) }},
		{"[S,C,M] * [1,C,1] (middle axis)", func(x, v *Node) *Node { return Mul(x, Reshape(v, 1, c, 1)) }},
		{"[S*C,M] * [S*C,1] (rows)", func(x, v *Node) *Node { return Mul(Reshape(x, s*c, m), perRow(v)) }},
		{"sum of [S,C,M] over axes 0, 2", func(x, _ *Node) *Node { return ReduceSum(x, 0, 2) }},
		{"sum of [S*C,M] along rows, then of [S,C]", func(x, _ *Node) *Node {
			return ReduceSum(Reshape(ReduceSum(Reshape(x, s*c, m), 1), s, c), 0)
		}},
	}
	for round := 1; round <= 3; round++ {
		for _, cs := range cases {
			exec := MustNewExec(be, cs.fn)
			exec.MustExec(x, v)[0].FinalizeAll()
			t := time.Now()
			for range calls {
				exec.MustExec(x, v)[0].FinalizeAll()
			}
			el := time.Since(t) / calls
			fmt.Printf("round %d  %-42s %6.2f ms, %5.2f Gfloat/s read\n", round, cs.name, el.Seconds()*1000, float64(s*c*m)/el.Seconds()/1e9)
		}
	}
}
