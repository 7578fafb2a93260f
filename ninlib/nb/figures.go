package nb

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/repo"
	"github.com/ninbench/nin/ninlib/report"
	"github.com/ninbench/nin/ninlib/runs"
)

// Header prints where and how a notebook's outputs were made: the commit
// (and whether code outside notebooks/ and results/ differed from it), the
// machine, and the parameters with the experiment files' defaults.
func Header(experiments ...string) {
	root := repo.SourceDir()
	env := runs.EnvironmentOf(root)
	fmt.Printf("outputs made %s at commit %.12s%s, on %s (%d cores; %s), %s, backend %s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), env.GitCommit, codeDirty(root), env.CPU, env.NumCPU, cmp.Or(env.CPUSIMD, "SIMD extensions unknown"), env.GoVersion, backendName())
	for _, e := range experiments {
		p, err := plan.Load(Experiments, e)
		if err != nil {
			fmt.Println(err)
			continue
		}
		if p.Kind != "train" {
			fmt.Printf("%s: a %s probe of the completed runs of %s on %v (experiments/%s.set)\n", e, p.Kind, p.Source, p.Datasets, e)
			continue
		}
		fmt.Printf("%s: seeds %v, datasets %v (experiments/%s.set)\n", e, p.Seeds, p.Datasets, e)
	}
	fmt.Printf("parameters: NIN_NB_SEEDS=%q NIN_NB_DATASETS=%q NIN_NB_SET=%q NIN_NB_DRY_RUN=%q; results in %s\n",
		os.Getenv("NIN_NB_SEEDS"), os.Getenv("NIN_NB_DATASETS"), os.Getenv("NIN_NB_SET"), os.Getenv("NIN_NB_DRY_RUN"), ResultsDir())
}

func backendName() string {
	if b := os.Getenv("GOMLX_BACKEND"); b != "" {
		return b
	}
	return "go"
}

// codeDirty says whether the code differs from the commit, notebooks and
// results aside (publishing changes exactly those), and documentation.
func codeDirty(root string) string {
	if runs.CodeDirty(root, "results", "notebooks", "*.md") {
		return " + uncommitted changes"
	}
	return ""
}

// forDatasets calls show for each dataset a notebook displays for
// experiment name.
func forDatasets(name string, show func(ds string)) {
	p, err := plan.Load(Experiments, name)
	if err != nil {
		fmt.Println(err)
		return
	}
	dss, err := DatasetsShown(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ds := range dss {
		show(ds)
	}
}

// ShowErrorBars shows each arm's test error (mean ± std over seeds) of an
// experiment, one figure per dataset.
func ShowErrorBars(name string) { showPerDataset(name, report.ErrorBars) }

// ShowCost shows test error against multiply-adds of an experiment's arms.
func ShowCost(name string) { showPerDataset(name, report.Cost) }

// ShowBudget shows test error against the training budget (the budget
// study's arms HEAD-e<epochs>), then each budget arm's validation error
// after each epoch.
func ShowBudget(name string) {
	showPerDataset(name, report.Budget)
	showPerDataset(name, func(rows []*report.Row, experiment, dataset string) (plots.Figure, error) {
		return report.BudgetCurves(rows, ResultsDir(), experiment, dataset)
	})
}

// ShowProbeCurves shows a translation or input-size probe's curves.
func ShowProbeCurves(name string) { showPerDataset(name, report.ProbeCurves) }

// showPerDataset shows figure fig of experiment name for each dataset the
// notebook displays.
func showPerDataset(name string, fig func(rows []*report.Row, experiment, dataset string) (plots.Figure, error)) {
	rows := Records().Rows()
	forDatasets(name, func(ds string) { Show(fig(rows, name, ds)) })
}

// ShowCurves shows the learning curves of every arm of an experiment (one
// figure per dataset and arm, one colour per seed).
func ShowCurves(name string) {
	recs := Records().Current
	p, err := plan.Load(Experiments, name)
	if err != nil {
		fmt.Println(err)
		return
	}
	forDatasets(name, func(ds string) {
		sel := report.Select(recs, name, ds)
		for _, a := range p.Arms {
			if a.From == "" {
				Show(report.Curves(sel, a.Name))
			}
		}
	})
}

// ShowMaps shows the confidence maps the confidence-maps probe drew: per
// probed run, a test image and then one map per class in class order.
func ShowMaps(name string) {
	for _, r := range Records().Current {
		s := r.Summary
		if s.Experiment != name || s.Status != runs.StatusCompleted || !s.IsProbe() {
			continue
		}
		png, err := os.ReadFile(filepath.Join(r.Dir, s.Probe.Figure))
		if err != nil {
			continue
		}
		ShowPNG(png, fmt.Sprintf("%s, arm %s, seed %d (run %s): each row a test image, then its maps for the classes %s, left to right; colours run from dark blue (the row's lowest) to yellow (its highest).",
			s.Dataset, s.Arm, s.Seed, s.Probe.Source, classNames(s.Dataset)))
	}
}

func classNames(dataset string) string {
	spec, err := datasets.Lookup(dataset)
	if err != nil || len(spec.Classes) == 0 {
		return "0, 1, …"
	}
	return strings.Join(spec.Classes, ", ")
}
