package gofast

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train"
)

// bnMomentum is the moving averages' momentum (GoMLX's default, which
// BatchNorm uses): they follow about the last 100 batches.
const bnMomentum = 0.99

// batchNorm is batch norm over the channel planes of y [S, N+1, M], written
// for the layout: every large operation works on y viewed as rows
// [S*(N+1), M] (sums along a row, a value per row broadcast along it),
// the patterns the Go backend runs with its vector kernels. GoMLX's batch
// norm on axis 1 of y reduces and broadcasts around the middle axis, which
// the backend does element by element through a generic index iterator:
// that, and slicing the ones plane off and putting it back, made planes
// with batch norm train 2.5x slower than patches.
//
// It keeps GoMLX's batch norm's variables (scale, offset and the moving
// averages mean, variance and avg_weight, per channel, under
// batch_norm/batch_normalization), their update rule and the averages
// phase of norm.UpdateBatchNormAverages, so a checkpoint reads the same in
// every formulation. Its gradient goes through the batch statistics, as
// batch norm is defined (the correction BatchNorm adds to GoMLX's). The
// ones plane passes through as ones: its row is scaled by 0 and offset by 1.
func (p *Planes) batchNorm(scope *model.Scope, y *Node) *Node {
	d := y.Shape().Dimensions
	s, c, m := d[0], d[1], d[2]
	g := y.Graph()
	v := newNormVars(scope.In("batch_norm"), y.DType(), c-1)
	rows := Reshape(y, s*c, m)
	perRow := func(x *Node) *Node { // per channel [C] to per row [S*C, 1]
		return Reshape(BroadcastToDims(InsertAxes(x, 0), s, c), s*c, 1)
	}
	channelMean := func(x *Node) *Node { // [S*C, M] to the mean of each channel [C]
		return DivScalar(ReduceSum(Reshape(ReduceSum(x, 1), s, c), 0), float64(s*m))
	}
	withOnes := func(x *Node, last float64) *Node { // [N] to [C]: the ones plane's entry appended
		return Concatenate([]*Node{x, Reshape(Scalar(g, x.DType(), last), 1)}, 0)
	}

	phase := model.GetGraphParamOr(scope, g, train.BatchNormalizationUpdatePhase, -1)
	mean, variance := v.mean.NodeValue(g), v.variance.NodeValue(g)
	var centered *Node
	if phase >= 0 || scope.IsTraining(g) {
		batchMean := channelMean(rows)
		centered = Sub(rows, perRow(batchMean))
		batchVariance := channelMean(Square(centered))
		mean, variance = Slice(batchMean, AxisRange(0, c-1)), Slice(batchVariance, AxisRange(0, c-1))
		v.update(StopGradient(mean), StopGradient(variance))
		if phase > 0 { // the averages phase's second pass normalizes with the averages
			mean, variance, centered = v.mean.NodeValue(g), v.variance.NodeValue(g), nil
		}
	}
	if centered == nil {
		centered = Sub(rows, perRow(withOnes(mean, 1)))
	}
	scale := Mul(v.scale.NodeValue(g), Reciprocal(Sqrt(AddScalar(variance, bnEpsilon))))
	out := Add(Mul(centered, perRow(withOnes(scale, 0))), perRow(withOnes(v.offset.NodeValue(g), 1)))
	return Reshape(out, s, c, m)
}

// normVars are batch norm's variables for n channels, as GoMLX's batch
// norm names and initializes them.
type normVars struct {
	scale, offset, mean, variance, weight *model.Variable
}

// newNormVars creates or reuses the variables under
// scope/batch_normalization and marks the store as using batch norm, so
// that norm.UpdateBatchNormAverages recomputes the averages.
func newNormVars(scope *model.Scope, dtype dtypes.DType, n int) normVars {
	scope.Store().Scope(model.RootScopePath).SetParam(norm.AveragesUpdatesTriggerParam, true)
	s := scope.In(norm.BatchNormalizationScopeName)
	sh := shapes.Make(dtype, n)
	variable := func(name string, init initializer.VariableInitializer, trainable bool) *model.Variable {
		return s.WithInitializer(init).VariableWithShape(name, sh).SetTrainable(trainable)
	}
	return normVars{
		scale:    variable("scale", initializer.One, true),
		offset:   variable("offset", initializer.Zero, true),
		mean:     variable("mean", initializer.Zero, false),
		variance: variable("variance", initializer.One, false),
		weight:   variable("avg_weight", initializer.Zero, false),
	}
}

// update moves the averages toward the batch's mean and variance: the
// momentum is min(bnMomentum, 1 - 1/batches seen), so the first batches
// after a reset count fully (the averages phase resets the count).
func (v normVars) update(batchMean, batchVariance *Node) {
	g := batchMean.Graph()
	weight := OnePlus(v.weight.NodeValue(g))
	v.weight.SetNodeValue(weight)
	momentum := Min(Scalar(g, batchMean.DType(), bnMomentum), OneMinus(Reciprocal(weight)))
	blend := func(average *model.Variable, batch *Node) {
		average.SetNodeValue(Add(Mul(momentum, average.NodeValue(g)), Mul(OneMinus(momentum), batch)))
	}
	blend(v.mean, batchMean)
	blend(v.variance, batchVariance)
}
