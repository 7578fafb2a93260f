package nin

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestGradientsMatchFiniteDifferences checks the autodiff gradient of a
// scalar function of the whole model's output with respect to its input,
// through the patch convolutions, slice pools, fused dense+ReLU layers and
// GAP, against central finite differences.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	b := goBackend(t)
	for _, v := range []string{"nin", "nin-fc"} {
		o := tiny(v)
		o.Dropout = 0
		o.Init = "he"
		a, _ := o.Arch()
		store := model.NewStore()
		fn := func(scope *model.Scope, x *Node) []*Node {
			logits := Forward(scope.In("model"), x, o, a).Logits
			wts := AddScalar(Sin(ConvertDType(Iota(x.Graph(), logits.Shape(), 1), logits.DType())), 1.2)
			loss := ReduceAllSum(Mul(logits, wts))
			return []*Node{loss, Gradient(loss, x)[0]}
		}
		exec := model.MustNewExec(b, store, fn)
		n, h, w, c := 1, 12, 12, 3
		x := make([]float32, n*h*w*c)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.77)) * 2
		}
		out := exec.MustExec(tensors.FromFlatDataAndDimensions(x, n, h, w, c))
		grad := tensors.MustCopyFlatData[float32](out[1])
		lossAt := func(xs []float32) float64 {
			return float64(tensors.ToScalar[float32](exec.MustExec(tensors.FromFlatDataAndDimensions(xs, n, h, w, c))[0]))
		}
		var maxRel float64
		for _, i := range []int{0, 17, 100, 211, 305, 431} {
			const eps = 1e-2
			xp := append([]float32(nil), x...)
			xm := append([]float32(nil), x...)
			xp[i] += eps
			xm[i] -= eps
			fd := (lossAt(xp) - lossAt(xm)) / (2 * eps)
			rel := math.Abs(fd-float64(grad[i])) / math.Max(1e-3, math.Abs(fd)+math.Abs(float64(grad[i])))
			maxRel = math.Max(maxRel, rel)
			if rel > 0.05 {
				t.Errorf("%s: d loss / d x[%d]: autodiff %g, finite differences %g", v, i, grad[i], fd)
			}
		}
		t.Logf("%s: max relative difference %.3g", v, maxRel)
	}
}
