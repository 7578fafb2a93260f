package runs

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// EnvironmentOf fills an Environment from the machine and the git checkout in dir.
func EnvironmentOf(dir string) Environment {
	e := ThisMachine()
	e.GoVersion = runtime.Version()
	e.Hostname, _ = os.Hostname()
	if out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output(); err == nil {
		e.GitCommit = strings.TrimSpace(string(out))
		// Records and plots under results/ do not make the code dirty.
		if out, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!results").Output(); err == nil {
			e.GitDirty = len(strings.TrimSpace(string(out))) > 0
		}
	} else {
		e.GitCommit = "unknown (not a git checkout)"
	}
	return e
}

// ThisMachine is the part of an Environment that says what machine this
// is: the CPU model, its SIMD extensions and the core count.
func ThisMachine() Environment {
	e := Environment{NumCPU: runtime.NumCPU()}
	e.CPU, e.CPUSIMD = cpuInfo()
	return e
}

// cpuInfo is the CPU's model name and its SIMD extensions (simdFlags) as
// /proc/cpuinfo lists them for the first CPU; GOARCH and "" where it is
// not readable.
func cpuInfo() (model, simd string) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH, ""
	}
	defer f.Close()
	return parseCPUInfo(f)
}

// simdFlags are the cpuinfo flags a record keeps, in this order.
var simdFlags = []string{"avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "asimd", "sve"}

// parseCPUInfo reads the first CPU's "model name" and "flags" (or
// "Features" on ARM) lines of a /proc/cpuinfo.
func parseCPUInfo(r io.Reader) (model, simd string) {
	model = runtime.GOARCH
	have := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024) // the flags line is long
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		switch k = strings.TrimSpace(k); {
		case !ok:
		case k == "model name" && model == runtime.GOARCH:
			model = strings.TrimSpace(v)
		case (k == "flags" || k == "Features") && len(have) == 0:
			for _, fl := range strings.Fields(v) {
				have[fl] = true
			}
		}
	}
	var kept []string
	for _, fl := range simdFlags {
		if have[fl] {
			kept = append(kept, fl)
		}
	}
	return model, strings.Join(kept, " ")
}

// PeakRSSMB returns the peak resident set size of this process in MiB
// (VmHWM from /proc/self/status), or 0 where it is not available.
func PeakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%f kB", &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// CodeDirty reports whether the git checkout in dir differs from its
// commit outside the folders named (e.g. results and notebooks, which
// publishing changes).
func CodeDirty(dir string, except ...string) bool {
	args := []string{"-C", dir, "status", "--porcelain", "--untracked-files=no", "--", "."}
	for _, e := range except {
		args = append(args, ":!"+e)
	}
	out, err := exec.Command("git", args...).Output()
	return err == nil && len(strings.TrimSpace(string(out))) > 0
}
