package plan

import (
	"fmt"
	"reflect"
	"time"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
	"github.com/ninbench/nin/ninlib/stats"
)

// Estimate is how long the run of configuration c should take on the
// machine here, with epochsDone of its epochs already trained (a resumed
// run): the median over the completed runs in recs that trained the same
// model on the same data with the same batch size (any seed, any budget,
// any learning-rate recipe) on a machine of the same kind (sameMachine) of
// their wall time per epoch, times the epochs left. The median, so that
// one run that shared the cores (or was paused for a timing) does not
// move the estimate. n is how many runs it is drawn from; 0 (and no
// estimate) when none is recorded.
//
// A run's wall time includes its evaluations, its test pass and whatever
// else shared the cores while it trained, so the estimate is of the kind
// a session plan needs ("about 45 minutes"), not a benchmark.
func Estimate(recs []runs.Record, c config.Config, here runs.Environment, epochsDone int) (d time.Duration, n int) {
	var perEpoch []float64
	for _, r := range recs {
		s := r.Summary
		if s.Status != runs.StatusCompleted || s.IsProbe() || s.Epochs == 0 || s.WallSeconds <= 0 ||
			!sameCost(r.Config, c) || !sameMachine(s.Env, here) {
			continue
		}
		perEpoch = append(perEpoch, s.WallSeconds/float64(s.Epochs))
	}
	if len(perEpoch) == 0 {
		return 0, 0
	}
	left := max(0, c.Epochs-epochsDone)
	return time.Duration(stats.Median(perEpoch) * float64(left) * float64(time.Second)), len(perEpoch)
}

// sameCost reports whether runs of a and b cost the same per epoch: the
// same model (its initialization aside) on the same training, validation
// and test images, with the same batch size.
func sameCost(a, b config.Config) bool {
	sa, sb := a.Identity().Spec, b.Identity().Spec
	sa.Init, sa.InitStd, sb.Init, sb.InitStd = "", 0, "", 0
	da, db := a.Setup, b.Setup
	da.SplitSeed, db.SplitSeed = 0, 0
	return reflect.DeepEqual(sa, sb) && da == db && a.BatchSize == b.BatchSize
}

// sameMachine reports whether a run recorded with environment e ran on a
// machine like here: the same CPU model and core count, and the same SIMD
// extensions where both records name them (older records do not).
func sameMachine(e, here runs.Environment) bool {
	return e.CPU == here.CPU && e.NumCPU == here.NumCPU &&
		(e.CPUSIMD == "" || here.CPUSIMD == "" || e.CPUSIMD == here.CPUSIMD)
}

// fits says whether a run expected to take d (from n records) can end
// before deadline, and why not when it cannot.
func fits(d time.Duration, n int, now, deadline time.Time) (bool, string) {
	if deadline.IsZero() || n == 0 {
		return true, ""
	}
	if now.Add(d).Before(deadline) {
		return true, ""
	}
	return false, fmt.Sprintf("not started: %s expected%s, %s left before -within ends", About(d), from(n), About(max(0, deadline.Sub(now))))
}

// About writes an estimated duration d as "about 45 min" or, from an
// hour, "about 5 h 20 min": the one format of every time estimate (-within,
// status).
func About(d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	if m < 60 {
		return fmt.Sprintf("about %d min", m)
	}
	return fmt.Sprintf("about %d h %02d min", m/60, m%60)
}

// from says what an estimate comes from.
func from(n int) string {
	runs := "runs"
	if n == 1 {
		runs = "run"
	}
	return fmt.Sprintf(" (the time per epoch of %d completed %s of this model and data on this kind of machine, as recorded)", n, runs)
}
