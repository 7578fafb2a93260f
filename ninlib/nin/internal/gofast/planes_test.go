package gofast

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/backend"
)

// TestPlanesDropoutKeepsOnes: in training, the planes' dropout zeroes or
// rescales the channel planes but never the ones plane that carries the
// next layer's biases.
func TestPlanesDropoutKeepsOnes(t *testing.T) {
	b, err := backend.Open("go")
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	const c, m = 6, 400 // per chunk: 2 chunks of 4 images of 10x10
	exec, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
		scope.SetTraining(x.Graph(), true)
		return (&Planes{s: 2, g: 4, h: 10, w: 10}).Dropout(scope, x, 0.5)
	})
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float32, 2*(c+1)*m)
	for i := range ones {
		ones[i] = 1
	}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(ones, 2, c+1, m))
	if err != nil {
		t.Fatal(err)
	}
	y := tensors.MustCopyFlatData[float32](out[0])
	var dropped int
	for i, v := range y {
		switch {
		case i%((c+1)*m) >= c*m:
			if v != 1 {
				t.Fatalf("ones plane of chunk %d changed at %d: %v", i/((c+1)*m), i%((c+1)*m)-c*m, v)
			}
		case v == 0:
			dropped++
		case v != 2:
			t.Fatalf("channel value %v at %d, want 0 or 1/(1-0.5) = 2", v, i)
		}
	}
	if frac := float64(dropped) / (2 * c * m); frac < 0.4 || frac > 0.6 {
		t.Errorf("dropped %.2f of the channel values, want about 0.5", frac)
	}
}
