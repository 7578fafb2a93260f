package report

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/runs"
	"github.com/ninbench/nin/ninlib/stats"
)

// regenerated regenerates the tables of results dir res and returns its
// README.md.
func regenerated(t testing.TB, res string) string {
	t.Helper()
	if err := Regenerate(res, "../../experiments", ""); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(res, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(md)
}

// writeRecord writes a fixture run record whose config is what the
// repository's experiment file exp makes for arm, ds and seed.
func writeRecord(t testing.TB, results, exp, arm, ds string, seed uint64, status string, testErr float64, end time.Time) string {
	t.Helper()
	return writeRecordSet(t, results, exp, arm, ds, seed, status, testErr, end, "")
}

// writeRecordSet is writeRecord for a run made with extra settings (-set).
func writeRecordSet(t testing.TB, results, exp, arm, ds string, seed uint64, status string, testErr float64, end time.Time, extra string) string {
	t.Helper()
	p, err := plan.Load("../../experiments", exp)
	if err != nil {
		t.Fatal(err)
	}
	var c config.Config
	for _, a := range p.Arms {
		if a.Name == arm {
			if c, err = p.Config(a, ds, seed, extra); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(p.Arms) == 0 {
		if c, err = p.Config(plan.Arm{Name: arm}, ds, seed, extra); err != nil {
			t.Fatal(err)
		}
	}
	id := fmt.Sprintf("%s.%s.%s.s%d.%d", exp, arm, ds, seed, end.UnixNano())
	dir := filepath.Join(results, "runs", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), c); err != nil {
		t.Fatal(err)
	}
	s := runs.Summary{ID: id, Experiment: exp, Arm: arm, Dataset: ds, Variant: arm, Seed: seed, Status: status,
		TestErr: testErr, TestAcc: 1 - testErr, ValErr: testErr + 0.01, Params: 1000, MACs: 5000, End: end}
	s.Env.Backend = "go"
	if err := runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), s); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAggregateMeanStdLatestPerSeedAndStatuses(t *testing.T) {
	res := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 1, runs.StatusCompleted, 0.50, t0) // superseded by the newer seed-1 run
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 1, runs.StatusCompleted, 0.02, t0.Add(time.Hour))
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 2, runs.StatusCompleted, 0.04, t0)
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 3, runs.StatusDiverged, 0, t0)
	writeRecord(t, res, "gap-vs-fc", "nin-fc", "mnist", 1, runs.StatusCompleted, 0.10, t0)
	writeRecord(t, res, "gap-vs-fc", "nin-fc", "mnist", 2, runs.StatusInterrupted, 0, t0)
	if err := Regenerate(res, "../../experiments", ""); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(res, "summary.csv"))
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := map[string]int{}
	for i, h := range recs[0] {
		head[h] = i
	}
	byArm := map[string][]string{}
	for _, r := range recs[1:] {
		byArm[r[head["arm"]]] = r
	}
	nin := byArm["nin"]
	if nin[head["completed"]] != "2" || nin[head["diverged"]] != "1" || nin[head["seeds"]] != "1 2" {
		t.Errorf("nin row: %v", nin)
	}
	// Mean of 2% and 4% is 3%, sample std sqrt(2)%.
	if nin[head["test_error_pct_mean"]] != "3.0000" || nin[head["test_error_pct_std"]] != fmt.Sprintf("%.4f", math.Sqrt2) {
		t.Errorf("nin mean/std: %s ± %s", nin[head["test_error_pct_mean"]], nin[head["test_error_pct_std"]])
	}
	if !strings.Contains(nin[head["command"]], "go run ./experiments run gap-vs-fc -arms nin -datasets mnist -seeds 1,2") {
		t.Errorf("command %q", nin[head["command"]])
	}
	if byArm["nin-fc"][head["interrupted"]] != "1" {
		t.Errorf("interrupted run not counted: %v", byArm["nin-fc"])
	}
	b, _ := os.ReadFile(filepath.Join(res, "README.md"))
	md := string(b)
	for _, want := range []string{"## gap-vs-fc", "3.00 ± 1.41", "0.47", "2/1/0", "10.00 (1 seed)", "Claim tested"} {
		if !strings.Contains(md, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
}

func TestUnreadableRecordIsListedNotDropped(t *testing.T) {
	res := t.TempDir()
	writeRecord(t, res, "quick", "nin", "mnist", 1, runs.StatusCompleted, 0.05, time.Now())
	bad := filepath.Join(res, "runs", "broken")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, runs.ConfigFile), []byte("{not json"), 0o644)
	md := regenerated(t, res)
	if !strings.Contains(md, "Unreadable records") || !strings.Contains(md, "broken") {
		t.Errorf("README.md does not list the broken record:\n%s", md)
	}
}

