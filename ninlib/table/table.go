// Package table regenerates the repository's results tables
// (results/summary.csv and results/README.md) from the run records, under a
// file lock so that concurrent runs never interleave their writes, and with
// every row traceable to its runs and the command that reproduces it.
package table

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
)

// PaperTestError is the test error (%) the paper reports for NIN per
// dataset (CIFAR-10 without augmentation; 8.81% with it).
var PaperTestError = map[string]string{
	"cifar10":  "10.41 (8.81 with augmentation)",
	"cifar100": "35.68",
	"svhn":     "2.35",
	"mnist":    "0.47",
}

// Row aggregates the runs of one experiment x arm x dataset.
type Row struct {
	Experiment, Arm, Dataset, Variant string
	Seeds                             []uint64
	Completed                         int
	Diverged, Interrupted, Other      int
	TestErr, ValErr, TrainAcc         Stat
	Params, MACs                      int64
	Epochs                            int
	WallMean                          float64
	Backend                           string
	Command                           string
	RunIDs                            []string
	Probe                             []probeResult
	// Scale describes the training scale of the row's runs (from the
	// config of one of them).
	Scale string
	// recorded is the command line recorded by one of the row's runs.
	recorded string
	// Newest is when the newest of the row's runs ended: the tables are
	// dated by their records, so regenerating them changes nothing.
	Newest time.Time
}

type probeResult struct {
	Kind   string    `json:"kind"`
	Source string    `json:"source_run"`
	X      []int     `json:"x"`
	Acc    []float64 `json:"acc"`
	AccPad []float64 `json:"acc_pad"`
	Errors []string  `json:"errors"`
	Images []struct {
		Label, Pred, MapArgmax int
	} `json:"images"`
	Figure   string  `json:"figure"`
	TrainAcc float64 `json:"train_acc"`
	TestAcc  float64 `json:"test_acc"`
	dir      string
}

// Stat is a mean and sample standard deviation.
type Stat struct {
	Mean, Std float64
	N         int
}

func stat(v []float64) Stat {
	s := Stat{N: len(v)}
	if len(v) == 0 {
		return Stat{Mean: math.NaN(), Std: math.NaN()}
	}
	for _, x := range v {
		s.Mean += x
	}
	s.Mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			s.Std += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(s.Std / float64(len(v)-1))
	}
	return s
}

// Records is what the tables are made of: the run records that the
// experiment files reproduce, the files themselves, and what was left out.
type Records struct {
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
	return &Records{Current: cur, Superseded: old, Plans: plans, Errs: errs}
}

// Rows aggregates the current records into table rows, shared arms
// included, in the order of the experiment files.
func (r *Records) Rows() []*Row {
	return OrderByPlan(WithSharedArms(Aggregate(r.Current), r.Plans), r.Plans)
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
	md := Markdown(rows, r.Plans, r.Errs)
	if n := len(r.Superseded); n > 0 {
		md = append(md, fmt.Sprintf("## Superseded records\n\n%d run records in `runs/` were made with other settings than the experiment files now hold (an earlier scale, or a -set on the command line). They are kept, not counted above; their config.json says how each was made.\n", n)...)
	}
	return runs.WriteFileAtomic(filepath.Join(resultsDir, "README.md"), md)
}

