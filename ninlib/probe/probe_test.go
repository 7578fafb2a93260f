package probe

import (
	"slices"
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

// TestObjectCells: a map cell is object when its pixel block is at least a
// quarter of the way from the image's darkest block to its brightest.
func TestObjectCells(t *testing.T) {
	for _, tc := range []struct {
		name   string
		grey   []float32 // 4 x 4
		mh, mw int
		want   []bool
	}{
		{"a bright block top left", []float32{
			1, 1, 0, 0,
			1, 1, 0, 0,
			0, 0, 0, 0,
			0, 0, 0, 0}, 2, 2, []bool{true, false, false, false}},
		{"a faint stroke counts, a fainter one not", []float32{
			1, 1, 0.4, 0.4,
			1, 1, 0.4, 0.4,
			0.2, 0.2, 0, 0,
			0.2, 0.2, 0, 0}, 2, 2, []bool{true, true, false, false}},
		{"a blank image has no object", make([]float32, 16), 2, 2, []bool{false, false, false, false}},
		{"one cell per pixel", []float32{
			0, 0, 0, 0,
			0, 3, 0, 0,
			0, 0, 0, 0,
			0, 0, 0, 1}, 4, 4, []bool{false, false, false, false, false, true, false, false, false, false, false, false, false, false, false, true}},
	} {
		if got := objectCells(tc.grey, 4, 4, tc.mh, tc.mw); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPeakCell: the peak of one class's map of one image, in maps laid
// out [images, cells, classes].
func TestPeakCell(t *testing.T) {
	// 2 images, 3 cells, 2 classes.
	m := []float32{
		0, 5, 1, 4, 2, 3, // image 0: class 0 peaks at cell 2, class 1 at cell 0
		9, 0, 8, 7, 1, 6, // image 1: class 0 at cell 0, class 1 at cell 1
	}
	for _, tc := range []struct{ i, y, want int }{{0, 0, 2}, {0, 1, 0}, {1, 0, 0}, {1, 1, 1}} {
		if got := peakCell(m, tc.i, 3, 2, tc.y); got != tc.want {
			t.Errorf("image %d, class %d: peak at cell %d, want %d", tc.i, tc.y, got, tc.want)
		}
	}
}

// TestPeaksOn: whether the true class's map peaks on the object, and how
// many other classes' maps do.
func TestPeaksOn(t *testing.T) {
	// 1 image, 3 cells (cell 1 is object), 3 classes: class 0 peaks at
	// cell 1, class 1 at cell 0, class 2 at cell 1.
	m := []float32{
		0, 9, 0,
		5, 1, 7,
		1, 2, 3,
	}
	object := []bool{false, true, false}
	for _, tc := range []struct {
		y      int
		trueOn bool
		others int
	}{{0, true, 1}, {1, false, 2}, {2, true, 1}} {
		if on, others := peaksOn(m, 0, 3, 3, tc.y, object); on != tc.trueOn || others != tc.others {
			t.Errorf("class %d: true map on the object %v, %d others, want %v and %d", tc.y, on, others, tc.trueOn, tc.others)
		}
	}
}
