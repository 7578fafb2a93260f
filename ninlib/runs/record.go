// Package runs writes and reads run records: one directory per run holding
// config.json, metrics.csv (one row per epoch), summary.json, a
// learning-curve plot and the checkpoints. Every write is atomic (temporary
// file + rename), so a crash never leaves a half-written record, and the
// tables are regenerated from the records under a lock.
package runs

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ninbench/nin/ninlib/datasets"
)

// Status of a run.
const (
	StatusRunning     = "running"
	StatusCompleted   = "completed"
	StatusDiverged    = "diverged"
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
)

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.csv"
	SummaryFile    = "summary.json"
	StateFile      = "state.json"
	CurveFile      = "curve.svg"
	CheckpointsDir = "checkpoints"
)

// Epoch is one row of metrics.csv.
type Epoch struct {
	Epoch        int     `json:"epoch"`
	Step         int64   `json:"step"`
	LR           float64 `json:"lr"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_acc"`
	ValLoss      float64 `json:"val_loss"`
	ValAcc       float64 `json:"val_acc"`
	Seconds      float64 `json:"seconds"`
	ImagesPerSec float64 `json:"images_per_sec"`
}

var metricsHeader = []string{"epoch", "step", "lr", "train_loss", "train_acc", "val_loss", "val_acc", "seconds", "images_per_sec"}

// Environment records where and with what a run was made.
type Environment struct {
	GitCommit string `json:"git_commit"`
	GitDirty  bool   `json:"git_dirty"`
	GoVersion string `json:"go_version"`
	GoMLX     string `json:"gomlx_version"`
	CPU       string `json:"cpu"`
	// CPUSIMD lists the CPU's vector extensions that change GoMLX's
	// kernels and a run's speed ("avx2 fma avx512f ..."): the same model
	// name covers AVX-512 and AVX2-only machines. Absent from records made
	// before it was kept, and where /proc/cpuinfo is not readable.
	CPUSIMD     string `json:"cpu_simd,omitempty"`
	NumCPU      int    `json:"num_cpu"`
	Hostname    string `json:"hostname"`
	Backend     string `json:"backend"`
	BackendDesc string `json:"backend_description"`
	// SIMD says whether the binary had GoMLX's SIMD kernels
	// (GOEXPERIMENT=simd); absent from records made before it was kept.
	SIMD *bool `json:"simd_kernels,omitempty"`
	// Formulation is how the model's convolutions were computed in
	// training (conv_impl resolved: planes, patches or native); runs made
	// before it was recorded leave it empty.
	Formulation string `json:"formulation,omitempty"`
}

// Summary is summary.json.
type Summary struct {
	ID          string  `json:"id"`
	Experiment  string  `json:"experiment"`
	Arm         string  `json:"arm"`
	Dataset     string  `json:"dataset"`
	Variant     string  `json:"variant"`
	Seed        uint64  `json:"seed"`
	Status      string  `json:"status"`
	Error       string  `json:"error,omitempty"`
	Epochs      int     `json:"epochs_done"`
	BestEpoch   int     `json:"best_epoch"`
	ValAcc      float64 `json:"val_acc"`
	ValErr      float64 `json:"val_error"`
	TestAcc     float64 `json:"test_acc"`
	TestErr     float64 `json:"test_error"`
	TestOn      string  `json:"test_checkpoint"`
	TrainAcc    float64 `json:"final_train_acc"`
	Params      int64   `json:"params"`
	MACs        int64   `json:"mult_adds"`
	WallSeconds float64 `json:"wall_seconds"`
	// PeakRSSMB is the process's peak resident memory (VmHWM) when the
	// run ended, in MiB: an upper bound on what the run needed.
	PeakRSSMB float64     `json:"peak_rss_mb,omitempty"`
	Start     time.Time   `json:"start"`
	End       time.Time   `json:"end"`
	Command   string      `json:"command"`
	Env       Environment `json:"environment"`
	// Data names the dataset files the run read and their verified
	// checksums (absent from runs made before it was recorded, and for
	// data handed to fit.Train in memory).
	Data *datasets.Provenance `json:"data,omitempty"`
	// Probe is set on the records of probes (analyses of a trained run)
	// and nil on training runs.
	Probe *ProbeResult `json:"probe,omitempty"`
}

// IsProbe reports whether the record is a probe's rather than a
// training run's.
func (s *Summary) IsProbe() bool { return s.Probe != nil }

