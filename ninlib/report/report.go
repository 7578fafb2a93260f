// Package report makes the repository's results tables (results/README.md
// and results/summary.csv) and the notebooks' figures from the run records
// alone: it aggregates the records the experiment files reproduce, orders
// them as the files do, and writes every row with its runs and the command
// that reproduces it. Tables are regenerated under a file lock, so
// concurrent runs never interleave their writes.
package report

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// Records is what the tables are made of: the run records that the
// experiment files reproduce, the files themselves, and what was left out.
type Records struct {
	// Extra is the -set the current records were made with ("" for the
	// experiment files as they are).
	Extra   string
	Current []runs.Record
	// Superseded are records of an experiment file's earlier settings (or
	// of runs made with a -set on top of it): kept on disk, not counted.
	Superseded []runs.Record
	Plans      map[string]*plan.Plan
	// Errs are the records that could not be read.
	Errs []error
}

// Load reads the run records under resultsDir and the experiment files in
// experimentsDir. extra is the -set the experiments were run with: "" for
// the files as they are (the command line's tables), a notebook's tiny
// settings for its quick look.
func Load(resultsDir, experimentsDir, extra string) *Records {
	recs, errs := runs.ReadAll(resultsDir)
	plans := map[string]*plan.Plan{}
	if names, err := plan.Names(experimentsDir); err == nil {
		for _, n := range names {
			if p, err := plan.Load(experimentsDir, n); err == nil {
				plans[n] = p
			}
		}
	}
	cur, old := plan.Current(recs, plans, extra)
	return &Records{Current: cur, Superseded: old, Plans: plans, Errs: errs, Extra: extra}
}

// Rows aggregates the current records into table rows, shared arms
// included, in the order of the experiment files.
func (r *Records) Rows() []*Row {
	rows := Aggregate(r.Current, r.Plans)
	if r.Extra != "" {
		// The runs were made with these settings on top of their files:
		// so is the command that reproduces them.
		for _, row := range rows {
			if r.Plans[row.Experiment] != nil {
				row.Command += " -set " + plan.ShellQuote(r.Extra)
			}
		}
	}
	return OrderByPlan(WithSharedArms(rows, r.Plans), r.Plans)
}

// Regenerate rebuilds resultsDir/summary.csv and resultsDir/README.md from
// the records that the experiment files in experimentsDir reproduce (see
// Load for extra), under an exclusive lock on resultsDir/.table.lock.
func Regenerate(resultsDir, experimentsDir, extra string) error {
	if err := os.MkdirAll(resultsDir, 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(resultsDir, ".table.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("cannot lock the results tables: %w (is %s writable?)", err, resultsDir)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	r := Load(resultsDir, experimentsDir, extra)
	rows := r.Rows()
	if err := runs.WriteFileAtomic(filepath.Join(resultsDir, "summary.csv"), CSV(rows)); err != nil {
		return err
	}
	if err := writeBudgetFigures(resultsDir, rows); err != nil {
		return err
	}
	md := Markdown(rows, r.Plans, r.Errs)
	if n := len(r.Superseded); n > 0 {
		md = append(md, fmt.Sprintf("## Superseded records\n\n%d run records in `runs/` were made with other settings than the experiment files now hold (an earlier scale, or a -set on the command line). They are kept, not counted above; their config.json says how each was made.\n", n)...)
	}
	return runs.WriteFileAtomic(filepath.Join(resultsDir, "README.md"), md)
}

// writeBudgetFigures renders the SVG files that the README's budget
// sections show (BudgetFigures).
func writeBudgetFigures(resultsDir string, rows []*Row) error {
	for _, f := range BudgetFigures(rows) {
		budget, err := budgetChart(rows, f.Experiment, f.Dataset)
		if err != nil {
			return err
		}
		curves, err := budgetCurvesChart(rows, resultsDir, f.Experiment, f.Dataset)
		if err != nil {
			return err
		}
		for path, c := range map[string]plots.Chart{f.Path: budget, f.CurvesPath: curves} {
			svg, err := c.SVG()
			if err != nil {
				return err
			}
			path = filepath.Join(resultsDir, filepath.FromSlash(path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := runs.WriteFileAtomic(path, svg); err != nil {
				return err
			}
		}
	}
	return nil
}
