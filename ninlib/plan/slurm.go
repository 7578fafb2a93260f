package plan

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
)

// Task is one run of a plan: one task of a Slurm job array.
type Task struct {
	Index   int    `json:"index"`
	Arm     string `json:"arm"`
	Dataset string `json:"dataset"`
	Seed    uint64 `json:"seed"`
	// Log is the task's Slurm output file (set once the job is submitted).
	Log string `json:"log,omitempty"`
}

// Label names the run of a task.
func (t Task) Label() string { return fmt.Sprintf("%s / %s / seed %d", t.Arm, t.Dataset, t.Seed) }

// Tasks lists the runs of p (arm x dataset x seed, in the order Train runs
// them, arms shared from another experiment aside) with their
// configurations; extra and backend are those of the command line.
func (p *Plan) Tasks(extra, backend string) ([]Task, []config.Config, error) {
	var tasks []Task
	var cfgs []config.Config
	for _, ds := range p.Datasets {
		for _, a := range p.arms() {
			if a.From != "" {
				continue
			}
			for _, seed := range p.Seeds {
				c, err := p.Config(a, ds, seed, extra)
				if err != nil {
					return nil, nil, err
				}
				c.Backend = backend
				tasks = append(tasks, Task{Arm: a.Name, Dataset: ds, Seed: seed})
				cfgs = append(cfgs, c)
			}
		}
	}
	return tasks, cfgs, nil
}

// Pending is Tasks without the runs already completed in resultsDir.
func (p *Plan) Pending(resultsDir, extra, backend string) ([]Task, error) {
	tasks, cfgs, err := p.Tasks(extra, backend)
	if err != nil {
		return nil, err
	}
	recs, _ := runs.ReadAll(resultsDir)
	var out []Task
	for i, t := range tasks {
		if st, _, _ := runState(recs, cfgs[i]); st != runs.StatusCompleted {
			out = append(out, t)
		}
	}
	return out, nil
}

// runState is the state of the newest-status record of configuration c:
// completed if any completed, else that of the newest record, "" if none;
// with that record's directory and the epochs it trained.
func runState(recs []runs.Record, c config.Config) (state, dir string, epochs int) {
	var newest time.Time
	for _, r := range recs {
		if !SameRun(r.Config, c) {
			continue
		}
		if r.Summary.Status == runs.StatusCompleted {
			return runs.StatusCompleted, r.Dir, r.Summary.Epochs
		}
		if dir == "" || r.Summary.Start.After(newest) {
			state, dir, epochs, newest = r.Summary.Status, r.Dir, r.Summary.Epochs, r.Summary.Start
		}
	}
	return state, dir, epochs
}

// SlurmOptions are the resources and settings of a submission. Empty
// fields are left to the site's defaults.
type SlurmOptions struct {
	Partition string // --partition
	Time      string // --time, e.g. 4:00:00
	CPUs      int    // --cpus-per-task
	Mem       string // --mem, e.g. 8G
	GRES      string // --gres, e.g. gpu:1
	Account   string // --account
	// QOS is --qos, the quality of service (priority, limits), e.g. high.
	QOS string
	// Constraint is --constraint, the node features required, e.g.
	// avx512: GoMLX's kernels differ between AVX-512 and AVX2-only CPUs,
	// so a timing study wants one kind.
	Constraint string
	// Lines are extra "#SBATCH" lines, e.g. "--exclusive".
	Lines []string
}

// SetSite applies a site's defaults from a file of "key = value" lines
// (partition, time, cpus, mem, gres, account, qos, constraint; sbatch =
// an extra line,
// repeatable), leaving what o already names.
func (o *SlurmOptions) SetSite(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("-site: %w", err)
	}
	seen := map[string]bool{}
	for i, raw := range strings.Split(string(b), "\n") {
		line, _, _ := strings.Cut(raw, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" {
			return fmt.Errorf("%s line %d: expected key = value", path, i+1)
		}
		if seen[k] && k != "sbatch" {
			return fmt.Errorf("%s line %d: %s is set twice", path, i+1, k)
		}
		seen[k] = true
		if err := o.setSite(k, v); err != nil {
			return fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
	}
	return nil
}

func (o *SlurmOptions) setSite(k, v string) error {
	str := map[string]*string{"partition": &o.Partition, "time": &o.Time, "mem": &o.Mem, "gres": &o.GRES, "account": &o.Account, "qos": &o.QOS, "constraint": &o.Constraint}
	switch {
	case str[k] != nil:
		if *str[k] == "" {
			*str[k] = v
		}
	case k == "cpus":
		var n int
		if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 1 {
			return fmt.Errorf("cpus = %q: expected a positive integer", v)
		}
		if o.CPUs == 0 {
			o.CPUs = n
		}
	case k == "sbatch":
		o.Lines = append(o.Lines, v)
	default:
		return fmt.Errorf("unknown key %q: expected partition, time, cpus, mem, gres, account, qos, constraint or sbatch", k)
	}
	return nil
}

