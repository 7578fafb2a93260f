package datasets

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Standardizer holds per-channel statistics computed on a training set.
type Standardizer struct {
	Mean, Std []float32
}

// FitStandardizer computes the per-channel mean and standard deviation of s.
func FitStandardizer(s *Set) *Standardizer {
	sum := make([]float64, s.C)
	sq := make([]float64, s.C)
	for i, v := range s.X {
		c := i % s.C
		sum[c] += float64(v)
		sq[c] += float64(v) * float64(v)
	}
	n := float64(len(s.X) / s.C)
	st := &Standardizer{Mean: make([]float32, s.C), Std: make([]float32, s.C)}
	for c := range sum {
		m := sum[c] / n
		v := sq[c]/n - m*m
		st.Mean[c] = float32(m)
		st.Std[c] = float32(math.Sqrt(math.Max(v, 1e-12)))
	}
	return st
}

// Apply standardizes s in place: (x - mean[c]) / std[c].
func (st *Standardizer) Apply(s *Set) {
	for i := range s.X {
		c := i % s.C
		s.X[i] = (s.X[i] - st.Mean[c]) / st.Std[c]
	}
}

// GlobalContrastNormalize normalizes each image in place to zero mean and
// unit norm scaled by `scale` (Goodfellow et al.'s GCN as used by NIN's
// CIFAR preprocessing: scale 55, epsilon guarding flat images).
func GlobalContrastNormalize(s *Set, scale, eps float64) {
	sz := s.ImageSize()
	for i := 0; i < s.N; i++ {
		img := s.X[i*sz : (i+1)*sz]
		var mean float64
		for _, v := range img {
			mean += float64(v)
		}
		mean /= float64(sz)
		var ss float64
		for _, v := range img {
			d := float64(v) - mean
			ss += d * d
		}
		norm := math.Sqrt(ss / float64(sz)) // per-pixel standard deviation
		norm = math.Max(norm, eps)
		for j, v := range img {
			img[j] = float32(scale * (float64(v) - mean) / norm / math.Sqrt(float64(sz)))
		}
	}
}

// ZCA is a whitening transform fitted on a training set: x' = (x - mean) W.
type ZCA struct {
	Mean []float64
	W    *mat.Dense // D x D, symmetric
}

// FitZCA fits ZCA whitening with regularization eps (added to the
// covariance eigenvalues) on the images of s.
func FitZCA(s *Set, eps float64) (*ZCA, error) {
	d := s.ImageSize()
	if s.N < 2 {
		return nil, fmt.Errorf("ZCA needs at least 2 images, got %d", s.N)
	}
	mean := make([]float64, d)
	for i := 0; i < s.N; i++ {
		for j, v := range s.Image(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(s.N)
	}
	x := mat.NewDense(s.N, d, nil)
	for i := 0; i < s.N; i++ {
		for j, v := range s.Image(i) {
			x.Set(i, j, float64(v)-mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(s.N), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, fmt.Errorf("ZCA: eigendecomposition of the %dx%d covariance failed", d, d)
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	scaled := mat.DenseCopyOf(&vecs)
	for j, v := range vals {
		f := 1 / math.Sqrt(math.Max(v, 0)+eps)
		for i := 0; i < d; i++ {
			scaled.Set(i, j, scaled.At(i, j)*f)
		}
	}
	var w mat.Dense
	w.Mul(scaled, vecs.T())
	return &ZCA{Mean: mean, W: &w}, nil
}

// Apply whitens s in place.
func (z *ZCA) Apply(s *Set) {
	d := s.ImageSize()
	row := mat.NewVecDense(d, nil)
	var out mat.VecDense
	for i := 0; i < s.N; i++ {
		img := s.Image(i)
		for j, v := range img {
			row.SetVec(j, float64(v)-z.Mean[j])
		}
		out.MulVec(z.W.T(), row)
		for j := range img {
			img[j] = float32(out.AtVec(j))
		}
	}
}

// Translate writes into dst the HWC image src shifted by (dy, dx) pixels,
// filling uncovered pixels with fill. dst and src must not overlap.
func Translate(dst, src []float32, h, w, c, dy, dx int, fill float32) {
	for y := 0; y < h; y++ {
		sy := y - dy
		for x := 0; x < w; x++ {
			sx := x - dx
			d := dst[(y*w+x)*c : (y*w+x+1)*c]
			if sy < 0 || sy >= h || sx < 0 || sx >= w {
				for k := range d {
					d[k] = fill
				}
				continue
			}
			copy(d, src[(sy*w+sx)*c:(sy*w+sx+1)*c])
		}
	}
}

// FlipHorizontal mirrors the HWC image img left-right in place.
func FlipHorizontal(img []float32, h, w, c int) {
	for y := 0; y < h; y++ {
		for x := 0; x < w/2; x++ {
			a := img[(y*w+x)*c : (y*w+x+1)*c]
			b := img[(y*w+w-1-x)*c : (y*w+w-x)*c]
			for k := range a {
				a[k], b[k] = b[k], a[k]
			}
		}
	}
}
