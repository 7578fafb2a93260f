package runs

import (
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ninbench/nin/ninlib/config"
)

// RunConfig is config.json: the configuration of a run, the command that
// started it, and the changes later resumes made to it.
type RunConfig struct {
	config.Config
	Command    string      `json:"command"`
	Amendments []Amendment `json:"amendments,omitempty"`
}

// Amendment is one change a resume made to a run's configuration (only
// the keys fit.Resumable lists may change).
type Amendment struct {
	At      time.Time `json:"at"`
	Key     string    `json:"key"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Command string    `json:"command"`
}

// ReadRunConfig reads a run directory's config.json.
func ReadRunConfig(dir string) (RunConfig, error) {
	var r RunConfig
	err := ReadJSON(filepath.Join(dir, ConfigFile), &r)
	return r, err
}

// Record is a run directory read back: its configuration and summary.
type Record struct {
	Dir     string
	Config  config.Config
	Command string
	Summary Summary
}

// ReadAll reads every record under resultsDir/runs, sorted by directory.
// Unreadable records are returned as errors beside the good ones. A
// summary that says "running" while no live process holds the run's lock
// is read as interrupted (EffectiveStatus).
func ReadAll(resultsDir string) ([]Record, []error) {
	dirs, _ := filepath.Glob(filepath.Join(resultsDir, "runs", "*"))
	sort.Strings(dirs)
	var recs []Record
	var errs []error
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		cfg, err := ReadRunConfig(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r := Record{Dir: d, Config: cfg.Config, Command: cfg.Command}
		if err := ReadJSON(filepath.Join(d, SummaryFile), &r.Summary); err != nil {
			errs = append(errs, err)
			continue
		}
		r.Summary.Status = EffectiveStatus(d, &r.Summary)
		recs = append(recs, r)
	}
	return recs, errs
}
