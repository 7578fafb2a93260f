package nin

import (
	"fmt"
	"testing"

	"github.com/ninbench/nin/ninlib/nin/internal/gofast"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// BenchmarkPatches times patch extraction and its input gradient, gathered
// rows (ExtractPatches) against k*k slices (ExtractPatchesSlices), on the
// shapes of the CIFAR NIN's three k x k convolutions at batch 32.
//
//	go test -run x -bench Patches ./ninlib/nin
func BenchmarkPatches(b *testing.B) {
	be := goBackend(b)
	for _, sh := range []struct{ h, c, k int }{{32, 3, 5}, {16, 96, 5}, {8, 192, 3}} {
		for _, impl := range []string{"gather", "slices"} {
			b.Run(fmt.Sprintf("%dx%dx%d_k%d/%s", sh.h, sh.h, sh.c, sh.k, impl), func(b *testing.B) {
				exec := MustNewExec(be, func(x *Node) *Node {
					var p *Node
					if impl == "gather" {
						p = gofast.ExtractPatches(x, sh.k)
					} else {
						p = gofast.ExtractPatchesSlices(x, sh.k)
					}
					return Gradient(ReduceAllSum(Mul(p, p)), x)[0]
				})
				x := tensors.FromFlatDataAndDimensions(make([]float32, 32*sh.h*sh.h*sh.c), 32, sh.h, sh.h, sh.c)
				exec.MustExec(x)[0].FinalizeAll()
				b.ResetTimer()
				for range b.N {
					exec.MustExec(x)[0].FinalizeAll()
				}
			})
		}
	}
}

// BenchmarkBackendTranspose measures the Go backend's 2-D Transpose
// against an element-wise op (Neg) of the same size, on the [pixels,
// channels] shapes of the CIFAR NIN's first block at batch 32 (and the
// same with a row count that is not a multiple of 1024). The weight
// gradient of every convolution needs one such transpose (the backend's
// matmul takes no transposed left operand); this shows what it costs:
//
//	go test -run x -bench BackendTranspose ./ninlib/nin
func BenchmarkBackendTranspose(b *testing.B) {
	be := goBackend(b)
	for _, op := range []string{"neg", "transpose"} {
		for _, sh := range [][2]int{{32768, 192}, {32000, 192}, {8192, 192}} {
			b.Run(fmt.Sprintf("%s/%dx%d", op, sh[0], sh[1]), func(b *testing.B) {
				exec := MustNewExec(be, func(x *Node) *Node {
					if op == "neg" {
						return Neg(x)
					}
					return Transpose(x, 0, 1)
				})
				x := tensors.FromFlatDataAndDimensions(make([]float32, sh[0]*sh[1]), sh[0], sh[1])
				exec.MustExec(x)[0].FinalizeAll()
				b.ResetTimer()
				for range b.N {
					exec.MustExec(x)[0].FinalizeAll()
				}
				b.ReportMetric(float64(sh[0]*sh[1])*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
			})
		}
	}
}
