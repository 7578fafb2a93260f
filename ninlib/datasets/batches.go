package datasets

import (
	"iter"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
)

// Augment configures training-time augmentation.
type Augment struct {
	// MaxShift is the largest random translation in pixels along each axis
	// (0 disables it); uncovered pixels are filled with 0, the mean after
	// standardization.
	MaxShift int
	// Flip enables random horizontal flips (never for digit datasets).
	Flip bool
}

// Batches feeds a Set to GoMLX's trainer as [B,H,W,C] float32 images and
// [B,1] int32 labels. Each call to Iter is one epoch. Shuffling and
// augmentation are seeded by (Seed, epoch), so a run resumed at epoch e
// sees exactly the batches it would have seen. The next batch is built in a
// background goroutine while the current one trains.
type Batches struct {
	Set       *Set
	BatchSize int
	Shuffle   bool
	DropLast  bool
	Augment   Augment
	Seed      uint64
	// Epoch is the epoch that the next Iter produces; it is incremented by
	// each complete Iter and may be set to resume.
	Epoch int
	name  string
}

// NewBatches returns a Batches named name over s.
func NewBatches(name string, s *Set, batchSize int) *Batches {
	return &Batches{Set: s, BatchSize: batchSize, name: name}
}

// Name implements train.Dataset.
func (b *Batches) Name() string { return b.name }

// NumBatches is the number of batches of one epoch.
func (b *Batches) NumBatches() int {
	if b.DropLast {
		return b.Set.N / b.BatchSize
	}
	return (b.Set.N + b.BatchSize - 1) / b.BatchSize
}

type hostBatch struct {
	x      []float32
	labels []int32
	n      int
}

// Iter implements train.Dataset: one epoch of batches.
func (b *Batches) Iter() iter.Seq2[train.Batch, error] {
	epoch := b.Epoch
	return func(yield func(train.Batch, error) bool) {
		s := b.Set
		rng := rand.New(rand.NewPCG(b.Seed, uint64(epoch)+1))
		order := make([]int, s.N)
		for i := range order {
			order[i] = i
		}
		if b.Shuffle {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		nb := b.NumBatches()
		// Per-batch augmentation seeds drawn up front so the producer
		// goroutine is deterministic regardless of timing.
		seeds := make([]uint64, nb)
		for i := range seeds {
			seeds[i] = rng.Uint64()
		}
		ch := make(chan hostBatch, 2)
		stop := make(chan struct{})
		go func() {
			defer close(ch)
			for i := 0; i < nb; i++ {
				lo := i * b.BatchSize
				hi := min(lo+b.BatchSize, s.N)
				hb := b.build(order[lo:hi], seeds[i])
				select {
				case ch <- hb:
				case <-stop:
					return
				}
			}
		}()
		defer close(stop)
		for hb := range ch {
			x := tensors.FromFlatDataAndDimensions(hb.x, hb.n, s.H, s.W, s.C)
			y := tensors.FromFlatDataAndDimensions(hb.labels, hb.n, 1)
			if !yield(train.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}}, nil) {
				return
			}
		}
		b.Epoch = epoch + 1
	}
}

func (b *Batches) build(idx []int, seed uint64) hostBatch {
	s := b.Set
	sz := s.ImageSize()
	hb := hostBatch{x: make([]float32, len(idx)*sz), labels: make([]int32, len(idx)), n: len(idx)}
	rng := rand.New(rand.NewPCG(seed, 7))
	for j, i := range idx {
		dst := hb.x[j*sz : (j+1)*sz]
		src := s.Image(i)
		if k := b.Augment.MaxShift; k > 0 {
			dy, dx := rng.IntN(2*k+1)-k, rng.IntN(2*k+1)-k
			Translate(dst, src, s.H, s.W, s.C, dy, dx, 0)
		} else {
			copy(dst, src)
		}
		if b.Augment.Flip && rng.IntN(2) == 1 {
			FlipHorizontal(dst, s.H, s.W, s.C)
		}
		hb.labels[j] = s.Labels[i]
	}
	return hb
}
