package runs

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// EnvironmentOf fills an Environment from the machine and the git checkout in dir.
func EnvironmentOf(dir string) Environment {
	e := Environment{GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), CPU: cpuModel()}
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

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
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
