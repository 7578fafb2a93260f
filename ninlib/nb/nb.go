// Package nb is the notebooks' facade over ninlib: what a GoNB cell needs
// that a CLI subcommand gets from package main (a context that the
// kernel's interrupt cancels, the notebook's parameters).
package nb

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ninbench/nin/ninlib/plan"
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

// DatasetsShown lists the datasets whose results a notebook displays:
// $NIN_NB_DATASETS if set, else the plan's.
func DatasetsShown(p *plan.Plan) ([]string, error) {
	if s := os.Getenv("NIN_NB_DATASETS"); s != "" {
		return plan.ParseList(s)
	}
	return p.Datasets, nil
}
