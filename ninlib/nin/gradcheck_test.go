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
// GAP, against central finite differences along random directions (a
// directional derivative averages over many pixels, so the float32 noise
// and the ReLU/max kinks that single-coordinate differences trip over do
// not dominate). The weights are seeded, so the check is deterministic.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	b := goBackend(t)
	for _, v := range []string{"nin", "nin-fc"} {
		o := tiny(v)
		o.Dropout = 0
		o.Init = "he"
		a, _ := o.Arch()
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(42); err != nil {
			t.Fatal(err)
		}
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
		for d := 0; d < 4; d++ {
			dir := make([]float32, len(x))
			var norm float64
			for i := range dir {
				dir[i] = float32(math.Sin(float64(i*(d+3)) * 1.37))
				norm += float64(dir[i]) * float64(dir[i])
			}
			var analytic float64
			for i := range dir {
				dir[i] /= float32(math.Sqrt(norm))
				analytic += float64(dir[i]) * float64(grad[i])
			}
			const eps = 1e-2
			xp := append([]float32(nil), x...)
			xm := append([]float32(nil), x...)
			for i := range x {
				xp[i] += eps * dir[i]
				xm[i] -= eps * dir[i]
			}
			fd := (lossAt(xp) - lossAt(xm)) / (2 * eps)
			rel := math.Abs(fd-analytic) / math.Max(1e-3, math.Abs(fd)+math.Abs(analytic))
			maxRel = math.Max(maxRel, rel)
			if rel > 0.02 {
				t.Errorf("%s: directional derivative %d: autodiff %g, finite differences %g", v, d, analytic, fd)
			}
		}
		t.Logf("%s: max relative difference %.3g", v, maxRel)
	}
}
