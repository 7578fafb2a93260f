// Package plots draws the workbench's figures: line charts (learning
// curves, robustness curves, error against budget or cost) and bar charts
// as self-contained SVG and as PNG, and image grids (confidence maps) as
// PNG, so they render offline, in notebooks (trusted or not), in HTML
// exports and on GitHub, with no JavaScript. Legends sit beside the data,
// ticks fall on round values, and a series keeps the colour its caller
// gives it in every figure (see Color).
package plots

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"regexp"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one line of a chart.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool
	// Color picks a palette colour by index (see Color), so related lines
	// (a model's train and validation curves; an arm in every figure) can
	// share a colour.
	Color int
	// Marker picks the shape of the points by index (see markers), so
	// lines of one colour (a model at two training budgets) can be told
	// apart in the plot and the legend; 0 is a filled circle.
	Marker int
	// YErr, if set, draws error bars (e.g. std over seeds).
	YErr []float64
}

// Chart describes a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Width, Height         vg.Length // default 7in x 4in, legend included
	// LogX draws x on a log scale with a tick at each x value of the data
	// (for budgets such as 1, 3, 8 and 20 epochs, evenly apart).
	LogX bool
	// WholeX puts x ticks on whole numbers only (epochs), never between.
	WholeX bool
}

// Figure is a chart rendered both ways: SVG for trusted viewers and the
// records, PNG for viewers that do not render untrusted SVG.
type Figure struct {
	Title    string
	SVG, PNG []byte
}

// Color is the palette colour of index i (gonum's plotutil palette).
func Color(i int) color.Color { return plotutil.Color(i) }

// SVG renders the chart as SVG text.
func (c Chart) SVG() ([]byte, error) {
	f, err := c.render(false)
	return f.SVG, err
}

// Figure renders the chart as SVG and PNG.
func (c Chart) Figure() (Figure, error) { return c.render(true) }

func (c Chart) render(withPNG bool) (Figure, error) {
	p, leg, err := c.plot()
	if err != nil {
		return Figure{}, err
	}
	return draw2(c.Title, p, leg, c.Width, c.Height, withPNG)
}

// legend is a legend drawn beside the plot, and its entries' names.
type legend struct {
	plot.Legend
	names []string
}

// plot builds the chart's plot and its legend (drawn beside it).
func (c Chart) plot() (*plot.Plot, *legend, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Add(plotter.NewGrid())
	leg := &legend{Legend: plot.NewLegend()}
	leg.Top, leg.Left = true, true
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, nil, fmt.Errorf("series %q: %d x values, %d y values", s.Name, len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			continue
		}
		if err := addSeries(p, leg, s); err != nil {
			return nil, nil, err
		}
	}
	p.Y.Tick.Marker = roundTicks{}
	padY(p, 0.05)
	if c.LogX {
		for _, s := range c.Series {
			for _, x := range s.X {
				if !(x > 0) {
					return nil, nil, fmt.Errorf("series %q: x = %v on a log scale", s.Name, x)
				}
			}
		}
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = valueTicks(c.Series)
		p.X.Min, p.X.Max = p.X.Min/1.15, p.X.Max*1.15
		return p, leg, nil
	}
	padX(p)
	p.X.Tick.Marker = roundTicks{whole: c.WholeX}
	return p, leg, nil
}

// valueTicks places a labelled tick at every x value of the series.
type valueTicks []Series

// Ticks returns the ticks of the series' x values in [lo, hi].
func (v valueTicks) Ticks(lo, hi float64) []plot.Tick {
	seen := map[float64]bool{}
	var ticks []plot.Tick
	for _, s := range v {
		for _, x := range s.X {
			if x >= lo && x <= hi && !seen[x] {
				seen[x] = true
				ticks = append(ticks, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', 4, 64)})
			}
		}
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Value < ticks[j].Value })
	return ticks
}

