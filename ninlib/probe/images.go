package probe

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// Accuracy is fit.Accuracy (test accuracy of c's model with store's weights).
func Accuracy(ctx context.Context, c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set) (float64, error) {
	return fit.Accuracy(ctx, c, be, store, s)
}

// Translated returns the accuracy on s with every image shifted by
// `shift` pixels, averaged over the four directions (up, down, left, right).
func Translated(ctx context.Context, c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set, shift int) (float64, error) {
	if shift == 0 {
		return Accuracy(ctx, c, be, store, s)
	}
	var sum float64
	for _, d := range [][2]int{{shift, 0}, {-shift, 0}, {0, shift}, {0, -shift}} {
		t := &datasets.Set{Name: s.Name, N: s.N, H: s.H, W: s.W, C: s.C, Classes: s.Classes, Labels: s.Labels, X: make([]float32, len(s.X))}
		for i := 0; i < s.N; i++ {
			datasets.Translate(t.Image(i), s.Image(i), s.H, s.W, s.C, d[0], d[1], 0)
		}
		acc, err := Accuracy(ctx, c, be, store, t)
		if err != nil {
			return 0, err
		}
		sum += acc
	}
	return sum / 4, nil
}

// Resize returns s with every image bilinearly resized to size x size.
func Resize(s *datasets.Set, size int) *datasets.Set {
	t := &datasets.Set{Name: s.Name, N: s.N, H: size, W: size, C: s.C, Classes: s.Classes, Labels: s.Labels}
	t.X = make([]float32, s.N*size*size*s.C)
	for i := 0; i < s.N; i++ {
		src, dst := s.Image(i), t.Image(i)
		for y := 0; y < size; y++ {
			fy := (float64(y)+0.5)*float64(s.H)/float64(size) - 0.5
			y0 := int(math.Floor(fy))
			wy := fy - float64(y0)
			for x := 0; x < size; x++ {
				fx := (float64(x)+0.5)*float64(s.W)/float64(size) - 0.5
				x0 := int(math.Floor(fx))
				wx := fx - float64(x0)
				for ch := 0; ch < s.C; ch++ {
					at := func(yy, xx int) float64 {
						yy, xx = max(0, min(s.H-1, yy)), max(0, min(s.W-1, xx))
						return float64(src[(yy*s.W+xx)*s.C+ch])
					}
					v := (1-wy)*((1-wx)*at(y0, x0)+wx*at(y0, x0+1)) + wy*((1-wx)*at(y0+1, x0)+wx*at(y0+1, x0+1))
					dst[(y*size+x)*s.C+ch] = float32(v)
				}
			}
		}
	}
	return t
}

// PadCrop returns s with every image centred on a size x size canvas
// (zero-padded when larger, cropped when smaller): the content keeps its
// scale, only the field of view changes.
func PadCrop(s *datasets.Set, size int) *datasets.Set {
	t := &datasets.Set{Name: s.Name, N: s.N, H: size, W: size, C: s.C, Classes: s.Classes, Labels: s.Labels}
	t.X = make([]float32, s.N*size*size*s.C)
	oy, ox := (size-s.H)/2, (size-s.W)/2
	for i := 0; i < s.N; i++ {
		src, dst := s.Image(i), t.Image(i)
		for y := 0; y < size; y++ {
			sy := y - oy
			if sy < 0 || sy >= s.H {
				continue
			}
			for x := 0; x < size; x++ {
				sx := x - ox
				if sx < 0 || sx >= s.W {
					continue
				}
				copy(dst[(y*size+x)*s.C:(y*size+x+1)*s.C], src[(sy*s.W+sx)*s.C:(sy*s.W+sx+1)*s.C])
			}
		}
	}
	return t
}

// Maps computes the per-class confidence maps of the first n test images
// and draws them as a PNG grid: one row per image, the image first, then
// one heat map per class (shared colour scale per row).
func Maps(c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set, n int) ([]byte, []runs.MapImage, error) {
	n = min(n, s.N)
	sub := s.Select(seq(0, n))
	logits, maps, err := nin.Infer(be, store, c.Spec, tensors.FromFlatDataAndDimensions(sub.X, n, s.H, s.W, s.C))
	if err != nil {
		return nil, nil, err
	}
	if maps == nil {
		return nil, nil, fmt.Errorf("model %s has no confidence maps (not a GAP model)", c.Variant)
	}
	l := tensors.MustCopyFlatData[float32](logits)
	m := tensors.MustCopyFlatData[float32](maps)
	d := maps.Shape().Dimensions
	mh, mw, k := d[1], d[2], d[3]
	// Maps are drawn at the image's size (nearest-neighbour upsampling),
	// so each map lines up with the image it was computed from.
	g := plots.Grid{Zoom: max(1, 112/s.H), Gap: 3, RowScale: true, Heat: true}
	for j := 0; j <= k; j++ {
		g.H, g.W = append(g.H, s.H), append(g.W, s.W)
	}
	var imgs []runs.MapImage
	for i := 0; i < n; i++ {
		row := [][]float32{sub.Grey(i)}
		best, bestMean := 0, float32(math.Inf(-1))
		for j := 0; j < k; j++ {
			mp := make([]float32, mh*mw)
			var mean float32
			for p := range mp {
				mp[p] = m[(i*mh*mw+p)*k+j]
				mean += mp[p]
			}
			if mean > bestMean {
				best, bestMean = j, mean
			}
			row = append(row, upsample(mp, mh, mw, s.H, s.W))
		}
		pred := argmax(l[i*k : (i+1)*k])
		imgs = append(imgs, runs.MapImage{Label: int(sub.Labels[i]), Pred: pred, MapArgmax: best})
		g.Cells = append(g.Cells, row)
	}
	png, err := g.PNG()
	return png, imgs, err
}

