package plan

import (
	"fmt"
	"os"
	"strings"
)

// FromEnv applies the notebook parameters (environment variables) to a
// plan and returns the options to run it with, so that CI can run a tiny
// configuration of the same notebook a user runs at full scale:
//
//	NIN_NB_RESULTS   results directory (default ../results)
//	NIN_NB_SEEDS     comma-separated seeds replacing the plan's
//	NIN_NB_DATASETS  comma-separated datasets replacing the plan's
//	NIN_NB_SET       settings applied last, e.g. "epochs=1;subset=300"
//	NIN_NB_DRY_RUN   "1": list what would be trained or probed and run
//	                 nothing, to re-render a notebook from the records alone
//	GOMLX_BACKEND    backend (default go)
func FromEnv(p *Plan) (RunOptions, error) {
	o := RunOptions{ResultsDir: "../results", Extra: os.Getenv("NIN_NB_SET"), Backend: os.Getenv("GOMLX_BACKEND"), Progress: "lines"}
	if d := os.Getenv("NIN_NB_RESULTS"); d != "" {
		o.ResultsDir = d
	}
	if s := os.Getenv("NIN_NB_SEEDS"); s != "" {
		seeds, err := parseUints(s)
		if err != nil {
			return o, fmt.Errorf("$NIN_NB_SEEDS: %w", err)
		}
		p.Seeds = seeds
	}
	if s := os.Getenv("NIN_NB_DATASETS"); s != "" {
		ds, err := parseNames(s)
		if err != nil {
			return o, fmt.Errorf("$NIN_NB_DATASETS: %w", err)
		}
		p.Datasets = ds
	}
	switch s := os.Getenv("NIN_NB_DRY_RUN"); s {
	case "", "0":
	case "1":
		o.DryRun = true
	default:
		return o, fmt.Errorf("$NIN_NB_DRY_RUN is %q: set it to 1 (run nothing) or leave it empty", s)
	}
	o.Command = p.Command(o)
	// Validate the extra settings on every arm now.
	for _, a := range p.arms() {
		if a.From != "" {
			continue
		}
		for _, ds := range p.Datasets {
			if _, err := p.Config(a, ds, p.Seeds[0], o.Extra); err != nil {
				return o, fmt.Errorf("$NIN_NB_SET: %w", err)
			}
		}
	}
	return o, nil
}

// Command is the command line that runs p as it stands (its seeds and
// datasets, possibly replaced) with o's settings: what a notebook's runs
// record, so that their rows say how to reproduce them from a shell.
func (p *Plan) Command(o RunOptions) string {
	var seeds []string
	for _, s := range p.Seeds {
		seeds = append(seeds, fmt.Sprint(s))
	}
	cmd := fmt.Sprintf("go run ./experiments run %s -seeds %s -datasets %s", p.Name, strings.Join(seeds, ","), strings.Join(p.Datasets, ","))
	if o.Extra != "" {
		cmd += " -set " + ShellQuote(o.Extra)
	}
	if o.Backend != "" {
		cmd += " -backend " + o.Backend
	}
	if o.ResultsDir != "../results" { // a notebook's default: the checkout's results/, the CLI's too
		cmd += " -results " + o.ResultsDir
	}
	return cmd
}

// ShellQuote quotes s for bash: as it is when it is plain (letters,
// digits and -_./=:,+@%), else in single quotes. Every command the
// workbench records or writes for a shell quotes its arguments with it.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