// TestConcurrentRecordsAndTables has several "runs" write their records and
// regenerate the tables at the same time; afterwards every run appears
// exactly once and no temporary file is left.
func TestConcurrentRecordsAndTables(t *testing.T) {
	res := t.TempDir()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ids[i] = writeRecord(t, res, "quick", "nin", "mnist", uint64(i+1), runs.StatusCompleted, 0.01*float64(i), time.Now())
			if err := Regenerate(res, "../../experiments", ""); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	b, err := os.ReadFile(filepath.Join(res, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if n := strings.Count(string(b), id); n != 1 {
			t.Errorf("run %s appears %d times in summary.csv", id, n)
		}
	}
	left, _ := filepath.Glob(filepath.Join(res, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSupersededRecordsAreKeptNotCounted: a record made with other settings
// than the experiment file now holds (an older scale, a -set) and the
// probes of it do not enter the tables, which say they were left out; with
// the same extra settings they are the current ones.
func TestSupersededRecordsAreKeptNotCounted(t *testing.T) {
	res := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 1, runs.StatusCompleted, 0.02, t0)
	old := writeRecordSet(t, res, "gap-vs-fc", "nin", "mnist", 2, runs.StatusCompleted, 0.40, t0, "epochs=1")
	// A probe record of the superseded run.
	pdir := filepath.Join(res, "runs", "translation.nin.mnist.s2.x")
	os.MkdirAll(pdir, 0o755)
	runs.WriteJSON(filepath.Join(pdir, runs.ConfigFile), config.Defaults())
	runs.WriteJSON(filepath.Join(pdir, runs.SummaryFile), runs.Summary{ID: "translation.nin.mnist.s2.x", Experiment: "translation", Arm: "nin",
		Dataset: "mnist", Seed: 2, Status: runs.StatusCompleted, Probe: &runs.ProbeResult{Kind: "translation", Source: old, X: []int{0}, Acc: []float64{0.5}}})

	r := Load(res, "../../experiments", "")
	if len(r.Current) != 1 || len(r.Superseded) != 2 {
		t.Fatalf("current %d, superseded %d; want 1 and 2", len(r.Current), len(r.Superseded))
	}
	md := regenerated(t, res)
	if !strings.Contains(md, "2.00 (1 seed)") || strings.Contains(md, "40.00") || !strings.Contains(md, "2 run records in `runs/` were made with other settings") {
		t.Errorf("README.md counts a superseded record or does not say so:\n%s", md)
	}
	if r := Load(res, "../../experiments", "epochs=1"); len(r.Current) != 2 {
		t.Errorf("with the run's own -set, %d current records; want the run and its probe", len(r.Current))
	}
}

// TestGeneralizationTable: the generalization probe's table shows train
// and test errors and their gap per arm, the source's first arm (nin)
// first as the reference.
func TestGeneralizationTable(t *testing.T) {
	res := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	probeRec := func(arm string, seed uint64, train, test float64) {
		src := writeRecord(t, res, "gap-vs-fc", arm, "mnist", seed, runs.StatusCompleted, 1-test, t0)
		id := fmt.Sprintf("generalization.%s.mnist.s%d.x", arm, seed)
		dir := filepath.Join(res, "runs", id)
		os.MkdirAll(dir, 0o755)
		runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), config.Defaults())
		runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), runs.Summary{ID: id, Experiment: "generalization", Arm: arm, Dataset: "mnist", Seed: seed,
			Status: runs.StatusCompleted, Probe: &runs.ProbeResult{Kind: "generalization", Source: src, TrainAcc: train, TestAcc: test}})
	}
	probeRec("nin-fc", 1, 1.00, 0.96)
	probeRec("nin-fc", 2, 1.00, 0.94)
	probeRec("nin", 1, 0.97, 0.96)
	probeRec("nin", 2, 0.98, 0.96)
	md := regenerated(t, res)
	sec := md[strings.Index(md, "## generalization"):]
	// nin: gaps 1 and 2 -> 1.50 ± 0.71; nin-fc: gaps 4 and 6 -> 5.00 ± 1.41.
	iNin, iFC := strings.Index(sec, "| nin | 2 |"), strings.Index(sec, "| nin-fc | 2 |")
	if iNin < 0 || iFC < 0 || iNin > iFC {
		t.Fatalf("rows missing or nin not first:\n%s", sec)
	}
	// Two seeds a side: every verdict says so.
	for _, want := range []string{"| nin | 2 | 2.50 ± 0.71 | 4.00 ± 0.00 | 1.50 ± 0.71 | (reference) |", "| nin-fc | 2 | 0.00 ± 0.00 | 5.00 ± 1.41 | 5.00 ± 1.41 | yes (Δ +3.50; 2 seeds) |"} {
		if !strings.Contains(sec, want) {
			t.Errorf("generalization table lacks %q:\n%s", want, sec)
		}
	}
	// The summary at the top carries the same comparison, and the source's.
	for _, want := range []string{"## At a glance", "| generalization (test − train error %) | mnist | all the training images × 1 epoch | nin 1.50 ± 0.71 | nin-fc 5.00 ± 1.41 (Δ +3.50, beyond, 2 seeds) |",
		"| gap-vs-fc (test error %) | mnist | 20,000 images × 3 epochs | nin 4.00 ± 0.00 | nin-fc 5.00 ± 1.41 (Δ +1.00, within spread, 2 seeds) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("README.md lacks %q:\n%s", want, md)
		}
	}
}

