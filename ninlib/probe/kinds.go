package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ninbench/nin/ninlib/fit"
	"github.com/ninbench/nin/ninlib/nin"
	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
	"github.com/ninbench/nin/ninlib/stats"
)

// translation: test accuracy with every test image shifted by each of
// "shifts" pixels (averaged over the four directions).
var translation = &Kind{
	Name:    "translation",
	Params:  map[string][]int{"shifts": nil},
	Applies: func(string) bool { return true },
	Measure: func(ctx context.Context, m *Model) (*Measured, error) {
		var r runs.ProbeResult
		for _, s := range m.Params["shifts"] {
			acc, err := Translated(ctx, m.Config, m.Backend, m.Store, m.Data.Test, s)
			if err != nil {
				return nil, err
			}
			r.X, r.Acc = append(r.X, s), append(r.Acc, acc)
			fmt.Fprintf(m.Log, "  %s shift %d: accuracy %.4f\n", m.Source, s, acc)
		}
		return withCurve(m.Source, "shift (pixels)", r)
	},
	Table: func(b *strings.Builder, arms []Arm) { curveTable(b, arms, "shift in pixels") },
	Glance: func(results []runs.ProbeResult) ([]float64, string) {
		last := len(results[0].X) - 1
		if last < 0 {
			return nil, ""
		}
		var v []float64
		for _, pr := range results {
			if last < len(pr.Acc) && pr.Acc[last] >= 0 {
				v = append(v, 100*(1-pr.Acc[last]))
			}
		}
		return v, fmt.Sprintf("test error %% at a %d-pixel shift", results[0].X[last])
	},
}

// inputSize: test accuracy with the test images resized to each of
// "sizes" (and, in brackets, zero-padded or cropped to it); an FC head
// refuses other sizes, and the error it gives is recorded.
var inputSize = &Kind{
	Name:   "input-size",
	Params: map[string][]int{"sizes": nil},
	Applies: func(variant string) bool {
		return nin.HeadOf(variant) == "gap" || variant == "nin-fc"
	},
	Measure: func(ctx context.Context, m *Model) (*Measured, error) {
		var r runs.ProbeResult
		for _, sz := range m.Params["sizes"] {
			r.X = append(r.X, sz)
			accR, errR := Accuracy(ctx, m.Config, m.Backend, m.Store, Resize(m.Data.Test, sz))
			accP, errP := Accuracy(ctx, m.Config, m.Backend, m.Store, PadCrop(m.Data.Test, sz))
			err := errors.Join(errR, errP)
			if errors.Is(err, fit.ErrInterrupted) {
				return nil, err
			}
			msg := ""
			if err != nil {
				// The model refuses this size (an FC head): recorded as such.
				accR, accP, msg = -1, -1, err.Error()
			}
			r.Acc, r.AccPad, r.Errors = append(r.Acc, accR), append(r.AccPad, accP), append(r.Errors, msg)
			fmt.Fprintf(m.Log, "  %s at %dx%d: resized %.4f, padded %.4f %s\n", m.Source, sz, sz, accR, accP, msg)
		}
		return withCurve(m.Source, "input size (pixels)", r)
	},
	Table: func(b *strings.Builder, arms []Arm) {
		curveTable(b, arms, "input size (resized; zero-padded or cropped in brackets)")
	},
}

