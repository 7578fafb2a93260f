package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ninbench/nin/ninlib/plan"
	_ "github.com/ninbench/nin/ninlib/probe" // registers the kinds of probe
)

func TestEveryExperimentFileParses(t *testing.T) {
	names, err := plan.Names("../../experiments")
	if err != nil || len(names) < 9 {
		t.Fatalf("experiments: %v %v", names, err)
	}
	for _, n := range names {
		p, err := plan.Load("../../experiments", n)
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
	ref, err := plan.Load("../../experiments", "gap-vs-fc")
	if err != nil {
		t.Fatal(err)
	}
	c0, _ := ref.Config(ref.Arms[0], "mnist", 1, "")
	for _, n := range []string{"mlpconv-vs-conv", "bottleneck"} {
		p, _ := plan.Load("../../experiments", n)
		c, err := p.Config(plan.Arm{Name: "nin", Set: "model=nin"}, "mnist", 1, "")
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
		{"lr = 0.1\nlr = 0.2\narm a: model=nin", "lr is set twice (lines 1 and 2"},
		{"seeds = 1\nseeds = 2\narm a: model=nin", "seeds is set twice"},
		{"arm a: model=nin\narm a: model=nin-fc", "arm a is defined twice"},
		{"arm a: model=nin; lr=0.1; lr=0.2", "lr is given twice"},
		{"dataset = cifar10\narm a: model=nin", "datasets = a, b"},
		{"arm a: model=nin; dataset=cifar10", "datasets = a, b"},
		{"datasets = mnist,,fashion-mnist\narm a: model=nin", "empty item"},
		{"datasets =\narm a: model=nin", "empty item"},
		{"datasets = mnist, mnist\narm a: model=nin", "listed twice"},
		{"seeds = 1, 1\narm a: model=nin", "listed twice"},
		{"arm a: factor=inf", "finite"},
		{"arm a: lr=nan", "finite"},
		{"kind = translation\nsource = gap-vs-fc", "shifts"},
		{"kind = input-size\nsource = gap-vs-fc", "sizes"},
		{"kind = confidence-maps\nsource = gap-vs-fc\nimages = 0", "at least 1 image"},
		{"kind = confidence-maps\nsource = gap-vs-fc\npeak_images = 0", "peak_images = [0]: a confidence-maps probe measures the maps' peaks on at least 1 image"},
		{"kind = confidence-maps\nsource = gap-vs-fc\nsource_arms = nin, nin", "listed twice"},
		{"kind = translation\nsource = gap-vs-fc\nshifts = 1\nshorter = gap-vs-fc", "a translation probe has no arms of its own"},
	} {
		if _, err := plan.Parse("t", tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.text, err, tc.want)
		}
	}
	if _, err := plan.Load("../../experiments", "nope"); err == nil || !strings.Contains(err.Error(), "gap-vs-fc") {
		t.Errorf("unknown experiment: %v", err)
	}
	if _, err := plan.Load(t.TempDir(), "gap-vs-fc"); err == nil || !strings.Contains(err.Error(), "holds no experiment files") {
		t.Errorf("an empty experiments folder: %v", err)
	}
}

