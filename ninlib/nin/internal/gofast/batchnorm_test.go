package gofast

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/backend"
)

// TestBatchNormGradient holds BatchNorm to batch norm differentiated
// through its batch statistics (written out here with GoMLX's ops and no
// StopGradient): the same values and the same gradient, within float32
// rounding. GoMLX's own batch norm, which stops the gradient at the
// statistics, is checked to differ, so the comparison can fail.
func TestBatchNormGradient(t *testing.T) {
	b, err := backend.Open("go")
	if err != nil {
		t.Fatal(err)
	}
	const n, h, w, c = 3, 4, 4, 5
	x := make([]float32, n*h*w*c)
	weights := make([]float32, len(x)) // a loss that weighs every output differently
	for i := range x {
		x[i] = float32(2*math.Sin(float64(i)*0.7) + 0.3*float64(i%c))
		weights[i] = float32(math.Cos(float64(i) * 1.3))
	}
	full := func(y *Node) *Node { // batch norm as defined, differentiated all the way
		mean := ReduceAndKeep(y, ReduceMean, 0, 1, 2)
		variance := ReduceAndKeep(Square(Sub(y, mean)), ReduceMean, 0, 1, 2)
		return Div(Sub(y, mean), Sqrt(AddScalar(variance, bnEpsilon)))
	}
	stopped := func(scope *model.Scope, y *Node) *Node {
		return norm.BatchNorm(scope.In("raw"), y, -1).Epsilon(bnEpsilon).UseBackendInference(false).Done()
	}
	run := func(bn func(*model.Scope, *Node) *Node) (values, grad []float32) {
		exec, err := model.NewExec(b, model.NewStore(), func(scope *model.Scope, x, wt *Node) (*Node, *Node) {
			scope.SetTraining(x.Graph(), true)
			y := bn(scope, x)
			return y, Gradient(ReduceAllSum(Mul(y, wt)), x)[0]
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, n, h, w, c), tensors.FromFlatDataAndDimensions(weights, n, h, w, c))
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	}
	wantY, wantG := run(func(_ *model.Scope, y *Node) *Node { return full(y) })
	gotY, gotG := run(func(scope *model.Scope, y *Node) *Node { return BatchNorm(scope, y, -1) })
	_, rawG := run(stopped)
	maxDiff := func(a, b []float32) (d float64) {
		for i := range a {
			d = math.Max(d, math.Abs(float64(a[i]-b[i])))
		}
		return d
	}
	if d := maxDiff(gotY, wantY); d > 1e-5 {
		t.Errorf("values differ from batch norm by %g", d)
	}
	if d := maxDiff(gotG, wantG); d > 1e-4 {
		t.Errorf("gradient differs from batch norm's by %g", d)
	}
	if d := maxDiff(rawG, wantG); d < 1e-2 {
		t.Errorf("GoMLX's stopped gradient agrees with the full one (%g apart): the test cannot tell them apart", d)
	}
}
