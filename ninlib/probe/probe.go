// Package probe analyses trained runs for the paper's claims about global
// average pooling: robustness to translation, acceptance of other input
// sizes, the last mlpconv layer's maps as class confidence maps, and
// overfitting (the generalization gap). Each kind of probe is declared
// once, as a Kind in Kinds; each probe of a run writes a record under
// results/runs/ naming its source run, so its numbers are traceable too.
package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
)

// Kind is one kind of probe, declared in one place: the experiment-file
// parameters it takes, which trained runs it applies to, what it measures
// on a run's best checkpoint, and how the results tables show it.
type Kind struct {
	Name string
	// Params are its experiment-file keys, each a list of integers, with
	// their defaults (nil: required); Check, if not nil, validates them.
	Params map[string][]int
	Check  func(params map[string][]int) error
	// Applies reports whether it analyses runs of a model variant.
	Applies func(variant string) bool
	// Measure measures one source run's best checkpoint.
	Measure func(ctx context.Context, m *Model) (*Measured, error)
	// Table writes the Markdown table of one dataset's results, one line
	// per arm, for results/README.md.
	Table func(b *strings.Builder, arms []Arm)
	// Glance, if not nil, is the one number per probed run that the "at a
	// glance" table compares, and what it is.
	Glance func(results []runs.ProbeResult) (values []float64, label string)
}

// Model is what a probe measures: a source run's configuration, its best
// weights on a backend, its data (with the probe's settings), and the
// probe's parameters.
type Model struct {
	Config  *config.Config
	Backend compute.Backend
	Store   *model.Store
	Data    *datasets.Prepared
	Params  map[string][]int
	// Source is the source run's id; Log receives progress lines.
	Source string
	Log    io.Writer
}

// Measured is what a probe of one run found, and its figure if it draws
// one (written beside the record as Result.Figure).
type Measured struct {
	Result runs.ProbeResult
	Figure []byte
}

// Arm is one arm's probe results on one dataset, for Kind.Table.
type Arm struct {
	Name    string
	Results []runs.ProbeResult
	// Dirs are the results' record directories (relative to the results
	// directory), for links to their figures; Seeds their source runs'
	// seeds.
	Dirs  []string
	Seeds []uint64
}

// Kinds lists every kind of probe, like nin's variants: adding one means
// adding an entry here (and its file), nothing else.
var Kinds = []*Kind{translation, inputSize, confidenceMaps, generalization}

// Lookup returns the kind named name, or nil.
func Lookup(name string) *Kind {
	for _, k := range Kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func init() {
	for _, k := range Kinds {
		plan.RegisterProbeKind(plan.ProbeKind{Name: k.Name, Params: k.Params, Check: k.Check})
	}
}

// Run runs a probe plan over the completed runs of its source experiment
// that its file reproduces, skipping those already probed.
func Run(ctx context.Context, p *plan.Plan, o plan.RunOptions) error {
	kind := Lookup(p.Kind)
	if kind == nil {
		return fmt.Errorf("experiment %s is not a probe (kind %s)", p.Name, p.Kind)
	}
	if o.Log == nil {
		o.Log = os.Stdout
	}
	sources, probed, err := sourceRuns(p, o)
	if err != nil {
		return err
	}
	be, err := backend.Open(o.Backend)
	if err != nil {
		return err
	}
	prepared := map[datasets.Setup]*datasets.Prepared{}
	var missing []string
	for _, src := range sources {
		if err := fit.Interrupted(ctx); err != nil {
			return err
		}
		if !slices.Contains(p.Datasets, src.Config.Setup.Name) || !kind.Applies(src.Config.Variant) {
			continue
		}
		if !hasBest(src.Dir) {
			fmt.Fprintf(o.Log, "== %s of %s: skipped, its best checkpoint is not here (%s)\n", p.Kind, src.Summary.ID, fit.BestDir(src.Dir))
			missing = append(missing, src.Summary.ID)
			continue
		}
		probed++
		if o.DryRun {
			fmt.Fprintf(o.Log, "== %s of %s: would run\n", p.Kind, src.Summary.ID)
			continue
		}
		m, err := modelOf(p, o, be, src, prepared)
		if err != nil {
			return err
		}
		if err := one(ctx, kind, p, o, src, m); err != nil {
			return fmt.Errorf("%s of %s: %w", p.Kind, src.Summary.ID, err)
		}
	}
	return noCheckpoints(p, missing, probed, o.Log)
}

// hasBest reports whether a run's best checkpoint is in its directory:
// checkpoints are git-ignored, so records of runs trained on another
// machine (or in another worktree) arrive without them.
func hasBest(runDir string) bool {
	_, err := os.Stat(fit.BestDir(runDir))
	return err == nil
}

// noCheckpoints says which source runs were skipped for want of their
// checkpoints: in the log if others were probed (now or before), as an
// error if none ever was.
func noCheckpoints(p *plan.Plan, missing []string, probed int, log io.Writer) error {
	if len(missing) == 0 {
		return nil
	}
	have := fmt.Sprintf("%d source runs have", len(missing))
	if len(missing) == 1 {
		have = "1 source run has"
	}
	msg := fmt.Sprintf("probe %s: %s no checkpoints here (%s); checkpoints stay on the machine that trained a run (git ignores them): run this probe there, or move those records aside and train them again with `experiments run %s`",
		p.Name, have, strings.Join(missing, ", "), p.Source)
	if probed == 0 {
		return errors.New(msg)
	}
	fmt.Fprintln(log, msg)
	return nil
}

// sourceRuns returns the completed runs of p's source experiment that its
// file reproduces (with the same -set as this probe) and that p has not
// probed yet, sorted by directory, and how many it has probed already.
func sourceRuns(p *plan.Plan, o plan.RunOptions) ([]runs.Record, int, error) {
	recs, _ := runs.ReadAll(o.ResultsDir)
	var srcPlan *plan.Plan
	if p.Path != "" {
		srcPlan, _ = plan.Load(filepath.Dir(p.Path), p.Source)
	}
	done := map[string]bool{}
	for _, r := range recs {
		if r.Summary.Experiment == p.Name && r.Summary.Status == runs.StatusCompleted && r.Summary.IsProbe() {
			done[r.Summary.Probe.Source] = true
		}
	}
	var sources []runs.Record
	other, already, found := 0, 0, false
	for _, r := range recs {
		s := r.Summary
		if s.Experiment != p.Source || s.Status != runs.StatusCompleted || s.IsProbe() {
			continue
		}
		if len(p.SourceArms) > 0 && !slices.Contains(p.SourceArms, s.Arm) {
			continue
		}
		if srcPlan != nil && !srcPlan.Reproduces(r, o.Extra) {
			other++
			continue
		}
		found = true
		if done[s.ID] {
			already++
		} else {
			sources = append(sources, r)
		}
	}
	if !found {
		what := "experiment " + p.Source
		if len(p.SourceArms) > 0 {
			what = fmt.Sprintf("arm %s of experiment %s", strings.Join(p.SourceArms, ", "), p.Source)
		}
		if other > 0 {
			return nil, 0, fmt.Errorf("probe %s: the %d completed runs of %s in %s were made with other settings than %s.set now holds (with -set %q): run `experiments run %s` (with the same -set) first", p.Name, other, what, o.ResultsDir, p.Source, o.Extra, p.Source)
		}
		return nil, 0, fmt.Errorf("probe %s: no completed runs of %s in %s: run `experiments run %s` first", p.Name, what, o.ResultsDir, p.Source)
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].Dir < sources[j].Dir })
	return sources, already, nil
}

