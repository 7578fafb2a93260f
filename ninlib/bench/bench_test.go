package bench

import (
	"os"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		file    string
		rows    int
		rounds  int
		wantErr string
	}{
		{"testdata/peer-complete.txt", 24, 2, ""},
		{"testdata/peer-partial.txt", 0, 0, "did not finish its rounds"},
		{"testdata/missing.txt", 0, 0, "no such file"},
	} {
		r, err := Read(tc.file)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", tc.file, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(r.Rows) != tc.rows || r.Rounds != tc.rounds || r.Commit != "30eee01" || r.Machine != "AMD EPYC, 2 cores" {
			t.Errorf("%s: %d rows, %d rounds, commit %q, machine %q", tc.file, len(r.Rows), r.Rounds, r.Commit, r.Machine)
		}
		want := Row{"digits-w0.5", 32, "train", 537.0, 1319.1, 0.41, "0.40, 0.41"}
		if got := r.Rows[20]; got != want {
			t.Errorf("row 20: %+v, want %+v", got, want)
		}
	}
}

func TestParseRefusesBadSummaryLines(t *testing.T) {
	for _, line := range []string{
		"digits 32 train 1 2 0.5 (0.5)",     // batch without its b
		"digits b32 train 1 2 (0.5)",        // a field missing
		"digits b32 train 1 fast 0.5 (0.5)", // not a number
	} {
		_, err := Parse(strings.NewReader("## summary: medians over 1 rounds\n" + line + "\n"))
		if err == nil || !strings.Contains(err.Error(), "summary line") {
			t.Errorf("%q: error %v, want a summary line error", line, err)
		}
	}
}

func TestMarkdown(t *testing.T) {
	r, err := Read("testdata/peer-complete.txt")
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(r, "results/bench/peer-x.txt")
	for _, want := range []string{
		"From `results/bench/peer-x.txt` (commit 30eee01; AMD EPYC, 2 cores; AVX-512: not recorded; PyTorch on cpu, 2 CPU threads), in images per second: medians over 2 rounds",
		"| digit NIN width ½ (the laptop-scale experiments) | 32 | 537.0 | 1319 | 0.41 (0.40–0.41) | 2265 | 3653 | 0.62 (0.60–0.64) |\n| | 128 | 536.0 | 1378 | 0.39 (0.36–0.42) |",
		"| NIN, FC head | 32 | 97.2 | 139.5 | 0.70 (0.67–0.73) | 332.6 | 363.4 | 0.92 (0.74–1.10) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	r.SIMD = "avx avx2 fma"
	if md := Markdown(r, "p"); !strings.Contains(md, "AVX-512: no (AVX2)") {
		t.Errorf("an AVX2-only machine not said:\n%s", md)
	}
}

func TestReplace(t *testing.T) {
	doc := "intro\n" + Begin + "\nold table\n" + End + "\nafter\n"
	got, err := Replace(doc, "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + Begin + "\nnew table\n" + End + "\nafter\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if again, _ := Replace(got, "new table\n"); again != got {
		t.Errorf("not idempotent: %q", again)
	}
	for _, bad := range []string{"no markers", End + "\n" + Begin} {
		if _, err := Replace(bad, "t"); err == nil || !strings.Contains(err.Error(), "no peer table block") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func TestNewestSkipsIncompleteAndGPURecords(t *testing.T) {
	dir := t.TempDir()
	complete, _ := os.ReadFile("testdata/peer-complete.txt")
	partial, _ := os.ReadFile("testdata/peer-partial.txt")
	for name, data := range map[string][]byte{
		"peer-20261128T100000.txt":      complete,
		"peer-20261129T100000.txt":      partial,
		"peer-cuda-20261130T100000.txt": complete,
	} {
		if err := os.WriteFile(dir+"/"+name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := NewestPerCPU(dir)
	if err != nil || len(recs) != 1 || !strings.HasSuffix(recs[0].Path, "peer-20261128T100000.txt") {
		t.Fatalf("newest: %v, %v", recs, err)
	}
	if _, err := NewestPerCPU(t.TempDir()); err == nil || !strings.Contains(err.Error(), "peer-bench.sh") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestNewestPerCPU(t *testing.T) {
	complete, err := os.ReadFile("testdata/peer-complete.txt")
	if err != nil {
		t.Fatal(err)
	}
	partial, _ := os.ReadFile("testdata/peer-partial.txt")
	withFlags := func(flags string) []byte { // the fixture as a record that names its CPU's flags
		head, rest, _ := strings.Cut(string(complete), "\n")
		return []byte(head + "\n# SIMD flags: " + flags + "\n" + rest)
	}
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  []string // record names, in order, and their kinds
		kinds []string
	}{
		{"one of each kind, newest of each",
			map[string][]byte{
				"peer-20261101T100000.txt":      complete, // no flags recorded: superseded by both kinds
				"peer-20261102T100000.txt":      withFlags("avx avx2 avx512f fma"),
				"peer-20261103T100000.txt":      withFlags("avx avx2 fma"),
				"peer-20261104T100000.txt":      withFlags("avx avx2 avx512bw avx512f fma"),
				"peer-20261105T100000.txt":      partial,                           // unfinished: skipped
				"peer-avx2-20261106T100000.txt": withFlags("avx avx2 avx512f fma"), // restricted: not a machine's own
			},
			[]string{"peer-20261104T100000.txt", "peer-20261103T100000.txt"},
			[]string{AVX512, AVX2}},
		{"only AVX-512",
			map[string][]byte{"peer-20261102T100000.txt": withFlags("avx2 avx512f")},
			[]string{"peer-20261102T100000.txt"}, []string{AVX512}},
		{"flags never recorded: the newest",
			map[string][]byte{"peer-20261101T100000.txt": complete, "peer-20261102T100000.txt": complete},
			[]string{"peer-20261102T100000.txt"}, []string{""}},
	} {
		dir := t.TempDir()
		for name, data := range tc.files {
			if err := os.WriteFile(dir+"/"+name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := NewestPerCPU(dir)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got, kinds []string
		for _, r := range recs {
			got = append(got, r.Path[len(dir)+1:])
			kinds = append(kinds, r.CPUKind())
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
			t.Errorf("%s: got %v %q, want %v %q", tc.name, got, kinds, tc.want, tc.kinds)
		}
	}
	if _, err := NewestPerCPU(t.TempDir()); err == nil || !strings.Contains(err.Error(), "peer-bench.sh") {
		t.Errorf("empty folder: %v", err)
	}
}
