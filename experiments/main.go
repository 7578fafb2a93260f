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

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/repo"
	"github.com/ninbench/nin/ninlib/runs"
)

const usage = `usage: experiments <command> [flags]

commands:
  run NAME     run a named experiment (experiments/NAME.set): every arm x dataset x seed
  sweep        train the cartesian product of a settings grid: sweep -name NAME -grid "lr=0.001,0.01;width=0.25,0.5"
  submit NAME  submit an experiment's runs not complete yet to Slurm as a job array (or a sweep: submit -grid ... -name NAME)
  status NAME  each run of an experiment: pending, running, completed, failed, interrupted or not submitted,
               and how long the runs left should take here (from the records)
  list         list the named experiments and what each tests
  train        train one model from defaults, -config files and -set overrides
  table        regenerate results/summary.csv and results/README.md from the run records
  benchtable   regenerate README.md's peer table from the newest record in results/bench (scripts/peer-bench.sh)
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
	case "submit":
		err = cmdSubmit(args)
	case "status":
		err = cmdStatus(args)
	case "list":
		err = cmdList(args)
	case "train":
		err = cmdTrain(ctx, args)
	case "table":
		err = cmdTable(args)
	case "benchtable":
		err = cmdBenchTable(args)
	case "summary":
		err = cmdSummary(args)
	case "data":
		err = cmdData(args)
	case "keys":
		fmt.Println(strings.Join(config.Keys(), "\n"))
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
		b.WriteString(" " + plan.ShellQuote(a))
	}
	return b.String()
}

// configFlags are the flags shared by train, run and sweep.
type configFlags struct {
	set         *settingsFlag
	configs     *string
	backend     *string
	results     *string
	experiments *string
	progress    *string
}

func addConfigFlags(fs *flag.FlagSet) configFlags {
	return configFlags{
		set:         newSettingsFlag(fs, "set", `settings "key=value;key=value" applied last (see "experiments keys"); may be repeated, each key given once`),
		configs:     fs.String("config", "", "comma-separated settings files (key=value lines) applied before -set"),
		backend:     fs.String("backend", "", `compute backend: "go" (default), "xla:cpu" or "xla:cuda"; default: the backend setting, else $GOMLX_BACKEND, else go`),
		results:     fs.String("results", "", "results directory, run records go to RESULTS/runs (default: results/ of the checkout)"),
		experiments: fs.String("experiments", "", "folder of the experiment files (default: experiments/ of the checkout)"),
		progress:    fs.String("progress", "auto", "progress output: auto, bar, lines or none"),
	}
}

// faultHook is installed only in test builds (crashhook.go, build tag
// crashtest): the crash-and-resume tests kill the process at points of the
// record's commit protocol through it.
var faultHook runs.FaultHook

// CrashEnv names the fault-injection variable of test builds
// (go build -tags crashtest; normal builds ignore it): "POINT:EPOCH[:STEP]"
// makes the process SIGKILL itself at that point of that epoch (1-based),
// as a power cut or the OOM killer would. Points: mid-epoch (after STEP
// training steps), before-checkpoint, after-checkpoint (checkpoint
// written, metrics and state not), after-metrics (metrics.csv written,
// state.json not), and partial-checkpoint (a checkpoint file half
// written, as if killed while saving).
const CrashEnv = "NIN_CRASH_AT"

// parseFlags parses a subcommand's flags and refuses positional arguments,
// which would otherwise be ignored ("train model=nin-fc").
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) > 0 {
		hint := ""
		if strings.Contains(rest[0], "=") {
			hint = fmt.Sprintf(`: settings go in -set, e.g. -set "%s"`, strings.Join(rest, ";"))
		}
		return fmt.Errorf("%s: unexpected argument %q%s (flags come before arguments; see -h)", fs.Name(), rest[0], hint)
	}
	return nil
}

// resultsDir is -results, else the checkout's results/ folder.
func (f configFlags) resultsDir() (string, error) { return resultsDir(*f.results) }

func resultsDir(flagValue string) (string, error) { return repo.Dir(flagValue, "results") }

func experimentsDir(flagValue string) (string, error) { return repo.Dir(flagValue, "experiments") }

// backendSetting merges -backend with the backend setting: setting if
// given (a configuration's), else the one the -config files and -set name
// (merged as extraSettings does). Either may name it; both must agree.
func (f configFlags) backendSetting(setting string) (string, error) {
	flagValue := strings.TrimSpace(*f.backend)
	if setting == "" {
		merged, err := f.extraSettings()
		if err != nil {
			return "", err
		}
		c := config.Defaults()
		if err := c.Set(merged); err != nil {
			return "", err
		}
		setting = c.Backend
	}
	switch {
	case flagValue == "" || flagValue == setting:
		return setting, nil
	case setting == "":
		return flagValue, nil
	}
	return "", fmt.Errorf("-backend %q and the setting backend=%q disagree: give the backend once", flagValue, setting)
}

// extraSettings merges the -config files, in order, and then -set into
// one layer of settings: later ones override earlier ones key by key
// (config.Merge); within one file or -set each key is given once.
func (f configFlags) extraSettings() (string, error) {
	var layers []string
	for _, path := range strings.Split(*f.configs, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("-config: %w", err)
		}
		// Check the file alone first, so that an error names it.
		probe := config.Defaults()
		if err := probe.SetFile(path); err != nil {
			return "", fmt.Errorf("-config: %w", err)
		}
		layers = append(layers, string(b))
	}
	merged, err := config.Merge(append(layers, f.set.String())...)
	if err != nil {
		return "", fmt.Errorf("-set: %w", err)
	}
	return merged, nil
}

// settingsFlag is -set: repeating it adds to the same settings (each key
// still given once), where a plain string flag would keep only the last.
type settingsFlag struct{ parts []string }

func newSettingsFlag(fs *flag.FlagSet, name, usage string) *settingsFlag {
	f := &settingsFlag{}
	fs.Var(f, name, usage)
	return f
}

func (f *settingsFlag) String() string { return strings.Join(f.parts, ";") }

// Set adds one -set value.
func (f *settingsFlag) Set(v string) error {
	f.parts = append(f.parts, v)
	return nil
}

func cmdSummary(args []string) error {
	fs := flag.NewFlagSet("summary", flag.ExitOnError)
	variant := fs.String("model", "nin", "model variant: "+strings.Join(nin.Variants(), ", "))
	input := fs.String("input", "32x32x3", "input size HxWxC")
	classes := fs.Int("classes", 10, "number of classes")
	set := fs.String("set", "", `model settings "key=value;..." (e.g. "width=0.5;bottleneck=0.25")`)
	match := fs.String("match", "", "find the width at which -model costs as much as this variant (with the same settings)")
	by := fs.String("by", "params", "what -match equalizes: params or macs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c := config.Defaults()
	c.Spec = nin.Defaults()
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
		ref := c.Spec
		ref.Variant = *match
		rs, err := nin.Account(ref)
		if err != nil {
			return err
		}
		w, err := nin.MatchWidth(c.Spec, rs, *by)
		if err != nil {
			return err
		}
		c.Width = w
		fmt.Printf("width %.4f of %s matches %s's %s (%s params, %s mult-adds)\n\n", c.Width, c.Variant, *match, *by, nin.Commas(rs.Params), nin.Commas(rs.MACs))
	}
	s, err := nin.Account(c.Spec)
	if err != nil {
		return err
	}
	fmt.Printf("%s (%s widths, width x%g): %s\n\n", s.Variant, c.Widths, c.Width, nin.Claim(s.Variant))
	s.Print(os.Stdout)
	fmt.Printf("\n%s parameters, %s multiply-adds (%.1f MFLOP) per image forward\n", nin.Commas(s.Params), nin.Commas(s.MACs), float64(s.FLOPs())/1e6)
	return nil
}
