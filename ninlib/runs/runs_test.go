package runs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestMetricsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rows := []Epoch{{Epoch: 1, Step: 10, LR: 0.1, TrainLoss: 2.5, TrainAcc: 0.3, ValLoss: 2.1, ValAcc: 0.4, Seconds: 3.5, ImagesPerSec: 100},
		{Epoch: 2, Step: 20, LR: 0.01, TrainLoss: 1.5, TrainAcc: 0.6, ValLoss: 1.1, ValAcc: 0.7, Seconds: 3.25, ImagesPerSec: 101.5}}
	if err := WriteMetrics(dir, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(rows) {
		t.Errorf("round trip: %v, want %v", got, rows)
	}
}

func TestParseMetricsErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", "header"},
		{"epoch,step\n1,2\n", "header"},
		{strings.Join(metricsHeader, ",") + "\n1,2,3\n", "fields"},
		{strings.Join(metricsHeader, ",") + "\nx,1,1,1,1,1,1,1,1\n", "epoch"},
		{strings.Join(metricsHeader, ",") + "\n1,1,1,nan?,1,1,1,1,1\n", "line 2"},
	} {
		if _, err := ParseMetrics(strings.NewReader(tc.text), "m.csv"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.text, err, tc.want)
		}
	}
}

func FuzzParseMetrics(f *testing.F) {
	f.Add([]byte(strings.Join(metricsHeader, ",") + "\n1,10,0.1,2.5,0.3,2.1,0.4,3.5,100\n"))
	f.Add([]byte("epoch\n"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseMetrics(bytes.NewReader(b), "fuzz") })
}

// TestAtomicWritesUnderConcurrency has writers replace one file with
// complete, different contents while readers read it: a reader must always
// see one writer's whole content, never a mix or a truncation.
func TestAtomicWritesUnderConcurrency(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.json")
	content := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 200_000) }
	if err := WriteFileAtomic(path, content(0)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				if err := WriteFileAtomic(path, content(w)); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	var bad int
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err != nil || len(b) != 200_000 || bytes.Count(b, b[:1]) != len(b) {
				bad++
			}
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	if bad > 0 {
		t.Errorf("%d reads saw a partial or mixed file", bad)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestWriteToReadOnlyDirIsClearError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	err := WriteFileAtomic(filepath.Join(dir, "x.json"), []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "writable") {
		t.Errorf("got %v", err)
	}
}

func TestPeakRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	if m := PeakRSSMB(); m < 1 || m > 1<<20 {
		t.Errorf("peak RSS %v MiB", m)
	}
}

// TestLockIsExclusiveAndLive: a run directory's lock excludes a second
// holder (naming the first's PID), makes the run live to readers, and a
// "running" summary without a live lock reads as interrupted.
func TestLockIsExclusiveAndLive(t *testing.T) {
	dir := t.TempDir()
	running := &Summary{Status: StatusRunning}
	if Live(dir) || EffectiveStatus(dir, running) != StatusInterrupted {
		t.Fatalf("a directory without a lock is live or running")
	}
	l, err := TryLock(filepath.Join(dir, LockFile))
	if err != nil {
		t.Fatal(err)
	}
	if !Live(dir) || EffectiveStatus(dir, running) != StatusRunning {
		t.Errorf("a held lock does not make the run live")
	}
	_, err = TryLock(filepath.Join(dir, LockFile))
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("second lock: %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Errorf("Open of a locked run: %v", err)
	}
	l.Unlock()
	l.Unlock() // twice is harmless
	if Live(dir) {
		t.Errorf("the lock is still live after Unlock")
	}
	if EffectiveStatus(dir, &Summary{Status: StatusCompleted}) != StatusCompleted {
		t.Errorf("EffectiveStatus changed a completed run")
	}
}

// TestParseCPUInfo: a record names the CPU and the SIMD extensions that
// change GoMLX's kernels, from the first CPU of /proc/cpuinfo (fixtures:
// this session's AVX2-only EPYC, an AVX-512 Xeon, an ARM server).
func TestParseCPUInfo(t *testing.T) {
	for _, tc := range []struct{ file, model, simd string }{
		{"cpuinfo-epyc-avx2.txt", "AMD EPYC", "avx avx2 fma"},
		{"cpuinfo-xeon-avx512.txt", "Intel(R) Xeon(R) Processor", "avx avx2 fma avx512f avx512bw avx512vl avx512_vnni avx512_bf16 avx512_fp16 amx_tile amx_bf16"},
		{"cpuinfo-arm.txt", runtime.GOARCH, "asimd sve"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			model, simd := parseCPUInfo(f)
			if model != tc.model || simd != tc.simd {
				t.Errorf("got %q, %q; want %q, %q", model, simd, tc.model, tc.simd)
			}
		})
	}
}
