// Package config is the one configuration of a run: every setting a run
// depends on (model, data, optimizer, schedule, labels), its defaults in
// one place (Defaults), the "key=value" settings that change it (Set, the
// -set keys are the JSON names), its validation, and New, the one way a
// run's configuration is assembled by the CLI, experiment files, sweeps
// and notebooks. It is a leaf of ninlib: it imports only the option types
// of nin and datasets.
package config

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/nin"
)

// Config is everything a run depends on. Defaults are set in one place,
// Defaults; the CLI fills it from flags, -set="k=v;..." and settings files,
// notebooks from environment variables, and the run record stores it whole.
// The JSON names are the -set keys.
type Config struct {
	nin.Spec
	datasets.Setup

	// Backend is the GoMLX backend: "go" (default), "xla:cpu", "xla:cuda".
	Backend string `json:"backend"`
	// Seed drives initialization, shuffling, augmentation and dropout.
	Seed uint64 `json:"seed"`
	// Epochs is the number of passes over the training split.
	Epochs int `json:"epochs"`
	// BatchSize is the training batch; Caffe's NIN uses 128.
	BatchSize int `json:"batch_size"`
	// EvalBatchSize is the batch for validation and test passes.
	EvalBatchSize int `json:"eval_batch_size"`
	// Optimizer is "sgd" (momentum SGD, the paper's), "adam" or "adamw".
	Optimizer string `json:"optimizer"`
	// LR is the base learning rate (Caffe NIN: 0.1 with std-0.05 init).
	LR float64 `json:"lr"`
	// Momentum of SGD (paper: 0.9).
	Momentum float64 `json:"momentum"`
	// WeightDecay is L2 decay (Caffe NIN: 1e-4); decoupled for adamw.
	WeightDecay float64 `json:"weight_decay"`
	// CaffeMults applies the released solver's per-layer multipliers:
	// biases learn 2x and are not decayed, the last layer learns 0.1x.
	CaffeMults bool `json:"caffe_mults"`
	// Schedule is "plateau" (divide by Factor when validation accuracy has
	// not improved for Patience epochs: the paper's rule), "steps" (divide
	// at the epochs listed in Milestones), "cosine" or "constant".
	Schedule string `json:"schedule"`
	// Factor is the learning-rate divisor of plateau and steps schedules.
	Factor float64 `json:"factor"`
	// Patience is the number of epochs without improvement before a
	// plateau schedule divides the learning rate.
	Patience int `json:"patience"`
	// Milestones lists the epochs (comma separated) at which "steps" divides.
	Milestones string `json:"milestones"`
	// WarmupEpochs ramps the learning rate linearly from LR/10 over the first
	// epochs: deep ReLU nets without batch norm can blow up at step 1.
	WarmupEpochs int `json:"warmup_epochs"`
	// Shift is the random-translation augmentation in pixels (0 = none).
	Shift int `json:"shift"`
	// Flip enables random horizontal flips (never for digit datasets).
	Flip bool `json:"flip"`

	// Experiment and Arm label the run in tables (set by experiment files).
	Experiment string `json:"experiment"`
	Arm        string `json:"arm"`
}

// Defaults returns the default configuration, the workbench's main job:
// NIN with the digit-sized widths at half width on a 10k slice of MNIST for
// 3 epochs, which runs in about three minutes on a 2-core laptop with the
// pure-Go backend. The optimizer is Adam (1e-3) with He initialization:
// at this scale the paper's momentum SGD (lr 0.1, Gaussian std 0.05)
// silenced every class map within the first epoch (loss stuck at ln 10),
// while Adam leaves GAP's slow first plateau within ~200 steps. The paper's
// own recipe is in experiments/paper-cifar10.set.
func Defaults() Config {
	m := nin.Defaults()
	m.Widths = "digits"
	m.Width = 0.5
	m.Init = "he"
	m.InputH, m.InputW, m.InputC = 28, 28, 1
	return Config{
		Spec:    m,
		Setup:   datasets.Setup{Name: "mnist", Validation: 5000, Subset: 10000, Preprocess: "standardize", SplitSeed: 1},
		Backend: "", Seed: 1, Epochs: 3, BatchSize: 32, EvalBatchSize: 500,
		Optimizer: "adam", LR: 0.001, Momentum: 0.9, WeightDecay: 1e-4, CaffeMults: true,
		Schedule: "constant", Factor: 10, Patience: 2, WarmupEpochs: 0,
		Experiment: "adhoc", Arm: "",
	}
}

