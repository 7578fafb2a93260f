package plan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
)

// TestEstimate: the time per epoch of completed runs of the same model,
// data and batch on the same backend and kind of machine, times the
// epochs left; any other run does not count. Where no machine of this
// kind ran the model, another kind's time, scaled by how the two ran the
// models both ran (records without SIMD flags aside), else the slowest
// kind's unscaled.
func TestEstimate(t *testing.T) {
	epyc := runs.Environment{CPU: "AMD EPYC", NumCPU: 2, CPUSIMD: "avx avx2 fma"}
	const avx512 = "avx avx2 fma avx512f"
	base := config.Defaults()
	base.Epochs = 20
	rec := func(mut func(c *config.Config, s *runs.Summary)) runs.Record {
		c := base
		c.Epochs, c.Seed, c.LR = 8, 2, 0.003 // another budget, seed and rate: the same cost per epoch
		s := runs.Summary{Status: runs.StatusCompleted, Epochs: 8, WallSeconds: 800, Env: epyc}
		if mut != nil {
			mut(&c, &s)
		}
		return runs.Record{Config: c, Summary: s}
	}
	// on returns a record of base's model on a machine with SIMD flags
	// simd (and cores), at perEpoch seconds an epoch; wide, of another
	// model.
	on := func(simd string, cores int, perEpoch float64, wide bool) runs.Record {
		return rec(func(c *config.Config, s *runs.Summary) {
			s.Env.CPUSIMD, s.Env.NumCPU, s.WallSeconds = simd, cores, 8*perEpoch
			if wide {
				c.Width = 1
			}
		})
	}
	for _, tc := range []struct {
		name string
		recs []runs.Record
		done int
		want Expectation
	}{
		{"two runs: their mean per epoch times 20", []runs.Record{rec(nil), rec(func(_ *config.Config, s *runs.Summary) { s.WallSeconds = 1200 })}, 0, Expectation{Time: 2500 * time.Second, Runs: 2}},
		{"three runs, one paused for 16 minutes: their median", []runs.Record{rec(nil), rec(func(_ *config.Config, s *runs.Summary) { s.WallSeconds = 1760 }), rec(func(_ *config.Config, s *runs.Summary) { s.WallSeconds = 840 })}, 0, Expectation{Time: 2100 * time.Second, Runs: 3}},
		{"resumed at epoch 15: 5 epochs left", []runs.Record{rec(nil)}, 15, Expectation{Time: 500 * time.Second, Runs: 1}},
		{"an older record without SIMD flags counts", []runs.Record{on("", 2, 100, false)}, 0, Expectation{Time: 2000 * time.Second, Runs: 1}},
		{"another model", []runs.Record{rec(func(c *config.Config, _ *runs.Summary) { c.Width = 1 })}, 0, Expectation{}},
		{"other data", []runs.Record{rec(func(c *config.Config, _ *runs.Summary) { c.Subset = 20000 })}, 0, Expectation{}},
		{"another batch size", []runs.Record{rec(func(c *config.Config, _ *runs.Summary) { c.BatchSize = 128 })}, 0, Expectation{}},
		{"an interrupted run", []runs.Record{rec(func(_ *config.Config, s *runs.Summary) { s.Status = runs.StatusInterrupted })}, 0, Expectation{}},
		{"a run on XLA's GPU", []runs.Record{rec(func(_ *config.Config, s *runs.Summary) { s.Env.Backend = "xla:cuda" })}, 0, Expectation{}},
		{"a run on the Go backend with options", []runs.Record{rec(func(_ *config.Config, s *runs.Summary) { s.Env.Backend = "go:num_executors=2" })}, 0, Expectation{Time: 2000 * time.Second, Runs: 1}},
		{"this kind first, another kind aside", []runs.Record{on(avx512, 2, 50, false), rec(nil)}, 0, Expectation{Time: 2000 * time.Second, Runs: 1}},
		{"only an AVX-512 machine of the same name: its time, unscaled", []runs.Record{on(avx512, 2, 100, false)}, 0,
			Expectation{Time: 2000 * time.Second, Runs: 1, Elsewhere: "AMD EPYC, 2 cores, " + avx512}},
		{"only more cores: theirs, unscaled", []runs.Record{on("avx avx2 fma", 16, 30, false)}, 0,
			Expectation{Time: 600 * time.Second, Runs: 1, Elsewhere: "AMD EPYC, 16 cores, avx avx2 fma"}},
		{"two other kinds, no model shared: the slowest", []runs.Record{on(avx512, 2, 100, false), on("avx avx2 fma", 16, 30, false)}, 0,
			Expectation{Time: 2000 * time.Second, Runs: 1, Elsewhere: "AMD EPYC, 2 cores, " + avx512}},
		{"another model ran 1.5x as long here: scaled", []runs.Record{on(avx512, 2, 100, false), on(avx512, 2, 40, true), on("avx avx2 fma", 2, 60, true)}, 0,
			Expectation{Time: 3000 * time.Second, Runs: 1, Elsewhere: "AMD EPYC, 2 cores, " + avx512, Scale: 1.5, Shared: 1}},
		{"the kind sharing a model wins over a slower one", []runs.Record{on(avx512, 2, 100, false), on(avx512, 2, 40, true), on("avx avx2 fma", 2, 60, true), on("avx avx2 fma", 16, 300, false)}, 0,
			Expectation{Time: 3000 * time.Second, Runs: 1, Elsewhere: "AMD EPYC, 2 cores, " + avx512, Scale: 1.5, Shared: 1}},
		{"an older record without SIMD flags does not scale", []runs.Record{on(avx512, 2, 100, false), on(avx512, 2, 40, true), on("", 2, 60, true)}, 0,
			Expectation{Time: 2000 * time.Second, Runs: 1, Elsewhere: "AMD EPYC, 2 cores, " + avx512}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Estimate(tc.recs, base, epyc, tc.done); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestExpectationSource: the log says what an estimate is drawn from.
func TestExpectationSource(t *testing.T) {
	for _, tc := range []struct {
		e    Expectation
		want string
	}{
		{Expectation{Time: time.Minute, Runs: 1}, "of 1 completed run of this model and data on this kind of machine, as recorded"},
		{Expectation{Time: time.Minute, Runs: 3, Elsewhere: "Xeon, 2 cores"}, "of 3 completed runs of this model and data on another kind of machine, Xeon, 2 cores, unscaled: no model has run on both"},
		{Expectation{Time: time.Minute, Runs: 2, Elsewhere: "Xeon, 2 cores", Scale: 1.14, Shared: 1}, "on another kind of machine, Xeon, 2 cores, times 1.14, this machine's time against its own over 1 model run on both"},
	} {
		if got := tc.e.Source(); !strings.Contains(got, tc.want) {
			t.Errorf("%+v: %q, want it to contain %q", tc.e, got, tc.want)
		}
	}
}

// TestFits: a run starts when it is expected to end before the deadline,
// when there is no deadline, or when nothing estimates it.
func TestFits(t *testing.T) {
	now := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		d        time.Duration
		n        int // runs it is drawn from
		deadline time.Time
		want     bool
		why      string
	}{
		{"no deadline", time.Hour, 3, time.Time{}, true, ""},
		{"ends before it", 40 * time.Minute, 3, now.Add(time.Hour), true, ""},
		{"ends after it", 45 * time.Minute, 1, now.Add(30 * time.Minute), false, "not started: about 45 min expected (the time per epoch of 1 completed run of this model and data on this kind of machine, as recorded), about 30 min left"},
		{"deadline passed", 45 * time.Minute, 2, now.Add(-time.Minute), false, "about 0 min left"},
		{"hours", 150 * time.Minute, 2, now.Add(61 * time.Minute), false, "not started: about 2 h 30 min expected (the time per epoch of 2 completed runs of this model and data on this kind of machine, as recorded), about 1 h 01 min left"},
		{"no estimate", 0, 0, now.Add(time.Minute), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := fits(Expectation{Time: tc.d, Runs: tc.n}, now, tc.deadline)
			if ok != tc.want || !strings.Contains(why, tc.why) || (ok && why != "") {
				t.Errorf("got %v %q, want %v containing %q", ok, why, tc.want, tc.why)
			}
		})
	}
}

// TestTrainWithin: with a deadline, Train starts only the runs expected
// to end before it (a dry run says which), going on past the ones that
// would not, and says how many it left.
func TestTrainWithin(t *testing.T) {
	p, cfgs, results := longPlan(t, "")
	// Arm a's seed 2 was interrupted after 15 of its 20 epochs: resuming
	// it takes the 5 left.
	resumed := filepath.Join(results, "runs", "long.a.mnist.s2")
	writeRecord(t, results, "long.a.mnist.s2", cfgs[1], runs.Summary{Status: runs.StatusInterrupted, Epochs: 15, WallSeconds: 900, Env: runs.ThisMachine()})
	for _, tc := range []struct {
		within    time.Duration
		want, not []string
	}{
		{30 * time.Minute, []string{"a / mnist / seed 1: would run (resume=\"\"), about 20 min", "b / mnist / seed 2: would run"}, []string{"not started"}},
		{10 * time.Minute, []string{"a / mnist / seed 1: not started: about 20 min expected", "a / mnist / seed 2: would run (resume=\"" + resumed + "\"), about 5 min", "b / mnist / seed 1: would run (resume=\"\"), about 4 min", "1 run was not started"}, nil},
		{3 * time.Minute, []string{"a / mnist / seed 2: not started: about 5 min expected", "b / mnist / seed 1: not started: about 4 min", "4 runs were not started"}, nil},
	} {
		var log strings.Builder
		if _, err := Train(context.Background(), p, RunOptions{ResultsDir: results, DryRun: true, Log: &log, Deadline: time.Now().Add(tc.within)}); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(log.String(), w) {
				t.Errorf("within %v: missing %q in\n%s", tc.within, w, log.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(log.String(), w) {
				t.Errorf("within %v: unexpected %q in\n%s", tc.within, w, log.String())
			}
		}
	}
}

// longPlan is experiment "long" (arms a, 20 epochs, and b, 4 epochs, of
// one model on the full split; seeds 1-2; more arms appended) with its
// runs' configurations, and a results folder holding one completed run of
// the same model and data (another budget and seed) on this machine: 60 s
// an epoch, so a should take 20 min and b 4 min.
func longPlan(t *testing.T, moreArms string) (*Plan, []config.Config, string) {
	t.Helper()
	p, err := Parse("long", "seeds = 1, 2\ndatasets = mnist\narm a: model=nin; subset=0; epochs=20\narm b: model=nin; subset=0; epochs=4"+moreArms)
	if err != nil {
		t.Fatal(err)
	}
	_, cfgs, err := p.Tasks("", "")
	if err != nil {
		t.Fatal(err)
	}
	results := t.TempDir()
	done := cfgs[0]
	done.Arm, done.Epochs, done.Seed = "other", 8, 9
	writeRecord(t, results, "long.other.mnist.s9", done, runs.Summary{Status: runs.StatusCompleted, Epochs: 8, WallSeconds: 480, Env: runs.ThisMachine()})
	return p, cfgs, results
}

// writeRecord writes a run record (config.json and summary.json) under
// results/runs/id.
func writeRecord(t *testing.T, results, id string, c config.Config, s runs.Summary) {
	t.Helper()
	dir := filepath.Join(results, "runs", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.ID, s.Experiment, s.Arm, s.Dataset, s.Seed = id, c.Experiment, c.Arm, c.Setup.Name, c.Seed
	for name, v := range map[string]any{runs.ConfigFile: runs.RunConfig{Config: c}, runs.SummaryFile: s} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatusExpected: status gives each run not completed the time it
// should take here (an interrupted one only its epochs left; both
// completed runs of the model count), none to a completed run, and says
// when no record can estimate a model.
func TestStatusExpected(t *testing.T) {
	p, cfgs, results := longPlan(t, "\narm c: model=nin; width=0.25; subset=0; epochs=4")
	writeRecord(t, results, "long.a.mnist.s2", cfgs[1], runs.Summary{Status: runs.StatusInterrupted, Epochs: 15, WallSeconds: 900, Env: runs.ThisMachine()})
	writeRecord(t, results, "long.b.mnist.s2", cfgs[3], runs.Summary{Status: runs.StatusCompleted, Epochs: 4, WallSeconds: 240, Env: runs.ThisMachine()})
	st, err := p.Status(results, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		state string
		min   float64
		n     int
	}{{"not submitted", 20, 2}, {runs.StatusInterrupted, 5, 2}, {"not submitted", 4, 2}, {runs.StatusCompleted, 0, 0}, {"not submitted", 0, 0}, {"not submitted", 0, 0}}
	if len(st) != len(want) {
		t.Fatalf("%d runs, want %d", len(st), len(want))
	}
	for i, s := range st {
		if e := s.Expected; s.State != want[i].state || e.Time.Minutes() != want[i].min || e.Runs != want[i].n || e.Elsewhere != "" {
			t.Errorf("%s: %s, %+v; want %s, %v min from %d records on this kind of machine", s.Label(), s.State, e, want[i].state, want[i].min, want[i].n)
		}
	}
}
