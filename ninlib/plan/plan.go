// Package plan reads named experiments (experiments/<name>.set files) and
// runs them: every arm x dataset x seed a plan names, skipping runs already
// completed with the same configuration and resuming interrupted ones, so a
// plan can be rerun after a crash without losing or duplicating anything.
package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ninbench/nin/ninlib/config"
)

// Arm is one variant of an experiment: a label and the settings that
// distinguish it from the plan's base settings.
type Arm struct {
	Name string
	Set  string
	// From names another experiment whose arm of the same name is this
	// arm: its runs are shown in this experiment's table and not trained
	// again ("arm nin: from gap-vs-fc").
	From string
}

// Plan is a parsed experiment file.
type Plan struct {
	Name string
	// Claim is the paper's claim under test, Paper the number(s) it reports.
	Claim, Paper string
	// Kind is "train" or a kind of probe of trained runs (package probe
	// registers them: translation, input-size, confidence-maps,
	// generalization).
	Kind string
	// Source names the training experiment whose runs a probe analyses.
	Source   string
	Datasets []string
	Seeds    []uint64
	Arms     []Arm
	// Base holds the settings shared by every arm (key=value lines).
	Base string
	// Params are a probe's parameters, by key (see ProbeKind).
	Params map[string][]int
	// Order places the experiment's tables in results/README.md (lower
	// first; 0 = after the ordered ones, by name).
	Order int
	// Path is the file the plan was read from.
	Path string
}

// ProbeKind is what experiment files know of a kind of probe; package
// probe declares the kinds, with everything else they do.
type ProbeKind struct {
	Name string
	// Params are the kind's experiment-file keys, each a list of integers,
	// with their defaults (nil: the key is required).
	Params map[string][]int
	// Check, if not nil, validates the parameters.
	Check func(params map[string][]int) error
}

var probeKinds = map[string]ProbeKind{}

// RegisterProbeKind makes a kind of probe known to experiment files
// ("kind = NAME" and its parameters). Package probe registers its kinds
// when it is imported.
func RegisterProbeKind(k ProbeKind) { probeKinds[k.Name] = k }

// isProbeParam reports whether key is a parameter of any kind of probe.
func isProbeParam(key string) bool {
	for _, k := range probeKinds {
		if _, ok := k.Params[key]; ok {
			return true
		}
	}
	return false
}

// Names lists the experiments in dir.
func Names(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.set"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".set"))
	}
	slices.Sort(names)
	return names, nil
}

// Load reads experiment name from dir and checks the experiments it
// refers to: every "arm X: from E" needs an experiment E with an arm X,
// and a probe's "source = E" a training experiment E.
func Load(dir, name string) (*Plan, error) {
	p, err := loadFile(dir, name)
	if err != nil {
		return nil, err
	}
	for _, a := range p.Arms {
		if a.From == "" {
			continue
		}
		src, err := loadFile(dir, a.From)
		if err != nil {
			return nil, fmt.Errorf("%s: arm %s: from %s: %w", p.Path, a.Name, a.From, err)
		}
		if !slices.ContainsFunc(src.Arms, func(b Arm) bool { return b.Name == a.Name && b.From == "" }) {
			return nil, fmt.Errorf("%s: arm %s: from %s: experiment %s trains no arm %q", p.Path, a.Name, a.From, a.From, a.Name)
		}
	}
	if p.Kind != "train" {
		src, err := loadFile(dir, p.Source)
		if err != nil {
			return nil, fmt.Errorf("%s: source = %s: %w", p.Path, p.Source, err)
		}
		if src.Kind != "train" {
			return nil, fmt.Errorf("%s: source = %s: that experiment is a %s probe, not a training experiment", p.Path, p.Source, src.Kind)
		}
	}
	return p, nil
}

