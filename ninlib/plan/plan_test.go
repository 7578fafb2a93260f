package plan

import (
	"strings"
	"testing"
)

func TestEveryExperimentFileParses(t *testing.T) {
	names, err := Names("../../experiments")
	if err != nil || len(names) < 9 {
		t.Fatalf("experiments: %v %v", names, err)
	}
	for _, n := range names {
		p, err := Load("../../experiments", n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if p.Claim == "" {
			t.Errorf("%s: no claim", n)
		}
	}
}

func TestSharedScaleIsIdentical(t *testing.T) {
	// The nin arm is shared by three experiments: their base settings must
	// give identical configurations apart from the labels.
	ref, err := Load("../../experiments", "gap-vs-fc")
	if err != nil {
		t.Fatal(err)
	}
	c0, _ := ref.Config(ref.Arms[0], "mnist", 1, "")
	for _, n := range []string{"mlpconv-vs-conv", "bottleneck"} {
		p, _ := Load("../../experiments", n)
		c, err := p.Config(Arm{Name: "nin", Set: "model=nin"}, "mnist", 1, "")
		if err != nil {
			t.Fatal(err)
		}
		c.Experiment = c0.Experiment
		if string(c.JSON()) != string(c0.JSON()) {
			t.Errorf("%s: the shared nin arm differs from gap-vs-fc's:\n%s\nvs\n%s", n, c.JSON(), c0.JSON())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"arm nin: model=resnet", "unknown model variant"},
		{"arm nin: lr=-1", "lr"},
		{"arm nin: learning_rate=1", `unknown setting "learning_rate"`},
		{"seeds = one\narm nin: model=nin", "seeds"},
		{"kind = translation", "source"},
		{"kind = magic\narm a: model=nin", "kind"},
		{"claim = x", "at least one"},
		{"arm bad name: model=nin", "arm NAME"},
		{"just words", "key = value"},
	} {
		if _, err := Parse("t", tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.text, err, tc.want)
		}
	}
	if _, err := Load("../../experiments", "nope"); err == nil || !strings.Contains(err.Error(), "gap-vs-fc") {
		t.Errorf("unknown experiment: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("seeds = 1,2\narm nin: model=nin; width=0.5\n# comment\nlr = 0.01")
	f.Add("kind = translation\nsource = gap-vs-fc\nshifts = 0, 2")
	f.Fuzz(func(t *testing.T, s string) { _, _ = Parse("fuzz", s) })
}

func TestSweepGrid(t *testing.T) {
	p, err := Sweep("sw", "epochs=1", "lr=0.001,0.01;width=0.25,0.5", []string{"mnist"}, []uint64{1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Arms) != 4 || p.Arms[3].Name != "lr=0.01+width=0.5" {
		t.Fatalf("arms %+v", p.Arms)
	}
	c, err := p.Config(p.Arms[3], "mnist", 1, "")
	if err != nil || c.LR != 0.01 || c.Width != 0.5 || c.Epochs != 1 {
		t.Errorf("config %+v %v", c, err)
	}
	if _, err := Sweep("sw", "", "lr=-1", []string{"mnist"}, []uint64{1}); err == nil {
		t.Errorf("a negative learning rate in a sweep was accepted")
	}
	if _, err := Sweep("sw", "", "", []string{"mnist"}, []uint64{1}); err == nil {
		t.Errorf("an empty grid was accepted")
	}
}

// TestFromEnv: the notebook parameters reach the plan and its options, and
// bad values are refused with the variable's name.
func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name, seeds, datasets, set, dry string
		wantSeeds                       int
		wantDatasets                    string
		wantDry                         bool
		wantErr                         string
	}{
		{name: "defaults", wantSeeds: 3, wantDatasets: "mnist,fashion-mnist"},
		{name: "tiny", seeds: "1", datasets: "mnist", set: "epochs=1", dry: "1", wantSeeds: 1, wantDatasets: "mnist", wantDry: true},
		{name: "bad seeds", seeds: "one", wantErr: "NIN_NB_SEEDS"},
		{name: "bad set", set: "epochs=-1", wantErr: "NIN_NB_SET"},
		{name: "bad dry run", dry: "yes", wantErr: "NIN_NB_DRY_RUN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NIN_NB_SEEDS", tc.seeds)
			t.Setenv("NIN_NB_DATASETS", tc.datasets)
			t.Setenv("NIN_NB_SET", tc.set)
			t.Setenv("NIN_NB_DRY_RUN", tc.dry)
			p, err := Load("../../experiments", "gap-vs-fc")
			if err != nil {
				t.Fatal(err)
			}
			o, err := FromEnv(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Seeds) != tc.wantSeeds || strings.Join(p.Datasets, ",") != tc.wantDatasets || o.DryRun != tc.wantDry || o.Extra != tc.set {
				t.Errorf("seeds %v, datasets %v, dry %v, extra %q", p.Seeds, p.Datasets, o.DryRun, o.Extra)
			}
		})
	}
}
