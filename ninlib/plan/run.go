package plan

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/gomlx/compute"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/runs"
)

// RunOptions control a plan's execution.
type RunOptions struct {
	ResultsDir string
	// Extra is a -set string applied after the plan's settings (e.g. a
	// smaller scale for a quick look).
	Extra string
	// Backend config ("" = default) and Command to record.
	Backend string
	Command string
	Log     io.Writer
	// Progress is passed to fit.TrainOptions.
	Progress string
	// DryRun prints what would run without running it.
	DryRun bool
	// OnStep and OnEpoch are passed to fit.TrainOptions (live curves).
	OnStep  func(epoch, step, steps int, loss, acc float64)
	OnEpoch func(runs.Epoch)
	// Deadline, if set, is when the runs must have ended: a run that
	// Estimate expects to end after it is not started (the plan goes on
	// to the next, which may be shorter). Sessions that end hard at a set
	// time use it so that no run is cut off there; a run with no estimate
	// starts.
	Deadline time.Time
}

// errNoTime is one's answer for a run that would not end before the
// deadline.
var errNoTime = errors.New("not started before the deadline")

// Train runs every arm x dataset x seed of a training plan and returns the
// summaries. A run whose identical configuration already completed is
// skipped; an interrupted one is resumed; one that another process is
// training right now (its claim is locked) is skipped and reported. A
// diverged run is recorded and the plan goes on.
func Train(ctx context.Context, p *Plan, o RunOptions) ([]*runs.Summary, error) {
	if p.Kind != "train" {
		return nil, fmt.Errorf("experiment %s is a %s probe: run it with `run %s` after %s", p.Name, p.Kind, p.Name, p.Source)
	}
	if o.Log == nil {
		o.Log = os.Stdout
	}
	x := &executor{o: o, prepared: map[datasets.Setup]*datasets.Prepared{}, here: runs.ThisMachine()}
	for _, ds := range p.Datasets {
		for _, a := range p.Arms {
			if a.From != "" {
				fmt.Fprintf(o.Log, "== %s / %s / %s: shared with experiment %s, not trained here\n", p.Name, a.Name, ds, a.From)
			}
		}
	}
	tasks, cfgs, err := p.Tasks(o.Extra, o.Backend)
	if err != nil {
		return nil, err
	}
	var out []*runs.Summary
	busy, late := 0, 0
	for i, t := range tasks {
		if err := fit.Interrupted(ctx); err != nil {
			return out, err
		}
		label := p.Name + " / " + t.Label()
		sum, err := x.one(ctx, cfgs[i], label)
		if errors.Is(err, runs.ErrLocked) {
			fmt.Fprintf(o.Log, "== %s: being trained by another process, skipped (%v)\n", label, err)
			busy++
			continue
		}
		if errors.Is(err, errNoTime) {
			late++
			continue
		}
		if sum != nil {
			out = append(out, sum)
		}
		switch {
		case errors.Is(err, fit.ErrDiverged):
			fmt.Fprintf(o.Log, "   diverged; recorded as such, going on\n")
		case err != nil:
			return out, err
		}
	}
	if late > 0 {
		fmt.Fprintf(o.Log, "%s not started, as they would not end before -within ends: rerun this command with more time to start them\n", runsWere(late))
	}
	if busy > 0 {
		fmt.Fprintf(o.Log, "%s being trained by other processes and skipped: rerun this command once they end to pick up any they did not finish\n", runsWere(busy))
	}
	return out, nil
}

// executor runs a plan's runs one at a time, sharing one backend and the
// prepared data between them.
type executor struct {
	o        RunOptions
	be       compute.Backend
	prepared map[datasets.Setup]*datasets.Prepared
	// here is this machine, read once, for each run's Estimate.
	here runs.Environment
}

// one trains (or skips, or resumes) the run of configuration c. It first
// claims c in the results directory, so that two processes running the
// same plan never train the same configuration: the second gets an error
// wrapping runs.ErrLocked.
func (x *executor) one(ctx context.Context, c config.Config, label string) (*runs.Summary, error) {
	o := x.o
	var claim *runs.Lock
	if !o.DryRun {
		var err error
		if claim, err = Claim(o.ResultsDir, c); err != nil {
			return nil, err
		}
		defer claim.Unlock()
	}
	recs, _ := runs.ReadAll(o.ResultsDir)
	done, interrupted, live := find(recs, c)
	if live != "" {
		return nil, fmt.Errorf("run %s: %w", live, runs.ErrLocked)
	}
	if done {
		fmt.Fprintf(o.Log, "== %s: already completed, skipped\n", label)
		return nil, nil
	}
	resume, epochsDone := "", 0
	if interrupted != nil {
		resume, epochsDone = interrupted.Dir, interrupted.Summary.Epochs
	}
	e := Estimate(recs, c, x.here, epochsDone)
	if ok, why := fits(e, time.Now(), o.Deadline); !ok {
		fmt.Fprintf(o.Log, "== %s: %s\n", label, why)
		return nil, errNoTime
	}
	if o.DryRun {
		fmt.Fprintf(o.Log, "== %s: would run (resume=%q)%s\n", label, resume, expected(e))
		return nil, nil
	}
	var err error
	if x.be == nil {
		if x.be, err = backend.Open(o.Backend); err != nil {
			return nil, err
		}
	}
	data := x.prepared[c.Setup]
	if data == nil {
		if data, err = datasets.Prepare(c.Setup); err != nil {
			return nil, err
		}
		x.prepared[c.Setup] = data
	}
	fmt.Fprintf(o.Log, "== %s%s\n", label, expected(e))
	return fit.Train(ctx, c, fit.TrainOptions{ResultsDir: o.ResultsDir, Resume: resume, Command: o.Command,
		Log: o.Log, Progress: o.Progress, Backend: x.be, Data: data, OnStep: o.OnStep, OnEpoch: o.OnEpoch})
}