// TestSectionsFollowTheFilesOrder: experiments appear in results/README.md
// in the order their files ask for (gap-vs-fc before bottleneck), not by name.
func TestSectionsFollowTheFilesOrder(t *testing.T) {
	res := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	writeRecord(t, res, "bottleneck", "bneck-half", "mnist", 1, runs.StatusCompleted, 0.03, t0)
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 1, runs.StatusCompleted, 0.02, t0)
	md := regenerated(t, res)
	g, b := strings.Index(md, "## gap-vs-fc"), strings.Index(md, "## bottleneck")
	if g < 0 || b < 0 || g > b {
		t.Errorf("gap-vs-fc at %d, bottleneck at %d: want gap-vs-fc first", g, b)
	}
}

// TestGlanceSkipsArmsWithoutRuns: an arm with no completed run yet shows
// no number and no cost ratio in the summary.
func TestGlanceSkipsArmsWithoutRuns(t *testing.T) {
	res := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	writeRecord(t, res, "gap-vs-fc", "nin", "mnist", 1, runs.StatusCompleted, 0.02, t0)
	writeRecord(t, res, "gap-vs-fc", "nin-fc", "mnist", 1, runs.StatusInterrupted, 0, t0)
	writeRecord(t, res, "quick", "nin", "mnist", 1, runs.StatusCompleted, 0.05, t0)
	md := regenerated(t, res)
	want := "| gap-vs-fc (test error %) | mnist | 20,000 images × 3 epochs | nin 2.00 (1 seed) | nin-fc – |"
	if !strings.Contains(md, want) {
		t.Errorf("README.md lacks %q:\n%s", want, md)
	}
}

// TestBudgetFigures: a figure per experiment and dataset where a head has
// completed runs at two budgets or more, none otherwise, and the README
// section links it.
func TestBudgetFigures(t *testing.T) {
	row := func(exp, arm, ds string, n int) *Row {
		return &Row{Experiment: exp, Arm: arm, Dataset: ds, TestErr: stats.Stat{N: n, Mean: 0.02}}
	}
	for _, tc := range []struct {
		name string
		rows []*Row
		want []BudgetFigure
	}{
		{"two budgets", []*Row{row("budget", "nin-e1", "mnist", 3), row("budget", "nin-e3", "mnist", 1)},
			[]BudgetFigure{{"budget", "mnist", "figures/budget-mnist.svg", "figures/budget-mnist-curves.svg"}}},
		{"a shared arm at two budgets", []*Row{row("budget-bodies", "nin-e8 (from budget)", "mnist", 3), row("budget-bodies", "nin-e20 (from budget)", "mnist", 3), row("budget-bodies", "conv-gap-e8", "mnist", 3)},
			[]BudgetFigure{{"budget-bodies", "mnist", "figures/budget-bodies-mnist.svg", "figures/budget-bodies-mnist-curves.svg"}}},
		{"one budget", []*Row{row("budget", "nin-e1", "mnist", 3), row("budget", "nin-fc-e3", "mnist", 3)}, nil},
		{"a budget without completed runs", []*Row{row("budget", "nin-e1", "mnist", 3), row("budget", "nin-e3", "mnist", 0)}, nil},
		{"no budget arms", []*Row{row("gap-vs-fc", "nin", "mnist", 3), row("gap-vs-fc", "nin-fc", "mnist", 3)}, nil},
		{"two datasets, two heads", []*Row{
			row("budget", "nin-e1", "mnist", 3), row("budget", "nin-e3", "mnist", 3),
			row("budget", "nin-fc-e1", "mnist", 3), row("budget", "nin-fc-e3", "mnist", 3),
			row("budget", "nin-e1", "fashion-mnist", 3), row("budget", "nin-e8", "fashion-mnist", 3)},
			[]BudgetFigure{{"budget", "mnist", "figures/budget-mnist.svg", "figures/budget-mnist-curves.svg"},
				{"budget", "fashion-mnist", "figures/budget-fashion-mnist.svg", "figures/budget-fashion-mnist-curves.svg"}}},
	} {
		got := BudgetFigures(tc.rows)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		md := string(Section(tc.rows, nil, tc.rows[0].Experiment))
		for _, f := range tc.want {
			if !strings.Contains(md, "]("+f.Path+")") || !strings.Contains(md, "]("+f.CurvesPath+")") {
				t.Errorf("%s: the section does not link %s:\n%s", tc.name, f.Path, md)
			}
		}
	}
}