// ProbeResult is what a probe measured on one source run: the "probe"
// field of its record's summary.json. Each kind of probe (package probe)
// fills the fields it needs.
type ProbeResult struct {
	Kind   string `json:"kind"`
	Source string `json:"source_run"`
	// X are the shifts (pixels) or input sizes tested; Acc the test
	// accuracy at each (-1 where the model cannot run; see Errors).
	X      []int     `json:"x"`
	Acc    []float64 `json:"acc"`
	AccPad []float64 `json:"acc_pad,omitempty"` // input-size: zero-padded/cropped instead of resized
	Errors []string  `json:"errors,omitempty"`
	// Confidence maps: per image, the label, the prediction and the class
	// whose map has the largest mean.
	Images []MapImage `json:"images,omitempty"`
	// Figure is the file name of the probe's figure in its run directory.
	Figure string `json:"figure,omitempty"`
	// Confidence maps, over the first PeakImages test images: the fraction
	// whose true class's map peaks on the object, the same for the other
	// classes' maps (their mean: the control), and the mean fraction of a
	// map's cells on the object (a peak at random). Records made before
	// these were measured have PeakImages 0.
	PeakImages        int     `json:"peak_images,omitempty"`
	PeakOnObject      float64 `json:"peak_on_object,omitempty"`
	OtherPeakOnObject float64 `json:"other_peak_on_object,omitempty"`
	ObjectCover       float64 `json:"object_cover,omitempty"`
	// Generalization: accuracy of the best-validation checkpoint, in
	// inference mode (no dropout), on the very training images the run
	// was trained on and on the test set.
	TrainAcc float64 `json:"train_acc,omitempty"`
	TestAcc  float64 `json:"test_acc,omitempty"`
}

// MapImage describes one image of a confidence-map probe.
type MapImage struct {
	Label, Pred int
	MapArgmax   int
}

// WriteFileAtomic writes data to path via a temporary file in the same
// directory, fsynced and renamed over path: readers see the old or the new
// content, never a mix.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w (is the results directory writable?)", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w (disk full or read-only?)", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// WriteJSON writes v as indented JSON, atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// ReadJSON reads a JSON file into v, naming the file in errors.
func ReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: corrupt JSON: %w", path, err)
	}
	return nil
}

// WriteMetrics writes all epoch rows to dir/metrics.csv, atomically.
func WriteMetrics(dir string, rows []Epoch) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(metricsHeader)
	for _, r := range rows {
		_ = w.Write([]string{
			strconv.Itoa(r.Epoch), strconv.FormatInt(r.Step, 10), ff(r.LR), ff(r.TrainLoss), ff(r.TrainAcc),
			ff(r.ValLoss), ff(r.ValAcc), ff(r.Seconds), ff(r.ImagesPerSec),
		})
	}
	w.Flush()
	return WriteFileAtomic(filepath.Join(dir, MetricsFile), []byte(b.String()))
}

func ff(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

// ReadMetrics reads dir/metrics.csv. A missing file is zero rows.
func ReadMetrics(dir string) ([]Epoch, error) {
	path := filepath.Join(dir, MetricsFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseMetrics(f, path)
}

// ParseMetrics parses metrics.csv content; name is used in errors.
func ParseMetrics(r io.Reader, name string) ([]Epoch, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(metricsHeader, ",") {
		return nil, fmt.Errorf("%s: missing or wrong header, expected %s", name, strings.Join(metricsHeader, ","))
	}
	var rows []Epoch
	for i, rec := range recs[1:] {
		if len(rec) != len(metricsHeader) {
			return nil, fmt.Errorf("%s: line %d has %d fields, expected %d", name, i+2, len(rec), len(metricsHeader))
		}
		var e Epoch
		var perr error
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil && perr == nil {
				perr = err
			}
			return v
		}
		ep, err := strconv.Atoi(rec[0])
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: epoch %q: %w", name, i+2, rec[0], err)
		}
		e.Epoch = ep
		e.Step = int64(num(rec[1]))
		e.LR, e.TrainLoss, e.TrainAcc = num(rec[2]), num(rec[3]), num(rec[4])
		e.ValLoss, e.ValAcc, e.Seconds, e.ImagesPerSec = num(rec[5]), num(rec[6]), num(rec[7]), num(rec[8])
		if perr != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, i+2, perr)
		}
		rows = append(rows, e)
	}
	return rows, nil
}

// Finite reports whether v is neither NaN nor infinite.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