// upsample resizes a h x w map to H x W by nearest neighbour.
func upsample(m []float32, h, w, H, W int) []float32 {
	out := make([]float32, H*W)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			out[y*W+x] = m[(y*h/H)*w+x*w/W]
		}
	}
	return out
}

// seq is the indices lo, lo+1, ..., hi-1.
func seq(lo, hi int) []int {
	s := make([]int, hi-lo)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

func argmax(v []float32) int {
	b := 0
	for i := range v {
		if v[i] > v[b] {
			b = i
		}
	}
	return b
}

// PeakStats is where the confidence maps of a model peak, over test images
// (see Peaks).
type PeakStats struct {
	// Images is how many test images they were measured on.
	Images int
	// OnObject is the fraction of images whose true class's map peaks on
	// an object cell; OtherOnObject the same for the other classes' maps
	// (the mean over them), the control: maps that peak on the object
	// whatever their class say nothing about the class.
	OnObject, OtherOnObject float64
	// Cover is the mean fraction of a map's cells that are object cells:
	// what a peak placed at random would hit.
	Cover float64
}

// Peaks measures where the confidence maps peak, over the first n test
// images of s (in batches of batch). A map cell (i, j) of an mh x mw map
// covers the image's pixel block of rows [i*H/mh, (i+1)*H/mh) and the same
// for the columns; it is an object cell when the block's mean grey level
// is at least a quarter of the way from the image's darkest block to its
// brightest. That reading of "object" holds for images of light objects
// on a dark ground (MNIST, Fashion-MNIST), not for natural images.
func Peaks(c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set, n, batch int) (PeakStats, error) {
	st := PeakStats{Images: min(n, s.N)}
	if n = st.Images; n == 0 {
		return st, fmt.Errorf("no test images to measure the maps' peaks on")
	}
	in, err := nin.NewInferrer(be, store, c.Spec)
	if err != nil {
		return st, err
	}
	defer in.Finalize()
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		sub := s.Select(seq(lo, hi))
		_, maps, err := in.Infer(tensors.FromFlatDataAndDimensions(sub.X, hi-lo, s.H, s.W, s.C))
		if err != nil {
			return st, err
		}
		if maps == nil {
			return st, fmt.Errorf("model %s has no confidence maps (not a GAP model)", c.Variant)
		}
		m := tensors.MustCopyFlatData[float32](maps)
		d := maps.Shape().Dimensions
		cells, k := d[1]*d[2], d[3]
		for i := 0; i < hi-lo; i++ {
			object := objectCells(sub.Grey(i), s.H, s.W, d[1], d[2])
			trueOn, othersOn := peaksOn(m, i, cells, k, int(sub.Labels[i]), object)
			if trueOn {
				st.OnObject++
			}
			st.OtherOnObject += float64(othersOn) / float64(max(k-1, 1))
			st.Cover += float64(count(object)) / float64(cells)
		}
	}
	st.OnObject, st.OtherOnObject, st.Cover = st.OnObject/float64(n), st.OtherOnObject/float64(n), st.Cover/float64(n)
	return st, nil
}

// peaksOn says whether image i's map of its class y peaks on an object
// cell, and how many of the other classes' maps do, in maps m laid out
// [images, cells, classes].
func peaksOn(m []float32, i, cells, classes, y int, object []bool) (trueOn bool, othersOn int) {
	for class := range classes {
		switch on := object[peakCell(m, i, cells, classes, class)]; {
		case class == y:
			trueOn = on
		case on:
			othersOn++
		}
	}
	return trueOn, othersOn
}

// count is the number of true values in v.
func count(v []bool) int {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return n
}

// peakCell is the cell where image i's map of class y is largest, in
// maps m laid out [images, cells, classes].
func peakCell(m []float32, i, cells, classes, y int) int {
	peak := 0
	for p := range cells {
		if m[(i*cells+p)*classes+y] > m[(i*cells+peak)*classes+y] {
			peak = p
		}
	}
	return peak
}

// objectCells marks the cells of an mh x mw map whose pixel blocks of the
// H x W grey image are object (see Peaks).
func objectCells(grey []float32, H, W, mh, mw int) []bool {
	means := make([]float32, mh*mw)
	for i := range mh {
		for j := range mw {
			var sum float32
			count := 0
			for y := i * H / mh; y < (i+1)*H/mh; y++ {
				for x := j * W / mw; x < (j+1)*W/mw; x++ {
					sum += grey[y*W+x]
					count++
				}
			}
			means[i*mw+j] = sum / float32(max(count, 1))
		}
	}
	lo, hi := slices.Min(means), slices.Max(means)
	out := make([]bool, len(means))
	for p, v := range means {
		out[p] = hi > lo && v >= lo+(hi-lo)/4
	}
	return out
}
