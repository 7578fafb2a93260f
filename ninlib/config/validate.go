package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ninbench/nin/ninlib/datasets"
)

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
