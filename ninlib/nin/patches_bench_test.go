package nin

import (
	"fmt"
	"testing"

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
						p = ExtractPatches(x, sh.k)
					} else {
						p = ExtractPatchesSlices(x, sh.k)
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
