package report

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
	"github.com/ninbench/nin/ninlib/stats"
)

// Row aggregates the runs of one experiment x arm x dataset.
type Row struct {
	Experiment, Arm, Dataset, Variant string
	Seeds                             []uint64
	Completed                         int
	Diverged, Interrupted, Other      int
	TestErr, ValErr, TrainAcc         stats.Stat
	Params, MACs                      int64
	Epochs                            int
	WallMean                          float64
	Backend                           string
	Command                           string
	RunIDs                            []string
	// Probe holds the results of a probe's rows (nil for training runs),
	// ProbeDirs their record directories' names.
	Probe     []runs.ProbeResult
	ProbeDirs []string
	// Scale describes the training scale of the row's runs (from the
	// config of one of them).
	Scale string
	// recorded is the command line recorded by one of the row's runs.
	recorded string
	// Budget is the training budget of the row's runs, short: "20,000
	// images × 3 epochs".
	Budget string
	// Newest is when the newest of the row's runs ended: the tables are
	// dated by their records, so regenerating them changes nothing.
	Newest time.Time
}

// Aggregate groups records into rows, sorted by experiment, dataset, arm,
// each with the command that reproduces it (from its experiment file in
// plans, if it has one). For each seed only the newest completed run
// counts.
func Aggregate(recs []runs.Record, plans map[string]*plan.Plan) []*Row {
	g := &grouping{byKey: map[string]*Row{}, latest: map[string]runs.Record{}, vals: map[string][3][]float64{}}
	for _, r := range recs {
		g.add(r)
	}
	var sk []string
	for k := range g.latest {
		sk = append(sk, k)
	}
	sort.Strings(sk)
	for _, k := range sk {
		g.count(g.latest[k])
	}
	var rows []*Row
	for _, k := range g.keys {
		row := g.byKey[k]
		v := g.vals[k]
		row.TestErr, row.ValErr, row.TrainAcc = stats.Of(v[0]), stats.Of(v[1]), stats.Of(v[2])
		if row.Completed > 0 {
			row.WallMean /= float64(row.Completed)
		}
		slices.Sort(row.Seeds)
		row.Command = reproduce(row, plans)
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Experiment != b.Experiment {
			return a.Experiment < b.Experiment
		}
		return a.Dataset < b.Dataset
	})
	return rows
}

// grouping is Aggregate's state: the rows by experiment, dataset and arm
// (in the order first seen), the newest completed record of each seed,
// and the values to summarize.
type grouping struct {
	byKey  map[string]*Row
	keys   []string
	latest map[string]runs.Record
	vals   map[string][3][]float64 // test error %, val error %, train accuracy
}

func rowKey(s runs.Summary) string { return s.Experiment + "\x00" + s.Dataset + "\x00" + s.Arm }

// add files record r under its row: the newest completed run of each seed
// to count later, the other statuses counted now.
func (g *grouping) add(r runs.Record) {
	s := r.Summary
	key := rowKey(s)
	row := g.byKey[key]
	if row == nil {
		row = &Row{Experiment: s.Experiment, Arm: s.Arm, Dataset: s.Dataset, Variant: s.Variant}
		g.byKey[key] = row
		g.keys = append(g.keys, key)
	}
	if s.End.After(row.Newest) {
		row.Newest = s.End
	}
	switch s.Status {
	case runs.StatusCompleted:
		sk := key + "\x00" + strconv.FormatUint(s.Seed, 10)
		if old, ok := g.latest[sk]; !ok || old.Summary.End.Before(s.End) {
			g.latest[sk] = r
		}
	case runs.StatusDiverged:
		row.Diverged++
		row.RunIDs = append(row.RunIDs, s.ID)
	case runs.StatusInterrupted:
		row.Interrupted++
		row.RunIDs = append(row.RunIDs, s.ID)
	default:
		row.Other++
	}
}

// count adds a completed record to its row.
func (g *grouping) count(r runs.Record) {
	s := r.Summary
	key := rowKey(s)
	row := g.byKey[key]
	row.Completed++
	row.Seeds = append(row.Seeds, s.Seed)
	row.RunIDs = append(row.RunIDs, s.ID)
	row.Params, row.MACs, row.Epochs = s.Params, s.MACs, s.Epochs
	row.Scale, row.Budget = scaleOf(r), budgetOf(r)
	row.recorded = s.Command
	row.WallMean += s.WallSeconds
	row.Backend = s.Env.Backend
	if s.IsProbe() {
		row.Probe = append(row.Probe, *s.Probe)
		row.ProbeDirs = append(row.ProbeDirs, filepath.Base(r.Dir))
		return
	}
	v := g.vals[key]
	v[0] = append(v[0], 100*s.TestErr)
	v[1] = append(v[1], 100*s.ValErr)
	v[2] = append(v[2], s.TrainAcc)
	g.vals[key] = v
}

