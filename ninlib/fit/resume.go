package fit

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/runs"
)

// reopen locks the run directory o.Resume and returns its writer and its
// configuration: the saved one, with the changes o.ResumeSet makes to the
// keys a resume may change (recorded in config.json). It refuses a run
// that another process is training, a run with nothing left to do, and a
// run whose committed checkpoint is missing or altered.
func reopen(o TrainOptions) (*runs.Writer, config.Config, error) {
	dir := o.Resume
	rec, err := runs.ReadRunConfig(dir)
	if err != nil {
		return nil, config.Config{}, fmt.Errorf("resume %s: %w (is it a run directory, RESULTS/runs/<id>?)", dir, err)
	}
	c := rec.Config
	changes, err := resumeChanges(c, o.ResumeSet)
	if err != nil {
		return nil, c, fmt.Errorf("resume %s: %w", dir, err)
	}
	for _, ch := range changes {
		if err := c.Set(ch.Key + "=" + ch.To); err != nil {
			return nil, c, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, c, fmt.Errorf("resume %s: %w", dir, err)
	}
	if err := resumable(dir, &c); err != nil {
		return nil, c, err
	}
	w, err := runs.Open(dir)
	if err != nil {
		return nil, c, fmt.Errorf("%w\n  to train this configuration again from fresh weights: experiments train -from %s -set \"epochs=%d\"", err, dir, c.Epochs)
	}
	if len(changes) > 0 {
		for i := range changes {
			changes[i].At, changes[i].Command = time.Now().UTC(), o.Command
		}
		rec.Config, rec.Amendments = c, append(rec.Amendments, changes...)
		if err := runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), rec); err != nil {
			w.Close()
			return nil, c, err
		}
	}
	logf(o, "resuming %s after epoch %d of %d", dir, w.State.EpochsDone, c.Epochs)
	return w, c, nil
}

// resumeChanges returns the keys that settings change in saved, refusing
// any key a resume may not change.
func resumeChanges(saved config.Config, settings string) ([]runs.Amendment, error) {
	asked := saved
	if err := asked.Set(settings); err != nil {
		return nil, err
	}
	var changes []runs.Amendment
	var refused []string
	for _, ch := range config.Diff(saved, asked) {
		if !slices.Contains(Resumable, ch.Key) {
			refused = append(refused, fmt.Sprintf("%s (saved %s, asked %s)", ch.Key, ch.From, ch.To))
			continue
		}
		changes = append(changes, runs.Amendment{Key: ch.Key, From: ch.From, To: ch.To})
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("a resume continues the saved configuration (config.json); only %s may change, not %s: to change those, start a new run",
			strings.Join(Resumable, ", "), strings.Join(refused, ", "))
	}
	return changes, nil
}

// resumable refuses a resume that has nothing exact to do (read before
// the lock is taken; runs.Open then rereads the state under it).
func resumable(dir string, c *config.Config) error {
	var s runs.Summary
	var st runs.State
	_ = runs.ReadJSON(filepath.Join(dir, runs.SummaryFile), &s)
	_ = runs.ReadJSON(filepath.Join(dir, runs.StateFile), &st)
	done := st.EpochsDone
	switch {
	case s.IsProbe():
		return fmt.Errorf("resume %s: this is the record of a probe (%s of run %s), not of a training run", dir, s.Probe.Kind, s.Probe.Source)
	case s.Status == runs.StatusDiverged:
		return fmt.Errorf("resume %s: the run diverged in epoch %d; resuming would diverge again: start a new run with other settings (a lower lr, warmup_epochs)", dir, done+1)
	case c.Epochs < done:
		return fmt.Errorf("resume %s: epochs=%d but %d epochs are already done: epochs can only grow", dir, c.Epochs, done)
	case s.Status == runs.StatusCompleted && c.Epochs == done:
		return fmt.Errorf("resume %s: the run is complete (%d epochs); nothing to resume: extend it with -set epochs=N (N > %d)", dir, done, done)
	}
	return nil
}