// TestDanglingReferences: an arm shared "from" another experiment and a
// probe's source must exist, and the source must be a training experiment.
func TestDanglingReferences(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name+".set"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("train", "claim = c\narm nin: model=nin")
	write("probe", "claim = c\nkind = translation\nsource = train\nshifts = 1")
	write("from-missing", "claim = c\narm nin: from nowhere")
	write("from-no-arm", "claim = c\narm nin-fc: from train")
	write("source-missing", "claim = c\nkind = translation\nsource = nowhere\nshifts = 1")
	write("source-probe", "claim = c\nkind = translation\nsource = probe\nshifts = 1")
	write("longer", "claim = c\narm nin-e2: model=nin; epochs=2\narm nin: from train")
	write("arms-ok", "kind = translation\nsource = longer\nsource_arms = nin-e2\nshifts = 1")
	write("arms-missing", "kind = translation\nsource = longer\nsource_arms = nin-e3\nshifts = 1")
	write("arms-from", "kind = translation\nsource = longer\nsource_arms = nin\nshifts = 1")
	write("arms-train", "source_arms = nin\narm nin: model=nin")
	write("shorter-ok", "shorter = train\narm nin-e3: model=nin; epochs=3")
	write("shorter-no-suffix", "shorter = train\narm nin: model=nin")
	write("shorter-no-arm", "shorter = train\narm conv-gap-e3: model=conv-gap; epochs=3")
	write("shorter-missing", "shorter = nowhere\narm nin-e3: model=nin; epochs=3")
	write("shorter-probe", "shorter = probe\narm nin-e3: model=nin; epochs=3")
	for _, tc := range []struct{ name, want string }{
		{"train", ""},
		{"probe", ""},
		{"from-missing", `from nowhere: unknown experiment "nowhere"`},
		{"from-no-arm", `experiment train trains no arm "nin-fc"`},
		{"source-missing", `source = nowhere: unknown experiment "nowhere"`},
		{"source-probe", "not a training experiment"},
		{"arms-ok", ""},
		{"arms-missing", `source_arms: experiment longer has no arm "nin-e3": its arms are nin-e2, nin`},
		{"arms-from", "arm nin of longer is trained by experiment train: name source = train"},
		{"arms-train", "source_arms selects the source's arms of a probe"},
		{"shorter-ok", ""},
		{"shorter-no-suffix", `arm nin: with "shorter = train", name each arm NAME-e<epochs>`},
		{"shorter-no-arm", `arm conv-gap-e3: none of the shorter experiments (train) has an arm "conv-gap"`},
		{"shorter-missing", `shorter = nowhere: unknown experiment "nowhere"`},
		{"shorter-probe", "shorter = probe: that experiment is a translation probe"},
	} {
		_, err := plan.Load(dir, tc.name)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestParseList(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"", "", ""},
		{"mnist, fashion-mnist", "mnist,fashion-mnist", ""},
		{"mnist,", "", "empty item"},
		{"a,a", "", "listed twice"},
	} {
		got, err := plan.ParseList(tc.in)
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) || tc.err == "" && (err != nil || strings.Join(got, ",") != tc.want) {
			t.Errorf("%q: got %v, %v; want %q, error %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestSplitBudget: NAME-e<epochs> splits into NAME and the epochs; no
// suffix, a zero or a leading zero does not split (the budget tables and
// the shorter check read arm names the same way).
func TestSplitBudget(t *testing.T) {
	for _, tc := range []struct {
		arm, name string
		epochs    int
		ok        bool
	}{
		{"conv-gap-e8", "conv-gap", 8, true},
		{"nin-fc-e20", "nin-fc", 20, true},
		{"nin-e1-e3", "nin-e1", 3, true},
		{"nin", "", 0, false},
		{"nin-e0", "", 0, false},
		{"nin-e08", "", 0, false},
		{"-e8", "", 0, false},
		{"nin-e99999999999999999999", "", 0, false},
	} {
		name, epochs, ok := plan.SplitBudget(tc.arm)
		if name != tc.name || epochs != tc.epochs || ok != tc.ok {
			t.Errorf("SplitBudget(%q) = %q, %d, %v; want %q, %d, %v", tc.arm, name, epochs, ok, tc.name, tc.epochs, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("seeds = 1,2\narm nin: model=nin; width=0.5\n# comment\nlr = 0.01")
	f.Add("kind = translation\nsource = gap-vs-fc\nshifts = 0, 2")
	f.Fuzz(func(t *testing.T, s string) { _, _ = plan.Parse("fuzz", s) })
}

func TestSweepGrid(t *testing.T) {
	p, err := plan.Sweep("sw", "epochs=1", "lr=0.001,0.01;width=0.25,0.5", []string{"mnist"}, []uint64{1})
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
	if _, err := plan.Sweep("sw", "", "lr=-1", []string{"mnist"}, []uint64{1}); err == nil {
		t.Errorf("a negative learning rate in a sweep was accepted")
	}
	for _, tc := range []struct{ grid, want string }{
		{"", "empty"},
		{"lr=0.1;lr=0.2", "lr is given twice"},
		{"lr=0.1,,0.2", "empty item"},
		{"lr=0.1,0.1", "listed twice"},
		{"lr=", "expected key=v1,v2"},
		{"=0.1", "expected key=v1,v2"},
		{"lr=inf", "finite"},
		{"dataset=cifar10", "datasets = a, b"},
	} {
		if _, err := plan.Sweep("sw", "", tc.grid, []string{"mnist"}, []uint64{1}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("grid %q: got %v, want an error with %q", tc.grid, err, tc.want)
		}
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
			p, err := plan.Load("../../experiments", "gap-vs-fc")
			if err != nil {
				t.Fatal(err)
			}
			o, err := plan.FromEnv(p)
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
