// Package plan reads named experiments (experiments/<name>.set files) and
// runs them: every arm x dataset x seed a plan names, skipping runs already
// completed with the same configuration and resuming interrupted ones, so a
// plan can be rerun after a crash without losing or duplicating anything.
package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	// Source names the training experiment whose runs a probe analyses;
	// SourceArms, if set, the only arms of it analysed (a probe of the
	// budget study's longest budget: "source_arms = nin-e20").
	Source     string
	SourceArms []string
	// Shorter names the training experiments that ran this one's arms at
	// a shorter budget ("shorter = mlpconv-vs-conv, bottleneck"): arm
	// NAME-e<epochs> here lengthens their arm NAME, so the report can say
	// whether an ordering seen there holds here.
	Shorter  []string
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

// Parse parses the text of an experiment file. Lines are "key = value"
// (plan keys, a probe kind's parameters or config.Config keys; '#' starts
// a comment) or "arm NAME: key=value; key=value". Every arm's settings are
// checked on every dataset, so a typo fails before hours of training.
func Parse(name, text string) (*Plan, error) {
	ps := &parser{p: &Plan{Name: name, Kind: "train", Datasets: []string{"mnist"}, Seeds: []uint64{1}},
		params: map[string][]int{}, seen: map[string]int{}}
	for i, raw := range strings.Split(text, "\n") {
		line, _, _ := strings.Cut(raw, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := ps.line(i+1, line); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return ps.finish()
}

// parser accumulates a plan line by line.
type parser struct {
	p      *Plan
	base   []string         // config settings, "key=value"
	params map[string][]int // probe parameters
	seen   map[string]int   // key or "arm NAME" -> line
}

// line parses one non-empty line (n is its number).
func (ps *parser) line(n int, line string) error {
	if rest, ok := strings.CutPrefix(line, "arm "); ok {
		return ps.arm(n, rest)
	}
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return fmt.Errorf("expected key = value, got %q", line)
	}
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if prev, dup := ps.seen[k]; dup {
		return fmt.Errorf("%s is set twice (lines %d and %d of the file with its includes): set it once", k, prev, n)
	}
	ps.seen[k] = n
	if err := ps.setting(k, v); err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	return nil
}

// arm parses "NAME: settings" or "NAME: from EXPERIMENT".
func (ps *parser) arm(n int, rest string) error {
	name, set, ok := strings.Cut(rest, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " /") {
		return fmt.Errorf("expected \"arm NAME: key=value; ...\"")
	}
	if prev, dup := ps.seen["arm "+name]; dup {
		return fmt.Errorf("arm %s is defined twice (lines %d and %d): give each arm once", name, prev, n)
	}
	ps.seen["arm "+name] = n
	set = strings.TrimSpace(set)
	if from, ok := strings.CutPrefix(set, "from "); ok {
		ps.p.Arms = append(ps.p.Arms, Arm{Name: name, From: strings.TrimSpace(from)})
	} else {
		ps.p.Arms = append(ps.p.Arms, Arm{Name: name, Set: set})
	}
	return nil
}

// setting applies one "key = value" line.
func (ps *parser) setting(k, v string) error {
	p := ps.p
	var err error
	switch k {
	case "claim":
		p.Claim = v
	case "paper":
		p.Paper = v
	case "kind":
		if _, ok := probeKinds[v]; !ok && v != "train" {
			return fmt.Errorf("%q: expected %s", v, strings.Join(append([]string{"train"}, probeKindNames()...), ", "))
		}
		p.Kind = v
	case "source":
		p.Source = v
	case "source_arms":
		p.SourceArms, err = parseNames(v)
	case "shorter":
		p.Shorter, err = parseNames(v)
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
			ps.params[k], err = parseInts(v)
		} else {
			ps.base = append(ps.base, k+"="+v)
		}
	}
	return err
}