// confidenceMaps: the last mlpconv layer's per-class maps of the first
// "images" test images, drawn as a grid, and whether the class whose map
// has the largest mean is the prediction.
var confidenceMaps = &Kind{
	Name: "confidence-maps",
	// images: the test images drawn; peak_images: the test images over
	// which the true class's map is checked to peak on the object (1,000
	// give the fraction to about ±1.5 points).
	Params: map[string][]int{"images": {6}, "peak_images": {1000}},
	Check: func(p map[string][]int) error {
		if len(p["images"]) != 1 || p["images"][0] < 1 {
			return fmt.Errorf("images = %v: a confidence-maps probe shows at least 1 image (one number)", p["images"])
		}
		if len(p["peak_images"]) != 1 || p["peak_images"][0] < 1 {
			return fmt.Errorf("peak_images = %v: a confidence-maps probe measures the maps' peaks on at least 1 image (one number)", p["peak_images"])
		}
		return nil
	},
	Applies: func(variant string) bool { return nin.HeadOf(variant) == "gap" },
	Measure: func(ctx context.Context, m *Model) (*Measured, error) {
		png, imgs, err := Maps(m.Config, m.Backend, m.Store, m.Data.Test, m.Params["images"][0])
		if err != nil {
			return nil, err
		}
		pk, err := Peaks(m.Config, m.Backend, m.Store, m.Data.Test, m.Params["peak_images"][0], m.Config.EvalBatchSize)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(m.Log, "  %s: over %d test images, the true class's map peaks on the object in %.1f%%, the other classes' maps in %.1f%% (the object covers %.1f%% of a map)\n", m.Source, pk.Images, 100*pk.OnObject, 100*pk.OtherOnObject, 100*pk.Cover)
		return &Measured{Result: runs.ProbeResult{Images: imgs, Figure: "maps.png", PeakImages: pk.Images, PeakOnObject: pk.OnObject, OtherPeakOnObject: pk.OtherOnObject, ObjectCover: pk.Cover}, Figure: png}, nil
	},
	Table: func(b *strings.Builder, arms []Arm) {
		for _, a := range arms {
			agree, total := 0, 0
			var figs []string
			for i, pr := range a.Results {
				for _, im := range pr.Images {
					total++
					if im.MapArgmax == im.Pred {
						agree++
					}
				}
				label := fmt.Sprintf("run %d", len(figs)+1)
				if i < len(a.Seeds) {
					label = fmt.Sprintf("seed %d", a.Seeds[i])
				}
				figs = append(figs, fmt.Sprintf("[%s](runs/%s/%s)", label, a.Dirs[i], pr.Figure))
			}
			fmt.Fprintf(b, "- %s: maps of %s: %s. The class whose map has the largest mean equals the prediction for %d of %d images (the logits are the maps' means, so this checks the wiring; the figures are the evidence).%s\n", a.Name, nRuns(len(a.Results)), strings.Join(figs, ", "), agree, total, peaks(a.Results))
		}
		b.WriteString("\n")
	},
	Glance: func(results []runs.ProbeResult) ([]float64, string) {
		on, other, cover, _ := peakPercents(results)
		if len(on) == 0 {
			return nil, "" // records made before the peaks were measured
		}
		return on, fmt.Sprintf("%% of test images whose true class's map peaks on the object; the other classes' maps: %.0f%% (the true class's lead, run by run: %s points); the object covers %.0f%% of a map", stats.Of(other).Mean, lead(on, other).Short(), stats.Of(cover).Mean)
	},
}

// peakPercents are, in percent, the runs' shares of images whose true
// class's map peaks on the object, the same for the other classes' maps,
// and the object's share of a map, with the images they were measured on;
// records made before the peaks were measured are left out.
func peakPercents(results []runs.ProbeResult) (on, other, cover []float64, images int) {
	for _, r := range results {
		if r.PeakImages > 0 {
			on, other, cover, images = append(on, 100*r.PeakOnObject), append(other, 100*r.OtherPeakOnObject), append(cover, 100*r.ObjectCover), r.PeakImages
		}
	}
	return on, other, cover, images
}

// peaks words where the true class's maps peak, over the runs that
// measured it (records made before it was measured are left out).
func peaks(results []runs.ProbeResult) string {
	on, other, cover, n := peakPercents(results)
	if len(on) == 0 {
		return ""
	}
	return fmt.Sprintf(" Where the maps peak, over the first %d test images, in %s: the true class's map on the object in %s%% of the images, the other classes' maps in %s%% (the control: a map that peaks on the object whatever its class says nothing about the class), a lead of %s points for the true class's map (run by run, on the same images), where the object covers %s%% of a map's cells (the chance of a peak placed at random; a cell is object when its block of pixels is at least a quarter of the way from the image's darkest block to its brightest).",
		n, nRuns(len(on)), stats.Of(on).Short(), stats.Of(other).Short(), lead(on, other).Short(), stats.Of(cover).Short())
}

// lead is the true class's lead over the other classes' maps, the
// difference of on and other run by run (each run measures both on the
// same images, so the pairs, not the two means, carry the spread).
func lead(on, other []float64) stats.Stat {
	d := make([]float64, len(on))
	for i := range on {
		d[i] = on[i] - other[i]
	}
	return stats.Of(d)
}

// nRuns words a count of runs: "1 run", "3 runs".
func nRuns(n int) string {
	if n == 1 {
		return "1 run"
	}
	return fmt.Sprintf("%d runs", n)
}

