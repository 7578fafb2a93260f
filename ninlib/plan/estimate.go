package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
	"github.com/ninbench/nin/ninlib/stats"
)

// Expectation is how long a run should take on this machine (Estimate)
// and what the estimate is drawn from.
type Expectation struct {
	// Time is the run's expected wall time; zero without an estimate.
	Time time.Duration
	// Runs is how many completed runs of the same model and data it is
	// drawn from; 0 when none is recorded (no estimate).
	Runs int
	// Elsewhere names the kind of machine those runs were on when none of
	// them was on a machine like this one ("AMD EPYC, 2 cores, avx avx2
	// fma"); empty when they were.
	Elsewhere string
	// Scale is this machine's time against Elsewhere's, the median over
	// Shared models run on both (completed runs of each); Elsewhere's time
	// was multiplied by it. 0 when no model has run on both: Elsewhere's
	// time unscaled, from the slowest kind of machine that ran the model.
	Scale  float64
	Shared int
}

// Known says whether there is an estimate.
func (e Expectation) Known() bool { return e.Runs > 0 }

// Source says what the estimate is drawn from, for a log line: " (the
// time per epoch of 3 completed runs of this model and data on this kind
// of machine, as recorded)".
func (e Expectation) Source() string {
	runs := plural(e.Runs, "run", "runs")
	switch {
	case e.Elsewhere == "":
		return fmt.Sprintf(" (the time per epoch of %d completed %s of this model and data on this kind of machine, as recorded)", e.Runs, runs)
	case e.Scale > 0:
		return fmt.Sprintf(" (the time per epoch of %d completed %s of this model and data on another kind of machine, %s, times %.2f, this machine's time against its own over %d %s run on both)", e.Runs, runs, e.Elsewhere, e.Scale, e.Shared, plural(e.Shared, "model", "models"))
	default:
		return fmt.Sprintf(" (the time per epoch of %d completed %s of this model and data on another kind of machine, %s, unscaled: no model has run on both)", e.Runs, runs, e.Elsewhere)
	}
}

// plural is one or many after n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Estimate is how long the run of configuration c should take on the
// machine here, with epochsDone of its epochs already trained (a resumed
// run): the median over the completed runs in recs that trained the same
// model on the same data with the same batch size (any seed, any budget,
// any learning-rate recipe) on the same backend and a machine of the same
// kind (sameMachine) of their wall time per epoch, times the epochs left.
// The median, so that one run that shared the cores (or was paused for a
// timing) does not move the estimate.
//
// Where no machine of this kind has run the model (a session on a new
// machine), the estimate is drawn from another kind that has, scaled by
// how much slower or faster this machine ran the models both have run
// (elsewhere). Without one, there is no estimate. The scale compares
// whatever code each record ran, so it is only as close as the records'
// commits are to each other.
//
// A run's wall time includes its evaluations, its test pass and whatever
// else shared the cores while it trained, so the estimate is of the kind
// a session plan needs ("about 45 minutes"), not a benchmark.
func Estimate(recs []runs.Record, c config.Config, here runs.Environment, epochsDone int) Expectation {
	left := float64(max(0, c.Epochs-epochsDone))
	times := perEpochTimes(recs, here, backendName(c.Backend))
	key := costKey(c)
	if t := append(slices.Clone(times[hereKind][key]), times[maybeHere][key]...); len(t) > 0 {
		return Expectation{Time: seconds(stats.Median(t) * left), Runs: len(t)}
	}
	return elsewhere(times, key, left)
}

// perEpochTimes' names for a machine like here: hereKind where the record
// names the same SIMD extensions, maybeHere where it names none (older
// records: the same CPU model covers AVX-512 and AVX2-only machines, and
// older code was slower, so they estimate a run but do not measure this
// machine against another).
const hereKind, maybeHere = "", "?"

