package fit

import (
	"math"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/ninbench/nin/ninlib/config"
)

// Schedule decides the learning rate of each epoch. Its state is saved in
// the run's state.json so a resumed run continues the same schedule.
type Schedule struct {
	Kind       string  `json:"kind"`
	Base       float64 `json:"base"`
	Factor     float64 `json:"factor"`
	Patience   int     `json:"patience"`
	Milestones []int   `json:"milestones"`
	Warmup     int     `json:"warmup"`
	Epochs     int     `json:"epochs"`
	// Plateau state.
	Current  float64 `json:"current"`
	Best     float64 `json:"best"`
	BadEpoch int     `json:"bad_epochs"`
}

// NewSchedule makes the schedule of a config.
func NewSchedule(c *config.Config) *Schedule {
	ms, _ := c.MilestoneEpochs()
	return &Schedule{Kind: c.Schedule, Base: c.LR, Factor: c.Factor, Patience: c.Patience, Milestones: ms,
		Warmup: c.WarmupEpochs, Epochs: c.Epochs, Current: c.LR, Best: math.Inf(-1)}
}

// LR returns the learning rate for epoch e (0-based), before it runs.
func (s *Schedule) LR(e int) float64 {
	var lr float64
	switch s.Kind {
	case "constant":
		lr = s.Base
	case "steps":
		lr = s.Base
		for _, m := range s.Milestones {
			if e >= m {
				lr /= s.Factor
			}
		}
	case "cosine":
		lr = s.Base * 0.5 * (1 + math.Cos(math.Pi*float64(e)/float64(s.Epochs)))
	default: // plateau
		lr = s.Current
	}
	if e < s.Warmup {
		// Linear from Base/10 at epoch 0 to Base at epoch Warmup.
		f := 0.1 + 0.9*float64(e)/float64(s.Warmup)
		lr = math.Min(lr, s.Base*f)
	}
	return lr
}

// Observe records the validation accuracy after an epoch; a plateau
// schedule divides its rate after Patience epochs without improvement.
func (s *Schedule) Observe(valAcc float64) {
	if valAcc > s.Best {
		s.Best, s.BadEpoch = valAcc, 0
		return
	}
	s.BadEpoch++
	if s.Kind == "plateau" && s.BadEpoch >= s.Patience {
		s.Current /= s.Factor
		s.BadEpoch = 0
	}
}

func tensorScalar(v float64) *tensors.Tensor { return tensors.FromValue(float32(v)) }
