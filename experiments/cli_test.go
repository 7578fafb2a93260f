package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ninbench/nin/ninlib/runs"
)

var (
	cliOnce sync.Once
	cliBin  string
	cliErr  error
)

// cli builds the CLI once per test binary (with the crashtest fault hook,
// inert unless NIN_CRASH_AT is set) and returns the checkout's root and
// the binary.
func cli(t *testing.T) (root, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the CLI and trains tiny runs on real MNIST")
	}
	root, _ = filepath.Abs("..")
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nin-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliBin = filepath.Join(dir, "experiments")
		if out, err := exec.Command("go", "build", "-tags", "crashtest", "-o", cliBin, ".").CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return root, cliBin
}

// tinySet is a small training setting on real MNIST (seconds per run).
const tinySet = "subset=256;validation=128;test_subset=128;epochs=2;batch_size=32;width=0.25"

// TestTwoRunsAtOnce starts two `run NAME` processes of the same two-seed
// experiment at the same moment: each run is trained by one process only
// (two run directories, not four), and both commands end successfully.
func TestTwoRunsAtOnce(t *testing.T) {
	root, bin := cli(t)
	exps, results := t.TempDir(), t.TempDir()
	set := "claim = two processes share the work\ndatasets = mnist\nseeds = 1, 2\n" + strings.ReplaceAll(tinySet, ";", "\n") + "\narm a: model=nin\n"
	if err := os.WriteFile(filepath.Join(exps, "tiny.set"), []byte(set), 0o644); err != nil {
		t.Fatal(err)
	}
	var outs [2]bytes.Buffer
	var cmds [2]*exec.Cmd
	for i := range cmds {
		cmds[i] = exec.Command(bin, "run", "tiny", "-experiments", exps, "-results", results, "-progress", "none")
		cmds[i].Dir, cmds[i].Stdout, cmds[i].Stderr = root, &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(results, "runs", "*"))
	if len(dirs) != 2 {
		t.Fatalf("%d run directories, want 2 (one per seed):\n%s\n---\n%s", len(dirs), outs[0].String(), outs[1].String())
	}
	for _, d := range dirs {
		var s runs.Summary
		rows, _ := runs.ReadMetrics(d)
		if err := runs.ReadJSON(filepath.Join(d, runs.SummaryFile), &s); err != nil || s.Status != runs.StatusCompleted || len(rows) != 2 {
			t.Errorf("%s: status %s, %d metrics rows, %v", d, s.Status, len(rows), err)
		}
	}
	both := outs[0].String() + outs[1].String()
	if !strings.Contains(both, "being trained by another process") && !strings.Contains(both, "already completed") {
		t.Errorf("neither process reported a run left to the other:\n%s", both)
	}
}

// TestSIGINTDuringFinalTest interrupts the CLI while it tests on 10,000
// images one at a time: it must exit within 5 s with status interrupted
// and exit code 130, and the same run resumed must complete.
func TestSIGINTDuringFinalTest(t *testing.T) {
	root, bin := cli(t)
	results := t.TempDir()
	cmd := exec.Command(bin, "train", "-results", results, "-progress", "none", "-set",
		"subset=64;validation=32;test_subset=0;epochs=1;batch_size=32;eval_batch_size=1;width=0.25;experiment=sigint")
	cmd.Dir = root
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var seen strings.Builder
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "testing the epoch-") {
			break
		}
	}
	time.Sleep(300 * time.Millisecond) // well inside the test pass
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	err := cmd.Wait()
	took := time.Since(sent)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130\n%s%s", err, seen.String(), stderr.String())
	}
	if took > 5*time.Second {
		t.Errorf("the CLI took %v to stop after SIGINT during the final test, want under 5 s", took)
	}
	dirs, _ := filepath.Glob(filepath.Join(results, "runs", "*"))
	if len(dirs) != 1 {
		t.Fatalf("%d run directories", len(dirs))
	}
	var s runs.Summary
	if err := runs.ReadJSON(filepath.Join(dirs[0], runs.SummaryFile), &s); err != nil || s.Status != runs.StatusInterrupted || s.TestErr != 0 {
		t.Errorf("summary after SIGINT in the final test: %+v, %v", s, err)
	}
	t.Logf("stopped %v after SIGINT", took.Round(time.Millisecond))
}