// modelOf loads a source run's best checkpoint and its data, prepared with
// the probe's own settings (e.g. test_subset) and the command line's.
func modelOf(p *plan.Plan, o plan.RunOptions, be compute.Backend, src runs.Record, prepared map[datasets.Setup]*datasets.Prepared) (*Model, error) {
	cfg := src.Config
	for _, layer := range []string{p.Base, o.Extra} {
		if err := cfg.Set(layer); err != nil {
			return nil, err
		}
	}
	data := prepared[cfg.Setup]
	if data == nil {
		var err error
		if data, err = datasets.Prepare(cfg.Setup); err != nil {
			return nil, err
		}
		prepared[cfg.Setup] = data
	}
	store, err := fit.LoadBest(src.Dir)
	if err != nil {
		return nil, err
	}
	c := src.Config
	return &Model{Config: &c, Backend: be, Store: store, Data: data, Params: p.Params, Source: src.Summary.ID, Log: o.Log}, nil
}

// one probes one source run and writes its record, only once everything
// is measured: an interrupted probe leaves nothing behind.
func one(ctx context.Context, kind *Kind, p *plan.Plan, o plan.RunOptions, src runs.Record, m *Model) error {
	start := time.Now()
	got, err := kind.Measure(ctx, m)
	if err != nil {
		return err
	}
	res := got.Result
	res.Kind, res.Source = kind.Name, src.Summary.ID
	c := src.Config
	dir := filepath.Join(o.ResultsDir, "runs", fmt.Sprintf("%s.%s.%s.s%d.%s", p.Name, src.Summary.Arm, c.Setup.Name, c.Seed, time.Now().UTC().Format("20060102T150405.000")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if got.Figure != nil {
		if err := runs.WriteFileAtomic(filepath.Join(dir, res.Figure), got.Figure); err != nil {
			return err
		}
	}
	rc := runs.RunConfig{Config: c, Command: o.Command}
	rc.Experiment = p.Name
	if err := runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), rc); err != nil {
		return err
	}
	s := src.Summary
	// A probe's own summary: the source's labels and model accounting,
	// none of its training measurements.
	sum := runs.Summary{ID: filepath.Base(dir), Experiment: p.Name, Arm: s.Arm, Dataset: s.Dataset, Variant: s.Variant, Seed: s.Seed,
		Status: runs.StatusCompleted, Params: s.Params, MACs: s.MACs, Command: o.Command, Start: start.UTC(), End: time.Now().UTC(),
		WallSeconds: time.Since(start).Seconds(), Env: fit.Environment(o.Backend, m.Backend), Data: m.Data.Provenance, Probe: &res}
	sum.PeakRSSMB = runs.PeakRSSMB()
	if err := runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), sum); err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "== %s of %s: recorded in %s\n", kind.Name, src.Summary.ID, dir)
	return nil
}
