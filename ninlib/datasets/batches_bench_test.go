package datasets

import (
	"fmt"
	"testing"
)

// BenchmarkBatches measures what the data pipeline costs per batch of 32:
// shuffled, translated and flipped CIFAR-shaped images, and plain MNIST-
// shaped ones, including the tensors handed to the trainer. The producer
// runs in its own goroutine two batches ahead; this is the work it does.
// Compare with BenchmarkTrainStep (ninlib/fit): a training step takes
// milliseconds to a second.
//
//	go test -run x -bench Batches ./ninlib/datasets
func BenchmarkBatches(b *testing.B) {
	for _, tc := range []struct {
		name    string
		h, w, c int
		aug     Augment
	}{
		{"cifar-shift-flip", 32, 32, 3, Augment{MaxShift: 2, Flip: true}},
		{"mnist", 28, 28, 1, Augment{}},
	} {
		b.Run(fmt.Sprintf("%s/b32", tc.name), func(b *testing.B) {
			const n = 32 * 64
			s := &Set{N: n, H: tc.h, W: tc.w, C: tc.c, Classes: 10, X: make([]float32, n*tc.h*tc.w*tc.c), Labels: make([]int32, n)}
			bs := NewBatches("bench", s, 32)
			bs.Shuffle, bs.Augment = true, tc.aug
			b.ResetTimer()
			batches := 0
			for batches < b.N {
				for range bs.Iter() {
					batches++
					if batches >= b.N {
						break
					}
				}
			}
		})
	}
}
