package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/probe"
	"github.com/ninbench/nin/ninlib/report"
	"github.com/ninbench/nin/ninlib/runs"
)

func cmdTrain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("train", flag.ExitOnError)
	cf := addConfigFlags(fs)
	resume := fs.String("resume", "", "continue the run in this directory from its last committed epoch (its config.json is the truth; only -set epochs=N may extend it)")
	from := fs.String("from", "", "start a new run from the configuration of the run in this directory (fresh weights), then -config and -set")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *resume != "" && *from != "" {
		return fmt.Errorf("-resume continues a run, -from starts a new one from its settings: give one of them")
	}
	extra, err := cf.extraSettings()
	if err != nil {
		return err
	}
	o := fit.TrainOptions{Resume: *resume, Command: commandLine(), Progress: *cf.progress, Fault: faultHook}
	var c config.Config
	if *resume != "" {
		// The saved configuration is the truth; what is given here may
		// only change the keys fit.Resumable lists (checked by fit.Train).
		o.ResumeSet = extra
		if *cf.backend != "" {
			o.ResumeSet += ";backend=" + *cf.backend
		}
		o.ResultsDir = filepath.Dir(filepath.Dir(filepath.Clean(*resume)))
	} else {
		if c, err = newConfig(*from, extra); err != nil {
			return err
		}
		if c.Backend, err = cf.backendSetting(c.Backend); err != nil {
			return err
		}
		if o.ResultsDir, err = cf.resultsDir(); err != nil {
			return err
		}
	}
	sum, err := fit.Train(ctx, c, o)
	if sum == nil {
		return err // nothing was recorded (a bad setting, no data): the tables stand
	}
	if sum.Status == runs.StatusCompleted {
		fmt.Printf("\nrun %s: completed, test error %.2f%%\n", sum.ID, 100*sum.TestErr)
	} else {
		fmt.Printf("\nrun %s: %s after %d epochs\n", sum.ID, sum.Status, sum.Epochs)
	}
	regenerate(o.ResultsDir, *cf.experiments)
	return err
}

// newConfig assembles a new run's configuration: extra applied to the
// configuration of the run in dir if given (its config.json), else to the
// defaults (config.Apply, config.New).
func newConfig(dir, extra string) (config.Config, error) {
	if dir == "" {
		return config.New(extra)
	}
	rec, err := runs.ReadRunConfig(dir)
	if err != nil {
		return rec.Config, fmt.Errorf("-from %s: %w", dir, err)
	}
	return config.Apply(rec.Config, extra)
}

// regenerate rewrites the tables of a results directory, or says why not.
func regenerate(results, experimentsFlag string) {
	exps, err := experimentsDir(experimentsFlag)
	if err == nil {
		err = report.Regenerate(results, exps, "")
	}
	if err != nil {
		fmt.Println("warning: tables not regenerated:", err)
		return
	}
	fmt.Printf("tables regenerated: %s, %s\n", filepath.Join(results, "README.md"), filepath.Join(results, "summary.csv"))
}

// runFlags are the flags that restrict or rescale a named experiment
// (run, submit).
type runFlags struct {
	seeds, datasets, arms *string
	epochs, subset        *int
}

func addRunFlags(fs *flag.FlagSet) runFlags {
	return runFlags{
		seeds:    fs.String("seeds", "", "comma-separated seeds, replacing the experiment's (e.g. 1 for a quick look)"),
		epochs:   fs.Int("epochs", 0, "epochs, replacing the experiment's"),
		subset:   fs.Int("subset", -1, "training records to use (0 = all), replacing the experiment's"),
		datasets: fs.String("datasets", "", "comma-separated datasets, replacing the experiment's"),
		arms:     fs.String("arms", "", "comma-separated arms to run (default all)"),
	}
}

// restrict applies -seeds, -datasets and -arms to p.
func (r runFlags) restrict(p *plan.Plan) error {
	var err error
	if *r.seeds != "" {
		if p.Seeds, err = plan.ParseSeeds(*r.seeds); err != nil {
			return fmt.Errorf("-seeds: %w", err)
		}
	}
	if *r.datasets != "" {
		if p.Datasets, err = plan.ParseList(*r.datasets); err != nil {
			return fmt.Errorf("-datasets: %w", err)
		}
	}
	arms, err := plan.ParseList(*r.arms)
	if err != nil {
		return fmt.Errorf("-arms: %w", err)
	}
	return p.FilterArms(arms)
}

// extra is the command line's settings: -config files, -set, then -epochs
// and -subset.
func (r runFlags) extra(cf configFlags) (string, error) {
	extra, err := cf.extraSettings()
	if err != nil {
		return "", err
	}
	var more []string
	if *r.epochs > 0 {
		more = append(more, fmt.Sprintf("epochs=%d", *r.epochs))
	}
	if *r.subset >= 0 {
		more = append(more, fmt.Sprintf("subset=%d", *r.subset))
	}
	return config.Merge(extra, strings.Join(more, ";"))
}

// sweepSeedsAndDatasets are a sweep's seeds and datasets: the flags', or
// seed 1 on MNIST.
func (r runFlags) sweepSeedsAndDatasets() ([]uint64, []string) {
	seeds, datasets := []uint64{1}, []string{"mnist"}
	if s, err := plan.ParseSeeds(*r.seeds); err == nil && *r.seeds != "" {
		seeds = s
	}
	if d, err := plan.ParseList(*r.datasets); err == nil && len(d) > 0 {
		datasets = d
	}
	return seeds, datasets
}

