package probe

import (
	"testing"

	"github.com/ninbench/nin/ninlib/datasets"
)

func seqSet(n, h, w, c int) *datasets.Set {
	s := &datasets.Set{N: n, H: h, W: w, C: c, Classes: 2, X: make([]float32, n*h*w*c), Labels: make([]int32, n)}
	for i := range s.X {
		s.X[i] = float32(i)
	}
	return s
}

func TestResizeSameSizeIsIdentity(t *testing.T) {
	sq := seqSet(2, 5, 5, 2)
	r := Resize(sq, 5)
	for i := range sq.X {
		if r.X[i] != sq.X[i] {
			t.Fatalf("resize to the same size changed value %d: %v -> %v", i, sq.X[i], r.X[i])
		}
	}
}

func TestResizeConstantAndScale(t *testing.T) {
	s := seqSet(1, 4, 4, 1)
	for i := range s.X {
		s.X[i] = 3
	}
	for _, sz := range []int{2, 7, 9} {
		r := Resize(s, sz)
		if r.H != sz || r.W != sz || len(r.X) != sz*sz {
			t.Fatalf("size %d: got %dx%d (%d values)", sz, r.H, r.W, len(r.X))
		}
		for _, v := range r.X {
			if v != 3 {
				t.Fatalf("resizing a constant image gave %v", v)
			}
		}
	}
}

func TestPadCropCentres(t *testing.T) {
	s := seqSet(1, 2, 2, 1) // values 0 1 / 2 3
	p := PadCrop(s, 4)
	want := []float32{0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 3, 0, 0, 0, 0, 0}
	for i := range want {
		if p.X[i] != want[i] {
			t.Fatalf("pad: %v, want %v", p.X, want)
		}
	}
	c := PadCrop(p, 2)
	for i := range s.X {
		if c.X[i] != s.X[i] {
			t.Fatalf("crop back: %v, want %v", c.X, s.X)
		}
	}
}

func TestUpsampleNearest(t *testing.T) {
	got := upsample([]float32{1, 2, 3, 4}, 2, 2, 4, 4)
	want := []float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("upsample: %v", got)
		}
	}
}
