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
	"reflect"
	"slices"

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
	// EvalBatchSize is the batch for validation and test passes. It changes
	// memory, not results (accuracy is counted exactly; losses agree to
	// float rounding), so it is an Execution setting. 100, not 500: on the
	// Go backend a 5x5 convolution's patches of a 500-image batch take
	// about 0.5 GB, and the main job's peak fell from 1.58 GB to 0.56 GB
	// with the same metrics.
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
// NIN with batch norm on MNIST, one epoch over the full training split,
// in about three minutes on a 2-core laptop with the pure-Go backend (test
// error 1.46 ± 0.10% over 3 seeds: the batch-norm experiment's
// nin-bn-lr3-e1 arm, which is this configuration; the paper's layers give
// 2.75 ± 0.46% in two minutes, the budget study's nin-e1). The experiments
// that test the paper's claims train the paper's layers (laptop.conf sets
// batch_norm = false). Each choice, and why:
func Defaults() Config {
	m := nin.Defaults()
	m.Widths = "digits" // half of CIFAR NIN's channels: one grey channel of centred digits needs fewer features
	m.Width = 0.5       // half again: 4x fewer multiply-adds, so that one epoch of 55k images takes about three minutes
	m.Init = "he"       // the paper's Gaussian (std 0.05) shrinks activations layer by layer at these widths: every class map starts at 0
	m.FinalReLU = false // a ReLU on the class maps (as released) can zero a class everywhere, and it cannot come back
	m.BatchNorm = true  // not in the paper (2015): one epoch with it beats three without (1.46% against 1.32-2.75%), for 20% more time per epoch
	m.InputH, m.InputW, m.InputC = 28, 28, 1
	return Config{
		Spec: m,
		Setup: datasets.Setup{
			Name:       "mnist",
			Validation: 5000,          // held out from the training set for model selection; the same images for every seed
			Subset:     0,             // the full 55k that remain: one epoch of them beats three of a 10k slice (2.75% against 5-6%) in about the same time
			Preprocess: "standardize", // per-channel mean and std of the training split
			SplitSeed:  1,             // the validation split does not move with the seed
		},
		Backend:       "", // the pure-Go backend unless -backend or $GOMLX_BACKEND says otherwise
		Seed:          1,
		Epochs:        1,        // the main job's budget; the budget study also has 3, 8 and 20
		BatchSize:     32,       // more steps per image: GAP models spend their first ~200 steps on a plateau
		EvalBatchSize: 100,      // evaluation memory: the 5x5 patches of 500 images took 0.5 GB
		Optimizer:     "adam",   // at this scale the paper's momentum SGD at lr 0.1 left the loss at ln 10 (experiments/paper-recipe.set)
		LR:            0.003,    // with batch norm, 3x Adam's usual rate: 1.46 ± 0.10% against 1.65 ± 0.18% at 1e-3 (without it 3e-3 was no better)
		Momentum:      0.9,      // optimizer=sgd only (Caffe's recipe)
		WeightDecay:   1e-4,     // Caffe NIN's L2 decay (for adam too; decoupled for adamw)
		CaffeMults:    true,     // optimizer=sgd only: Caffe's per-layer learning-rate multipliers
		Schedule:      "cosine", // decays within a short budget instead of ending at the full rate
		Factor:        10,       // schedule=plateau only
		Patience:      2,        // schedule=plateau only
		WarmupEpochs:  0,
		Experiment:    "adhoc",
	}
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
// experiment files, sweeps and notebooks alike: Apply to Defaults. It does
// not validate: callers add their labels first.
func New(layers ...string) (Config, error) { return Apply(Defaults(), layers...) }

// Apply applies layers of "key=value" settings to base in order, later
// layers overriding earlier ones; if they name a dataset, base is first
// adapted to it (AdaptToDataset: shape, classes, widths preset), which the
// layers may then override. A new run from a record's settings
// (train -from) is Apply to that record's configuration.
func Apply(base Config, layers ...string) (Config, error) {
	scratch := base
	named := false
	for _, l := range layers {
		if err := scratch.Set(l); err != nil {
			return scratch, err
		}
		named = named || slices.Contains(SettingKeys(l), "dataset")
	}
	c := base
	if named {
		c.Setup.Name = scratch.Setup.Name
		if err := c.AdaptToDataset(); err != nil {
			return c, err
		}
	}
	for _, l := range layers {
		if err := c.Set(l); err != nil {
			return c, err
		}
	}
	return c, nil
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
// what it computes: the backend, the convolution formulation, the batch
// split and the evaluation batch give the same model and the same metrics
// up to float summation order (tested: TestFormulationsAgreeWithGradients,
// TestExecutorsDoNotChangeResults).
var Execution = []string{"backend", "conv_impl", "split", "eval_batch_size"}

// Identity is c without its Execution settings: two configurations with
// the same identity describe the same run (a record reproduces an
// experiment whatever backend or formulation made it).
func (c Config) Identity() Config {
	c.Backend, c.ConvImpl, c.Split, c.EvalBatchSize = "", "", 0, 0
	return c
}

// JSON returns the config as indented JSON.
func (c *Config) JSON() []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return b
}
