// Package probe analyses trained runs for the paper's claims about global
// average pooling: robustness to translation, acceptance of other input
// sizes, and the last mlpconv layer's maps as class confidence maps. Each
// probe writes a record under results/runs/ like a training run, with the
// source run's id, so its numbers are traceable too.
package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ninbench/nin/ninlib/backend"
	"github.com/ninbench/nin/ninlib/config"
	"github.com/ninbench/nin/ninlib/datasets"
	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/plan"
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// Result is the "probe" field of a probe run's summary.json.
type Result struct {
	Kind   string `json:"kind"`
	Source string `json:"source_run"`
	// X are the shifts (pixels) or input sizes tested; Acc the test
	// accuracy at each (NaN where the model cannot run; see Errors).
	X      []int     `json:"x"`
	Acc    []float64 `json:"acc"`
	AccPad []float64 `json:"acc_pad,omitempty"` // input-size: zero-padded/cropped instead of resized
	Errors []string  `json:"errors,omitempty"`
	// Confidence maps: per image, the label, the prediction and whether
	// the class whose map has the largest mean is the prediction.
	Images []MapImage `json:"images,omitempty"`
	Figure string     `json:"figure,omitempty"`
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

// Run runs a probe plan over the completed runs of its source experiment.
func Run(ctx context.Context, p *plan.Plan, o plan.Options) error {
	if o.Log == nil {
		o.Log = os.Stdout
	}
	recs, _ := runs.ReadAll(o.ResultsDir)
	// The runs analysed are those the source experiment's file reproduces
	// (with the same -set as this probe), not its records of earlier
	// settings.
	var srcPlan *plan.Plan
	if p.Path != "" {
		srcPlan, _ = plan.Load(filepath.Dir(p.Path), p.Source)
	}
	var sources []runs.Record
	other := 0
	for _, r := range recs {
		if r.Summary.Experiment == p.Source && r.Summary.Status == runs.StatusCompleted && r.Summary.Probe == nil {
			if srcPlan != nil && !srcPlan.Reproduces(r, o.Extra) {
				other++
				continue
			}
			sources = append(sources, r)
		}
	}
	if len(sources) == 0 {
		if other > 0 {
			return fmt.Errorf("probe %s: the %d completed runs of experiment %s in %s were made with other settings than %s.set now holds (with -set %q): run `experiments run %s` (with the same -set) first", p.Name, other, p.Source, o.ResultsDir, p.Source, o.Extra, p.Source)
		}
		return fmt.Errorf("probe %s: no completed runs of experiment %s in %s: run `experiments run %s` first", p.Name, p.Source, o.ResultsDir, p.Source)
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].Dir < sources[j].Dir })
	done := map[string]bool{}
	for _, r := range recs {
		if r.Summary.Experiment == p.Name && r.Summary.Status == runs.StatusCompleted {
			var res Result
			if json.Unmarshal(r.Summary.Probe, &res) == nil {
				done[res.Source] = true
			}
		}
	}
	be, err := backend.Open(o.Backend)
	if err != nil {
		return err
	}
	prepared := map[datasets.Setup]*datasets.Prepared{}
	for _, src := range sources {
		if err := fit.Interrupted(ctx); err != nil {
			return err
		}
		if done[src.Summary.ID] || !datasetWanted(p, src.Config.Setup.Name) {
			continue
		}
		if p.Kind == "confidence-maps" && nin.HeadOf(src.Config.Variant) != "gap" {
			continue
		}
		if p.Kind == "input-size" && nin.HeadOf(src.Config.Variant) != "gap" && src.Config.Variant != "nin-fc" {
			continue
		}
		if o.DryRun {
			fmt.Fprintf(o.Log, "== %s of %s: would run\n", p.Kind, src.Summary.ID)
			continue
		}
		// The probe's own settings (e.g. test_subset) and the command
		// line's apply to the source run's data preparation.
		cfg := src.Config
		for _, layer := range []string{p.Base, o.Extra} {
			if err := cfg.Set(layer); err != nil {
				return err
			}
		}
		data := prepared[cfg.Setup]
		if data == nil {
			if data, err = datasets.Prepare(cfg.Setup); err != nil {
				return err
			}
			prepared[cfg.Setup] = data
		}
		if err := one(ctx, p, o, be, src, data); err != nil {
			return fmt.Errorf("%s of %s: %w", p.Kind, src.Summary.ID, err)
		}
	}
	return nil
}