// field is one settable key of Config.
type field struct {
	key string
	v   reflect.Value
}

// fields lists the settable keys of c (following embedded structs).
func (c *Config) fields() []field {
	var out []field
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				walk(v.Field(i))
				continue
			}
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if key == "" || key == "-" {
				continue
			}
			out = append(out, field{key, v.Field(i)})
		}
	}
	walk(reflect.ValueOf(c).Elem())
	return out
}

// Keys lists every key accepted by Set, sorted.
func Keys() []string {
	c := Defaults()
	var keys []string
	for _, f := range c.fields() {
		keys = append(keys, f.key)
	}
	slices.Sort(keys)
	return keys
}

// Set applies "key=value" assignments separated by ';' or newlines, as
// GoMLX's -set flag does. '#' starts a comment. An unknown key, a value of
// the wrong type, a non-finite number and a key given twice are errors
// naming the key. (Layers override each other: defaults, then settings
// files, then -set; within one string each key is given once.)
func (c *Config) Set(assignments string) error {
	byKey := map[string]reflect.Value{}
	for _, f := range c.fields() {
		byKey[f.key] = f.v
	}
	seen := map[string]string{}
	for _, line := range strings.FieldsFunc(assignments, func(r rune) bool { return r == ';' || r == '\n' }) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, val, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("setting %q: expected key=value", line)
		}
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		fv, ok := byKey[k]
		if !ok {
			return fmt.Errorf("unknown setting %q: valid keys are %s", k, strings.Join(Keys(), ", "))
		}
		if prev, dup := seen[k]; dup {
			return fmt.Errorf("setting %s is given twice (%s=%s, then %s=%s): give it once", k, k, prev, k, val)
		}
		seen[k] = val
		if err := setValue(fv, val); err != nil {
			return fmt.Errorf("setting %s=%q: %w", k, val, err)
		}
	}
	return nil
}

func setValue(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("expected true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("expected an integer")
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("expected a non-negative integer")
		}
		v.SetUint(n)
	case reflect.Float64:
		f, err := parseFloat(s)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("unsupported kind %s", v.Kind())
	}
	return nil
}

// parseFloat accepts decimals and fractions such as "1/4".
func parseFloat(s string) (float64, error) {
	if a, b, ok := strings.Cut(s, "/"); ok {
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || y == 0 || !finite(x) || !finite(y) {
			return 0, fmt.Errorf("expected a number or a fraction like 1/4")
		}
		return x / y, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("expected a number")
	}
	if !finite(f) {
		return 0, fmt.Errorf("expected a finite number")
	}
	return f, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// SettingKeys returns the keys an assignments string sets, in order
// (malformed lines are skipped: Set reports them).
func SettingKeys(assignments string) []string {
	var keys []string
	for _, line := range strings.FieldsFunc(assignments, func(r rune) bool { return r == ';' || r == '\n' }) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			keys = append(keys, strings.TrimSpace(k))
		}
	}
	return keys
}

