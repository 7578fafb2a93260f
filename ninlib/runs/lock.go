package runs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the lock held in a run directory for the life of the process
// that trains it. It is git-ignored: a committed record is never live.
const LockFile = ".lock"

// ErrLocked is returned (wrapped) when another live process holds a lock.
var ErrLocked = errors.New("held by another process")

// Lock is an exclusive flock(2) on a file. The kernel releases it when the
// process exits, however it exits (SIGKILL, OOM killer, power cut of a
// node's process), so a stale lock never outlives its holder.
type Lock struct {
	f    *os.File
	path string
}

// TryLock takes the exclusive lock on path (created if missing) without
// waiting. If another process (or another open of the file in this
// process) holds it, the error wraps ErrLocked and names the holder's PID.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w (pid %s)", path, ErrLocked, holder(path))
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	// The PID is informative only: the flock, not the file's content, is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Unlock releases the lock. It is safe to call on nil and more than once.
func (l *Lock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

// holder reads the PID written into a lock file ("?" if unreadable).
func holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// Live reports whether a live process holds the lock of run directory dir.
// It only tests the lock: a missing lock file (a committed record, a
// record made before locks existed) is not live.
func Live(dir string) bool {
	f, err := os.Open(filepath.Join(dir, LockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// EffectiveStatus is the status a reader should report for a record: a
// summary that still says "running" while no live process holds its lock
// was interrupted (killed, or its machine stopped).
func EffectiveStatus(dir string, s *Summary) string {
	if s.Status == StatusRunning && !Live(dir) {
		return StatusInterrupted
	}
	return s.Status
}