func datasetWanted(p *plan.Plan, ds string) bool {
	for _, d := range p.Datasets {
		if d == ds {
			return true
		}
	}
	return false
}

// one probes one source run and writes its record (only once everything
// is measured: an interrupted probe leaves nothing behind).
func one(ctx context.Context, p *plan.Plan, o plan.Options, be compute.Backend, src runs.Record, data *datasets.Prepared) error {
	start := time.Now()
	test := data.Test
	c := src.Config
	store, err := fit.LoadBest(src.Dir)
	if err != nil {
		return err
	}
	res := Result{Kind: p.Kind, Source: src.Summary.ID}
	dir := filepath.Join(o.ResultsDir, "runs", fmt.Sprintf("%s.%s.%s.s%d.%s", p.Name, src.Summary.Arm, c.Setup.Name, c.Seed, time.Now().UTC().Format("20060102T150405.000")))
	var figure []byte // written with the record, once everything is computed
	switch p.Kind {
	case "translation":
		shifts := p.Shifts
		if len(shifts) == 0 {
			shifts = []int{0, 1, 2, 3, 4, 5, 6}
		}
		for _, s := range shifts {
			acc, err := Translated(ctx, &c, be, store, test, s)
			if err != nil {
				return err
			}
			res.X, res.Acc = append(res.X, s), append(res.Acc, acc)
			fmt.Fprintf(o.Log, "  %s shift %d: accuracy %.4f\n", src.Summary.ID, s, acc)
		}
	case "input-size":
		sizes := p.Sizes
		if len(sizes) == 0 {
			sizes = []int{c.InputH - 8, c.InputH - 4, c.InputH, c.InputH + 4, c.InputH + 8}
		}
		for _, sz := range sizes {
			res.X = append(res.X, sz)
			accR, errR := Accuracy(ctx, &c, be, store, Resize(test, sz))
			accP, errP := Accuracy(ctx, &c, be, store, PadCrop(test, sz))
			if err := errors.Join(errR, errP); errors.Is(err, fit.ErrInterrupted) {
				return err
			}
			msg := ""
			if errR != nil || errP != nil {
				// The model refuses this size (an FC head): recorded as such.
				accR, accP, msg = math.NaN(), math.NaN(), errors.Join(errR, errP).Error()
			}
			res.Acc, res.AccPad, res.Errors = append(res.Acc, accR), append(res.AccPad, accP), append(res.Errors, msg)
			fmt.Fprintf(o.Log, "  %s at %dx%d: resized %.4f, padded %.4f %s\n", src.Summary.ID, sz, sz, accR, accP, msg)
		}
	case "generalization":
		if res.TrainAcc, err = Accuracy(ctx, &c, be, store, data.Train); err != nil {
			return err
		}
		if res.TestAcc, err = Accuracy(ctx, &c, be, store, test); err != nil {
			return err
		}
		fmt.Fprintf(o.Log, "  %s: train error %.2f%% (%d images, inference mode), test error %.2f%%\n",
			src.Summary.ID, 100*(1-res.TrainAcc), data.Train.N, 100*(1-res.TestAcc))
	case "confidence-maps":
		png, imgs, err := Maps(&c, be, store, test, p.Images)
		if err != nil {
			return err
		}
		res.Images, res.Figure, figure = imgs, "maps.png", png
	}
	if len(res.X) > 0 {
		// The per-run curve of a translation or input-size probe.
		svg, err := curve(p.Kind, src.Summary.ID, res)
		if err != nil {
			return err
		}
		res.Figure, figure = "probe.svg", svg
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if figure != nil {
		if err := runs.WriteFileAtomic(filepath.Join(dir, res.Figure), figure); err != nil {
			return err
		}
	}
	raw, _ := json.Marshal(sanitize(res))
	cfg := runs.RunConfig{Config: c, Command: o.Command}
	cfg.Experiment = p.Name
	if err := runs.WriteJSON(filepath.Join(dir, runs.ConfigFile), cfg); err != nil {
		return err
	}
	sum := src.Summary
	sum.ID, sum.Experiment, sum.Status, sum.Error = filepath.Base(dir), p.Name, runs.StatusCompleted, ""
	sum.Command, sum.Start, sum.End = o.Command, start.UTC(), time.Now().UTC()
	sum.WallSeconds = time.Since(start).Seconds()
	sum.Env = fit.Environment(o.Backend, be)
	sum.Probe = raw
	return runs.WriteJSON(filepath.Join(dir, runs.SummaryFile), sum)
}

// sanitize replaces NaN (not valid JSON) with -1 in accuracy lists.
func sanitize(r Result) Result {
	fix := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x
			if math.IsNaN(x) {
				out[i] = -1
			}
		}
		return out
	}
	r.Acc, r.AccPad = fix(r.Acc), fix(r.AccPad)
	return r
}

