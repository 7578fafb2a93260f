//go:build crashtest

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/ninbench/nin/ninlib/runs"
)

// init installs the fault hook that CrashEnv describes.
func init() {
	spec := os.Getenv(CrashEnv)
	parts := strings.Split(spec, ":")
	if len(parts) < 2 {
		return
	}
	epoch, err := strconv.Atoi(parts[1])
	if err != nil {
		return
	}
	step := -1
	if len(parts) > 2 {
		if step, err = strconv.Atoi(parts[2]); err != nil {
			return
		}
	}
	faultHook = func(dir, point string, e, s int) {
		if e != epoch || step >= 0 && s != step {
			return
		}
		switch {
		case parts[0] == "partial-checkpoint" && point == "before-checkpoint":
			_ = os.WriteFile(filepath.Join(dir, runs.CheckpointsDir, "checkpoint-n9999999-99999999-999999-step-99999999.json"), []byte(`{"Variables": [{"Na`), 0o644)
		case parts[0] != point:
			return
		}
		fmt.Fprintf(os.Stderr, "%s=%s: killing this process\n", CrashEnv, spec)
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}
