// Package nb is the notebooks' facade over ninlib: one call per thing a
// notebook cell does (train an experiment with live curves, show a table
// or a figure, show a model), so that a notebook's import cell is short
// and its cells show the science, not plumbing. Every output is readable
// when the notebook is opened untrusted: figures go as PNG with their SVG
// beside them, tables as HTML with their Markdown and plain text beside
// them, and Jupyter shows the richest of them that it trusts.
package nb

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"syscall"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/probe"
	"github.com/ninbench/nin/ninlib/report"
)

// Context returns a context cancelled when the cell is interrupted. GoNB
// runs each cell as a process and relays Jupyter's Kernel > Interrupt to
// it as SIGINT, killing it 5 s later if it has not ended: training,
// evaluation and probes stop within a step or a batch of the signal and
// record their runs as interrupted, so a later cell (or the CLI) resumes
// them. SIGTERM is treated the same.
func Context() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}

// Experiments is the folder of the experiment files, seen from notebooks/.
const Experiments = "../experiments"

// ResultsDir is where a notebook reads and writes run records:
// $NIN_NB_RESULTS, else the checkout's results/.
func ResultsDir() string {
	if d := os.Getenv("NIN_NB_RESULTS"); d != "" {
		return d
	}
	return "../results"
}

// Records reads the run records the experiment files reproduce, with the
// notebook's extra settings ($NIN_NB_SET) as the -set they were run with.
func Records() *report.Records {
	return report.Load(ResultsDir(), Experiments, os.Getenv("NIN_NB_SET"))
}

// DatasetsShown lists the datasets whose results a notebook displays:
// $NIN_NB_DATASETS if set, else the plan's.
func DatasetsShown(p *plan.Plan) ([]string, error) {
	if s := os.Getenv("NIN_NB_DATASETS"); s != "" {
		return plan.ParseList(s)
	}
	return p.Datasets, nil
}

// Load reads experiment name with the notebook's parameters applied
// (seeds, datasets, extra settings: plan.FromEnv) and returns it with the
// options to run it.
func Load(name string) (*plan.Plan, plan.RunOptions, error) {
	p, err := plan.Load(Experiments, name)
	if err != nil {
		return nil, plan.RunOptions{}, err
	}
	o, err := plan.FromEnv(p)
	return p, o, err
}

// Run trains a training experiment (with live learning curves) or runs a
// probe, with the notebook's parameters, then regenerates the tables of
// its results folder. An interrupted cell records its run as interrupted;
// running the cell again resumes it.
func Run(name string) error {
	p, o, err := Load(name)
	if err != nil {
		return err
	}
	fmt.Printf("experiment %s: %s\ndatasets %v, seeds %v, extra settings %q, results in %s\n  reproduce from a shell: %s\n",
		p.Name, p.Claim, p.Datasets, p.Seeds, o.Extra, o.ResultsDir, o.Command)
	ctx := Context()
	if p.Kind == "train" {
		live := newLive()
		o.OnStep, o.OnEpoch, o.Progress = live.onStep, live.onEpoch, "none"
		_, err = plan.Train(ctx, p, o)
		live.done()
	} else {
		err = probe.Run(ctx, p, o)
	}
	if err != nil {
		return err
	}
	return report.Regenerate(o.ResultsDir, Experiments, o.Extra)
}

// Table shows the results of one experiment (its section of
// results/README.md), without the section's figures: their paths are
// relative to the results folder, not the notebook, and a notebook draws
// the figures it discusses itself (ShowBudget, ShowCost, ...).
func Table(experiment string) {
	r := Records()
	ShowMarkdown(withoutImages(string(report.Section(r.Rows(), r.Plans, experiment))))
}

// mdImage is a Markdown line that is one image: "![alt](path)".
var mdImage = regexp.MustCompile(`(?m)^!\[[^\]]*\]\([^)\s]+\)\n*`)

// withoutImages drops the image lines of md.
func withoutImages(md string) string { return mdImage.ReplaceAllString(md, "") }