func curve(kind, title string, r Result) ([]byte, error) {
	var x, y []float64
	for i := range r.X {
		if r.Acc[i] >= 0 {
			x, y = append(x, float64(r.X[i])), append(y, r.Acc[i])
		}
	}
	xl := "shift (pixels)"
	if kind == "input-size" {
		xl = "input size (pixels)"
	}
	return plots.Chart{Title: title, XLabel: xl, YLabel: "test accuracy", Series: []plots.Series{{Name: "accuracy", X: x, Y: y}}}.SVG()
}

// Accuracy is fit.Accuracy (test accuracy of c's model with store's weights).
func Accuracy(ctx context.Context, c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set) (float64, error) {
	return fit.Accuracy(ctx, c, be, store, s)
}

// Translated returns the accuracy on s with every image shifted by
// `shift` pixels, averaged over the four directions (up, down, left, right).
func Translated(ctx context.Context, c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set, shift int) (float64, error) {
	if shift == 0 {
		return Accuracy(ctx, c, be, store, s)
	}
	var sum float64
	for _, d := range [][2]int{{shift, 0}, {-shift, 0}, {0, shift}, {0, -shift}} {
		t := &datasets.Set{Name: s.Name, N: s.N, H: s.H, W: s.W, C: s.C, Classes: s.Classes, Labels: s.Labels, X: make([]float32, len(s.X))}
		for i := 0; i < s.N; i++ {
			datasets.Translate(t.Image(i), s.Image(i), s.H, s.W, s.C, d[0], d[1], 0)
		}
		acc, err := Accuracy(ctx, c, be, store, t)
		if err != nil {
			return 0, err
		}
		sum += acc
	}
	return sum / 4, nil
}

// Resize returns s with every image bilinearly resized to size x size.
func Resize(s *datasets.Set, size int) *datasets.Set {
	t := &datasets.Set{Name: s.Name, N: s.N, H: size, W: size, C: s.C, Classes: s.Classes, Labels: s.Labels}
	t.X = make([]float32, s.N*size*size*s.C)
	for i := 0; i < s.N; i++ {
		src, dst := s.Image(i), t.Image(i)
		for y := 0; y < size; y++ {
			fy := (float64(y)+0.5)*float64(s.H)/float64(size) - 0.5
			y0 := int(math.Floor(fy))
			wy := fy - float64(y0)
			for x := 0; x < size; x++ {
				fx := (float64(x)+0.5)*float64(s.W)/float64(size) - 0.5
				x0 := int(math.Floor(fx))
				wx := fx - float64(x0)
				for ch := 0; ch < s.C; ch++ {
					at := func(yy, xx int) float64 {
						yy, xx = max(0, min(s.H-1, yy)), max(0, min(s.W-1, xx))
						return float64(src[(yy*s.W+xx)*s.C+ch])
					}
					v := (1-wy)*((1-wx)*at(y0, x0)+wx*at(y0, x0+1)) + wy*((1-wx)*at(y0+1, x0)+wx*at(y0+1, x0+1))
					dst[(y*size+x)*s.C+ch] = float32(v)
				}
			}
		}
	}
	return t
}