// generalization: the error of the best checkpoint, in inference mode, on
// the run's own training images and on the test set, and their difference.
var generalization = &Kind{
	Name:    "generalization",
	Params:  map[string][]int{},
	Applies: func(string) bool { return true },
	Measure: func(ctx context.Context, m *Model) (*Measured, error) {
		var r runs.ProbeResult
		var err error
		if r.TrainAcc, err = Accuracy(ctx, m.Config, m.Backend, m.Store, m.Data.Train); err != nil {
			return nil, err
		}
		if r.TestAcc, err = Accuracy(ctx, m.Config, m.Backend, m.Store, m.Data.Test); err != nil {
			return nil, err
		}
		fmt.Fprintf(m.Log, "  %s: train error %.2f%% (%d images, inference mode), test error %.2f%%\n",
			m.Source, 100*(1-r.TrainAcc), m.Data.Train.N, 100*(1-r.TestAcc))
		return &Measured{Result: r}, nil
	},
	Table: func(b *strings.Builder, arms []Arm) {
		b.WriteString("| arm | runs | train error % (inference mode, the run's own training images) | test error % | gap: test − train | gap beyond spread vs first arm |\n|---|---|---|---|---|---|\n")
		var ref stats.Stat
		for i, a := range arms {
			var tr, te, gap []float64
			for _, pr := range a.Results {
				tr = append(tr, 100*(1-pr.TrainAcc))
				te = append(te, 100*(1-pr.TestAcc))
				gap = append(gap, 100*(pr.TrainAcc-pr.TestAcc))
			}
			g := stats.Of(gap)
			beyond := "(reference)"
			if i == 0 {
				ref = g
			} else {
				beyond = stats.Verdict(g, ref)
			}
			fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s |\n", a.Name, len(a.Results), stats.Of(tr).PM(), stats.Of(te).PM(), g.PM(), beyond)
		}
		b.WriteString("\n")
	},
	Glance: func(results []runs.ProbeResult) ([]float64, string) {
		var v []float64
		for _, pr := range results {
			v = append(v, 100*(pr.TrainAcc-pr.TestAcc))
		}
		return v, "test − train error %"
	},
}

// withCurve adds a run's accuracy curve (probe.svg) to a translation or
// input-size result.
func withCurve(title, xLabel string, r runs.ProbeResult) (*Measured, error) {
	var x, y []float64
	for i := range r.X {
		if r.Acc[i] >= 0 {
			x, y = append(x, float64(r.X[i])), append(y, r.Acc[i])
		}
	}
	svg, err := plots.Chart{Title: title, XLabel: xLabel, YLabel: "test accuracy", Series: []plots.Series{{Name: "accuracy", X: x, Y: y}}}.SVG()
	if err != nil {
		return nil, err
	}
	r.Figure = "probe.svg"
	return &Measured{Result: r, Figure: svg}, nil
}

// curveTable tabulates test error against the probe's X (shifts, sizes),
// one row per arm, mean ± std over runs; where a model cannot run, it
// says so and quotes the error a user gets.
func curveTable(b *strings.Builder, arms []Arm, label string) {
	xs := arms[0].Results[0].X
	fmt.Fprintf(b, "| test error %%, mean ± std over runs, by %s | runs |", label)
	for _, x := range xs {
		fmt.Fprintf(b, " %d |", x)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(xs)) + "\n")
	var notes []string
	for _, a := range arms {
		fmt.Fprintf(b, "| %s | %d |", a.Name, len(a.Results))
		for i := range xs {
			var v, vp []float64
			for _, pr := range a.Results {
				if i < len(pr.Acc) && pr.Acc[i] >= 0 {
					v = append(v, 100*(1-pr.Acc[i]))
				}
				if i < len(pr.AccPad) && pr.AccPad[i] >= 0 {
					vp = append(vp, 100*(1-pr.AccPad[i]))
				}
			}
			switch {
			case len(v) == 0:
				b.WriteString(" cannot run |")
			case len(vp) > 0:
				fmt.Fprintf(b, " %s (%s) |", stats.Of(v).Short(), stats.Of(vp).Short())
			default:
				fmt.Fprintf(b, " %s |", stats.Of(v).Short())
			}
		}
		b.WriteString("\n")
		if n := firstError(a, xs); n != "" {
			notes = append(notes, n)
		}
	}
	b.WriteString("\n")
	for _, n := range notes {
		fmt.Fprintf(b, "The error a user gets for %s\n\n", n)
	}
}

// firstError quotes the first error an arm's probes recorded.
func firstError(a Arm, xs []int) string {
	for _, pr := range a.Results {
		for i, e := range pr.Errors {
			if e != "" {
				line, _, _ := strings.Cut(e, "\n")
				return fmt.Sprintf("%s at %d: `%s`", a.Name, xs[i], line)
			}
		}
	}
	return ""
}
