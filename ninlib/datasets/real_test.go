package datasets

import (
	"testing"
)

// TestMNISTNearestMeanSanity loads the real MNIST (skipped where it cannot
// be found) and checks that images and labels line up: a nearest class-mean
// classifier, which needs aligned pairs, gets about 82% on the test set.
func TestMNISTNearestMeanSanity(t *testing.T) {
	train, test, prov, err := Load("mnist")
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	if len(prov.Files) != 4 || prov.Files[0].Kind != "sha256" || prov.Files[0].Digest != "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" {
		t.Errorf("provenance %+v: want the 4 files with their verified sha256", prov)
	}
	if train.N != 60000 || test.N != 10000 || train.H != 28 || train.C != 1 {
		t.Fatalf("MNIST shapes: train %d test %d %dx%dx%d", train.N, test.N, train.H, train.W, train.C)
	}
	if train.Labels[0] != 5 || train.Labels[1] != 0 || test.Labels[0] != 7 {
		t.Errorf("first labels train %v test %v, want 5 0 / 7", train.Labels[:2], test.Labels[:1])
	}
	sz := train.ImageSize()
	means := make([][]float64, 10)
	counts := make([]float64, 10)
	for c := range means {
		means[c] = make([]float64, sz)
	}
	for i := 0; i < train.N; i++ {
		l := train.Labels[i]
		counts[l]++
		for j, v := range train.Image(i) {
			means[l][j] += float64(v)
		}
	}
	for c := range means {
		for j := range means[c] {
			means[c][j] /= counts[c]
		}
	}
	correct := 0
	for i := 0; i < test.N; i++ {
		best, bestD := -1, 0.0
		for c := range means {
			var d float64
			for j, v := range test.Image(i) {
				e := float64(v) - means[c][j]
				d += e * e
			}
			if best < 0 || d < bestD {
				best, bestD = c, d
			}
		}
		if int32(best) == test.Labels[i] {
			correct++
		}
	}
	acc := float64(correct) / float64(test.N)
	if acc < 0.78 {
		t.Errorf("nearest class-mean accuracy %.3f, want about 0.82: images and labels misaligned?", acc)
	}
	t.Logf("nearest class-mean test accuracy %.4f", acc)
}
