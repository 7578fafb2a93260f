package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/repo"
	"github.com/ninbench/nin/ninlib/runs"
)

// slurmFlags are submit's resource flags.
type slurmFlags struct {
	o    plan.SlurmOptions
	site *string
	dry  *bool
}

func addSlurmFlags(fs *flag.FlagSet) *slurmFlags {
	f := &slurmFlags{}
	fs.StringVar(&f.o.Partition, "partition", "", "Slurm partition (--partition)")
	fs.StringVar(&f.o.Time, "time", "", "time limit per run (--time), e.g. 4:00:00")
	fs.IntVar(&f.o.CPUs, "cpus", 0, "CPUs per run (--cpus-per-task)")
	fs.StringVar(&f.o.Mem, "mem", "", "memory per run (--mem), e.g. 8G")
	fs.StringVar(&f.o.GRES, "gres", "", "generic resources per run (--gres), e.g. gpu:1 (with -backend xla:cuda)")
	fs.StringVar(&f.o.Account, "account", "", "account to charge (--account)")
	fs.StringVar(&f.o.QOS, "qos", "", "quality of service (--qos)")
	fs.StringVar(&f.o.Constraint, "constraint", "", "node features required (--constraint), e.g. avx512")
	fs.Var((*linesFlag)(&f.o.Lines), "sbatch", `an extra #SBATCH line, e.g. "--qos=high" (repeatable)`)
	f.site = fs.String("site", "", "a file of the site's defaults: partition/time/cpus/mem/gres/account/qos/constraint = …, sbatch = … (flags win)")
	f.dry = fs.Bool("dry-run", false, "print the batch scripts and submit nothing")
	return f
}

// linesFlag collects a repeatable flag.
type linesFlag []string

func (l *linesFlag) String() string     { return strings.Join(*l, "; ") }
func (l *linesFlag) Set(v string) error { *l = append(*l, v); return nil }

// cmdSubmit turns an experiment (or a sweep) into a Slurm job array, one
// task per run not completed yet, and a job that regenerates the tables
// after the array ends.
func cmdSubmit(args []string) error {
	name, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	fs := flag.NewFlagSet("submit", flag.ExitOnError)
	cf := addConfigFlags(fs)
	rf := addRunFlags(fs)
	sf := addSlurmFlags(fs)
	grid := fs.String("grid", "", `submit a sweep instead of a named experiment: "key=v1,v2;key2=w1,w2" (with -name)`)
	sweepName := fs.String("name", "sweep", "the sweep's experiment name (with -grid)")
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if err := checkRunFlags(fs); err != nil {
		return err
	}
	if (name == "") == (*grid == "") {
		return fmt.Errorf("submit needs an experiment name (submit NAME) or a sweep (-grid \"k=a,b\" -name NAME), one of them")
	}
	if *sf.site != "" {
		if err := sf.o.SetSite(*sf.site); err != nil {
			return err
		}
	}
	o, err := cf.runOptions("", *sf.dry)
	if err != nil {
		return err
	}
	p, exps, err := submittedPlan(name, *grid, *sweepName, cf, rf, o.ResultsDir, *sf.dry)
	if err != nil {
		return err
	}
	if o.Extra, err = rf.extra(cf); err != nil {
		return err
	}
	return submit(p, exps, o, sf)
}

