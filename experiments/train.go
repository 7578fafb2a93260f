package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/probe"
	"github.com/ninbench/nin/ninlib/table"
)

func cmdTrain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("train", flag.ExitOnError)
	cf := addConfigFlags(fs)
	resume := fs.String("resume", "", "continue the interrupted run in this directory (its config.json is used; -set epochs=N may extend it)")
	fs.Parse(args)
	c := fit.Defaults()
	extra, err := cf.extraSettings()
	if err != nil {
		return err
	}
	// The dataset decides the input shape and classes; settings may override.
	probeC := c
	if err := probeC.Set(extra); err != nil {
		return err
	}
	c.Setup.Name = probeC.Setup.Name
	if err := c.AdaptToDataset(); err != nil {
		return err
	}
	if c.InputC == 3 {
		c.Widths = "cifar"
	}
	if err := c.Set(extra); err != nil {
		return err
	}
	c.Backend = *cf.backend
	sum, err := fit.Train(ctx, c, fit.Options{ResultsDir: *cf.results, Resume: *resume, Command: commandLine(), Progress: *cf.progress})
	if sum == nil {
		return err // nothing was recorded (a bad setting, no data): the tables stand
	}
	fmt.Printf("\nrun %s: %s, test error %.2f%%\n", sum.ID, sum.Status, 100*sum.TestErr)
	if terr := table.Regenerate(*cf.results, plan.Dir, ""); terr != nil {
		fmt.Println("warning: tables not regenerated:", terr)
	}
	return err
}

func cmdRun(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("run needs an experiment name: see `experiments list`")
	}
	name := args[0]
	fs := flag.NewFlagSet("run "+name, flag.ExitOnError)
	cf := addConfigFlags(fs)
	seeds := fs.String("seeds", "", "comma-separated seeds, replacing the experiment's (e.g. 1 for a quick look)")
	epochs := fs.Int("epochs", 0, "epochs, replacing the experiment's")
	subset := fs.Int("subset", -1, "training records to use (0 = all), replacing the experiment's")
	dsets := fs.String("datasets", "", "comma-separated datasets, replacing the experiment's")
	arms := fs.String("arms", "", "comma-separated arms to run (default all)")
	dry := fs.Bool("dry", false, "print what would run and exit")
	fs.Parse(args[1:])
	p, err := plan.Load(plan.Dir, name)
	if err != nil {
		return err
	}
	if *seeds != "" {
		if p.Seeds, err = plan.ParseSeeds(*seeds); err != nil {
			return fmt.Errorf("-seeds: %w", err)
		}
	}
	if *dsets != "" {
		p.Datasets = plan.ParseList(*dsets)
	}
	if err := p.FilterArms(plan.ParseList(*arms)); err != nil {
		return err
	}
	extra, err := cf.extraSettings()
	if err != nil {
		return err
	}
	if *epochs > 0 {
		extra += fmt.Sprintf(";epochs=%d", *epochs)
	}
	if *subset >= 0 {
		extra += fmt.Sprintf(";subset=%d", *subset)
	}
	o := plan.Options{ResultsDir: *cf.results, Extra: extra, Backend: *cf.backend, Command: commandLine(), Progress: *cf.progress, DryRun: *dry}
	if p.Kind == "train" {
		_, err = plan.Train(ctx, p, o)
	} else {
		err = probe.Run(ctx, p, o)
	}
	if *dry {
		return err
	}
	if terr := table.Regenerate(*cf.results, plan.Dir, ""); terr != nil {
		fmt.Println("warning: tables not regenerated:", terr)
	} else {
		fmt.Printf("tables regenerated: %s/README.md, %s/summary.csv\n", *cf.results, *cf.results)
	}
	return err
}

func cmdList(args []string) error {
	names, err := plan.Names(plan.Dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		p, err := plan.Load(plan.Dir, n)
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
	results := fs.String("results", "results", "results directory")
	fs.Parse(args)
	if err := table.Regenerate(*results, plan.Dir, ""); err != nil {
		return err
	}
	fmt.Printf("wrote %s/README.md and %s/summary.csv\n", *results, *results)
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
	fs.Parse(args)
	sd, err := plan.ParseSeeds(*seeds)
	if err != nil {
		return fmt.Errorf("-seeds: %w", err)
	}
	base, err := cf.extraSettings()
	if err != nil {
		return err
	}
	p, err := plan.Sweep(*name, base, *grid, plan.ParseList(*dsets), sd)
	if err != nil {
		return err
	}
	o := plan.Options{ResultsDir: *cf.results, Backend: *cf.backend, Command: commandLine(), Progress: *cf.progress, DryRun: *dry}
	_, err = plan.Train(ctx, p, o)
	if terr := table.Regenerate(*cf.results, plan.Dir, ""); terr != nil {
		fmt.Println("warning: tables not regenerated:", terr)
	}
	return err
}