// runsWere words a count of runs for the log: "1 run was", "2 runs were".
func runsWere(n int) string {
	if n == 1 {
		return "1 run was"
	}
	return fmt.Sprintf("%d runs were", n)
}

// find looks for records of configuration c: done if one completed, live
// if a live process is training one (started by hand, outside any plan),
// else the interrupted record to resume (nil if none). A failed run starts
// afresh (resume it by hand with train -resume once its cause is fixed).
func find(recs []runs.Record, c config.Config) (done bool, interrupted *runs.Record, live string) {
	for i, r := range recs {
		if !SameRun(r.Config, c) {
			continue
		}
		switch r.Summary.Status {
		case runs.StatusCompleted:
			return true, nil, ""
		case runs.StatusRunning:
			live = r.Dir
		case runs.StatusInterrupted:
			interrupted = &recs[i]
		}
	}
	return false, interrupted, live
}

// expected words a run's estimate for the log (", about 45 min (the
// time per epoch of ...)"), or nothing without one.
func expected(e Expectation) string {
	if !e.Known() {
		return ""
	}
	return ", " + About(e.Time) + e.Source()
}

// SameRun reports whether two configurations describe the same run: the
// same identity (config.Identity: execution settings such as the backend
// and the convolution formulation aside).
func SameRun(a, b config.Config) bool {
	return reflect.DeepEqual(a.Identity(), b.Identity())
}

// Claim locks configuration c in resultsDir (results/.claims/), so that
// only one process at a time looks for, resumes or starts its run.
func Claim(resultsDir string, c config.Config) (*runs.Lock, error) {
	b, err := json.Marshal(c.Identity())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	dir := filepath.Join(resultsDir, ClaimsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w (is %s writable?)", dir, err, resultsDir)
	}
	return runs.TryLock(filepath.Join(dir, fmt.Sprintf("%s.%s.%s.s%d.%x.lock", c.Experiment, c.Arm, c.Setup.Name, c.Seed, sum[:6])))
}

// ClaimsDir holds the claim locks of plan runs (git-ignored).
const ClaimsDir = ".claims"

// Reproduces reports whether record r is what running p now would produce
// for r's arm, dataset and seed with extra as the command line's -set: the
// same configuration, whatever backend ran it. Records of an experiment
// file's earlier settings (a changed scale, say) are kept on disk but no
// longer count as its results.
func (p *Plan) Reproduces(r runs.Record, extra string) bool {
	if r.Summary.Experiment != p.Name || r.Summary.IsProbe() {
		return false
	}
	for _, a := range p.arms() {
		if a.Name != r.Config.Arm || a.From != "" {
			continue
		}
		c, err := p.Config(a, r.Config.Setup.Name, r.Config.Seed, extra)
		if err != nil {
			return false
		}
		return SameRun(c, r.Config)
	}
	return false
}

// Current splits records into those that the experiment files in plans
// reproduce (every record of an experiment without a file counts, like
// ad-hoc `train` runs) and the superseded rest; extra is the -set the runs
// were made with ("" for the files as they are). A probe record is current
// when the run it analysed is.
func Current(recs []runs.Record, plans map[string]*Plan, extra string) (current, superseded []runs.Record) {
	ok := map[string]bool{}
	for _, r := range recs {
		p := plans[r.Summary.Experiment]
		if !r.Summary.IsProbe() && (p == nil || p.Kind != "train" || p.Reproduces(r, extra)) {
			ok[r.Summary.ID] = true
		}
	}
	for _, r := range recs {
		keep := ok[r.Summary.ID]
		if r.Summary.IsProbe() {
			keep = ok[r.Summary.Probe.Source]
		}
		if keep {
			current = append(current, r)
		} else {
			superseded = append(superseded, r)
		}
	}
	return current, superseded
}
