package runs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// discardUncommitted removes checkpoint files written after the last
// committed epoch (a crash or a write error between a checkpoint and
// state.json), so that a resume loads exactly the committed one.
func (w *Writer) discardUncommitted() error {
	ck := w.CheckpointDir()
	if w.State.Checkpoint == "" {
		return os.RemoveAll(ck)
	}
	if err := removeCheckpoints(ck, func(name, stem string) bool {
		return stem > w.State.Checkpoint || !strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".bin")
	}); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if w.State.BestCheckpoint != "" {
		if err := keepOnly(w.bestDir(), w.State.BestCheckpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// verifyCommitted checks that the checkpoint state.json commits is there,
// unaltered (its sha256 sums, for records that have them), and that the
// best checkpoint is there too.
func (w *Writer) verifyCommitted() error {
	st := &w.State
	if st.EpochsDone == 0 {
		return nil
	}
	if st.Checkpoint == "" {
		return fmt.Errorf("resume %s: %d epochs are committed but no checkpoint is named in state.json; it cannot continue exactly: start a new run", w.Dir, st.EpochsDone)
	}
	got, err := checkpointSums(w.CheckpointDir(), st.Checkpoint)
	if err != nil {
		return fmt.Errorf("resume %s: the checkpoint of epoch %d (%s) is missing or unreadable: %w; the run cannot continue exactly from it: start a new run", w.Dir, st.EpochsDone, st.Checkpoint, err)
	}
	for name, want := range st.CheckpointSHA256 {
		if got[name] != want {
			return fmt.Errorf("resume %s: checkpoint file %s has sha256 %s, committed %s (corrupt or replaced); the run cannot continue exactly: start a new run", w.Dir, name, got[name], want)
		}
	}
	if st.BestCheckpoint != "" {
		if _, err := checkpointSums(w.bestDir(), st.BestCheckpoint); err != nil {
			return fmt.Errorf("resume %s: the best checkpoint (epoch %d) is missing: %w; start a new run", w.Dir, st.BestEpoch, err)
		}
	}
	return nil
}

// latestCheckpoint returns the base name of the newest checkpoint in dir.
func latestCheckpoint(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	latest := ""
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && strings.HasPrefix(n, "checkpoint-") {
			latest = max(latest, n)
		}
	}
	if latest == "" {
		return "", fmt.Errorf("no checkpoint found in %s after saving", dir)
	}
	return latest, nil
}

// checkpointSums returns the sha256 of a checkpoint's two files (its JSON
// metadata must parse), reading each once.
func checkpointSums(dir, base string) (map[string]string, error) {
	meta := base + ".json"
	b, err := os.ReadFile(filepath.Join(dir, meta))
	if err != nil {
		return nil, err
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%s: corrupt JSON", filepath.Join(dir, meta))
	}
	sum := sha256.Sum256(b)
	sums := map[string]string{meta: hex.EncodeToString(sum[:])}
	data := base + ".bin" // tensors: hashed as they stream
	f, err := os.Open(filepath.Join(dir, data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("%s: %w", data, err)
	}
	sums[data] = hex.EncodeToString(h.Sum(nil))
	return sums, nil
}

// removeCheckpoints deletes the checkpoint files in dir for which drop,
// given the file name and its base name (the part before the first '.'),
// returns true.
func removeCheckpoints(dir string, drop func(name, stem string) bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, "checkpoint-") {
			continue
		}
		stem, _, _ := strings.Cut(n, ".")
		if drop(n, stem) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepOnly deletes the checkpoint files in dir other than those of base
// (all of them if base is "").
func keepOnly(dir, base string) error {
	return removeCheckpoints(dir, func(_, stem string) bool { return base == "" || stem != base })
}
