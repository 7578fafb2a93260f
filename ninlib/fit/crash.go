package fit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// CrashEnv names the fault-injection variable used by the crash-and-resume
// tests: "POINT:EPOCH[:STEP]" makes the process SIGKILL itself at that point
// of that epoch (1-based), as a power cut or the OOM killer would. Points:
// mid-epoch (after STEP training steps), before-checkpoint,
// after-checkpoint (checkpoint written, metrics and state not),
// after-metrics (metrics.csv written, state.json not), and
// partial-checkpoint (a checkpoint file half written, as if killed while
// saving). It does nothing when unset.
const CrashEnv = "NIN_CRASH_AT"

func crashPoint(point string, epoch, step int) {
	spec := os.Getenv(CrashEnv)
	if spec == "" {
		return
	}
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || parts[0] != point {
		return
	}
	if e, err := strconv.Atoi(parts[1]); err != nil || e != epoch {
		return
	}
	if len(parts) > 2 {
		if s, err := strconv.Atoi(parts[2]); err != nil || s != step {
			return
		}
	}
	fmt.Fprintf(os.Stderr, "%s=%s: killing this process\n", CrashEnv, spec)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// crashWritingCheckpoint simulates a kill in the middle of a checkpoint
// save: it leaves a truncated checkpoint file newer than the committed ones.
func crashWritingCheckpoint(ckptDir string, epoch int) {
	if os.Getenv(CrashEnv) != fmt.Sprintf("partial-checkpoint:%d", epoch) {
		return
	}
	_ = os.WriteFile(filepath.Join(ckptDir, "checkpoint-n9999999-99999999-999999-step-99999999.json"), []byte(`{"Variables": [{"Na`), 0o644)
	crashPoint("partial-checkpoint", epoch, 0)
}