// submittedPlan loads the named experiment, or makes the sweep and writes
// it as an experiment file under RESULTS/slurm/experiments (its tasks run
// `run NAME` on it; a temporary folder for a dry run); it returns the plan
// and its experiments folder.
func submittedPlan(name, grid, sweepName string, cf configFlags, rf runFlags, results string, dry bool) (*plan.Plan, string, error) {
	if name != "" {
		exps, err := experimentsDir(*cf.experiments)
		if err != nil {
			return nil, "", err
		}
		p, err := plan.Load(exps, name)
		if err != nil {
			return nil, "", err
		}
		if p.Kind != "train" {
			return nil, "", fmt.Errorf("experiment %s is a %s probe: submit its source, %s, and run the probe where the records are", name, p.Kind, p.Source)
		}
		return p, exps, rf.restrict(p)
	}
	base, err := cf.extraSettings()
	if err != nil {
		return nil, "", err
	}
	seeds, datasets := rf.sweepSeedsAndDatasets()
	p, err := plan.Sweep(sweepName, base, grid, datasets, seeds)
	if err != nil {
		return nil, "", err
	}
	exps := filepath.Join(results, plan.SlurmDir, "experiments")
	if dry { // written where it leaves no trace
		if exps, err = os.MkdirTemp("", "nin-sweep-"); err != nil {
			return nil, "", err
		}
	}
	if err := os.MkdirAll(exps, 0o755); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(exps, sweepName+".set"), []byte(p.File()), 0o644); err != nil {
		return nil, "", err
	}
	p, err = plan.Load(exps, sweepName)
	return p, exps, err
}

// submit writes the batch scripts of p's pending runs and hands them to
// sbatch (or prints them with -dry-run).
func submit(p *plan.Plan, exps string, o plan.RunOptions, sf *slurmFlags) error {
	tasks, err := p.Pending(o.ResultsDir, o.Extra, o.Backend)
	if err != nil {
		return err
	}
	if len(tasks) == 0 {
		fmt.Printf("every run of %s is complete in %s: nothing to submit\n", p.Name, o.ResultsDir)
		return nil
	}
	for i := range tasks {
		tasks[i].Index = i
	}
	root, err := repo.Root()
	if err != nil {
		return err
	}
	slurmDir := filepath.Join(o.ResultsDir, plan.SlurmDir)
	bin, err := taskBinary(slurmDir, *sf.dry)
	if err != nil {
		return err
	}
	common := []string{"-results", o.ResultsDir, "-experiments", exps}
	if o.Extra != "" {
		common = append(common, "-set", o.Extra)
	}
	if o.Backend != "" {
		common = append(common, "-backend", o.Backend)
	}
	script := plan.BatchScript(p.Name, bin, root, slurmDir, tasks, common, sf.o)
	table := plan.TableScript(p.Name, bin, root, slurmDir, []string{"-results", o.ResultsDir})
	if *sf.dry {
		fmt.Printf("# %d of the runs of %s are not complete in %s; sbatch would get:\n%s\n# then, with --dependency=afterany:<array job>:\n%s", len(tasks), p.Name, o.ResultsDir, script, table)
		return nil
	}
	stamp := time.Now().UTC().Format("20060102T150405")
	scriptPath := filepath.Join(slurmDir, fmt.Sprintf("%s.%s.sbatch", p.Name, stamp))
	tablePath := filepath.Join(slurmDir, fmt.Sprintf("%s.%s.table.sbatch", p.Name, stamp))
	for path, text := range map[string]string{scriptPath: script, tablePath: table} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	array, err := sbatch(scriptPath)
	if err != nil {
		return err
	}
	tableJob, err := sbatch("--dependency=afterany:"+array, tablePath)
	if err != nil {
		return fmt.Errorf("the array is job %s, but the table job was refused: %w", array, err)
	}
	for i := range tasks {
		tasks[i].Log = filepath.Join(slurmDir, fmt.Sprintf("%s.%s_%d.out", p.Name, array, i))
	}
	sub := plan.Submission{Experiment: p.Name, Submitted: time.Now().UTC(), ArrayJob: array, TableJob: tableJob, Script: scriptPath,
		Tasks: tasks, Extra: o.Extra, Backend: o.Backend, Experiments: exps}
	if err := plan.WriteSubmission(o.ResultsDir, sub); err != nil {
		return err
	}
	fmt.Printf("submitted %d runs of %s as job array %s (scripts in %s); tables: job %s after it\n  follow it with: experiments status %s -results %s\n",
		len(tasks), p.Name, array, slurmDir, tableJob, p.Name, o.ResultsDir)
	return nil
}

