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

// channelView is how a formulation's activations look to batch norm: as a
// matrix (view) whose per-channel sums and per-channel broadcasts are the
// patterns the Go backend runs with its vector kernels (sums along rows
// or down columns; a value per row or per column).
type channelView interface {
	// view is x as a matrix: [S*C, M] for planes (a row per chunk and
	// channel), [P, C] for patches (a column per channel).
	view(x *Node) *Node
	// sums is the sum of each channel of view v: [C].
	sums(x, v *Node) *Node
	// spread is c [C] shaped to broadcast per channel against view(x).
	spread(x, c *Node) *Node
	// count is how many values of x each channel sums.
	count(x *Node) int
	// channels is C, the channel count of x (the planes' ones plane
	// included).
	channels(x *Node) int
}

// normalize is batch norm over the activations xs of every slice of a
// batch at once (one slice, or several that the forward pass computes as
// independent sub-graphs): each channel's mean and variance over all of
// them, each slice normalized with those. The statistics are tiny
// vectors, so the slices stay independent everywhere else and the
// backend still runs them on different cores.
//
// It keeps GoMLX's batch norm's variables (scale, offset and the moving
// averages mean, variance and avg_weight, per channel, under
// batch_norm/batch_normalization), their update rule and the averages
// phase of norm.UpdateBatchNormAverages, so a checkpoint reads the same in
// every formulation, and its gradient goes through the batch statistics,
// as batch norm is defined (the correction BatchNorm adds to GoMLX's).
// With ones, the last channel is the planes' ones plane: it passes
// through as ones (scaled by 0, offset by 1) and has no variables.
func normalize(scope *model.Scope, xs []*Node, cv channelView, ones bool) []*Node {
	g := xs[0].Graph()
	views := make([]*Node, len(xs))
	for i, x := range xs {
		views[i] = cv.view(x)
	}
	channelMean := func(of func(i int) *Node) *Node { // over every slice
		var sum *Node
		n := 0
		for i, x := range xs {
			s := cv.sums(x, of(i))
			if sum == nil {
				sum = s
			} else {
				sum = Add(sum, s)
			}
			n += cv.count(x)
		}
		return DivScalar(sum, float64(n))
	}
	c := cv.channels(xs[0])
	n := c
	if ones {
		n--
	}
	withOnes := func(v *Node, last float64) *Node { // [N] to [C]
		if !ones {
			return v
		}
		return Concatenate([]*Node{v, Reshape(Scalar(g, v.DType(), last), 1)}, 0)
	}
	vars := newNormVars(scope.In("batch_norm"), xs[0].DType(), n)

	phase := model.GetGraphParamOr(scope, g, train.BatchNormalizationUpdatePhase, -1)
	mean, variance := vars.mean.NodeValue(g), vars.variance.NodeValue(g)
	var centered []*Node
	if phase >= 0 || scope.IsTraining(g) {
		batchMean := channelMean(func(i int) *Node { return views[i] })
		centered = make([]*Node, len(xs))
		for i, x := range xs {
			centered[i] = Sub(views[i], cv.spread(x, batchMean))
		}
		batchVariance := channelMean(func(i int) *Node { return Square(centered[i]) })
		mean, variance = Slice(batchMean, AxisRange(0, n)), Slice(batchVariance, AxisRange(0, n))
		vars.update(StopGradient(mean), StopGradient(variance))
		if phase > 0 { // the averages phase's second pass normalizes with the averages
			mean, variance, centered = vars.mean.NodeValue(g), vars.variance.NodeValue(g), nil
		}
	}
	scale := withOnes(Mul(vars.scale.NodeValue(g), Reciprocal(Sqrt(AddScalar(variance, bnEpsilon)))), 0)
	offset := withOnes(vars.offset.NodeValue(g), 1)
	out := make([]*Node, len(xs))
	for i, x := range xs {
		ci := Sub(views[i], cv.spread(x, withOnes(mean, 1)))
		if centered != nil {
			ci = centered[i]
		}
		out[i] = Reshape(Add(Mul(ci, cv.spread(x, scale)), cv.spread(x, offset)), x.Shape().Dimensions...)
	}
	return out
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