// finish checks the plan as a whole.
func (ps *parser) finish() (*Plan, error) {
	p := ps.p
	p.Base = strings.Join(ps.base, ";")
	if p.Kind == "train" && len(p.Arms) == 0 {
		return nil, fmt.Errorf("a training experiment needs at least one \"arm NAME: settings\" line")
	}
	if p.Kind != "train" && p.Source == "" {
		return nil, fmt.Errorf("a %s probe needs \"source = <training experiment>\"", p.Kind)
	}
	if p.Kind != "train" && len(p.Shorter) > 0 {
		return nil, fmt.Errorf("shorter names the experiments a training experiment's arms lengthen; a %s probe has no arms of its own", p.Kind)
	}
	if p.Kind == "train" && len(p.SourceArms) > 0 {
		return nil, fmt.Errorf("source_arms selects the source's arms of a probe; a training experiment selects its own with its arm lines")
	}
	if err := p.setParams(ps.params); err != nil {
		return nil, err
	}
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
	if err := checkShorter(dir, p); err != nil {
		return nil, fmt.Errorf("%s: %w", p.Path, err)
	}
	if p.Kind != "train" {
		src, err := loadFile(dir, p.Source)
		if err != nil {
			return nil, fmt.Errorf("%s: source = %s: %w", p.Path, p.Source, err)
		}
		if src.Kind != "train" {
			return nil, fmt.Errorf("%s: source = %s: that experiment is a %s probe, not a training experiment", p.Path, p.Source, src.Kind)
		}
		if err := checkSourceArms(p, src); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Path, err)
		}
	}
	return p, nil
}

// checkShorter checks that every experiment in p.Shorter is a training
// experiment and that every arm of p is named NAME-e<epochs> after an arm
// NAME of one of them.
func checkShorter(dir string, p *Plan) error {
	var shorter []*Plan
	for _, name := range p.Shorter {
		s, err := loadFile(dir, name)
		if err != nil {
			return fmt.Errorf("shorter = %s: %w", name, err)
		}
		if s.Kind != "train" {
			return fmt.Errorf("shorter = %s: that experiment is a %s probe, not a training experiment", name, s.Kind)
		}
		shorter = append(shorter, s)
	}
	if len(shorter) == 0 {
		return nil
	}
	for _, a := range p.Arms {
		base, _, ok := SplitBudget(a.Name)
		if !ok {
			return fmt.Errorf("arm %s: with \"shorter = %s\", name each arm NAME-e<epochs> after the arm NAME it trains for longer", a.Name, strings.Join(p.Shorter, ", "))
		}
		if !slices.ContainsFunc(shorter, func(s *Plan) bool {
			return slices.ContainsFunc(s.Arms, func(b Arm) bool { return b.Name == base })
		}) {
			return fmt.Errorf("arm %s: none of the shorter experiments (%s) has an arm %q", a.Name, strings.Join(p.Shorter, ", "), base)
		}
	}
	return nil
}

// budgetSuffix matches the "-e<epochs>" suffix of an arm named after the
// arm it trains for a given budget.
var budgetSuffix = regexp.MustCompile(`^(.+)-e([1-9][0-9]*)$`)

// SplitBudget splits an arm named NAME-e<epochs> (a budget study's arm,
// or an arm that trains a shorter experiment's NAME for longer) into NAME
// and the epochs: "conv-gap", 8 for "conv-gap-e8"; false if arm has no
// such suffix.
func SplitBudget(arm string) (name string, epochs int, ok bool) {
	m := budgetSuffix.FindStringSubmatch(arm)
	if m == nil {
		return "", 0, false
	}
	e, err := strconv.Atoi(m[2])
	if err != nil { // more digits than an int holds
		return "", 0, false
	}
	return m[1], e, true
}

// checkSourceArms checks that every arm in p.SourceArms is trained by
// src itself (an arm "from" another experiment is that one's record).
func checkSourceArms(p, src *Plan) error {
	for _, name := range p.SourceArms {
		i := slices.IndexFunc(src.Arms, func(a Arm) bool { return a.Name == name })
		switch {
		case i < 0:
			var valid []string
			for _, a := range src.Arms {
				valid = append(valid, a.Name)
			}
			return fmt.Errorf("source_arms: experiment %s has no arm %q: its arms are %s", src.Name, name, strings.Join(valid, ", "))
		case src.Arms[i].From != "":
			return fmt.Errorf("source_arms: arm %s of %s is trained by experiment %s: name source = %s", name, src.Name, src.Arms[i].From, src.Arms[i].From)
		}
	}
	return nil
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
