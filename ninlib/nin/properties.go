package nin

import (
	"fmt"
	"math"

	"github.com/ninbench/nin/ninlib/nin/internal/gofast"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// This file holds the properties the paper and the seed article claim about
// the building blocks, as functions a test or a notebook can call.

// Infer runs the model of options o (variables from store, which must
// already hold them or will be initialized) on images [N,H,W,C] and returns
// the logits and, for GAP models, the per-class confidence maps. An input
// size an FC head cannot take is an error here, not a panic. It compiles
// the model for this one call; NewInferrer serves many batches.
func Infer(b compute.Backend, store *model.Store, o Spec, images *tensors.Tensor) (logits, maps *tensors.Tensor, err error) {
	in, err := NewInferrer(b, store, o)
	if err != nil {
		return nil, nil, err
	}
	defer in.Finalize()
	return in.Infer(images)
}

// Inferrer runs one model on batch after batch of images, compiling it
// once per input shape (a probe's batches share one) rather than once per
// call as Infer does.
type Inferrer struct {
	spec Spec
	exec *model.Exec
}

// NewInferrer prepares the model of options o with variables from store
// (which must already hold them or will be initialized) on backend b.
func NewInferrer(b compute.Backend, store *model.Store, o Spec) (*Inferrer, error) {
	a, err := o.Arch()
	if err != nil {
		return nil, err
	}
	var exec *model.Exec
	if e := exceptions.Try(func() { // NewExec panics on some errors (graph.MustNewExecCanonical)
		exec, err = model.NewExec(b, store, func(scope *model.Scope, x *Node) []*Node {
			out := Forward(scope.In("model"), x, o, a)
			if out.Maps == nil {
				return []*Node{out.Logits}
			}
			return []*Node{out.Logits, out.Maps}
		})
	}); e != nil {
		err = fmt.Errorf("%v", e)
	}
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", o.Variant, err)
	}
	return &Inferrer{spec: o, exec: exec}, nil
}

// Infer runs the model on images [N,H,W,C] and returns the logits and,
// for GAP models, the per-class confidence maps (nil otherwise). An input
// size an FC head cannot take is an error, not a panic.
func (in *Inferrer) Infer(images *tensors.Tensor) (logits, maps *tensors.Tensor, err error) {
	d := images.Shape().Dimensions
	if len(d) != 4 {
		return nil, nil, fmt.Errorf("images must be [N,H,W,C], got %s", images.Shape())
	}
	if err := in.spec.CheckInput(d[1], d[2], d[3]); err != nil {
		return nil, nil, err
	}
	var res []*tensors.Tensor
	if e := exceptions.Try(func() {
		res, err = in.exec.Exec(images)
	}); e != nil {
		err = fmt.Errorf("%v", e)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", in.spec.Variant, err)
	}
	if len(res) == 2 {
		return res[0], res[1], nil
	}
	return res[0], nil, nil
}

// Finalize frees the compiled model.
func (in *Inferrer) Finalize() { in.exec.Finalize() }

// PointwiseVsDense checks the mlpconv claim that a 1x1 convolution is a
// dense layer applied at every pixel with the same weights: it computes a
// 1x1 convolution of a random [2, h, w, cin] input with GoMLX's native
// convolution, and the same weights as a plain per-pixel matrix product in
// Go, and returns the largest absolute difference.
func PointwiseVsDense(b compute.Backend, h, w, cin, cout int) (float64, error) {
	x := make([]float32, 2*h*w*cin)
	k := make([]float32, cin*cout)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) * 0.7))
	}
	for i := range k {
		k[i] = float32(math.Cos(float64(i) * 1.3))
	}
	var out []*tensors.Tensor
	var err error
	if e := exceptions.Try(func() {
		out, err = MustNewExec(b, func(x, k *Node) *Node {
			return Convolve(x, Reshape(k, 1, 1, cin, cout)).NoPadding().Done()
		}).Exec(tensors.FromFlatDataAndDimensions(x, 2, h, w, cin), tensors.FromFlatDataAndDimensions(k, cin, cout))
	}); e != nil {
		return 0, fmt.Errorf("%v", e)
	}
	if err != nil {
		return 0, err
	}
	got := tensors.MustCopyFlatData[float32](out[0])
	var maxDiff float64
	for p := 0; p < 2*h*w; p++ { // every pixel of every image
		for o := 0; o < cout; o++ {
			var s float64
			for c := 0; c < cin; c++ {
				s += float64(x[p*cin+c]) * float64(k[c*cout+o])
			}
			maxDiff = math.Max(maxDiff, math.Abs(s-float64(got[p*cout+o])))
		}
	}
	return maxDiff, nil
}