// directives are the #SBATCH lines of the resources.
func (o SlurmOptions) directives() []string {
	var d []string
	add := func(flag, v string) {
		if v != "" {
			d = append(d, flag+"="+v)
		}
	}
	add("--partition", o.Partition)
	add("--time", o.Time)
	if o.CPUs > 0 {
		add("--cpus-per-task", fmt.Sprint(o.CPUs))
	}
	add("--mem", o.Mem)
	add("--gres", o.GRES)
	add("--account", o.Account)
	add("--qos", o.QOS)
	add("--constraint", o.Constraint)
	return append(d, o.Lines...)
}

// Submission is what `submit` hands to sbatch, and its manifest
// (RESULTS/slurm/NAME.JOBID.json), which `status` reads.
type Submission struct {
	Experiment string    `json:"experiment"`
	Submitted  time.Time `json:"submitted"`
	ArrayJob   string    `json:"array_job"`
	TableJob   string    `json:"table_job"`
	Script     string    `json:"script"`
	Tasks      []Task    `json:"tasks"`
	// Extra, Backend and Experiments are the command line's settings,
	// backend and experiments folder: with them the tasks' configurations
	// can be computed again (by status).
	Extra       string `json:"extra,omitempty"`
	Backend     string `json:"backend,omitempty"`
	Experiments string `json:"experiments"`
}

// BatchScript is the sbatch script of a job array running tasks: task i
// runs `BIN run NAME -arms A -datasets D -seeds S` followed by common (the
// results and experiments folders, -set, -backend), from dir (the
// checkout). Each task writes its Slurm log to logDir, leaves a
// TASK.failed file there if it ends with an error (removed when it is
// requeued), and may be requeued: a requeued task resumes its run from the
// last committed epoch.
func BatchScript(name, bin, dir, logDir string, tasks []Task, common []string, o SlurmOptions) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=nin-%s\n", name)
	fmt.Fprintf(&b, "#SBATCH --array=0-%d\n", len(tasks)-1)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(logDir, name+".%A_%a.out"))
	b.WriteString("#SBATCH --requeue\n")
	b.WriteString("#SBATCH --open-mode=append\n")
	for _, d := range o.directives() {
		fmt.Fprintf(&b, "#SBATCH %s\n", d)
	}
	fmt.Fprintf(&b, "# %d runs of experiment %s (arm / dataset / seed), one per array task:\n", len(tasks), name)
	b.WriteString("tasks=(\n")
	for _, t := range tasks {
		fmt.Fprintf(&b, "  %s  # %d: %s\n", ShellQuote(fmt.Sprintf("-arms %s -datasets %s -seeds %d", t.Arm, t.Dataset, t.Seed)), t.Index, t.Label())
	}
	b.WriteString(")\n")
	fmt.Fprintf(&b, "failed=%s/%s.${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.failed\n", ShellQuote(logDir), name)
	b.WriteString("rm -f \"$failed\"\n")
	fmt.Fprintf(&b, "cd %s || exit 1\n", ShellQuote(dir))
	var q []string
	for _, a := range common {
		q = append(q, ShellQuote(a))
	}
	fmt.Fprintf(&b, "%s run %s ${tasks[$SLURM_ARRAY_TASK_ID]} -progress lines %s\n", ShellQuote(bin), ShellQuote(name), strings.Join(q, " "))
	b.WriteString("rc=$?\n")
	b.WriteString("if [ $rc -ne 0 ]; then echo \"exit $rc\" > \"$failed\"; fi\n")
	b.WriteString("exit $rc\n")
	return b.String()
}

// TableScript is the sbatch script of the job that regenerates the tables
// once the array has ended, whatever its tasks' outcome (afterany: with
// afterok a failed task would leave it pending forever).
func TableScript(name, bin, dir, logDir string, common []string) string {
	var q []string
	for _, a := range common {
		q = append(q, ShellQuote(a))
	}
	return fmt.Sprintf("#!/bin/bash\n#SBATCH --job-name=nin-%s-table\n#SBATCH --output=%s\ncd %s || exit 1\n%s table %s\n",
		name, filepath.Join(logDir, name+".table.%j.out"), ShellQuote(dir), ShellQuote(bin), strings.Join(q, " "))
}

// QueueEntry is one line of squeue: a job or array task and its state.
type QueueEntry struct{ ID, State string }

// ParseQueue parses `squeue -h -r -o %i|%T` output ("123_4|RUNNING").
func ParseQueue(out string) []QueueEntry {
	var q []QueueEntry
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if id, st, ok := strings.Cut(strings.TrimSpace(sc.Text()), "|"); ok {
			q = append(q, QueueEntry{ID: id, State: st})
		}
	}
	return q
}

// RunStatus is one run's line in `status`.
type RunStatus struct {
	Task
	// State is pending, running, completed, failed, diverged, interrupted
	// or "not submitted".
	State string
	// Where is the run's record directory, or the log of a failed task.
	Where string
	// Expected is how long the run should take on this machine (Estimate),
	// from what an interrupted record has trained; none for a completed
	// run.
	Expected Expectation
}