// loadFile reads and parses one experiment file, with its includes.
func loadFile(dir, name string) (*Plan, error) {
	path := filepath.Join(dir, name+".set")
	b, err := os.ReadFile(path)
	if err != nil {
		names, _ := Names(dir)
		if len(names) == 0 {
			return nil, fmt.Errorf("unknown experiment %q: %s holds no experiment files (*.set); run from inside the repository or pass -experiments DIR", name, dir)
		}
		return nil, fmt.Errorf("unknown experiment %q (no %s): valid experiments are %s", name, path, strings.Join(names, ", "))
	}
	text, err := expandIncludes(dir, string(b), 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := Parse(name, text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p.Path = path
	return p, nil
}

// expandIncludes replaces "include = FILE" lines by FILE's content (FILE
// relative to dir), so experiments that must be comparable share one
// settings file.
func expandIncludes(dir, text string, depth int) (string, error) {
	if depth > 4 {
		return "", fmt.Errorf("includes nested too deep")
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(k) != "include" {
			continue
		}
		v, _, _ = strings.Cut(v, "#")
		b, err := os.ReadFile(filepath.Join(dir, strings.TrimSpace(v)))
		if err != nil {
			return "", fmt.Errorf("line %d: %w", i+1, err)
		}
		inc, err := expandIncludes(dir, string(b), depth+1)
		if err != nil {
			return "", err
		}
		lines[i] = inc
	}
	return strings.Join(lines, "\n"), nil
}

// Parse parses the text of an experiment file. Lines are "key = value"
// (plan keys or config.Config keys, '#' starts a comment) or
// "arm NAME: key=value; key=value".
func Parse(name, text string) (*Plan, error) {
	p := &Plan{Name: name, Kind: "train", Datasets: []string{"mnist"}, Seeds: []uint64{1}}
	var base []string
	params := map[string][]int{}
	seen := map[string]int{} // key or "arm NAME" -> line
	for i, raw := range strings.Split(text, "\n") {
		line := raw
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		lineErr := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s", i+1, fmt.Sprintf(format, args...))
		}
		if rest, ok := strings.CutPrefix(line, "arm "); ok {
			an, set, ok := strings.Cut(rest, ":")
			an = strings.TrimSpace(an)
			if !ok || an == "" || strings.ContainsAny(an, " /") {
				return nil, lineErr("expected \"arm NAME: key=value; ...\"")
			}
			if prev, dup := seen["arm "+an]; dup {
				return nil, lineErr("arm %s is defined twice (lines %d and %d): give each arm once", an, prev, i+1)
			}
			seen["arm "+an] = i + 1
			set = strings.TrimSpace(set)
			if from, ok := strings.CutPrefix(set, "from "); ok {
				p.Arms = append(p.Arms, Arm{Name: an, From: strings.TrimSpace(from)})
				continue
			}
			p.Arms = append(p.Arms, Arm{Name: an, Set: set})
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, lineErr("expected key = value, got %q", line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if prev, dup := seen[k]; dup {
			return nil, lineErr("%s is set twice (lines %d and %d of the file with its includes): set it once", k, prev, i+1)
		}
		seen[k] = i + 1
		var err error
		switch k {
		case "claim":
			p.Claim = v
		case "paper":
			p.Paper = v
		case "kind":
			if _, ok := probeKinds[v]; !ok && v != "train" {
				return nil, lineErr("kind %q: expected %s", v, strings.Join(append([]string{"train"}, probeKindNames()...), ", "))
			}
			p.Kind = v
		case "source":
			p.Source = v
		case "datasets":
			p.Datasets, err = parseNames(v)
		case "seeds":
			p.Seeds, err = parseUints(v)
		case "dataset":
			err = fmt.Errorf("an experiment names its datasets with \"datasets = a, b\"")
		case "order":
			p.Order, err = strconv.Atoi(v)
		default:
			if isProbeParam(k) {
				params[k], err = parseInts(v)
			} else {
				base = append(base, k+"="+v)
			}
		}
		if err != nil {
			return nil, lineErr("%s: %v", k, err)
		}
	}
	p.Base = strings.Join(base, ";")
	if p.Kind == "train" && len(p.Arms) == 0 {
		return nil, fmt.Errorf("a training experiment needs at least one \"arm NAME: settings\" line")
	}
	if p.Kind != "train" && p.Source == "" {
		return nil, fmt.Errorf("a %s probe needs \"source = <training experiment>\"", p.Kind)
	}
	if err := p.setParams(params); err != nil {
		return nil, err
	}
	// Check every arm's settings now, so a typo fails before hours of training.
	for _, a := range p.arms() {
		if a.From != "" {
			continue
		}
		for _, ds := range p.Datasets {
			if _, err := p.Config(a, ds, p.Seeds[0], ""); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// setParams checks the probe parameters given against the plan's kind and
// fills in the kind's defaults.
func (p *Plan) setParams(given map[string][]int) error {
	kind, isProbe := probeKinds[p.Kind]
	for key := range given {
		if _, ok := kind.Params[key]; !ok {
			return fmt.Errorf("%s is not a parameter of a %s experiment", key, p.Kind)
		}
	}
	if !isProbe {
		return nil
	}
	p.Params = map[string][]int{}
	for key, def := range kind.Params {
		v, ok := given[key]
		if !ok {
			v = def
		}
		if v == nil {
			return fmt.Errorf("a %s probe needs \"%s = …\" (a list of integers)", p.Kind, key)
		}
		p.Params[key] = v
	}
	if kind.Check != nil {
		return kind.Check(p.Params)
	}
	return nil
}

func probeKindNames() []string {
	var names []string
	for n := range probeKinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (p *Plan) arms() []Arm {
	if len(p.Arms) == 0 {
		return []Arm{{Name: "default"}}
	}
	return p.Arms
}

// Config returns the configuration of one run: defaults, adapted to the
// dataset, then the plan's base settings, the arm's, and extra (the
// command line's -set), in that order.
func (p *Plan) Config(a Arm, dataset string, seed uint64, extra string) (config.Config, error) {
	for _, layer := range []string{p.Base, a.Set, extra} {
		if slices.Contains(config.SettingKeys(layer), "dataset") {
			return config.Config{}, fmt.Errorf("arm %s: dataset=… in %q: an experiment's datasets are its \"datasets = a, b\" line (or -datasets)", a.Name, layer)
		}
	}
	c, err := config.New("dataset="+dataset, p.Base, a.Set, extra)
	if err != nil {
		return c, fmt.Errorf("arm %s: %w", a.Name, err)
	}
	c.Seed = seed
	c.Experiment, c.Arm = p.Name, a.Name
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("arm %s, dataset %s: %w", a.Name, dataset, err)
	}
	return c, nil
}

// FilterArms keeps only the arms named (all if names is empty).
func (p *Plan) FilterArms(names []string) error {
	if len(names) == 0 {
		return nil
	}
	var keep []Arm
	for _, n := range names {
		i := slices.IndexFunc(p.Arms, func(a Arm) bool { return a.Name == n })
		if i < 0 {
			var valid []string
			for _, a := range p.Arms {
				valid = append(valid, a.Name)
			}
			return fmt.Errorf("experiment %s has no arm %q: its arms are %s", p.Name, n, strings.Join(valid, ", "))
		}
		keep = append(keep, p.Arms[i])
	}
	p.Arms = keep
	return nil
}

// strictList splits a comma-separated list, refusing empty items and an
// empty list.
func strictList(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			return nil, fmt.Errorf("%q: empty item in the list", s)
		}
		out = append(out, f)
	}
	return out, nil
}

// parseNames parses a non-empty list of names without duplicates.
func parseNames(s string) ([]string, error) {
	out, err := strictList(s)
	if err != nil {
		return nil, err
	}
	for i, n := range out {
		if slices.Contains(out[:i], n) {
			return nil, fmt.Errorf("%q is listed twice", n)
		}
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	items, err := strictList(s)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range items {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseUints(s string) ([]uint64, error) {
	items, err := parseNames(s)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, f := range items {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a non-negative integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseSeeds parses a comma-separated seed list (for -seeds).
func ParseSeeds(s string) ([]uint64, error) { return parseUints(s) }

// ParseList parses a comma-separated list of names (for -datasets,
// -arms): no empty item, no name twice; "" is the empty list.
func ParseList(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	return parseNames(s)
}

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
	o := RunOptions{ResultsDir: "../results", Extra: os.Getenv("NIN_NB_SET"), Backend: os.Getenv("GOMLX_BACKEND"), Progress: "lines",
		Command: "notebook (see the notebook's parameter cell)"}
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

// Sweep returns an in-memory plan whose arms are the cartesian product of
// a grid "key=v1,v2;key2=w1,w2" of settings (applied after base), for
// hyperparameter sweeps. Arm names spell their settings ("lr=0.001+width=0.5").
func Sweep(name, base, grid string, datasets []string, seeds []uint64) (*Plan, error) {
	p := &Plan{Name: name, Kind: "train", Datasets: datasets, Seeds: seeds, Base: base,
		Claim: "hyperparameter sweep over " + grid}
	arms := []Arm{{}}
	keys := map[string]bool{}
	for _, axis := range strings.Split(grid, ";") {
		axis = strings.TrimSpace(axis)
		if axis == "" {
			continue
		}
		k, vals, ok := strings.Cut(axis, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.TrimSpace(vals) == "" {
			return nil, fmt.Errorf("-grid %q: expected key=v1,v2;key2=w1,...", axis)
		}
		if keys[k] {
			return nil, fmt.Errorf("-grid: %s is given twice: list all its values once (%s=a,b)", k, k)
		}
		keys[k] = true
		values, err := parseNames(vals)
		if err != nil {
			return nil, fmt.Errorf("-grid %s: %w", k, err)
		}
		var next []Arm
		for _, a := range arms {
			for _, v := range values {
				kv := k + "=" + v
				n := kv
				if a.Name != "" {
					n = a.Name + "+" + kv
				}
				next = append(next, Arm{Name: n, Set: strings.TrimPrefix(a.Set+";"+kv, ";")})
			}
		}
		arms = next
	}
	if len(arms) == 1 && arms[0].Name == "" {
		return nil, fmt.Errorf("-grid is empty: give at least one key=v1,v2")
	}
	p.Arms = arms
	for _, a := range arms {
		if strings.ContainsAny(a.Name, " /") {
			return nil, fmt.Errorf("sweep value in %q: no spaces or slashes", a.Name)
		}
		for _, ds := range datasets {
			if _, err := p.Config(a, ds, seeds[0], ""); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}