func cmdRun(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("run needs an experiment name: see `experiments list`")
	}
	name := args[0]
	fs := flag.NewFlagSet("run "+name, flag.ExitOnError)
	cf := addConfigFlags(fs)
	rf := addRunFlags(fs)
	dry := fs.Bool("dry", false, "print what would run and exit")
	within := fs.Duration("within", 0, "start only the runs expected to end within this time from now (e.g. 2h30m), from the time per epoch of completed runs of the same model and data on this kind of machine (else on another, scaled); for sessions that end at a set time")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := checkRunFlags(fs); err != nil {
		return err
	}
	if *within < 0 {
		return fmt.Errorf("-within %s: expected a positive duration such as 90m or 2h30m", *within)
	}
	exps, err := experimentsDir(*cf.experiments)
	if err != nil {
		return err
	}
	p, err := plan.Load(exps, name)
	if err != nil {
		return err
	}
	if err := rf.restrict(p); err != nil {
		return err
	}
	extra, err := rf.extra(cf)
	if err != nil {
		return err
	}
	o, err := cf.runOptions(extra, *dry)
	if err != nil {
		return err
	}
	if *within > 0 {
		o.Deadline = time.Now().Add(*within)
	}
	if p.Kind == "train" {
		_, err = plan.Train(ctx, p, o)
	} else {
		err = probe.Run(ctx, p, o)
	}
	if *dry {
		return err
	}
	regenerate(o.ResultsDir, *cf.experiments)
	return err
}

// checkRunFlags refuses values of run's flags that would otherwise mean
// "not given": an explicit -epochs 0, -subset -1, or an empty list.
func checkRunFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch {
		case err != nil:
		case f.Name == "epochs" && v == "0" || strings.HasPrefix(v, "-") && (f.Name == "epochs" || f.Name == "subset"):
			err = fmt.Errorf("-%s %s: expected %s", f.Name, v, map[string]string{"epochs": "1 or more", "subset": "0 (all) or more"}[f.Name])
		case (f.Name == "seeds" || f.Name == "datasets" || f.Name == "arms") && strings.TrimSpace(v) == "":
			err = fmt.Errorf("-%s is empty: give at least one, or leave the flag out for the experiment's", f.Name)
		}
	})
	return err
}

// runOptions are the options of a plan run from the shared flags.
func (f configFlags) runOptions(extra string, dry bool) (plan.RunOptions, error) {
	results, err := f.resultsDir()
	if err != nil {
		return plan.RunOptions{}, err
	}
	be, err := f.backendSetting("")
	if err != nil {
		return plan.RunOptions{}, err
	}
	return plan.RunOptions{ResultsDir: results, Extra: extra, Backend: be, Command: commandLine(), Progress: *f.progress, DryRun: dry}, nil
}

func cmdList(args []string) error {
	fs := flag.NewFlagSet("list", flag.ExitOnError)
	expFlag := fs.String("experiments", "", "folder of the experiment files (default: experiments/ of the checkout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	exps, err := experimentsDir(*expFlag)
	if err != nil {
		return err
	}
	names, err := plan.Names(exps)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("%s holds no experiment files (*.set)", exps)
	}
	for _, n := range names {
		p, err := plan.Load(exps, n)
		if err != nil {
			fmt.Printf("%-16s ERROR %v\n", n, err)
			continue
		}
		fmt.Printf("%-16s %-15s %s\n", n, p.Kind, p.Claim)
	}
	return nil
}

func cmdTable(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	resultsFlag := fs.String("results", "", "results directory (default: results/ of the checkout)")
	expFlag := fs.String("experiments", "", "folder of the experiment files (default: experiments/ of the checkout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	results, err := resultsDir(*resultsFlag)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(filepath.Join(results, "runs")); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s holds no run records (no %s): is -results right?", results, filepath.Join(results, "runs"))
	}
	exps, err := experimentsDir(*expFlag)
	if err != nil {
		return err
	}
	if err := report.Regenerate(results, exps, ""); err != nil {
		return err
	}
	fmt.Printf("wrote %s and %s\n", filepath.Join(results, "README.md"), filepath.Join(results, "summary.csv"))
	return nil
}

func cmdSweep(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sweep", flag.ExitOnError)
	cf := addConfigFlags(fs)
	name := fs.String("name", "sweep", "experiment name the runs are recorded under")
	grid := fs.String("grid", "", `settings grid "key=v1,v2;key2=w1,w2" (cartesian product)`)
	seeds := fs.String("seeds", "1", "comma-separated seeds")
	dsets := fs.String("datasets", "mnist", "comma-separated datasets")
	dry := fs.Bool("dry", false, "print what would run and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sd, err := plan.ParseSeeds(*seeds)
	if err != nil {
		return fmt.Errorf("-seeds: %w", err)
	}
	ds, err := plan.ParseList(*dsets)
	if err != nil {
		return fmt.Errorf("-datasets: %w", err)
	}
	if len(ds) == 0 {
		return fmt.Errorf("-datasets is empty: give at least one dataset")
	}
	base, err := cf.extraSettings()
	if err != nil {
		return err
	}
	p, err := plan.Sweep(*name, base, *grid, ds, sd)
	if err != nil {
		return err
	}
	o, err := cf.runOptions("", *dry)
	if err != nil {
		return err
	}
	_, err = plan.Train(ctx, p, o)
	if !*dry {
		regenerate(o.ResultsDir, *cf.experiments)
	}
	return err
}
