// Command experiments runs the NIN workbench headless: it trains models,
// runs named experiments (the *.set files beside it), regenerates the
// results tables, prints model accounting, and fetches and verifies data.
//
//	go run ./experiments run quick                 # the main job: NIN on MNIST, a few minutes
//	go run ./experiments run gap-vs-fc -seeds 1    # a named experiment, restricted
//	go run ./experiments train -set "model=nin-fc;epochs=2"
//	go run ./experiments train -resume results/runs/<id>
//	go run ./experiments table                     # results/summary.csv and results/README.md
//	go run ./experiments summary -model nin -input 32x32x3 -classes 10
//	go run ./experiments data verify mnist
//
// Flags live only here; everything else is in ninlib. Run a subcommand with
// -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/nin"
)

const usage = `usage: experiments <command> [flags]

commands:
  run NAME     run a named experiment (experiments/NAME.set): every arm x dataset x seed
  sweep        train the cartesian product of a settings grid: sweep -name NAME -grid "lr=0.001,0.01;width=0.25,0.5"
  list         list the named experiments and what each tests
  train        train one model from defaults, -config files and -set overrides
  table        regenerate results/summary.csv and results/README.md from the run records
  summary      print a model's per-layer parameters and multiply-adds
  data         fetch or verify a dataset: data fetch|verify NAME
  keys         list every setting accepted by -set
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, args)
	case "sweep":
		err = cmdSweep(ctx, args)
	case "list":
		err = cmdList(args)
	case "train":
		err = cmdTrain(ctx, args)
	case "table":
		err = cmdTable(args)
	case "summary":
		err = cmdSummary(args)
	case "data":
		err = cmdData(args)
	case "keys":
		fmt.Println(strings.Join(fit.Keys(), "\n"))
	case "-h", "-help", "--help", "help":
		fmt.Print(usage)
	default:
		err = fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		if errors.Is(err, fit.ErrInterrupted) {
			fmt.Fprintln(os.Stderr, "the run record is kept; continue it with the same command (run) or -resume DIR (train)")
			os.Exit(130)
		}
		os.Exit(1)
	}
}

// commandLine is the exact command recorded with every run.
func commandLine() string {
	var b strings.Builder
	b.WriteString("go run ./experiments")
	for _, a := range os.Args[1:] {
		b.WriteByte(' ')
		if strings.ContainsAny(a, " ;\"'$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		b.WriteString(a)
	}
	return b.String()
}

// configFlags are the flags shared by train and run.
type configFlags struct {
	set      *string
	configs  *string
	backend  *string
	results  *string
	progress *string
}

func addConfigFlags(fs *flag.FlagSet) configFlags {
	return configFlags{
		set:      fs.String("set", "", `settings "key=value;key=value" applied last (see "experiments keys")`),
		configs:  fs.String("config", "", "comma-separated settings files (key=value lines) applied before -set"),
		backend:  fs.String("backend", "", `compute backend: "go" (default), "xla:cpu" or "xla:cuda"; default $GOMLX_BACKEND or go`),
		results:  fs.String("results", "results", "results directory (run records go to RESULTS/runs)"),
		progress: fs.String("progress", "auto", "progress output: auto, bar, lines or none"),
	}
}

// extraSettings concatenates the -config files and -set into one string.
func (f configFlags) extraSettings() (string, error) {
	var parts []string
	for _, path := range strings.Split(*f.configs, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("-config: %w", err)
		}
		// Check the file alone first, so that an error names it.
		probe := fit.Defaults()
		if err := probe.SetFile(path); err != nil {
			return "", fmt.Errorf("-config: %w", err)
		}
		parts = append(parts, string(b))
	}
	parts = append(parts, *f.set)
	return strings.Join(parts, "\n"), nil
}

func cmdSummary(args []string) error {
	fs := flag.NewFlagSet("summary", flag.ExitOnError)
	variant := fs.String("model", "nin", "model variant: "+strings.Join(nin.Variants(), ", "))
	input := fs.String("input", "32x32x3", "input size HxWxC")
	classes := fs.Int("classes", 10, "number of classes")
	set := fs.String("set", "", `model settings "key=value;..." (e.g. "width=0.5;bottleneck=0.25")`)
	match := fs.String("match", "", "find the width at which -model costs as much as this variant (with the same settings)")
	by := fs.String("by", "params", "what -match equalizes: params or macs")
	fs.Parse(args)
	c := fit.Defaults()
	c.Options = nin.Defaults()
	if err := c.Set(*set); err != nil {
		return err
	}
	c.Variant, c.Classes = *variant, *classes
	if _, err := fmt.Sscanf(*input, "%dx%dx%d", &c.InputH, &c.InputW, &c.InputC); err != nil {
		return fmt.Errorf("-input %q: expected HxWxC such as 32x32x3", *input)
	}
	if c.InputC == 1 && fs.Lookup("set").Value.String() == "" {
		c.Widths = "digits"
	}
	if *match != "" {
		ref := c.Options
		ref.Variant = *match
		rs, err := nin.Summarize(ref)
		if err != nil {
			return err
		}
		w, err := nin.MatchWidth(c.Options, rs, *by)
		if err != nil {
			return err
		}
		c.Width = w
		fmt.Printf("width %.4f of %s matches %s's %s (%s params, %s mult-adds)\n\n", c.Width, c.Variant, *match, *by, nin.Commas(rs.Params), nin.Commas(rs.MACs))
	}
	s, err := nin.Summarize(c.Options)
	if err != nil {
		return err
	}
	fmt.Printf("%s (%s widths, width x%g): %s\n\n", s.Variant, c.Widths, c.Width, nin.Claim(s.Variant))
	s.Print(os.Stdout)
	fmt.Printf("\n%s parameters, %s multiply-adds (%.1f MFLOP) per image forward\n", nin.Commas(s.Params), nin.Commas(s.MACs), float64(s.FLOPs())/1e6)
	return nil
}