// SetFile applies a settings file: one key=value per line, '#' comments.
func (c *Config) SetFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := c.Set(string(b)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ForDataset returns Defaults adapted to a dataset (AdaptToDataset).
func ForDataset(name string) (Config, error) {
	c := Defaults()
	c.Setup.Name = name
	err := c.AdaptToDataset()
	return c, err
}

// AdaptToDataset sets the input shape and classes from the dataset's
// manifest entry, and the widths preset from its channels: CIFAR NIN's
// widths for colour images, the digit widths (half of them) for grey ones.
func (c *Config) AdaptToDataset() error {
	s, err := datasets.Lookup(c.Setup.Name)
	if err != nil {
		return err
	}
	c.InputH, c.InputW, c.InputC = s.Shape[0], s.Shape[1], s.Shape[2]
	c.Classes = s.NClasses()
	c.Widths = "digits"
	if c.InputC == 3 {
		c.Widths = "cifar"
	}
	return nil
}

// New is the one way a run's configuration is assembled, by the CLI,
// experiment files, sweeps and notebooks alike: ForDataset of the dataset
// the layers name, then each layer of "key=value" settings in order, later
// layers overriding earlier ones. It does not validate: callers add their
// labels first.
func New(layers ...string) (Config, error) {
	scratch := Defaults()
	for _, l := range layers {
		if err := scratch.Set(l); err != nil {
			return scratch, err
		}
	}
	c, err := ForDataset(scratch.Setup.Name)
	if err != nil {
		return c, err
	}
	for _, l := range layers {
		if err := c.Set(l); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Validate checks every value and names the key that is wrong and why.
func (c *Config) Validate() error {
	if err := c.Spec.Validate(); err != nil {
		return err
	}
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, err := datasets.Lookup(c.Setup.Name); err != nil {
		bad("dataset", "%v", err)
	}
	if c.Epochs < 1 || c.Epochs > 10000 {
		bad("epochs", "%d, expected 1..10000", c.Epochs)
	}
	if c.BatchSize < 1 {
		bad("batch_size", "%d, expected >= 1", c.BatchSize)
	}
	if c.EvalBatchSize < 1 {
		bad("eval_batch_size", "%d, expected >= 1", c.EvalBatchSize)
	}
	if !(c.LR > 0 && c.LR < 100) {
		bad("lr", "%v, expected a positive learning rate below 100", c.LR)
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) {
		bad("momentum", "%v, expected [0, 1)", c.Momentum)
	}
	if !(c.WeightDecay >= 0 && c.WeightDecay < 1) {
		bad("weight_decay", "%v, expected [0, 1)", c.WeightDecay)
	}
	if !slices.Contains([]string{"sgd", "adam", "adamw"}, c.Optimizer) {
		bad("optimizer", "%q, expected sgd, adam or adamw", c.Optimizer)
	}
	if !slices.Contains([]string{"plateau", "steps", "cosine", "constant"}, c.Schedule) {
		bad("schedule", "%q, expected plateau, steps, cosine or constant", c.Schedule)
	}
	if !(c.Factor > 1) {
		bad("factor", "%v, expected > 1 (the learning rate is divided by it)", c.Factor)
	}
	if c.Patience < 1 {
		bad("patience", "%d, expected >= 1", c.Patience)
	}
	if _, err := c.MilestoneEpochs(); err != nil {
		bad("milestones", "%v", err)
	}
	if c.WarmupEpochs < 0 || c.WarmupEpochs >= c.Epochs && c.WarmupEpochs > 0 {
		bad("warmup_epochs", "%d, expected 0..epochs-1", c.WarmupEpochs)
	}
	if c.Shift < 0 || c.Shift >= c.InputH {
		bad("shift", "%d, expected 0..%d", c.Shift, c.InputH-1)
	}
	if c.Flip && (c.Setup.Name == "mnist" || c.Setup.Name == "svhn") {
		bad("flip", "horizontal flips turn digits into other shapes; not allowed for %s", c.Setup.Name)
	}
	if c.Validation < 1 {
		bad("validation", "%d, expected >= 1 held-out training records", c.Validation)
	}
	if c.Subset < 0 || c.TestSubset < 0 {
		bad("subset", "expected >= 0 (0 = all)")
	}
	if strings.ContainsAny(c.Experiment+c.Arm, "/\\ ") {
		bad("experiment", "names must not contain spaces or slashes")
	}
	if len(errs) > 0 {
		return fmt.Errorf("bad configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

// MilestoneEpochs parses the epochs at which a "steps" schedule divides.
func (c *Config) MilestoneEpochs() ([]int, error) {
	var out []int
	for _, s := range strings.Split(c.Milestones, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: expected comma-separated epoch numbers", c.Milestones)
		}
		out = append(out, n)
	}
	return out, nil
}

// Change is one setting that differs between two configurations.
type Change struct{ Key, From, To string }

// Diff lists the settings whose values differ from a to b, by key.
func Diff(a, b Config) []Change {
	var out []Change
	fa, fb := a.fields(), b.fields()
	for i, f := range fa {
		if !reflect.DeepEqual(f.v.Interface(), fb[i].v.Interface()) {
			out = append(out, Change{Key: f.key, From: fmt.Sprint(f.v.Interface()), To: fmt.Sprint(fb[i].v.Interface())})
		}
	}
	return out
}

// Execution lists the settings that change how a run is computed but not
// what it computes: the backend, the convolution formulation and the
// batch split give the same model and the same metrics up to float
// summation order (tested: TestFormulationsAgreeWithGradients,
// TestExecutorsDoNotChangeResults).
var Execution = []string{"backend", "conv_impl", "split"}

// Identity is c without its Execution settings: two configurations with
// the same identity describe the same run (a record reproduces an
// experiment whatever backend or formulation made it).
func (c Config) Identity() Config {
	c.Backend, c.ConvImpl, c.Split = "", "", 0
	return c
}

// JSON returns the config as indented JSON.
func (c *Config) JSON() []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return b
}
