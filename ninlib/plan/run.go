package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"

	"github.com/gomlx/compute"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/runs"
)

// Options control a plan's execution.
type Options struct {
	ResultsDir string
	// Extra is a -set string applied after the plan's settings (e.g. a
	// smaller scale for a quick look).
	Extra string
	// Backend config ("" = default) and Command to record.
	Backend string
	Command string
	Log     io.Writer
	// Progress is passed to fit.Options.
	Progress string
	// DryRun prints what would run without running it.
	DryRun bool
}

// Record is a run directory read back: its config and summary.
type Record struct {
	Dir     string
	Config  fit.Config
	Command string
	Summary runs.Summary
}

// ReadRecords reads every run record under resultsDir/runs. Unreadable
// records are returned as errors alongside the good ones.
func ReadRecords(resultsDir string) ([]Record, []error) {
	dirs, _ := filepath.Glob(filepath.Join(resultsDir, "runs", "*"))
	sort.Strings(dirs)
	var recs []Record
	var errs []error
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		var r Record
		r.Dir = d
		cfg := struct {
			fit.Config
			Command string `json:"command"`
		}{}
		if err := runs.ReadJSON(filepath.Join(d, runs.ConfigFile), &cfg); err != nil {
			errs = append(errs, err)
			continue
		}
		r.Config, r.Command = cfg.Config, cfg.Command
		if err := runs.ReadJSON(filepath.Join(d, runs.SummaryFile), &r.Summary); err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, r)
	}
	return recs, errs
}

// Train runs every arm x dataset x seed of a training plan and returns the
// summaries. A run whose identical configuration already completed is
// skipped; an interrupted one is resumed. A diverged run is recorded and
// the plan goes on.
func Train(ctx context.Context, p *Plan, o Options) ([]*runs.Summary, error) {
	if p.Kind != "train" {
		return nil, fmt.Errorf("experiment %s is a %s probe: run it with `run %s` after %s", p.Name, p.Kind, p.Name, p.Source)
	}
	if o.Log == nil {
		o.Log = os.Stdout
	}
	var be compute.Backend
	prepared := map[datasets.Setup]*datasets.Prepared{}
	var out []*runs.Summary
	for _, ds := range p.Datasets {
		for _, a := range p.arms() {
			if a.From != "" {
				fmt.Fprintf(o.Log, "== %s / %s / %s: shared with experiment %s, not trained here\n", p.Name, a.Name, ds, a.From)
				continue
			}
			for _, seed := range p.Seeds {
				c, err := p.Config(a, ds, seed, o.Extra)
				if err != nil {
					return out, err
				}
				c.Backend = o.Backend
				recs, _ := ReadRecords(o.ResultsDir)
				var resume string
				done := false
				for _, r := range recs {
					if !reflect.DeepEqual(r.Config, c) {
						continue
					}
					switch r.Summary.Status {
					case runs.StatusCompleted:
						done = true
					case runs.StatusInterrupted, runs.StatusRunning:
						resume = r.Dir
					}
				}
				label := fmt.Sprintf("%s / %s / %s / seed %d", p.Name, a.Name, ds, seed)
				if done {
					fmt.Fprintf(o.Log, "== %s: already completed, skipped\n", label)
					continue
				}
				if o.DryRun {
					fmt.Fprintf(o.Log, "== %s: would run (resume=%q)\n", label, resume)
					continue
				}
				if be == nil {
					if be, err = backend.Open(o.Backend); err != nil {
						return out, err
					}
				}
				data := prepared[c.Setup]
				if data == nil {
					if data, err = datasets.Prepare(c.Setup); err != nil {
						return out, err
					}
					prepared[c.Setup] = data
				}
				fmt.Fprintf(o.Log, "== %s\n", label)
				sum, err := fit.Train(ctx, c, fit.Options{ResultsDir: o.ResultsDir, Resume: resume, Command: o.Command,
					Log: o.Log, Progress: o.Progress, Backend: be, Data: data})
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
		}
	}
	return out, nil
}

// Reproduces reports whether record r is what running p now would produce
// for r's arm, dataset and seed with extra as the command line's -set: the
// same configuration, whatever backend ran it. Records of an experiment
// file's earlier settings (a changed scale, say) are kept on disk but no
// longer count as its results.
func (p *Plan) Reproduces(r Record, extra string) bool {
	if r.Summary.Experiment != p.Name || r.Summary.Probe != nil {
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
		c.Backend = r.Config.Backend
		return reflect.DeepEqual(c, r.Config)
	}
	return false
}

// Current splits records into those that the experiment files in plans
// reproduce (every record of an experiment without a file counts, like
// ad-hoc `train` runs) and the superseded rest; extra is the -set the runs
// were made with ("" for the files as they are). A probe record is current
// when the run it analysed is.
func Current(recs []Record, plans map[string]*Plan, extra string) (current, superseded []Record) {
	ok := map[string]bool{}
	for _, r := range recs {
		p := plans[r.Summary.Experiment]
		if r.Summary.Probe == nil && (p == nil || p.Kind != "train" || p.Reproduces(r, extra)) {
			ok[r.Summary.ID] = true
		}
	}
	for _, r := range recs {
		keep := ok[r.Summary.ID]
		if r.Summary.Probe != nil {
			var src struct {
				Source string `json:"source_run"`
			}
			keep = json.Unmarshal(r.Summary.Probe, &src) == nil && ok[src.Source]
		}
		if keep {
			current = append(current, r)
		} else {
			superseded = append(superseded, r)
		}
	}
	return current, superseded
}
