package config

import (
	"strings"
	"testing"
)

// TestNewConfig: the one constructor adapts to the dataset the settings
// name (shape, classes, widths preset), then applies the layers in order.
func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		layers          []string
		h, c, classes   int
		widths, variant string
		lr              float64
	}{
		{nil, 28, 1, 10, "digits", "nin", 0.003},
		{[]string{"dataset=cifar100"}, 32, 3, 100, "cifar", "nin", 0.003},
		{[]string{"dataset=svhn;model=nin-fc", "lr=0.01"}, 32, 3, 10, "cifar", "nin-fc", 0.01},
		{[]string{"dataset=cifar10", "widths=digits"}, 32, 3, 10, "digits", "nin", 0.003},
	} {
		c, err := New(tc.layers...)
		if err != nil {
			t.Fatalf("%v: %v", tc.layers, err)
		}
		if c.InputH != tc.h || c.InputC != tc.c || c.Classes != tc.classes || c.Widths != tc.widths || c.Variant != tc.variant || c.LR != tc.lr {
			t.Errorf("%v: %dx%d, %d classes, widths %s, model %s, lr %v", tc.layers, c.InputH, c.InputC, c.Classes, c.Widths, c.Variant, c.LR)
		}
	}
	if _, err := New("dataset=imagenet"); err == nil || !strings.Contains(err.Error(), "unknown dataset") {
		t.Errorf("unknown dataset: %v", err)
	}
}

func TestConfigSetAndValidate(t *testing.T) {
	c := Defaults()
	if err := c.Set("lr=0.5; model=nin-fc;width=1/4\nepochs = 3 # comment"); err != nil {
		t.Fatal(err)
	}
	if c.LR != 0.5 || c.Variant != "nin-fc" || c.Width != 0.25 || c.Epochs != 3 {
		t.Errorf("Set gave %+v", c)
	}
	for _, tc := range []struct{ set, want string }{
		{"learning_rate=1", `unknown setting "learning_rate"`},
		{"lr=fast", "lr="},
		{"epochs=2.5", "epochs="},
		{"lr", "expected key=value"},
		{"factor=inf", "expected a finite number"},
		{"lr=NaN", "expected a finite number"},
		{"width=1/inf", "fraction"},
		{"lr=0.1;lr=0.2", "setting lr is given twice (lr=0.1, then lr=0.2)"},
		{"epochs=2\nepochs=3", "given twice"},
	} {
		c := Defaults()
		if err := c.Set(tc.set); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%q): got %v, want an error containing %q", tc.set, err, tc.want)
		}
	}
	for _, tc := range []struct{ set, key string }{
		{"lr=-0.1", "lr"}, {"dropout=1", "dropout"}, {"momentum=1", "momentum"}, {"optimizer=lbfgs", "optimizer"},
		{"schedule=exp", "schedule"}, {"dataset=imagenet", "dataset"}, {"epochs=0", "epochs"}, {"model=vgg", "model variant"},
		{"batch_size=0", "batch_size"}, {"factor=0.5", "factor"}, {"flip=true", "flip"},
	} {
		c := Defaults()
		if err := c.Set(tc.set); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: Validate gave %v, want an error naming %q", tc.set, err, tc.key)
		}
	}
}

func FuzzConfigSet(f *testing.F) {
	f.Add("lr=0.1;model=nin-fc;width=1/4\nepochs=3 # c")
	f.Add("seed=18446744073709551615;flip=true")
	f.Fuzz(func(t *testing.T, s string) {
		c := Defaults()
		if c.Set(s) == nil {
			_ = c.Validate()
		}
	})
}

// TestMerge: later layers override earlier ones key by key; each layer is
// checked on its own.
func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		layers    []string
		want, err string
	}{
		{[]string{"lr=0.1;epochs=2", "epochs=3\nwidth=0.5 # c"}, "lr=0.1;epochs=3;width=0.5", ""},
		{[]string{"", "lr=0.2"}, "lr=0.2", ""},
		{[]string{"# a comment; with a semicolon\nlr=0.3 # and; another"}, "lr=0.3", ""},
		{[]string{"lr=0.1;lr=0.2", "epochs=1"}, "", "given twice"},
		{[]string{"lr=0.1", "nope=1"}, "", "unknown setting"},
	} {
		got, err := Merge(tc.layers...)
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) || tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("Merge(%q) = %q, %v; want %q, error %q", tc.layers, got, err, tc.want, tc.err)
		}
	}
}

// TestIdentity: execution settings do not make another run; science
// settings do.
func TestIdentity(t *testing.T) {
	a := Defaults()
	for _, set := range []string{"backend=xla:cpu", "conv_impl=patches", "split=4", "eval_batch_size=500"} {
		b := Defaults()
		if err := b.Set(set); err != nil {
			t.Fatal(err)
		}
		if a.Identity() != b.Identity() {
			t.Errorf("%s changed the identity", set)
		}
	}
	b := Defaults()
	b.Set("lr=0.002")
	if a.Identity() == b.Identity() {
		t.Errorf("lr did not change the identity")
	}
}

// TestApply: settings applied to a saved configuration keep it, but for
// what they change; naming a dataset adapts to it first. New is Apply to
// the defaults, which are MNIST's already.
func TestApply(t *testing.T) {
	if c, err := New(); err != nil || c != Defaults() {
		t.Errorf("New() = %+v, %v; want Defaults()", c, err)
	}
	base, err := New("dataset=cifar10;lr=0.01;width=0.25")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Apply(base, "epochs=5")
	if err != nil || c.InputC != 3 || c.Widths != "cifar" || c.LR != 0.01 || c.Width != 0.25 || c.Epochs != 5 {
		t.Errorf("Apply(cifar base, epochs=5) = %+v, %v", c, err)
	}
	c, err = Apply(base, "dataset=mnist")
	if err != nil || c.InputC != 1 || c.Widths != "digits" || c.Classes != 10 || c.LR != 0.01 {
		t.Errorf("Apply(cifar base, dataset=mnist) = %+v, %v", c, err)
	}
	if _, err := Apply(base, "epochs=x"); err == nil {
		t.Errorf("a bad setting was applied")
	}
}
