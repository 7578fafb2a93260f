package fit

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// TestEvalSeesCurrentWeights guards against the GoMLX Go-backend issue
// described at Evaluate: a read-only executable over variables that a
// training executable updates. It alternates "training" (w += x) with
// reads done Evaluate's way (clone + fresh executable) and checks that every
// read sees the latest value and no update is lost.
func TestEvalSeesCurrentWeights(t *testing.T) {
	b := goBackend(t)
	store := model.NewStore()
	mk := func(scope *model.Scope) *model.Variable {
		return scope.WithInitializer(initializer.Zero).VariableWithShape("w", shapes.Make(dtypes.Float32, 4))
	}
	inc := model.MustNewExec(b, store, func(scope *model.Scope, x *Node) *Node {
		v := mk(scope)
		nv := Add(v.NodeValue(x.Graph()), x)
		v.SetNodeValue(nv)
		return ReduceAllSum(nv)
	})
	readFn := func(scope *model.Scope, x *Node) *Node {
		return ReduceAllSum(Mul(mk(scope).NodeValue(x.Graph()), x))
	}
	one := []float32{1, 1, 1, 1}
	want := float32(0)
	for i, op := range []string{"inc", "read", "inc", "read", "inc", "inc", "read", "inc", "read"} {
		var got float32
		if op == "inc" {
			want += 4
			got = tensors.ToScalar[float32](inc.MustExec(one)[0])
		} else {
			clone, err := store.Clone()
			if err != nil {
				t.Fatal(err)
			}
			got = tensors.ToScalar[float32](model.MustNewExec(b, clone, readFn).MustExec(one)[0])
		}
		if got != want {
			t.Fatalf("op %d (%s): got %v, want %v", i, op, got, want)
		}
	}
}