// ConvImplsAgree computes a k x k "same" convolution (plus bias and ReLU)
// and the gradients of a scalar loss with respect to its input and kernel
// with GoMLX's native convolution and with patches+matmul, the patches made
// both by ExtractPatches (gather) and ExtractPatchesSlices, and returns the
// largest absolute differences of outputs and gradients to the native ones.
func ConvImplsAgree(b compute.Backend, n, h, w, cin, cout, k int) (outDiff, gradDiff float64, err error) {
	xs := make([]float32, n*h*w*cin)
	ks := make([]float32, k*k*cin*cout)
	for i := range xs {
		xs[i] = float32(math.Sin(float64(i) * 0.61))
	}
	for i := range ks {
		ks[i] = float32(math.Cos(float64(i)*0.23)) * 0.2
	}
	run := func(impl string) ([]*tensors.Tensor, error) {
		var res []*tensors.Tensor
		var rerr error
		if e := exceptions.Try(func() {
			res, rerr = MustNewExec(b, func(x, kernel *Node) []*Node {
				var y *Node
				switch impl {
				case "native":
					y = Convolve(x, kernel).PadSame().Done()
				case "slices":
					y = nn.Dense(gofast.ExtractPatchesSlices(x, k), Reshape(kernel, k*k*cin, cout), nil, compute.DenseLayoutInputOutputs)
				default:
					y = nn.Dense(gofast.ExtractPatches(x, k), Reshape(kernel, k*k*cin, cout), nil, compute.DenseLayoutInputOutputs)
				}
				y = Max(y, ZerosLike(y))
				// A loss that weights every output differently, so that a
				// transposed or shifted gradient cannot pass.
				wts := Sin(MulScalar(ConvertDType(Iota(x.Graph(), y.Shape(), 3), y.DType()), 0.1))
				loss := ReduceAllSum(Mul(y, AddScalar(wts, 1.5)))
				grads := Gradient(loss, x, kernel)
				return []*Node{y, grads[0], grads[1]}
			}).Exec(tensors.FromFlatDataAndDimensions(xs, n, h, w, cin), tensors.FromFlatDataAndDimensions(ks, k, k, cin, cout))
		}); e != nil {
			return nil, fmt.Errorf("%s convolution: %v", impl, e)
		}
		return res, rerr
	}
	c, err := run("native")
	if err != nil {
		return 0, 0, err
	}
	for _, impl := range []string{"patches", "slices"} {
		a, err := run(impl)
		if err != nil {
			return 0, 0, err
		}
		outDiff = math.Max(outDiff, maxAbsDiff(a[0], c[0]))
		gradDiff = math.Max(gradDiff, math.Max(maxAbsDiff(a[1], c[1]), maxAbsDiff(a[2], c[2])))
	}
	return outDiff, gradDiff, nil
}

// PoolImplsAgree compares the slice-based pools (used on the Go backend)
// with GoMLX's ReduceWindow pools, outputs and input gradients, for a
// 3x3 stride-2 ceil-mode pool of kind "max" or "avg" on [n, h, w, c].
func PoolImplsAgree(b compute.Backend, kind string, n, h, w, c int) (outDiff, gradDiff float64, err error) {
	isMax := kind != "avg"
	xs := make([]float32, n*h*w*c)
	for i := range xs {
		xs[i] = float32(math.Sin(float64(i) * 0.91)) // distinct values: no ties in max
	}
	run := func(slices bool) ([]*tensors.Tensor, error) {
		var res []*tensors.Tensor
		var rerr error
		if e := exceptions.Try(func() {
			res, rerr = MustNewExec(b, func(x *Node) []*Node {
				var y *Node
				if slices {
					y = gofast.SlicePool(x, isMax, 3, 2, 1)
				} else {
					y = Reference{}.Pool(x, isMax, 3, 2)
				}
				wts := AddScalar(Sin(ConvertDType(Iota(x.Graph(), y.Shape(), 1), y.DType())), 1.5)
				loss := ReduceAllSum(Mul(y, wts))
				return []*Node{y, Gradient(loss, x)[0]}
			}).Exec(tensors.FromFlatDataAndDimensions(xs, n, h, w, c))
		}); e != nil {
			return nil, fmt.Errorf("%v", e)
		}
		return res, rerr
	}
	a, err := run(true)
	if err != nil {
		return 0, 0, err
	}
	r, err := run(false)
	if err != nil {
		return 0, 0, err
	}
	if !a[0].Shape().Equal(r[0].Shape()) {
		return 0, 0, fmt.Errorf("slice pool shape %s, ReduceWindow pool %s", a[0].Shape(), r[0].Shape())
	}
	return maxAbsDiff(a[0], r[0]), maxAbsDiff(a[1], r[1]), nil
}

// maxAbsDiff is the largest absolute difference between two float32 tensors
// of the same shape.
func maxAbsDiff(p, q *tensors.Tensor) float64 {
	pv, qv := tensors.MustCopyFlatData[float32](p), tensors.MustCopyFlatData[float32](q)
	var m float64
	for i := range pv {
		m = math.Max(m, math.Abs(float64(pv[i]-qv[i])))
	}
	return m
}
