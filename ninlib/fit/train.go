// Package fit trains and evaluates the models of package nin on the
// datasets of package datasets with GoMLX's trainer, loop, checkpoints and
// progress bar, adding what the paper's recipe needs and GoMLX lacks:
// momentum SGD with Caffe's per-layer learning-rate multipliers, the
// "divide by 10 on plateau" schedule and divergence detection. Train
// composes a run writer (package runs: the record and its commit order)
// with a trainer (an epoch, an evaluation).
package fit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/repo"
	"github.com/ninbench/nin/ninlib/runs"
)

// ErrDiverged is returned (wrapped) when the loss becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged: the loss became NaN or infinite")

// ErrInterrupted is returned (wrapped) when the context is cancelled.
var ErrInterrupted = errors.New("training interrupted")

// TrainOptions control how Train runs, not what it computes.
type TrainOptions struct {
	// ResultsDir holds runs/<id>/ (default "results").
	ResultsDir string
	// Resume, if set, is a run directory to continue from its last
	// committed epoch; the configuration is read from its config.json.
	Resume string
	// ResumeSet holds the settings given with a resume ("epochs=6"). The
	// saved configuration is the truth: only the keys in Resumable may
	// change, and config.json records the change.
	ResumeSet string
	// Command is the command line recorded in config.json.
	Command string
	// Log receives progress lines (default os.Stdout).
	Log io.Writer
	// Progress is "auto" (a bar on terminals and notebooks, lines
	// otherwise), "bar", "lines" or "none".
	Progress string
	// Backend, if not nil, is used instead of opening c.Backend (notebooks
	// and tests reuse one).
	Backend compute.Backend
	// Data, if not nil, is used instead of loading c's dataset.
	Data *datasets.Prepared
	// StopAfterEpochs, if > 0, stops (as interrupted) after that many
	// epochs of this invocation: for tests of resume.
	StopAfterEpochs int
	// OnStep and OnEpoch, if not nil, see every training step's loss and
	// accuracy and every committed epoch (notebooks draw live curves).
	OnStep  func(epoch, step, steps int, loss, acc float64)
	OnEpoch func(runs.Epoch)
	// Fault is the fault-injection hook of the record's commit protocol:
	// only tests install one.
	Fault runs.FaultHook
}

// Resumable lists the settings a resume may change.
var Resumable = []string{"epochs"}

// RunID makes the directory name of a new run.
func RunID(c *config.Config, t time.Time) string {
	return fmt.Sprintf("%s.%s.%s.s%d.%s", c.Experiment, armOf(c), c.Setup.Name, c.Seed, t.UTC().Format("20060102T150405.000"))
}

// Train runs one training run end to end and writes its record. It returns
// the summary (also written to summary.json) and an error wrapping
// ErrDiverged or ErrInterrupted when the run stopped early; the record is
// complete in every case. A run that cannot start (a bad setting, data
// that does not fit the model) returns an error and records nothing.
func Train(ctx context.Context, c config.Config, o TrainOptions) (*runs.Summary, error) {
	o = o.withDefaults()
	var w *runs.Writer
	if o.Resume != "" {
		var err error
		if w, c, err = reopen(o); err != nil {
			return nil, err
		}
	} else if err := c.Validate(); err != nil {
		return nil, err
	}
	be, data, err := open(&c, o)
	if err == nil && w == nil {
		w, err = runs.Create(o.ResultsDir, RunID(&c, time.Now()), runs.RunConfig{Config: c, Command: o.Command})
	}
	if err != nil {
		if w != nil {
			w.Close()
		}
		return nil, err
	}
	w.Fault = o.Fault
	if warn := backend.Warning(c.Backend); warn != "" {
		logf(o, "%s", warn)
	}
	if err := w.Begin(newSummary(&c, o, be, data, w.Dir)); err != nil {
		w.Close()
		return nil, err
	}
	logf(o, "run %s\n  %s\n  data %s: %d train, %d validation, %d test; backend %s", w.Dir, nin.Describe(c.Spec),
		c.Setup.Name, data.Train.N, data.Val.N, data.Test.N, w.Summary.Env.BackendDesc)
	if err := trainEpochs(ctx, &c, o, be, data, w); err != nil {
		return w.Finish(statusOf(err), err)
	}
	if err := testBest(ctx, &c, o, be, data, w); err != nil {
		return w.Finish(statusOf(err), err)
	}
	return w.Finish(runs.StatusCompleted, nil)
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Log == nil {
		o.Log = os.Stdout
	}
	if o.ResultsDir == "" {
		o.ResultsDir = "results"
	}
	return o
}

