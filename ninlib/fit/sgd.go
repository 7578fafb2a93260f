package fit

import (
	"fmt"
	"path"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/ninbench/nin/ninlib/config"
)

// Mult is a per-variable multiplier rule, matched on the variable's path.
type Mult struct {
	// Match is a substring of the variable path ("/biases", "/b3_mlp2/").
	Match string
	// LR multiplies the learning rate, Decay the weight decay.
	LR, Decay float64
}

// CaffeMults returns the released NIN solver's multipliers: biases learn at
// 2x without decay, and the weights of the last layer (lastLayer) at 0.1x.
// Rules are applied in order; all matching rules multiply.
func CaffeMults(lastLayer string) []Mult {
	return []Mult{
		{Match: "/biases", LR: 2, Decay: 0},
		{Match: "/" + lastLayer + "/", LR: 0.1, Decay: 1},
	}
}

// SGD is stochastic gradient descent with momentum and L2 weight decay in
// Caffe's formulation, which GoMLX does not provide:
//
//	v ← μ·v + lr·lr_mult·(∇w + λ·decay_mult·w)
//	w ← w − v
//
// The learning rate lives in GoMLX's learning-rate variable
// ("/optimizers/learning_rate"), so a schedule can change it between steps
// without recompiling. The velocities are saved with checkpoints.
type SGD struct {
	Momentum    float64
	WeightDecay float64
	Mults       []Mult
	// InitialLR is the value of the learning-rate variable if it does not
	// exist yet.
	InitialLR float64
}

// velocityScope is where SGD keeps its velocity variables.
const velocityScope = "sgd_momentum"

// mults returns the learning-rate and decay multipliers of a variable path.
func (o *SGD) mults(p string) (lr, decay float64) {
	lr, decay = 1, 1
	for _, m := range o.Mults {
		if strings.Contains(p, m.Match) {
			lr *= m.LR
			decay *= m.Decay
		}
	}
	return lr, decay
}

// UpdateGraph implements optimizer.Interface.
func (o *SGD) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if !loss.Shape().IsScalar() {
		exceptions.Panicf("SGD needs a scalar loss, got %s", loss.Shape())
	}
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	dtype := loss.DType()
	lr := optimizer.LearningRateVar(scope.Store().RootScope(), dtype, o.InitialLR).NodeValue(g)
	optimizer.IncrementGlobalStep(g, dtype)
	i := 0
	for v := range scope.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) {
			continue
		}
		if i >= len(grads) {
			exceptions.Panicf("SGD: more trainable variables than gradients (%d)", len(grads))
		}
		o.apply(scope, g, v, grads[i], lr)
		i++
	}
	if i != len(grads) {
		exceptions.Panicf("SGD: %d gradients for %d trainable variables", len(grads), i)
	}
}

func (o *SGD) apply(scope *model.Scope, g *Graph, v *model.Variable, grad, lr *Node) {
	lrMult, decayMult := o.mults(v.Path())
	w := v.NodeValue(g)
	dt := w.DType()
	if grad.DType() != dt {
		grad = ConvertDType(grad, dt)
	}
	if lr.DType() != dt {
		lr = ConvertDType(lr, dt)
	}
	if d := o.WeightDecay * decayMult; d != 0 {
		grad = Add(grad, MulScalar(w, d))
	}
	step := Mul(MulScalar(lr, lrMult), grad)
	if o.Momentum > 0 {
		vel := scope.Store().Scope(path.Join("/", velocityScope, v.Scope())).
			WithInitializer(initializer.Zero).
			VariableWithShape(v.Name()+"_velocity", shapes.Make(dt, v.Shape().Dimensions...)).
			SetTrainable(false)
		step = Add(MulScalar(vel.NodeValue(g), o.Momentum), step)
		vel.SetNodeValue(step)
	}
	v.SetNodeValue(Sub(w, step))
}

// Clear implements optimizer.Interface: it deletes the velocities.
func (o *SGD) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope("/" + velocityScope)
}

// newOptimizer returns the optimizer of a config; lastLayer names the
// layer that Caffe's multipliers slow down.
func newOptimizer(c *config.Config, lastLayer string) (optimizer.Interface, error) {
	switch c.Optimizer {
	case "sgd":
		o := &SGD{Momentum: c.Momentum, WeightDecay: c.WeightDecay, InitialLR: c.LR}
		if c.CaffeMults {
			o.Mults = CaffeMults(lastLayer)
		}
		return o, nil
	case "adam":
		return optimizer.Adam().LearningRate(c.LR).Done(), nil
	case "adamw":
		return optimizer.Adam().LearningRate(c.LR).WeightDecay(c.WeightDecay).Done(), nil
	}
	return nil, fmt.Errorf("optimizer %q: expected sgd, adam or adamw", c.Optimizer)
}

// setLR sets GoMLX's learning-rate variable, read by every optimizer here.
func setLR(store *model.Store, lr float64) error {
	v := optimizer.LearningRateVar(store.RootScope(), dtypes.Float32, lr)
	return v.SetValue(tensorScalar(lr))
}
