package fit

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/runs"
)

// Record is config.json: the configuration of a run, the command that
// started it, and the changes later resumes made to it.
type Record struct {
	Config
	Command    string      `json:"command"`
	Amendments []Amendment `json:"amendments,omitempty"`
}

// Amendment is one change a resume made to a run's configuration (only
// the keys in Resumable may change).
type Amendment struct {
	At      time.Time `json:"at"`
	Key     string    `json:"key"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Command string    `json:"command"`
}

// ReadRecord reads a run directory's config.json.
func ReadRecord(dir string) (Record, error) {
	var r Record
	err := runs.ReadJSON(filepath.Join(dir, runs.ConfigFile), &r)
	return r, err
}

// reopen locks the run directory o.Resume and returns its writer and its
// configuration: the saved one, with the changes o.ResumeSet makes to the
// keys a resume may change (recorded in config.json). It refuses a run
// that another process is training, a run with nothing left to do, and a
// run whose committed checkpoint is missing or altered.
func reopen(o Options) (*runs.Writer, Config, error) {
	dir := o.Resume
	rec, err := ReadRecord(dir)
	if err != nil {
		return nil, Config{}, fmt.Errorf("resume %s: %w (is it a run directory, RESULTS/runs/<id>?)", dir, err)
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
func resumeChanges(saved Config, settings string) ([]Amendment, error) {
	asked := saved
	if err := asked.Set(settings); err != nil {
		return nil, err
	}
	var changes []Amendment
	var refused []string
	before, after := saved.fields(), asked.fields()
	for i, f := range before {
		if reflect.DeepEqual(f.v.Interface(), after[i].v.Interface()) {
			continue
		}
		if !slices.Contains(Resumable, f.key) {
			refused = append(refused, fmt.Sprintf("%s (saved %v, asked %v)", f.key, f.v.Interface(), after[i].v.Interface()))
			continue
		}
		changes = append(changes, Amendment{Key: f.key, From: fmt.Sprint(f.v.Interface()), To: fmt.Sprint(after[i].v.Interface())})
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("a resume continues the saved configuration (config.json); only %s may change, not %s: to change those, start a new run",
			strings.Join(Resumable, ", "), strings.Join(refused, ", "))
	}
	return changes, nil
}

// resumable refuses a resume that has nothing exact to do (read before
// the lock is taken; runs.Open then rereads the state under it).
func resumable(dir string, c *Config) error {
	var s runs.Summary
	var st runs.State
	_ = runs.ReadJSON(filepath.Join(dir, runs.SummaryFile), &s)
	_ = runs.ReadJSON(filepath.Join(dir, runs.StateFile), &st)
	done := st.EpochsDone
	switch {
	case s.Status == runs.StatusDiverged:
		return fmt.Errorf("resume %s: the run diverged in epoch %d; resuming would diverge again: start a new run with other settings (a lower lr, warmup_epochs)", dir, done+1)
	case c.Epochs < done:
		return fmt.Errorf("resume %s: epochs=%d but %d epochs are already done: epochs can only grow", dir, c.Epochs, done)
	case s.Status == runs.StatusCompleted && c.Epochs == done:
		return fmt.Errorf("resume %s: the run is complete (%d epochs); nothing to resume: extend it with -set epochs=N (N > %d)", dir, done, done)
	}
	return nil
}
