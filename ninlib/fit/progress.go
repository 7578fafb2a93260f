package fit

import (
	"os"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ui/commandline"
)

// attachProgress adds GoMLX's progress bar on terminals and in notebooks,
// and plain progress lines every 30 s when output is not a terminal.
func attachProgress(loop *train.Loop, o TrainOptions) {
	mode := o.Progress
	if mode == "" || mode == "auto" {
		mode = "lines"
		if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && o.Log == os.Stdout {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		commandline.AttachProgressBar(loop)
	case "lines":
		var last time.Time
		var start time.Time
		loop.OnStart("nin-lines", 0, func(l *train.Loop, _ train.Dataset) error {
			start, last = time.Now(), time.Now()
			return nil
		})
		loop.OnStep("nin-lines", 1, func(l *train.Loop, metrics []*tensors.Tensor) error {
			if time.Since(last) < 30*time.Second {
				return nil
			}
			last = time.Now()
			done := l.LoopStep - l.StartStep + 1
			total := l.EndStep - l.StartStep
			el := time.Since(start)
			eta := time.Duration(float64(el) / float64(done) * float64(total-done))
			logf(o, "  step %d/%d  loss %.4f  %.1f steps/s  ETA %s", done, total,
				tensors.ToScalar[float32](metrics[0]), float64(done)/el.Seconds(), eta.Round(time.Second))
			return nil
		})
	}
}