// PadCrop returns s with every image centred on a size x size canvas
// (zero-padded when larger, cropped when smaller): the content keeps its
// scale, only the field of view changes.
func PadCrop(s *datasets.Set, size int) *datasets.Set {
	t := &datasets.Set{Name: s.Name, N: s.N, H: size, W: size, C: s.C, Classes: s.Classes, Labels: s.Labels}
	t.X = make([]float32, s.N*size*size*s.C)
	oy, ox := (size-s.H)/2, (size-s.W)/2
	for i := 0; i < s.N; i++ {
		src, dst := s.Image(i), t.Image(i)
		for y := 0; y < size; y++ {
			sy := y - oy
			if sy < 0 || sy >= s.H {
				continue
			}
			for x := 0; x < size; x++ {
				sx := x - ox
				if sx < 0 || sx >= s.W {
					continue
				}
				copy(dst[(y*size+x)*s.C:(y*size+x+1)*s.C], src[(sy*s.W+sx)*s.C:(sy*s.W+sx+1)*s.C])
			}
		}
	}
	return t
}

// Maps computes the per-class confidence maps of the first n test images
// and draws them as a PNG grid: one row per image, the image first, then
// one heat map per class (shared colour scale per row).
func Maps(c *config.Config, be compute.Backend, store *model.Store, s *datasets.Set, n int) ([]byte, []MapImage, error) {
	n = min(n, s.N)
	sub := s.Select(seq(n))
	logits, maps, err := nin.Infer(be, store, c.Options, tensors.FromFlatDataAndDimensions(sub.X, n, s.H, s.W, s.C))
	if err != nil {
		return nil, nil, err
	}
	if maps == nil {
		return nil, nil, fmt.Errorf("model %s has no confidence maps (not a GAP model)", c.Variant)
	}
	l := tensors.MustCopyFlatData[float32](logits)
	m := tensors.MustCopyFlatData[float32](maps)
	d := maps.Shape().Dimensions
	mh, mw, k := d[1], d[2], d[3]
	// Maps are drawn at the image's size (nearest-neighbour upsampling),
	// so each map lines up with the image it was computed from.
	g := plots.Grid{Zoom: max(1, 112/s.H), Gap: 3, RowScale: true, Heat: true}
	for j := 0; j <= k; j++ {
		g.H, g.W = append(g.H, s.H), append(g.W, s.W)
	}
	var imgs []MapImage
	for i := 0; i < n; i++ {
		row := [][]float32{channel0(sub.Image(i), s.C)}
		best, bestMean := 0, float32(math.Inf(-1))
		for j := 0; j < k; j++ {
			mp := make([]float32, mh*mw)
			var mean float32
			for p := range mp {
				mp[p] = m[(i*mh*mw+p)*k+j]
				mean += mp[p]
			}
			if mean > bestMean {
				best, bestMean = j, mean
			}
			row = append(row, upsample(mp, mh, mw, s.H, s.W))
		}
		pred := argmax(l[i*k : (i+1)*k])
		imgs = append(imgs, MapImage{Label: int(sub.Labels[i]), Pred: pred, MapArgmax: best})
		g.Cells = append(g.Cells, row)
	}
	png, err := g.PNG()
	return png, imgs, err
}

// upsample resizes a h x w map to H x W by nearest neighbour.
func upsample(m []float32, h, w, H, W int) []float32 {
	out := make([]float32, H*W)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			out[y*W+x] = m[(y*h/H)*w+x*w/W]
		}
	}
	return out
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func channel0(img []float32, c int) []float32 {
	out := make([]float32, len(img)/c)
	for i := range out {
		var v float32
		for ch := 0; ch < c; ch++ {
			v += img[i*c+ch]
		}
		out[i] = v / float32(c)
	}
	return out
}

func argmax(v []float32) int {
	b := 0
	for i := range v {
		if v[i] > v[b] {
			b = i
		}
	}
	return b
}