// Status reports each run of p (with extra and backend as submitted) from
// the records in resultsDir, the submissions' manifests there and the
// queue: a run in the queue is pending or running; otherwise its record
// says; a task that ended with an error without a completed record is
// failed, with its log. Each run not completed has the time it is
// expected to take on this machine.
func (p *Plan) Status(resultsDir, extra, backend string, queue []QueueEntry) ([]RunStatus, error) {
	tasks, cfgs, err := p.Tasks(extra, backend)
	if err != nil {
		return nil, err
	}
	subs, err := ReadSubmissions(resultsDir, p.Name)
	if err != nil {
		return nil, err
	}
	queued := map[string]string{}
	for _, e := range queue {
		queued[e.ID] = strings.ToLower(e.State)
	}
	recs, _ := runs.ReadAll(resultsDir)
	here := runs.ThisMachine()
	var out []RunStatus
	for i, t := range tasks {
		st, dir, epochs := runState(recs, cfgs[i])
		rs := RunStatus{Task: t, State: st, Where: dir}
		if st == "" {
			rs.State = "not submitted"
		}
		if st != runs.StatusCompleted {
			rs.fromSubmissions(subs, queued, resultsDir)
			if st != runs.StatusInterrupted && st != runs.StatusRunning {
				epochs = 0 // only an interrupted run resumes (and a running one goes on)
			}
			rs.Expected = Estimate(recs, cfgs[i], here, epochs)
		}
		out = append(out, rs)
	}
	return out, nil
}

// fromSubmissions updates a run's state from the newest submission of it:
// queued (pending or running), or failed with its log.
func (rs *RunStatus) fromSubmissions(subs []Submission, queued map[string]string, resultsDir string) {
	for _, s := range subs { // newest first
		for _, t := range s.Tasks {
			if t.Arm != rs.Arm || t.Dataset != rs.Dataset || t.Seed != rs.Seed {
				continue
			}
			id := fmt.Sprintf("%s_%d", s.ArrayJob, t.Index)
			switch q := queued[id]; {
			case q == "" && queued[s.ArrayJob] == "pending":
				rs.State = "pending" // the whole array still waits
			case q == "pending" || q == "configuring" || q == "requeued":
				rs.State = "pending"
			case q != "":
				rs.State = "running"
			case fileExists(filepath.Join(resultsDir, SlurmDir, fmt.Sprintf("%s.%s.failed", s.Experiment, id))):
				if rs.State != runs.StatusInterrupted && rs.State != runs.StatusDiverged {
					rs.State = runs.StatusFailed
				}
				rs.Where = t.Log
			case rs.State == "not submitted":
				rs.State = "submitted, no record (see its log)"
				rs.Where = t.Log
			}
			return
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// SlurmDir is the folder of a results directory holding submissions:
// manifests, batch scripts, task logs, failure markers and the binary the
// tasks run.
const SlurmDir = "slurm"

// WriteSubmission writes a submission's manifest.
func WriteSubmission(resultsDir string, s Submission) error {
	if err := os.MkdirAll(filepath.Join(resultsDir, SlurmDir), 0o755); err != nil {
		return err
	}
	return runs.WriteJSON(filepath.Join(resultsDir, SlurmDir, fmt.Sprintf("%s.%s.json", s.Experiment, s.ArrayJob)), s)
}

// ReadSubmissions reads the manifests of an experiment's submissions,
// newest first.
func ReadSubmissions(resultsDir, name string) ([]Submission, error) {
	files, _ := filepath.Glob(filepath.Join(resultsDir, SlurmDir, name+".*.json"))
	var subs []Submission
	for _, f := range files {
		var s Submission
		if err := runs.ReadJSON(f, &s); err != nil {
			return nil, err
		}
		if s.Experiment == name {
			subs = append(subs, s)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Submitted.After(subs[j].Submitted) })
	return subs, nil
}

// File renders p as the text of an experiment file (for sweeps, which are
// made in memory: a submitted sweep's tasks run `run NAME` on it).
func (p *Plan) File() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by `experiments submit` from an in-memory plan\nclaim = %s\n", p.Claim)
	if p.Paper != "" {
		fmt.Fprintf(&b, "paper = %s\n", p.Paper)
	}
	var seeds []string
	for _, s := range p.Seeds {
		seeds = append(seeds, fmt.Sprint(s))
	}
	fmt.Fprintf(&b, "datasets = %s\nseeds = %s\n", strings.Join(p.Datasets, ", "), strings.Join(seeds, ", "))
	for _, kv := range strings.FieldsFunc(p.Base, func(r rune) bool { return r == ';' || r == '\n' }) {
		if kv = strings.TrimSpace(kv); kv != "" {
			fmt.Fprintf(&b, "%s\n", kv)
		}
	}
	for _, a := range p.Arms {
		fmt.Fprintf(&b, "arm %s: %s\n", a.Name, a.Set)
	}
	return b.String()
}