// taskBinary copies this very binary beside the records (the results
// folder is shared with the nodes), named by its content, and returns its
// path: every task runs exactly the code that submitted it.
func taskBinary(slurmDir string, dry bool) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(self)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	path := filepath.Join(slurmDir, "bin", fmt.Sprintf("experiments-%x", sum[:6]))
	if dry {
		return path, nil
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("cannot create %s: %w (is the results folder writable?)", filepath.Dir(path), err)
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, b, 0o755); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// sbatch submits a script and returns the job id.
func sbatch(args ...string) (string, error) {
	out, err := exec.Command("sbatch", append([]string{"--parsable"}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("sbatch %s: %v: %s (is Slurm reachable? sinfo shows the cluster)", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	return id, nil
}

// cmdStatus shows each run of an experiment: from the records, the
// submissions' manifests and Slurm's queue.
func cmdStatus(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("status needs an experiment name: status NAME")
	}
	fs := flag.NewFlagSet("status", flag.ExitOnError)
	resultsFlag := fs.String("results", "", "results directory (default: results/ of the checkout)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	results, err := resultsDir(*resultsFlag)
	if err != nil {
		return err
	}
	subs, err := plan.ReadSubmissions(results, args[0])
	if err != nil {
		return err
	}
	exps, extra, backend := "", "", ""
	if len(subs) > 0 {
		exps, extra, backend = subs[0].Experiments, subs[0].Extra, subs[0].Backend
	} else if exps, err = experimentsDir(""); err != nil {
		return err
	}
	p, err := plan.Load(exps, args[0])
	if err != nil {
		return err
	}
	// Slurm's queue matters only to runs submitted to it: an experiment
	// run locally (or on a machine without Slurm) does not read it.
	var queue []plan.QueueEntry
	var qerr error
	if len(subs) > 0 {
		queue, qerr = squeue()
	}
	st, err := p.Status(results, extra, backend, queue)
	if err != nil {
		return err
	}
	writeStatus(os.Stdout, p.Name, st)
	if qerr != nil {
		fmt.Printf("(Slurm's queue was not read: %v)\n", qerr)
	}
	return nil
}

// squeue reads Slurm's queue, array tasks one per line.
func squeue() ([]plan.QueueEntry, error) {
	out, err := exec.Command("squeue", "-h", "-r", "-o", "%i|%T").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("squeue: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return plan.ParseQueue(string(out)), nil
}

// writeStatus prints one line per run, with the time each run not yet
// completed should take on this machine (marked * where it is drawn from
// another kind of machine), a count per state and the time left in all.
func writeStatus(w io.Writer, name string, st []plan.RunStatus) {
	counts := map[string]int{}
	var order []string
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "run (%s)\tstate\ttime left\trecord or log\n", name)
	var left time.Duration
	unknown, elsewhere := 0, 0
	for _, s := range st {
		est := ""
		switch e := s.Expected; {
		case s.State == runs.StatusCompleted:
		case !e.Known():
			est = "no estimate"
			unknown++
		case e.Elsewhere != "":
			est = plan.About(e.Time) + "*"
			left += e.Time
			elsewhere++
		default:
			est = plan.About(e.Time)
			left += e.Time
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Label(), s.State, est, s.Where)
		if counts[s.State] == 0 {
			order = append(order, s.State)
		}
		counts[s.State]++
	}
	tw.Flush()
	for _, l := range strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n") {
		fmt.Fprintln(w, strings.TrimRight(l, " ")) // no padding after a run's last cell
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	fmt.Fprintf(w, "%d runs: %s\n", len(st), strings.Join(parts, ", "))
	open := len(st) - counts[runs.StatusCompleted]
	if open == 0 {
		return
	}
	fmt.Fprintf(w, "time left: %s, one run at a time on this machine (each run's time per epoch as recorded by completed runs of its model and data on this kind of machine)", plan.About(left))
	if unknown > 0 {
		fmt.Fprintf(w, ", and %d of the %d runs left have no estimate", unknown, open)
	}
	fmt.Fprintln(w)
	if elsewhere > 0 {
		fmt.Fprintf(w, "* %d of the %d runs left: no run of its model and data on this kind of machine yet, so from another kind, scaled by how this machine ran the models both have run (`run %s -dry` says from which)\n", elsewhere, open, name)
	}
}