func logf(o TrainOptions, format string, args ...any) { fmt.Fprintf(o.Log, format+"\n", args...) }

// statusOf is the record status of the error that ended a run.
func statusOf(err error) string {
	switch {
	case errors.Is(err, ErrDiverged):
		return runs.StatusDiverged
	case errors.Is(err, ErrInterrupted):
		return runs.StatusInterrupted
	}
	return runs.StatusFailed
}

// interrupted wraps the cause of ctx's cancellation as ErrInterrupted, or
// returns nil while ctx is live.
func Interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrInterrupted, context.Cause(ctx))
}

// open opens the backend and the data of a run and checks that they fit
// its configuration, before anything is written.
func open(c *config.Config, o TrainOptions) (compute.Backend, *datasets.Prepared, error) {
	be := o.Backend
	if be == nil {
		var err error
		if be, err = backend.Open(c.Backend); err != nil {
			return nil, nil, err
		}
	}
	data := o.Data
	if data == nil {
		var err error
		if data, err = datasets.Prepare(c.Setup); err != nil {
			return nil, nil, err
		}
	}
	tr := data.Train
	switch {
	case tr.H != c.InputH || tr.W != c.InputW || tr.C != c.InputC || tr.Classes != c.Classes:
		return nil, nil, fmt.Errorf("dataset %s is %dx%dx%d with %d classes but the model is configured for %dx%dx%d with %d (set input_h/input_w/input_c/classes, or let the CLI adapt them)",
			c.Setup.Name, tr.H, tr.W, tr.C, tr.Classes, c.InputH, c.InputW, c.InputC, c.Classes)
	case c.BatchSize > tr.N:
		return nil, nil, fmt.Errorf("batch_size %d is larger than the %d training records: lower batch_size or raise subset", c.BatchSize, tr.N)
	case data.Val.N == 0 || data.Test.N == 0:
		return nil, nil, fmt.Errorf("dataset %s: %d validation and %d test records: both must be at least 1", c.Setup.Name, data.Val.N, data.Test.N)
	}
	return be, data, nil
}

// newSummary is the summary of a run as it starts.
func newSummary(c *config.Config, o TrainOptions, be compute.Backend, data *datasets.Prepared, dir string) runs.Summary {
	s := runs.Summary{ID: filepath.Base(dir), Experiment: c.Experiment, Arm: armOf(c), Dataset: c.Setup.Name, Variant: c.Variant,
		Seed: c.Seed, Command: o.Command, Env: Environment(c.Backend, be), Data: data.Provenance}
	if acc, err := nin.Account(c.Spec); err == nil {
		s.Params, s.MACs = acc.Params, acc.MACs
	}
	s.Env.Formulation = nin.Formulation(c.Spec, be)
	return s
}

func armOf(c *config.Config) string {
	if c.Arm != "" {
		return c.Arm
	}
	return c.Variant
}

// Environment describes where a run (or a probe) is made: the machine and
// git checkout, the backend and the GoMLX version.
func Environment(backendConfig string, be compute.Backend) runs.Environment {
	e := runs.EnvironmentOf(repo.SourceDir())
	info := backend.Describe(backendConfig, be)
	e.Backend, e.BackendDesc = info.Config, info.Description
	e.GoMLX = backend.ModuleVersion("github.com/gomlx/gomlx")
	simd := backend.SIMDKernels()
	e.SIMD = &simd
	return e
}