// Aggregate groups records into rows, sorted by experiment, dataset, arm.
// For each seed only the newest completed run counts.
func Aggregate(recs []runs.Record) []*Row {
	byKey := map[string]*Row{}
	var keys []string
	latest := map[string]runs.Record{}
	for _, r := range recs {
		s := r.Summary
		key := s.Experiment + "\x00" + s.Dataset + "\x00" + s.Arm
		row := byKey[key]
		if row == nil {
			row = &Row{Experiment: s.Experiment, Arm: s.Arm, Dataset: s.Dataset, Variant: s.Variant}
			byKey[key] = row
			keys = append(keys, key)
		}
		if s.End.After(row.Newest) {
			row.Newest = s.End
		}
		switch s.Status {
		case runs.StatusCompleted:
			sk := key + "\x00" + strconv.FormatUint(s.Seed, 10)
			if old, ok := latest[sk]; !ok || old.Summary.End.Before(s.End) {
				latest[sk] = r
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
	var sk []string
	for k := range latest {
		sk = append(sk, k)
	}
	sort.Strings(sk)
	vals := map[string][3][]float64{}
	for _, k := range sk {
		r := latest[k]
		s := r.Summary
		key := s.Experiment + "\x00" + s.Dataset + "\x00" + s.Arm
		row := byKey[key]
		row.Completed++
		row.Seeds = append(row.Seeds, s.Seed)
		row.RunIDs = append(row.RunIDs, s.ID)
		row.Params, row.MACs, row.Epochs = s.Params, s.MACs, s.Epochs
		row.Scale = scaleOf(r)
		row.recorded = s.Command
		row.WallMean += s.WallSeconds
		row.Backend = s.Env.Backend
		if s.Probe != nil {
			var pr probeResult
			if json.Unmarshal(s.Probe, &pr) == nil {
				pr.dir = filepath.Base(r.Dir)
				row.Probe = append(row.Probe, pr)
			}
			continue
		}
		v := vals[key]
		v[0] = append(v[0], 100*s.TestErr)
		v[1] = append(v[1], 100*s.ValErr)
		v[2] = append(v[2], s.TrainAcc)
		vals[key] = v
	}
	var rows []*Row
	for _, k := range keys {
		row := byKey[k]
		v := vals[k]
		row.TestErr, row.ValErr, row.TrainAcc = stat(v[0]), stat(v[1]), stat(v[2])
		if row.Completed > 0 {
			row.WallMean /= float64(row.Completed)
		}
		slices.Sort(row.Seeds)
		row.Command = reproduce(row)
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

// scaleOf says at what scale a run was trained, for the reader comparing
// it with the paper.
func scaleOf(r runs.Record) string {
	c := r.Config
	train := "all"
	if c.Subset > 0 {
		train = fmt.Sprint(c.Subset)
	}
	s := fmt.Sprintf("%s widths x %g, %s training images (%d held out for validation), %d epochs, batch %d, %s lr %g with a %s schedule, %s init",
		c.Widths, c.Width, train, c.Validation, c.Epochs, c.BatchSize, c.Optimizer, c.LR, c.Schedule, c.Init)
	if !c.FinalReLU {
		s += ", no ReLU on the class maps of GAP heads"
	}
	return s
}

func reproduce(r *Row) string {
	var seeds []string
	for _, s := range r.Seeds {
		seeds = append(seeds, strconv.FormatUint(s, 10))
	}
	if r.Experiment == "adhoc" || strings.HasPrefix(r.recorded, "go run ./experiments train") || strings.HasPrefix(r.recorded, "go run ./experiments sweep") {
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
	if len(seeds) > 0 {
		cmd += " -seeds " + strings.Join(seeds, ",")
	}
	return cmd
}

// CSV renders rows as summary.csv.
func CSV(rows []*Row) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"experiment", "dataset", "arm", "variant", "completed", "seeds", "test_error_pct_mean", "test_error_pct_std",
		"val_error_pct_mean", "val_error_pct_std", "params", "mult_adds", "epochs", "wall_seconds_mean", "backend", "diverged", "interrupted", "runs", "command"})
	for _, r := range rows {
		var seeds []string
		for _, s := range r.Seeds {
			seeds = append(seeds, strconv.FormatUint(s, 10))
		}
		_ = w.Write([]string{r.Experiment, r.Dataset, r.Arm, r.Variant, strconv.Itoa(r.Completed), strings.Join(seeds, " "),
			f4(r.TestErr.Mean), f4(r.TestErr.Std), f4(r.ValErr.Mean), f4(r.ValErr.Std),
			strconv.FormatInt(r.Params, 10), strconv.FormatInt(r.MACs, 10), strconv.Itoa(r.Epochs), f4(r.WallMean),
			r.Backend, strconv.Itoa(r.Diverged), strconv.Itoa(r.Interrupted), strings.Join(r.RunIDs, " "), r.Command})
	}
	w.Flush()
	return []byte(b.String())
}

func f4(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func pm(s Stat) string {
	if s.N == 0 {
		return "–"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.2f (1 seed)", s.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f", s.Mean, s.Std)
}

// Markdown renders results/README.md.
func Markdown(rows []*Row, plans map[string]*plan.Plan, readErrs []error) []byte {
	var b strings.Builder
	var newest time.Time
	for _, r := range rows {
		if r.Newest.After(newest) {
			newest = r.Newest
		}
	}
	fmt.Fprintf(&b, "# Results\n\nGenerated by `go run ./experiments table` from the run records in `runs/`, the newest of which ended %s. Do not edit by hand: every number below comes from a record (config.json, metrics.csv, summary.json) whose id is listed in `summary.csv`.\n\n", newest.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString("Errors are test-set errors in percent, mean ± sample standard deviation over seeds, each on the checkpoint with the best validation accuracy. \"Beyond spread\" says whether |Δ mean| to the experiment's first arm exceeds the sum of the two standard deviations (a rough, conservative test; with 3 seeds nothing here is a significance test).\n\n")
	var exps []string
	byExp := map[string][]*Row{}
	for _, r := range rows {
		if _, ok := byExp[r.Experiment]; !ok {
			exps = append(exps, r.Experiment)
		}
		byExp[r.Experiment] = append(byExp[r.Experiment], r)
	}
	if len(exps) > 1 {
		writeGlance(&b, exps, byExp)
	}
	for _, e := range exps {
		p := plans[e]
		fmt.Fprintf(&b, "## %s\n\n", e)
		if p != nil && p.Claim != "" {
			fmt.Fprintf(&b, "**Claim tested.** %s\n\n", p.Claim)
		}
		if p != nil && p.Paper != "" {
			fmt.Fprintf(&b, "**Paper.** %s\n\n", p.Paper)
		}
		rs := byExp[e]
		// One statement per distinct scale, naming the datasets it covers.
		var scales []string
		scaleDS := map[string][]string{}
		for _, r := range rs {
			if r.Scale == "" || len(r.Probe) > 0 {
				continue
			}
			if _, ok := scaleDS[r.Scale]; !ok {
				scales = append(scales, r.Scale)
			}
			if !slices.Contains(scaleDS[r.Scale], r.Dataset) {
				scaleDS[r.Scale] = append(scaleDS[r.Scale], r.Dataset)
			}
		}
		for _, sc := range scales {
			fmt.Fprintf(&b, "**Scale (%s).** %s. The paper trains full-width networks on the full training sets for about 120k iterations; differences at this scale are evidence about the direction of a claim, not about the paper's absolute numbers.\n\n", strings.Join(scaleDS[sc], ", "), sc)
		}
		if len(rs) > 0 && len(rs[0].Probe) > 0 || (len(rs) > 0 && rs[0].Completed == 0 && p != nil && p.Kind != "train") {
			writeProbe(&b, rs)
			continue
		}
		b.WriteString("| dataset | arm | test error % | beyond spread vs first arm | val error % | train error % (last epoch, dropout on) | params | mult-adds | epochs | mean wall s | runs (done/diverged/interrupted) | paper NIN test error % | command |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		first := map[string]*Row{}
		for _, r := range rs {
			ref, ok := first[r.Dataset]
			beyond := "(reference)"
			if !ok {
				first[r.Dataset] = r
			} else if r.TestErr.N > 0 && ref.TestErr.N > 0 {
				d := r.TestErr.Mean - ref.TestErr.Mean
				if math.Abs(d) > r.TestErr.Std+ref.TestErr.Std && r.TestErr.N > 1 && ref.TestErr.N > 1 {
					beyond = fmt.Sprintf("yes (Δ %+.2f)", d)
				} else {
					beyond = fmt.Sprintf("no (Δ %+.2f)", d)
				}
			} else {
				beyond = "–"
			}
			paper := ""
			if r.Variant == "nin" {
				paper = PaperTestError[r.Dataset]
			}
			trainErr := r.TrainAcc
			trainErr.Mean, trainErr.Std = 100*(1-trainErr.Mean), 100*trainErr.Std
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %d | %.0f | %d/%d/%d | %s | `%s` |\n", r.Dataset, r.Arm, pm(r.TestErr), beyond, pm(r.ValErr), pm(trainErr),
				commas(r.Params), commas(r.MACs), r.Epochs, r.WallMean, r.Completed, r.Diverged, r.Interrupted, paper, r.Command)
		}
		b.WriteString("\n")
	}
	if len(readErrs) > 0 {
		b.WriteString("## Unreadable records\n\n")
		for _, err := range readErrs {
			fmt.Fprintf(&b, "- %v\n", err)
		}
	}
	return []byte(b.String())
}

func writeProbe(b *strings.Builder, rs []*Row) {
	// One table per dataset, one row per arm (GAP and FC heads side by side).
	var datasets []string
	byDS := map[string][]*Row{}
	for _, r := range rs {
		if len(r.Probe) == 0 {
			continue
		}
		if _, ok := byDS[r.Dataset]; !ok {
			datasets = append(datasets, r.Dataset)
		}
		byDS[r.Dataset] = append(byDS[r.Dataset], r)
	}
	for _, ds := range datasets {
		rows := byDS[ds]
		kind := rows[0].Probe[0].Kind
		fmt.Fprintf(b, "**%s** (reproduce: `%s`)\n\n", ds, rows[0].Command)
		if kind == "confidence-maps" {
			for _, r := range rows {
				agree, total := 0, 0
				var figs []string
				for _, pr := range r.Probe {
					for _, im := range pr.Images {
						total++
						if im.MapArgmax == im.Pred {
							agree++
						}
					}
					figs = append(figs, fmt.Sprintf("[seed run %d](runs/%s/%s)", len(figs)+1, pr.dir, pr.Figure))
				}
				fmt.Fprintf(b, "- %s: maps of %d runs: %s. The class whose map has the largest mean equals the prediction for %d of %d images (the logits are the maps' means, so this checks the wiring; the figures are the evidence).\n", r.Arm, len(r.Probe), strings.Join(figs, ", "), agree, total)
			}
			b.WriteString("\n")
			continue
		}
		if kind == "generalization" {
			writeGeneralization(b, rows)
			continue
		}
		xs := rows[0].Probe[0].X
		label := "shift in pixels"
		if kind == "input-size" {
			label = "input size (resized; zero-padded or cropped in brackets)"
		}
		fmt.Fprintf(b, "| test error %%, mean ± std over runs, by %s | runs |", label)
		for _, x := range xs {
			fmt.Fprintf(b, " %d |", x)
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---|", len(xs)) + "\n")
		var notes []string
		for _, r := range rows {
			fmt.Fprintf(b, "| %s | %d |", r.Arm, len(r.Probe))
			for i := range xs {
				var v, vp []float64
				for _, pr := range r.Probe {
					if i < len(pr.Acc) && pr.Acc[i] >= 0 {
						v = append(v, 100*(1-pr.Acc[i]))
					}
					if i < len(pr.AccPad) && pr.AccPad[i] >= 0 {
						vp = append(vp, 100*(1-pr.AccPad[i]))
					}
				}
				switch {
				case len(v) == 0:
					b.WriteString(" cannot run |")
				case len(vp) > 0:
					fmt.Fprintf(b, " %s (%s) |", pmShort(stat(v)), pmShort(stat(vp)))
				default:
					fmt.Fprintf(b, " %s |", pmShort(stat(v)))
				}
			}
			b.WriteString("\n")
			for _, pr := range r.Probe {
				for i, e := range pr.Errors {
					if e != "" {
						notes = append(notes, fmt.Sprintf("%s at %d: `%s`", r.Arm, xs[i], firstLine(e)))
						break
					}
				}
				if len(notes) > 0 {
					break
				}
			}
		}
		b.WriteString("\n")
		for _, n := range notes {
			fmt.Fprintf(b, "The error a user gets for %s\n\n", n)
		}
	}
}

// writeGlance writes one line per experiment and dataset: the reference
// arm and every other arm's difference to it (test error; for probes the
// probe's own measure), with the same spread test as the tables and the
// cost ratios that the claims are about.
func writeGlance(b *strings.Builder, exps []string, byExp map[string][]*Row) {
	b.WriteString("## At a glance\n\nComputed from the tables below (Δ to the first arm; \"beyond\": |Δ| exceeds the sum of the two standard deviations).\n\n| experiment | dataset | first arm | the other arms |\n|---|---|---|---|\n")
	for _, e := range exps {
		var datasets []string
		byDS := map[string][]*Row{}
		for _, r := range byExp[e] {
			if _, ok := byDS[r.Dataset]; !ok {
				datasets = append(datasets, r.Dataset)
			}
			byDS[r.Dataset] = append(byDS[r.Dataset], r)
		}
		for _, ds := range datasets {
			rs := byDS[ds]
			measure, label := glanceMeasure(rs[0])
			if label == "" {
				continue
			}
			ref := measure
			var others []string
			for _, r := range rs[1:] {
				m, _ := glanceMeasure(r)
				o := fmt.Sprintf("%s %s", r.Arm, pm(m))
				if m.N > 0 && ref.N > 0 {
					d := m.Mean - ref.Mean
					verdict := "within spread"
					if m.N > 1 && ref.N > 1 && math.Abs(d) > m.Std+ref.Std {
						verdict = "beyond"
					}
					o += fmt.Sprintf(" (Δ %+.2f, %s)", d, verdict)
				}
				if r.Completed == 0 {
					others = append(others, o)
					continue
				}
				if len(r.Probe) == 0 && rs[0].Params > 0 && r.Params != rs[0].Params {
					o += fmt.Sprintf(", params ×%.2f", float64(r.Params)/float64(rs[0].Params))
				}
				if len(r.Probe) == 0 && rs[0].MACs > 0 && r.MACs != rs[0].MACs {
					o += fmt.Sprintf(", mult-adds ×%.2f", float64(r.MACs)/float64(rs[0].MACs))
				}
				others = append(others, o)
			}
			if len(others) == 0 {
				others = []string{"–"}
			}
			fmt.Fprintf(b, "| %s (%s) | %s | %s %s | %s |\n", e, label, ds, rs[0].Arm, pm(ref), strings.Join(others, "; "))
		}
	}
	b.WriteString("\n")
}

// glanceMeasure is the number a row is summarized by in writeGlance, and
// what it is: test error for training runs, the generalization gap, the
// test error at the largest shift. Other probes are not summarized.
func glanceMeasure(r *Row) (Stat, string) {
	if len(r.Probe) == 0 {
		return r.TestErr, "test error %"
	}
	var v []float64
	switch r.Probe[0].Kind {
	case "generalization":
		for _, pr := range r.Probe {
			v = append(v, 100*(pr.TrainAcc-pr.TestAcc))
		}
		return stat(v), "test − train error %"
	case "translation":
		last := len(r.Probe[0].X) - 1
		for _, pr := range r.Probe {
			if last >= 0 && last < len(pr.Acc) && pr.Acc[last] >= 0 {
				v = append(v, 100*(1-pr.Acc[last]))
			}
		}
		if last < 0 {
			return Stat{}, ""
		}
		return stat(v), fmt.Sprintf("test error %% at a %d-pixel shift", r.Probe[0].X[last])
	}
	return Stat{}, ""
}

// writeGeneralization tabulates, per arm, the error of the best checkpoint
// on its own training images and on the test set, and their difference
// (the generalization gap, per run, then mean ± std).
func writeGeneralization(b *strings.Builder, rows []*Row) {
	b.WriteString("| arm | runs | train error % (inference mode, the run's own training images) | test error % | gap: test − train | gap beyond spread vs first arm |\n|---|---|---|---|---|---|\n")
	var ref Stat
	for i, r := range rows {
		var tr, te, gap []float64
		for _, pr := range r.Probe {
			tr = append(tr, 100*(1-pr.TrainAcc))
			te = append(te, 100*(1-pr.TestAcc))
			gap = append(gap, 100*(pr.TrainAcc-pr.TestAcc))
		}
		g := stat(gap)
		beyond := "(reference)"
		if i == 0 {
			ref = g
		} else if d := g.Mean - ref.Mean; g.N > 1 && ref.N > 1 && math.Abs(d) > g.Std+ref.Std {
			beyond = fmt.Sprintf("yes (Δ %+.2f)", d)
		} else {
			beyond = fmt.Sprintf("no (Δ %+.2f)", d)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s |\n", r.Arm, len(r.Probe), pm(stat(tr)), pm(stat(te)), pm(g), beyond)
	}
	b.WriteString("\n")
}

func pmShort(s Stat) string {
	if s.N <= 1 {
		return fmt.Sprintf("%.2f", s.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f", s.Mean, s.Std)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	var out strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(r)
	}
	return out.String()
}
