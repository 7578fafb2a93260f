// Command bngrad reproduces a limit of GoMLX's batch norm (v0.28.16,
// ml/layers/norm): in training, without the backend's fused batch-norm op
// (the Go backend has none), BatchNormBuilder.batchMeanAndVariance wraps
// the batch mean and variance in StopGradient, so the gradient treats them
// as constants. It prints the gradient of a weighted sum of the
// normalized values with respect to the input, as GoMLX computes it and as
// batch norm defined with the same ops (no StopGradient) has it, and the
// largest difference. Batch norm's gradient (Ioffe and Szegedy 2015, §3)
// is γ/σ · (dy − mean(dy) − ŷ · mean(dy · ŷ)); GoMLX's is γ/σ · dy.
//
//	GOEXPERIMENT=simd go run ./docs/upstream/bngrad
package main

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
)

func main() {
	be, err := compute.New()
	if err != nil {
		panic(err)
	}
	const n, c = 8, 3 // 8 examples, 3 features
	x := make([]float32, n*c)
	wt := make([]float32, n*c)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.9)) * float32(1+i%c)
		wt[i] = float32(math.Cos(float64(i) * 1.7))
	}
	grad := func(bn func(scope *model.Scope, x *Node) *Node) []float32 {
		exec, err := model.NewExec(be, model.NewStore(), func(scope *model.Scope, x, wt *Node) *Node {
			scope.SetTraining(x.Graph(), true)
			return Gradient(ReduceAllSum(Mul(bn(scope, x), wt)), x)[0]
		})
		if err != nil {
			panic(err)
		}
		out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, n, c), tensors.FromFlatDataAndDimensions(wt, n, c))
		if err != nil {
			panic(err)
		}
		return tensors.MustCopyFlatData[float32](out[0])
	}
	gomlx := grad(func(scope *model.Scope, x *Node) *Node {
		return norm.BatchNorm(scope, x, -1).Epsilon(1e-3).UseBackendInference(false).Done()
	})
	defined := grad(func(_ *model.Scope, x *Node) *Node {
		mean := ReduceAndKeep(x, ReduceMean, 0)
		variance := ReduceAndKeep(Square(Sub(x, mean)), ReduceMean, 0)
		return Div(Sub(x, mean), Sqrt(AddScalar(variance, 1e-3)))
	})
	var worst float64
	for i := range gomlx {
		worst = math.Max(worst, math.Abs(float64(gomlx[i]-defined[i])))
	}
	fmt.Printf("dL/dx, GoMLX's batch norm:  %.3f\n", gomlx[:2*c])
	fmt.Printf("dL/dx, batch norm defined:  %.3f\n", defined[:2*c])
	fmt.Printf("largest difference: %.3f (0 expected)\n", worst)
}
