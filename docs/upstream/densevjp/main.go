// Command densevjp reproduces a limit of GoMLX's Go backend (compute
// v0.1.14): the fused dense layer's gradient (FusedDenseVJP) allocates its
// temporaries with make on every call, instead of taking them from the
// backend's buffer pool, so a training step keeps faulting fresh pages in
// (minor page faults, system time). It runs the gradient of a dense layer
// of NIN's size ([32768, 1728] x [1728, 192], bias, ReLU) repeatedly and
// reports the minor page faults per call and the share of CPU time spent
// in the kernel, against a graph of element-wise ops on buffers of the
// same sizes, which the pool serves.
//
//	GOEXPERIMENT=simd go run ./docs/upstream/densevjp
package main

import (
	"fmt"
	"syscall"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/nn"
)

func main() {
	const m, k, n, calls = 32768, 1728, 192, 10
	be, err := compute.NewWithConfig("go:num_executors=2")
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, m*k), m, k)
	w := tensors.FromFlatDataAndDimensions(make([]float32, k*n), k, n)
	bias := tensors.FromFlatDataAndDimensions(make([]float32, n), n)
	dense := MustNewExec(be, func(x, w, b *Node) []*Node {
		y := nn.Dense(x, w, b, compute.DenseLayoutInputOutputs, activation.TypeRelu)
		return Gradient(ReduceAllSum(y), x, w, b)
	})
	elementwise := MustNewExec(be, func(x, w, b *Node) []*Node {
		y := Mul(AddScalar(x, 1), x)
		return []*Node{Neg(y), Mul(w, w), Neg(b)}
	})
	for round := 1; round <= 2; round++ {
		for _, c := range []struct {
			name string
			exec *Exec
		}{{"dense gradient (FusedDenseVJP)", dense}, {"element-wise ops, same sizes", elementwise}} {
			c.exec.MustExec(x, w, bias)
			var r0, r1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
			for range calls {
				for _, t := range c.exec.MustExec(x, w, bias) {
					t.FinalizeAll()
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
			faults := float64(r1.Minflt-r0.Minflt) / calls
			sys := float64(r1.Stime.Nano() - r0.Stime.Nano())
			user := float64(r1.Utime.Nano() - r0.Utime.Nano())
			fmt.Printf("round %d  %-32s %8.0f minor faults per call, %4.1f%% of CPU time in the kernel\n", round, c.name, faults, 100*sys/(sys+user))
		}
	}
}
