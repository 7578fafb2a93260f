package gofast

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// bnEpsilon is batch norm's variance floor (GoMLX's default, set here so
// that the gradient correction below uses the same one).
const bnEpsilon = 1e-3

// BatchNorm normalizes y per channel (featureAxis: -1 for channels-last
// activations, 1 for the planes) over every other axis, before a ReLU,
// with GoMLX's batch norm (its scale and offset, moving averages, the
// trainer's averages update and the inference path), plus in training the
// part of the gradient that GoMLX's leaves out.
//
// GoMLX's batch norm stops the gradient at the batch mean and variance,
// so its gradient treats them as constants: dx = γ/σ · dy. The gradient of
// batch norm as Ioffe and Szegedy define it (2015, §3) subtracts what the
// statistics take back: dx = γ/σ · (dy − mean(dy) − ŷ · mean(dy · ŷ)),
// the means per channel over the batch. Without those terms the weights
// are pushed along directions the normalization then undoes: NIN on
// MNIST ended its first epoch at 62% validation accuracy (96% without
// batch norm, 98% with this correction). The correction added here is
// zero in value (a − a with the gradient stopped on one side, exact in
// floating point) and carries exactly the two missing terms as its
// gradient.
func BatchNorm(scope *model.Scope, y *Node, featureAxis int) *Node {
	s := scope.In("batch_norm")
	out := norm.BatchNorm(s, y, featureAxis).Epsilon(bnEpsilon).UseBackendInference(false).Done()
	g := y.Graph()
	if !s.IsTraining(g) || model.GetGraphParamOr(s, g, train.BatchNormalizationUpdatePhase, -1) >= 0 {
		return out
	}
	gamma := s.Shared("batch_normalization").GetVariable("scale")
	if gamma == nil {
		return out // batch norm without a scale: nothing to correct with
	}
	feature := MustAdjustAxis(featureAxis, y)
	var axes []int
	for i := range y.Rank() {
		if i != feature {
			axes = append(axes, i)
		}
	}
	mean := ReduceAndKeep(y, ReduceMean, axes...)
	centered := Sub(y, StopGradient(mean))
	sigma := Sqrt(AddScalar(ReduceAndKeep(Square(centered), ReduceMean, axes...), bnEpsilon))
	fixedSigma := StopGradient(sigma)
	yHat := StopGradient(Div(centered, fixedSigma))
	zero := Add(Sub(mean, StopGradient(mean)), Mul(yHat, Sub(sigma, fixedSigma))) // 0, with d/dy_i = 1/N + ŷ·ŷ_i/N
	return Sub(out, Div(Mul(Reshape(gamma.NodeValue(g), mean.Shape().Dimensions...), zero), fixedSigma))
}