// addSeries adds one series' line, points and error bars to p, and its
// entry to the legend.
func addSeries(p *plot.Plot, leg *legend, s Series) error {
	pts := make(plotter.XYs, len(s.X))
	for i := range s.X {
		pts[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
	}
	l, sc, err := plotter.NewLinePoints(pts)
	if err != nil {
		return fmt.Errorf("series %q: %w", s.Name, err)
	}
	col := Color(s.Color)
	l.Color, sc.Color = col, col
	sc.Shape = markers[s.Marker%len(markers)]
	sc.Radius = vg.Points(2.5)
	l.Width = vg.Points(1.5)
	if s.Dashed {
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(l, sc)
	leg.Add(s.Name, l, sc)
	leg.names = append(leg.names, s.Name)
	if len(s.YErr) == len(s.Y) {
		errs := make(plotter.YErrors, len(s.Y))
		for i, e := range s.YErr {
			errs[i] = struct{ Low, High float64 }{e, e}
		}
		if eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pts, errs}); err == nil {
			eb.Color = col
			p.Add(eb)
		}
	}
	return nil
}

// markers are the point shapes of Series.Marker, the filled ones first.
var markers = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}}

// padX widens the x range by 5% each side, so no point sits on the frame.
func padX(p *plot.Plot) {
	span := p.X.Max - p.X.Min
	if span == 0 {
		span = math.Max(1, math.Abs(p.X.Max))
	}
	p.X.Min -= 0.05 * span
	p.X.Max += 0.05 * span
}

// padY widens the y range by frac of its span each side, so no point or
// error bar sits on the frame; a range that starts at 0 (bars) keeps its
// floor.
func padY(p *plot.Plot, frac float64) {
	span := p.Y.Max - p.Y.Min
	if span == 0 {
		span = math.Max(1, math.Abs(p.Y.Max))
	}
	if p.Y.Min != 0 {
		p.Y.Min -= frac * span
	}
	p.Y.Max += frac * span
}

// Bars describes a bar chart of one value per label.
type Bars struct {
	Title, YLabel string
	Labels        []string
	Values        []float64
	Errors        []float64 // optional, same length as Values
	// Colors, if set, gives each bar's palette index (see Color).
	Colors []int
}

// SVG renders the bar chart.
func (b Bars) SVG() ([]byte, error) {
	f, err := b.render(false)
	return f.SVG, err
}

// Figure renders the bar chart as SVG and PNG.
func (b Bars) Figure() (Figure, error) { return b.render(true) }

func (b Bars) render(withPNG bool) (Figure, error) {
	p, err := b.plot()
	if err != nil {
		return Figure{}, err
	}
	return draw2(b.Title, p, nil, 0, 0, withPNG)
}

// plot builds the bar chart's plot: a bar per value, its error bar, the
// labels under them.
func (b Bars) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = b.Title
	p.Y.Label.Text = b.YLabel
	p.Add(plotter.NewGrid())
	for i, v := range b.Values {
		vals := make(plotter.Values, len(b.Values))
		vals[i] = v
		bars, err := plotter.NewBarChart(vals, vg.Points(28))
		if err != nil {
			return nil, err
		}
		bars.Color = Color(0)
		if i < len(b.Colors) {
			bars.Color = Color(b.Colors[i])
		}
		bars.LineStyle.Width = 0
		p.Add(bars)
	}
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
	p.Y.Tick.Marker = roundTicks{}
	padY(p, 0.05)
	return p, nil
}

// draw2 draws p, with its legend (if any) in a strip on the right, as SVG
// and optionally PNG.
func draw2(title string, p *plot.Plot, leg *legend, w, h vg.Length, withPNG bool) (Figure, error) {
	if w == 0 {
		w = 7 * vg.Inch
	}
	if h == 0 {
		h = 4 * vg.Inch
	}
	f := Figure{Title: title}
	heading := p.Title
	p.Title.Text = "" // drawn by drawTitle, over the whole figure
	paint := func(c draw.Canvas) {
		strip := vg.Length(0)
		if leg != nil {
			strip = legendWidth(leg)
		}
		c = drawTitle(c, heading.Text, heading.TextStyle, heading.Padding, strip)
		if leg == nil {
			p.Draw(c)
			return
		}
		p.Draw(draw.Crop(c, 0, -strip, 0, 0))
		lc := draw.Crop(c, c.Max.X-c.Min.X-strip+vg.Points(6), 0, 0, -vg.Points(24))
		leg.Draw(lc)
	}
	sc := vgsvg.New(w, h)
	paint(draw.New(sc))
	var buf bytes.Buffer
	if _, err := sc.WriteTo(&buf); err != nil {
		return f, err
	}
	f.SVG = portableText(buf.Bytes())
	if withPNG {
		ic := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))}
		paint(draw.New(ic))
		var pb bytes.Buffer
		if _, err := ic.WriteTo(&pb); err != nil {
			return f, err
		}
		f.PNG = pb.Bytes()
	}
	return f, nil
}