// OrderByPlan sorts rows by experiment (the files' order keys, then
// name), dataset, then the order of the
// arms in the experiment's file (a probe's: its source's), so that each
// table's first row is the plan's first arm (the reference of the "beyond
// spread" column).
func OrderByPlan(rows []*Row, plans map[string]*plan.Plan) []*Row {
	idx := func(r *Row) int {
		p := plans[r.Experiment]
		if p != nil && p.Kind != "train" && plans[p.Source] != nil {
			p = plans[p.Source] // a probe's rows follow its source's arms
		}
		if p != nil {
			for i, a := range p.Arms {
				if r.Arm == a.Name || strings.HasPrefix(r.Arm, a.Name+" (from ") {
					return i
				}
			}
		}
		return 1 << 20
	}
	rank := func(exp string) int {
		if p := plans[exp]; p != nil && p.Order > 0 {
			return p.Order
		}
		return 1 << 20
	}
	out := slices.Clone(rows)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := rank(a.Experiment), rank(b.Experiment); ra != rb {
			return ra < rb
		}
		if a.Experiment != b.Experiment {
			return a.Experiment < b.Experiment
		}
		if a.Dataset != b.Dataset {
			return a.Dataset < b.Dataset
		}
		return idx(a) < idx(b)
	})
	return out
}

// WithSharedArms adds, for every "arm NAME: from OTHER" of a plan, a copy
// of OTHER's rows for that arm under the plan's name, placed first when the
// arm is the plan's first (the reference of the "beyond spread" column).
func WithSharedArms(rows []*Row, plans map[string]*plan.Plan) []*Row {
	var out []*Row
	added := map[string]bool{}
	for _, r := range rows {
		if p := plans[r.Experiment]; p != nil && !added[r.Experiment+"\x00"+r.Dataset] {
			added[r.Experiment+"\x00"+r.Dataset] = true
			for _, a := range p.Arms {
				if a.From == "" {
					continue
				}
				for _, src := range rows {
					if src.Experiment == a.From && src.Arm == a.Name && src.Dataset == r.Dataset {
						cp := *src
						cp.Experiment = r.Experiment
						cp.Arm = a.Name + " (from " + a.From + ")"
						out = append(out, &cp)
					}
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// budgetOf is a run's training budget, short.
func budgetOf(r runs.Record) string {
	c := r.Config
	imgs := "all the training images"
	if c.Subset > 0 {
		imgs = nin.Commas(int64(c.Subset)) + " images"
	}
	unit := "epochs"
	if c.Epochs == 1 {
		unit = "epoch"
	}
	return fmt.Sprintf("%s × %d %s", imgs, c.Epochs, unit)
}

// scaleOf says at what scale a run was trained, for the reader comparing
// it with the paper.
func scaleOf(r runs.Record) string {
	c := r.Config
	train := "all"
	if c.Subset > 0 {
		train = fmt.Sprint(c.Subset)
	}
	epochs := fmt.Sprintf("%d epochs", c.Epochs)
	if c.Epochs == 1 {
		epochs = "1 epoch"
	}
	s := fmt.Sprintf("%s widths x %g, %s training images (%d held out for validation), %s, batch %d, %s lr %g with a %s schedule, %s init",
		c.Widths, c.Width, train, c.Validation, epochs, c.BatchSize, c.Optimizer, c.LR, c.Schedule, c.Init)
	if c.BatchNorm {
		s += ", batch norm after every convolution but the class maps"
	}
	if c.FinalReLU {
		return s + ", a ReLU on the class maps of GAP heads (as released)"
	}
	return s + ", no ReLU on the class maps of GAP heads"
}

// reproduce is the command that reproduces a row: `run` of its experiment
// file, restricted to the row's arm, dataset and seeds, or, for runs made
// outside any experiment file (ad-hoc train and sweep runs), the command
// the runs recorded.
func reproduce(r *Row, plans map[string]*plan.Plan) string {
	if plans[r.Experiment] == nil {
		if r.recorded != "" {
			return r.recorded
		}
		return "see the run's config.json (command field)"
	}
	if len(r.Probe) > 0 {
		// A probe analyses every completed run of its source experiment.
		return fmt.Sprintf("go run ./experiments run %s -datasets %s", r.Experiment, r.Dataset)
	}
	cmd := fmt.Sprintf("go run ./experiments run %s -arms %s -datasets %s", r.Experiment, r.Arm, r.Dataset)
	if len(r.Seeds) > 0 {
		var seeds []string
		for _, s := range r.Seeds {
			seeds = append(seeds, strconv.FormatUint(s, 10))
		}
		cmd += " -seeds " + strings.Join(seeds, ",")
	}
	return cmd
}