// TestBest: per dataset, the lowest mean over at least 3 seeds, from its
// own experiment (shared rows and probes do not count).
func TestBest(t *testing.T) {
	row := func(exp, arm, ds string, mean float64, n int) *Row {
		return &Row{Experiment: exp, Arm: arm, Dataset: ds, TestErr: stats.Stat{Mean: mean, Std: 0.1, N: n}, Budget: "b", WallMean: 840, Params: 1000, Command: "cmd " + arm}
	}
	probe := row("translation", "nin", "mnist", 0.1, 3)
	probe.Probe = []runs.ProbeResult{{}}
	for _, tc := range []struct {
		name string
		rows []*Row
		want []string // "dataset arm"
	}{
		{"lowest mean per dataset", []*Row{
			row("budget", "nin-e8", "mnist", 0.67, 3), row("budget", "nin-fc-e8", "mnist", 0.58, 3),
			row("budget", "nin-fc-e3", "fashion-mnist", 10.6, 3), row("budget", "nin-fc-e8", "fashion-mnist", 8.8, 3),
		}, []string{"mnist nin-fc-e8", "fashion-mnist nin-fc-e8"}},
		{"fewer than 3 seeds do not count", []*Row{
			row("budget", "nin-fc-e8", "fashion-mnist", 8.8, 2), row("budget", "nin-fc-e3", "fashion-mnist", 10.6, 3),
		}, []string{"fashion-mnist nin-fc-e3"}},
		{"shared rows and probes do not count", []*Row{
			row("batch-norm", "nin-e1 (from budget)", "mnist", 0.1, 3), probe, row("budget", "nin-e1", "mnist", 2.75, 3),
		}, []string{"mnist nin-e1"}},
		{"nothing with 3 seeds", []*Row{row("quick", "nin", "mnist", 3.5, 1)}, nil},
	} {
		var got []string
		for _, r := range Best(tc.rows) {
			got = append(got, r.Dataset+" "+r.Arm)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	md := string(Markdown([]*Row{row("budget", "nin-fc-e8", "mnist", 0.58, 3)}, nil, nil))
	if !strings.Contains(md, "| mnist | nin-fc-e8 (budget) | 0.58 ± 0.10 | 3 | b | 14 | 1,000 | 0.47 | `cmd nin-fc-e8` |") {
		t.Errorf("no best-configuration row:\n%s", md)
	}
}

// TestSectionWithoutRecords: a notebook's section of an experiment with no
// records says so and how to make them, instead of an empty table.
func TestSectionWithoutRecords(t *testing.T) {
	plans := map[string]*plan.Plan{"maps": {Name: "maps", Kind: "confidence-maps", Claim: "the maps are confidence maps"}}
	md := string(Section(nil, plans, "maps"))
	for _, want := range []string{"## maps", "**Claim tested.** the maps are confidence maps", "No records of maps here yet: `go run ./experiments run maps` makes them."} {
		if !strings.Contains(md, want) {
			t.Errorf("section lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "|---|") {
		t.Errorf("section has an empty table:\n%s", md)
	}
}

// TestConfidenceMapsPeaks: the confidence-maps section and the glance say
// where the true class's maps peak, from the records that measured it,
// and leave out records made before (no number, no glance line).
func TestConfidenceMapsPeaks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		peaks     bool
		want, not []string
	}{
		{"measured", true,
			[]string{"Where the maps peak, over the first 1000 test images, in 2 runs: the true class's map on the object in 50.00 ± 14.14% of the images, the other classes' maps in 35.00 ± 7.07% (the control",
				"a lead of 15.00 ± 7.07 points for the true class's map (run by run, on the same images)",
				"where the object covers 20.00 ± 0.00% of a map's cells",
				"| confidence-maps (% of test images whose true class's map peaks on the object; the other classes' maps: 35% (the true class's lead, run by run: 15.00 ± 7.07 points); the object covers 20% of a map) | mnist | all the training images × 1 epoch | nin 50.00 ± 14.14 | – |",
				"[seed 1](runs/confidence-maps.nin.mnist.s1.x/maps.png), [seed 2](runs/confidence-maps.nin.mnist.s2.x/maps.png)"}, nil},
		{"older records", false, []string{"maps of 2 runs"}, []string{"Where the maps peak", "| confidence-maps ("}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := t.TempDir()
			t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			for seed, on := range map[uint64]float64{1: 0.4, 2: 0.6} { // the other classes' maps: 0.3 and 0.4
				other := 0.3 + 0.1*float64(seed-1)
				src := writeRecord(t, res, "gap-vs-fc", "nin", "mnist", seed, runs.StatusCompleted, 0.02, t0)
				id := fmt.Sprintf("confidence-maps.nin.mnist.s%d.x", seed)
				dir := filepath.Join(res, "runs", id)
				os.MkdirAll(dir, 0o755)
				p := &runs.ProbeResult{Kind: "confidence-maps", Source: src, Figure: "maps.png", Images: []runs.MapImage{{Label: 7, Pred: 7, MapArgmax: 7}}}
				if tc.peaks {
					p.PeakImages, p.PeakOnObject, p.OtherPeakOnObject, p.ObjectCover = 1000, on, other, 0.2
				}
				runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), config.Defaults())
				runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), runs.Summary{ID: id, Experiment: "confidence-maps", Arm: "nin", Dataset: "mnist", Seed: seed,
					Status: runs.StatusCompleted, Probe: p})
			}
			containsAll(t, regenerated(t, res), tc.want, tc.not)
		})
	}
}