// drawTitle draws title at the top of c, centred over the plot (c less
// the legend strip on its right) when it fits there, shifted right just
// enough to start at c's left edge when it does not (centred over the plot
// alone, a long title ran off the figure), and returns c below it.
func drawTitle(c draw.Canvas, title string, style text.Style, pad, strip vg.Length) draw.Canvas {
	if title == "" {
		return c
	}
	size := style.Rectangle(title).Size()
	x := c.Min.X + (c.Max.X-strip-c.Min.X)/2
	x = max(x, c.Min.X+size.X/2)
	c.FillText(style, vg.Point{X: x, Y: c.Max.Y + style.FontExtents().Descent}, title)
	c.Max.Y -= size.Y + pad
	return c
}

// legendWidth is the width of the legend strip: its longest entry, with
// the legend's thumbnail and padding.
func legendWidth(leg *legend) vg.Length {
	longest := vg.Length(0)
	for _, n := range leg.names {
		longest = max(longest, leg.TextStyle.Width(n))
	}
	return longest + leg.ThumbnailWidth + 3*leg.Padding + vg.Points(12)
}

// svgText matches a text element as vgsvg writes it: its attributes up to
// the font size, the size in px, and the escaped text.
var svgText = regexp.MustCompile(`(<text [^>]*font-size:)([0-9.]+)px("[^>]*)>([^<]*)</text>`)

// portableText makes the SVG draw the same wherever it is viewed. It
// was laid out in Liberation Serif; a viewer without that font draws the
// first it has of the same metrics (Times New Roman, Times) or a generic
// serif, and every text element is given its measured width
// (textLength), so a wider fallback (DejaVu Serif, on a bare Debian, is a
// third wider) is squeezed to fit instead of running off the figure or
// over its neighbours.
func portableText(svg []byte) []byte {
	svg = bytes.ReplaceAll(svg, []byte("font-family:Liberation Serif;"),
		[]byte("font-family:'Liberation Serif','Times New Roman',Times,serif;"))
	return svgText.ReplaceAllFunc(svg, func(m []byte) []byte {
		g := svgText.FindSubmatch(m)
		size, err := strconv.ParseFloat(string(g[2]), 64)
		if err != nil || len(g[4]) == 0 {
			return m
		}
		face := font.DefaultCache.Lookup(plot.DefaultFont, font.Points(size))
		w := face.Width(html.UnescapeString(string(g[4]))).Points()
		return fmt.Appendf(nil, `%s%spx%s textLength="%.2f" lengthAdjust="spacingAndGlyphs">%s</text>`, g[1], g[2], g[3], w, g[4])
	})
}

// roundTicks places ticks at multiples of 1, 2 or 5 times a power of ten
// (about five of them), labelled with no more decimals than they need;
// with whole set, only at whole numbers.
type roundTicks struct{ whole bool }

// Ticks returns the ticks of [lo, hi].
func (r roundTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if r.whole {
		step = math.Max(step, 1)
	}
	decimals := max(0, -int(math.Floor(math.Log10(step))))
	minor := !r.whole || math.Mod(step, 2) == 0 // a minor tick halfway, if that is whole
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v+0, 'f', decimals, 64)})
		for m := v + step/2; minor && m < hi && m < v+step; m += step {
			ticks = append(ticks, plot.Tick{Value: m}) // a minor tick
		}
	}
	return ticks
}
