// Package plots draws the workbench's figures as self-contained SVG (line
// charts: learning curves, robustness curves; bar charts) and PNG (image
// grids: confidence maps), so they render offline, in notebooks, in HTML
// exports and on GitHub, with no JavaScript.
package plots

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one line of a chart.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool
	// Color picks a palette colour by index, so related lines (a model's
	// train and validation curves) can share a colour.
	Color int
	// YErr, if set, draws error bars (e.g. std over seeds).
	YErr []float64
}

// Chart describes a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Width, Height         vg.Length // default 6in x 4in
}

// SVG renders the chart as SVG text.
func (c Chart) SVG() ([]byte, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("series %q: %d x values, %d y values", s.Name, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(s.X))
		for i := range s.X {
			pts[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Name, err)
		}
		col := plotutil.Color(s.Color)
		l.Color, sc.Color = col, col
		sc.Shape = draw.CircleGlyph{}
		sc.Radius = vg.Points(2)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l, sc)
		p.Legend.Add(s.Name, l)
		if len(s.YErr) == len(s.Y) {
			errs := make(plotter.YErrors, len(s.Y))
			for i, e := range s.YErr {
				errs[i] = struct{ Low, High float64 }{e, e}
			}
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYer
				plotter.YErrorer
			}{pts, errs})
			if err == nil {
				eb.Color = col
				p.Add(eb)
			}
		}
	}
	return render(p, c.Width, c.Height)
}

// Bars describes a bar chart of one value per label.
type Bars struct {
	Title, YLabel string
	Labels        []string
	Values        []float64
	Errors        []float64 // optional, same length as Values
}

// SVG renders the bar chart.
func (b Bars) SVG() ([]byte, error) {
	p := plot.New()
	p.Title.Text = b.Title
	p.Y.Label.Text = b.YLabel
	p.Add(plotter.NewGrid())
	bars, err := plotter.NewBarChart(plotter.Values(b.Values), vg.Points(28))
	if err != nil {
		return nil, err
	}
	bars.Color = plotutil.Color(0)
	p.Add(bars)
	if len(b.Errors) == len(b.Values) {
		pts := make(plotter.XYs, len(b.Values))
		errs := make(plotter.YErrors, len(b.Values))
		for i := range b.Values {
			pts[i] = plotter.XY{X: float64(i), Y: b.Values[i]}
			errs[i] = struct{ Low, High float64 }{b.Errors[i], b.Errors[i]}
		}
		if eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pts, errs}); err == nil {
			eb.Color = color.Black
			p.Add(eb)
		}
	}
	p.NominalX(b.Labels...)
	return render(p, 0, 0)
}

func render(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	if w == 0 {
		w = 6 * vg.Inch
	}
	if h == 0 {
		h = 4 * vg.Inch
	}
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