// containsAll reports every string of want that text lacks and every
// string of not that it has.
func containsAll(t *testing.T, text string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in\n%s", w, text)
		}
	}
	for _, w := range not {
		if strings.Contains(text, w) {
			t.Errorf("unexpected %q in\n%s", w, text)
		}
	}
}

// TestWriteScales: what every row shares is said once; each setting
// that sets arms apart is said once, with every arm that has it.
func TestWriteScales(t *testing.T) {
	row := func(arm, ds, scale string) *Row { return &Row{Arm: arm, Dataset: ds, Scale: scale} }
	for _, tc := range []struct {
		name string
		rows []*Row
		want string
	}{
		{"one scale", []*Row{row("nin", "mnist", "batch 32, 3 epochs"), row("nin-fc", "mnist", "batch 32, 3 epochs")},
			"**Scale (mnist).** batch 32, 3 epochs. "},
		{"arms grouped by what sets them apart", []*Row{
			row("nin-e8", "fashion-mnist", "batch 32, widths x 0.5, 8 epochs"), row("conv-gap-e8", "fashion-mnist", "batch 32, widths x 0.49, 8 epochs"),
			row("bneck-half-e8", "fashion-mnist", "batch 32, widths x 0.5, 8 epochs"), row("nin-e20", "fashion-mnist", "batch 32, widths x 0.5, 20 epochs"),
			row("nin-e8", "mnist", "batch 32, widths x 0.5, 8 epochs"), row("bneck-quarter-e8", "mnist", "batch 32, widths x 0.5, 8 epochs")},
			"**Scale (fashion-mnist, mnist).** batch 32; per arm: nin-e8, bneck-half-e8 and bneck-quarter-e8: widths x 0.5, 8 epochs; conv-gap-e8: widths x 0.49, 8 epochs; nin-e20: widths x 0.5, 20 epochs. "},
		{"probes and rows without a scale say nothing", []*Row{{Arm: "nin", Dataset: "mnist", Probe: []runs.ProbeResult{{Kind: "translation"}}, Scale: "a"}, row("nin", "mnist", "")}, ""},
	} {
		var b strings.Builder
		writeScales(&b, tc.rows)
		if got := b.String(); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("%s:\n got %q\nwant %q…", tc.name, got, tc.want)
		}
	}
}