// TestSameAnswerFromAnyFolder: `table` writes the same README from the
// checkout's root, from experiments/ and from a package folder; `run` of
// an unknown experiment lists the valid ones from anywhere inside; outside
// the checkout both say what to do.
func TestSameAnswerFromAnyFolder(t *testing.T) {
	root, bin := cli(t)
	results := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(root, "results", "runs"), results).CombinedOutput(); err != nil {
		t.Fatalf("copy the records: %v %s", err, out)
	}
	var first []byte
	for _, dir := range []string{root, filepath.Join(root, "experiments"), filepath.Join(root, "ninlib", "fit")} {
		cmd := exec.Command(bin, "table", "-results", results)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("table from %s: %v\n%s", dir, err, out)
		}
		readme, _ := os.ReadFile(filepath.Join(results, "README.md"))
		if first == nil {
			first = readme
			committed, _ := os.ReadFile(filepath.Join(root, "results", "README.md"))
			if !bytes.Equal(readme, committed) {
				t.Errorf("table from the root does not reproduce the committed results/README.md")
			}
		} else if !bytes.Equal(readme, first) {
			t.Errorf("table from %s wrote a different README than from the root", dir)
		}
		cmd = exec.Command(bin, "run", "nope")
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), "valid experiments are") || !strings.Contains(string(out), "gap-vs-fc") {
			t.Errorf("run nope from %s: %s", dir, out)
		}
	}
	for _, args := range [][]string{{"table"}, {"run", "gap-vs-fc"}, {"list"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "not inside the NIN workbench's checkout") {
			t.Errorf("%v outside the checkout: %v\n%s", args, err, out)
		}
	}
}

// TestBadCommandLines: settings that used to be ignored or half-applied
// are refused with a message naming the problem, and record nothing.
func TestBadCommandLines(t *testing.T) {
	root, bin := cli(t)
	goConf := filepath.Join(t.TempDir(), "go.conf")
	if err := os.WriteFile(goConf, []byte("backend = go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "gap-vs-fc", "-config", goConf, "-backend", "xla:cpu", "-dry"}, "disagree"},
		{[]string{"train", "model=nin-fc"}, `unexpected argument "model=nin-fc": settings go in -set, e.g. -set "model=nin-fc"`},
		{[]string{"train", "-set", "model=nin-fc", "extra"}, `unexpected argument "extra"`},
		{[]string{"train", "-set", "factor=inf"}, "expected a finite number"},
		{[]string{"train", "-set", "lr=0.1;lr=0.2"}, "setting lr is given twice"},
		{[]string{"train", "-set", "backend=go", "-backend", "xla:cpu"}, "disagree"},
		{[]string{"train", "-set", "backend=xla:cpu;" + tinySet}, "cannot load the XLA PJRT plugin"},
		{[]string{"train", "-set", "subset=16;batch_size=32;validation=64;test_subset=64"}, "batch_size 32 is larger than the 16 training records"},
		{[]string{"train", "-resume", "a", "-from", "b"}, "give one of them"},
		{[]string{"run", "gap-vs-fc", "-seeds", "1,1", "-dry"}, "listed twice"},
		{[]string{"run", "gap-vs-fc", "-datasets", "mnist,", "-dry"}, "empty item"},
		{[]string{"run", "gap-vs-fc", "-dry", "extra"}, `unexpected argument "extra"`},
		{[]string{"run", "gap-vs-fc", "-set", "dataset=cifar10", "-dry"}, "datasets = a, b"},
		{[]string{"sweep", "-grid", "lr=0.1;lr=0.2"}, "lr is given twice"},
		{[]string{"sweep", "-grid", "lr=0.1", "-datasets", ""}, "give at least one dataset"},
		{[]string{"sweep", "-grid", "lr=0.1,inf"}, "finite"},
		{[]string{"train", "-set", "lr=0.1", "-set", "lr=0.2"}, "setting lr is given twice"},
		{[]string{"run", "gap-vs-fc", "-epochs", "0", "-dry"}, "-epochs 0: expected 1 or more"},
		{[]string{"run", "gap-vs-fc", "-subset", "-2", "-dry"}, "-subset -2: expected 0 (all) or more"},
		{[]string{"run", "gap-vs-fc", "-seeds", "", "-dry"}, "-seeds is empty"},
		{[]string{"table"}, "holds no run records"},
	} {
		results := t.TempDir()
		n := 1 // flags go after the subcommand (and a run's experiment name)
		if tc.args[0] == "run" {
			n = 2
		}
		args := append(append(append([]string{}, tc.args[:n]...), "-results", results), tc.args[n:]...)
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: %v\n%s\nwant an error with %q", tc.args, err, out, tc.want)
		}
		if left, _ := os.ReadDir(results); len(left) != 0 {
			t.Errorf("%v left %d entries in the results directory", tc.args, len(left))
		}
	}
}