// perEpochTimes groups the wall time per epoch of recs' completed
// training runs on backend be by kind of machine (hereKind, maybeHere,
// else kindName) and by cost (costKey).
func perEpochTimes(recs []runs.Record, here runs.Environment, be string) map[string]map[string][]float64 {
	times := map[string]map[string][]float64{}
	for _, r := range recs {
		s := r.Summary
		if s.Status != runs.StatusCompleted || s.IsProbe() || s.Epochs == 0 || s.WallSeconds <= 0 || backendName(s.Env.Backend) != be {
			continue
		}
		kind := kindName(s.Env)
		switch {
		case !sameMachine(s.Env, here):
		case s.Env.CPUSIMD == here.CPUSIMD:
			kind = hereKind
		default:
			kind = maybeHere
		}
		if times[kind] == nil {
			times[kind] = map[string][]float64{}
		}
		k := costKey(r.Config)
		times[kind][k] = append(times[kind][k], s.WallSeconds/float64(s.Epochs))
	}
	return times
}

// elsewhere estimates a run of cost key from other kinds of machine: from
// the kind that shares the most models with this one, its time scaled by
// the median of this machine's time against its own over those models;
// where no kind shares one, from the slowest kind unscaled (a run cut off
// at a session's end costs more than one left for the next).
func elsewhere(times map[string]map[string][]float64, key string, left float64) Expectation {
	var best Expectation
	for kind, byCost := range times {
		t := byCost[key]
		if kind == hereKind || len(t) == 0 { // maybeHere never has key: Estimate used it
			continue
		}
		var ratios []float64
		for k, mine := range times[hereKind] {
			if theirs := byCost[k]; len(theirs) > 0 {
				ratios = append(ratios, stats.Median(mine)/stats.Median(theirs))
			}
		}
		e := Expectation{Time: seconds(stats.Median(t) * left), Runs: len(t), Elsewhere: kind, Shared: len(ratios)}
		if len(ratios) > 0 {
			e.Scale = stats.Median(ratios)
			e.Time = seconds(stats.Median(t) * e.Scale * left)
		}
		if better(e, best) {
			best = e
		}
	}
	return best
}

// better says whether e, from another kind of machine, beats best: more
// models shared with this machine, else a longer time, else (for the same
// answer on every call) the kind's name first in order.
func better(e, best Expectation) bool {
	switch {
	case !best.Known() || e.Shared != best.Shared:
		return !best.Known() || e.Shared > best.Shared
	case e.Time != best.Time:
		return e.Time > best.Time
	}
	return e.Elsewhere < best.Elsewhere
}

// backendName is the backend a configuration names ("go", "xla"), its
// options aside; "" is the default (backend.Resolve).
func backendName(config string) string {
	name, _, _ := strings.Cut(backend.Resolve(config), ":")
	return name
}

// seconds is s seconds as a duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// kindName names a kind of machine: "AMD EPYC, 2 cores, avx avx2 fma".
func kindName(e runs.Environment) string {
	name := fmt.Sprintf("%s, %d cores", e.CPU, e.NumCPU)
	if e.CPUSIMD != "" {
		name += ", " + e.CPUSIMD
	}
	return name
}

// costKey is the same for runs that cost the same per epoch: the same
// model (its initialization aside) on the same training, validation and
// test images, with the same batch size.
func costKey(c config.Config) string {
	spec, setup := c.Identity().Spec, c.Setup
	spec.Init, spec.InitStd, setup.SplitSeed = "", 0, 0
	b, _ := json.Marshal(struct {
		Spec  any
		Setup any
		Batch int
	}{spec, setup, c.BatchSize})
	return string(b)
}

// sameMachine reports whether a run recorded with environment e ran on a
// machine like here: the same CPU model and core count, and the same SIMD
// extensions where both records name them (older records do not).
func sameMachine(e, here runs.Environment) bool {
	return e.CPU == here.CPU && e.NumCPU == here.NumCPU &&
		(e.CPUSIMD == "" || here.CPUSIMD == "" || e.CPUSIMD == here.CPUSIMD)
}

// fits says whether a run expected to take e can end before deadline,
// and why not when it cannot. A run with no estimate, or no deadline,
// starts.
func fits(e Expectation, now, deadline time.Time) (bool, string) {
	if deadline.IsZero() || !e.Known() {
		return true, ""
	}
	if now.Add(e.Time).Before(deadline) {
		return true, ""
	}
	return false, fmt.Sprintf("not started: %s expected%s, %s left before -within ends", About(e.Time), e.Source(), About(max(0, deadline.Sub(now))))
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
