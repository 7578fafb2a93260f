// Package bench reads the records of the peer benchmark
// (scripts/peer-bench.sh: the Go backend against PyTorch on the same
// networks, in paired rounds) and writes their table for the README, so
// that the published speeds are generated from a record, never copied by
// hand.
package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Row is one line of a record's summary: the medians over the rounds of
// one configuration, batch size and mode.
type Row struct {
	Config string  // benchmark configuration, e.g. "digits-w0.5"
	Batch  int     // images per step
	Mode   string  // "train" or "inference"
	Go     float64 // images per second on GoMLX (median)
	Torch  float64 // images per second on PyTorch (median)
	Ratio  float64 // median of the per-pair ratios Go / PyTorch
	Pairs  string  // the per-pair ratios as printed, e.g. "0.40, 0.41"
}

// Record is a peer benchmark record: its header facts and summary rows.
type Record struct {
	Path    string // the file it was read from
	Commit  string // the workbench's commit
	Machine string // CPU model and cores, as recorded
	SIMD    string // the CPU's SIMD flags, "" in records made before they were recorded
	Device  string // PyTorch's device and threads, from the Go backend line
	Rounds  int    // rounds each median is over
	Rows    []Row
}

// Read parses the record at path.
func Read(path string) (*Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Path = path
	return r, nil
}

// Parse reads a record from r. A record without a summary (a run that
// stopped before its last round) is an error.
func Parse(r io.Reader) (*Record, error) {
	rec := &Record{}
	inSummary := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# peer benchmark"):
			if _, c, ok := strings.Cut(line, "commit "); ok {
				rec.Commit = strings.TrimSpace(c)
			}
		case strings.HasPrefix(line, "# machine:"):
			rec.Machine = strings.TrimSpace(strings.TrimPrefix(line, "# machine:"))
		case strings.HasPrefix(line, "# SIMD flags:"):
			rec.SIMD = strings.TrimSpace(strings.TrimPrefix(line, "# SIMD flags:"))
		case strings.HasPrefix(line, "# Go backend:"):
			if _, d, ok := strings.Cut(line, "PyTorch device: "); ok {
				rec.Device = strings.TrimSpace(d)
			}
		case strings.HasPrefix(line, "## summary: medians over "):
			n, err := strconv.Atoi(strings.Fields(strings.TrimPrefix(line, "## summary: medians over "))[0])
			if err != nil {
				return nil, fmt.Errorf("summary header %q: %w", line, err)
			}
			rec.Rounds, inSummary = n, true
		case inSummary && !strings.HasPrefix(line, "config") && strings.TrimSpace(line) != "":
			row, err := parseRow(line)
			if err != nil {
				return nil, err
			}
			rec.Rows = append(rec.Rows, row)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !inSummary || len(rec.Rows) == 0 {
		return nil, fmt.Errorf("no summary: the benchmark did not finish its rounds; run scripts/peer-bench.sh again")
	}
	return rec, nil
}

// parseRow reads "digits-w0.5 b32 train 537.0 1319.1 0.41 (0.40, 0.41)".
func parseRow(line string) (Row, error) {
	head, pairs, _ := strings.Cut(line, "(")
	f := strings.Fields(head)
	if len(f) != 6 || !strings.HasPrefix(f[1], "b") {
		return Row{}, fmt.Errorf("summary line %q: expected config, bNN, mode, go, torch, ratio", line)
	}
	row := Row{Config: f[0], Mode: f[2], Pairs: strings.TrimSuffix(strings.TrimSpace(pairs), ")")}
	var err error
	if row.Batch, err = strconv.Atoi(f[1][1:]); err != nil {
		return Row{}, fmt.Errorf("summary line %q: batch: %w", line, err)
	}
	for i, dst := range []*float64{&row.Go, &row.Torch, &row.Ratio} {
		if *dst, err = strconv.ParseFloat(f[3+i], 64); err != nil {
			return Row{}, fmt.Errorf("summary line %q: %w", line, err)
		}
	}
	return row, nil
}

// NewestPerCPU returns the newest complete CPU record of each kind of CPU
// (AVX-512 first, then AVX2-only), so that the README gives the speed on
// both kinds of machine these runs meet. Records made before the SIMD
// flags were recorded count only when no record names its kind.
func NewestPerCPU(dir string) ([]*Record, error) {
	recs, err := complete(dir)
	if err != nil {
		return nil, err
	}
	var out []*Record
	for _, kind := range []string{AVX512, AVX2} {
		for _, r := range recs {
			if r.CPUKind() == kind {
				out = append(out, r)
				break
			}
		}
	}
	if len(out) == 0 {
		out = append(out, recs[0])
	}
	return out, nil
}

// complete reads the complete CPU records in dir, newest first (names
// sort by time: peer-YYYYMMDDTHHMMSS.txt). GPU records (peer-cuda-…) and
// the records restricted to AVX2 on an AVX-512 machine (peer-avx2-…) are
// left out.
func complete(dir string) ([]*Record, error) {
	names, err := filepath.Glob(filepath.Join(dir, "peer-2*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	var recs []*Record
	for _, n := range names {
		if r, err := Read(n); err == nil {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("no complete peer benchmark record in %s; make one with ./scripts/peer-bench.sh", dir)
	}
	return recs, nil
}

// The kinds of CPU a record can name (Record.CPUKind).
const (
	AVX512 = "AVX-512"
	AVX2   = "AVX2 only"
)

// CPUKind is AVX512 when the record's SIMD flags include avx512f, AVX2
// when they do not, and "" for a record made before the flags were
// recorded.
func (r *Record) CPUKind() string {
	switch {
	case r.SIMD == "":
		return ""
	case strings.Contains(" "+r.SIMD+" ", " avx512f "):
		return AVX512
	default:
		return AVX2
	}
}
