package plots

import (
	"bytes"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

func TestChartSVG(t *testing.T) {
	svg, err := Chart{Title: "t", XLabel: "epoch", YLabel: "acc", Series: []Series{
		{Name: "train", X: []float64{1, 2, 3}, Y: []float64{0.5, 0.7, 0.8}, Dashed: true},
		{Name: "val", X: []float64{1, 2, 3}, Y: []float64{0.4, 0.6, 0.65}, YErr: []float64{0.01, 0.02, 0.01}},
	}}.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(strings.TrimSpace(s), "<?xml") || !strings.Contains(s, "<svg") || strings.Contains(s, "<script") {
		t.Errorf("not a self-contained SVG: %.200s", s)
	}
	// A viewer without Liberation Serif must get a font of its widths
	// (Chromium here drew DejaVu Sans and cut the y label).
	if !strings.Contains(s, "font-family:'Liberation Serif','Times New Roman',Times,serif;") || strings.Contains(s, "font-family:Liberation Serif;") {
		t.Errorf("SVG text has no metric-compatible fallback font: %.400s", s)
	}
	if _, err := (Chart{Series: []Series{{X: []float64{1}, Y: []float64{1, 2}}}}).SVG(); err == nil {
		t.Errorf("mismatched series accepted")
	}
}

// TestSVGTextWidths: every text element carries the width it was laid
// out at, so that a viewer drawing a wider fallback font squeezes it to
// fit (Chromium here drew DejaVu Serif, a third wider, and a long title
// ran off the figure), and the title, so pinned, ends inside the figure.
func TestSVGTextWidths(t *testing.T) {
	title := "budget-bodies on fashion-mnist: validation error after each epoch (mean over seeds)"
	c := Chart{Title: title, XLabel: "epoch", YLabel: "validation error %"}
	for _, name := range []string{"nin-e8", "bneck-quarter-e20 & <x>"} {
		c.Series = append(c.Series, Series{Name: name, X: []float64{1, 2}, Y: []float64{3, 2}})
	}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	texts := regexp.MustCompile(`<text x="([-0-9.]+)"([^>]*)>([^<]*)</text>`).FindAllStringSubmatch(string(svg), -1)
	if len(texts) < 5 {
		t.Fatalf("%d text elements in the SVG", len(texts))
	}
	length := regexp.MustCompile(` textLength="([0-9.]+)" lengthAdjust="spacingAndGlyphs"`)
	widths := make([]float64, len(texts))
	for i, m := range texts {
		l := length.FindStringSubmatch(m[2])
		if l == nil {
			t.Errorf("text %q has no textLength", m[3])
			continue
		}
		widths[i], _ = strconv.ParseFloat(l[1], 64)
	}
	if texts[0][3] != title {
		t.Fatalf("first text %q, want the title", texts[0][3])
	}
	x, _ := strconv.ParseFloat(texts[0][1], 64)
	w := widths[0]
	if w < 300 || x < 0 || x+w > 504 {
		t.Errorf("title drawn from %.1f to %.1f pt (width %.1f), outside the 504 pt figure", x, x+w, w)
	}
}

func TestBarsAndGrid(t *testing.T) {
	if _, err := (Bars{Labels: []string{"a", "b"}, Values: []float64{1, 2}, Errors: []float64{0.1, 0.2}}).SVG(); err != nil {
		t.Fatal(err)
	}
	g := Grid{Cells: [][][]float32{{{0, 1, 2, 3}, {1, 1, 1, 1}}}, H: []int{2, 2}, W: []int{2, 2}, Zoom: 3, Gap: 1, Heat: true}
	b, err := g.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Two 6x6 cells with 1-pixel gaps, then the colour scale (1-pixel gap,
	// 3x3 = 9 wide, 1-pixel gap): 1+6+1+6+1 + 1+9+1 wide, 1+6+1 high.
	if r := img.Bounds(); r.Dx() != 26 || r.Dy() != 8 {
		t.Errorf("grid is %v", r)
	}
	// The scale: high (yellow) at the top, low (dark blue) at the bottom.
	top, bottom := img.At(17, 1), img.At(17, 6)
	if tr, _, tb, _ := top.RGBA(); tr < 0x8000 || tb > 0x4000 {
		t.Errorf("top of the colour scale %v, want yellow", top)
	}
	if br, _, bb, _ := bottom.RGBA(); br > 0x1000 || bb < 0x4000 {
		t.Errorf("bottom of the colour scale %v, want dark blue", bottom)
	}
}

// TestHeadroom: the largest value (with its error bar) sits below the top
// of the frame, the smallest of a chart above its floor, and bars keep
// their floor at 0.
func TestHeadroom(t *testing.T) {
	c := Chart{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{0.5, 0.8}, YErr: []float64{0.1, 0.1}}}}
	p, _, err := c.plot()
	if err != nil {
		t.Fatal(err)
	}
	if !(p.Y.Max > 0.92 && p.Y.Min < 0.38) { // 5% of the span 0.4..0.9
		t.Errorf("chart y range %v..%v, want 5%% of room beyond 0.4..0.9", p.Y.Min, p.Y.Max)
	}
	for _, b := range []Bars{
		{Labels: []string{"a", "b"}, Values: []float64{0.67, 1.22}, Errors: []float64{0.07, 0}},
		{Labels: []string{"a"}, Values: []float64{1.22}},
	} {
		p, err := b.plot()
		if err != nil {
			t.Fatal(err)
		}
		if !(p.Y.Max > 1.27 && p.Y.Min == 0) {
			t.Errorf("bars %v: y range %v..%v, want 0..1.22 and 5%% more", b.Values, p.Y.Min, p.Y.Max)
		}
	}
}

// TestLogX: a log-scale x axis ticks every x value of the data, and
// refuses a value it cannot place.
func TestLogX(t *testing.T) {
	for _, tc := range []struct {
		name    string
		x       []float64
		wantErr bool
	}{
		{"budgets", []float64{1, 3, 8, 20}, false},
		{"a zero", []float64{0, 3}, true},
	} {
		c := Chart{Title: "t", Series: []Series{{Name: "a", X: tc.x, Y: make([]float64, len(tc.x))}}, LogX: true}
		svg, err := c.SVG()
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "log scale") {
				t.Errorf("%s: error %v, want one naming the log scale", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, label := range []string{">1<", ">3<", ">8<", ">20<"} {
			if !strings.Contains(string(svg), label) {
				t.Errorf("%s: no tick labelled %s", tc.name, label)
			}
		}
	}
}

func TestRoundTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ticks  roundTicks
		lo, hi float64
		want   string // every tick, labelled ones as their label, minor ones as "."
	}{
		{"3 epochs: half steps", roundTicks{}, 0.9, 3.1, "1.0 . 1.5 . 2.0 . 2.5 . 3.0"},
		{"3 epochs, whole", roundTicks{whole: true}, 0.9, 3.1, "1 2 3"},
		{"20 epochs, whole", roundTicks{whole: true}, 0, 20, "0 5 10 15 20"},
		{"40 epochs, whole", roundTicks{whole: true}, 0, 40, "0 . 10 . 20 . 30 . 40"},
		{"error %", roundTicks{}, 0, 10, "0 . 2 . 4 . 6 . 8 . 10"},
	} {
		var got []string
		for _, tk := range tc.ticks.Ticks(tc.lo, tc.hi) {
			if tk.Label == "" {
				got = append(got, ".")
			} else {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: ticks %q, want %q", tc.name, strings.Join(got, " "), tc.want)
		}
	}
}

// TestTitleStaysInFigure: a title longer than the plot beside the legend
// starts inside the figure, not left of it.
func TestTitleStaysInFigure(t *testing.T) {
	c := Chart{Title: strings.Repeat("a long title ", 8), Series: []Series{{Name: "bneck-quarter-e20", X: []float64{1, 2}, Y: []float64{1, 2}}}}
	p, leg, err := c.plot()
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder.Canvas{}
	canvas := draw.NewCanvas(rec, 7*vg.Inch, 4*vg.Inch)
	drawTitle(canvas, c.Title, p.Title.TextStyle, p.Title.Padding, legendWidth(leg))
	var starts []vg.Length
	for _, a := range rec.Actions {
		if s, ok := a.(*recorder.FillString); ok {
			starts = append(starts, s.Point.X)
		}
	}
	if len(starts) != 1 {
		t.Fatalf("%d strings drawn, want the title", len(starts))
	}
	if starts[0] < canvas.Min.X {
		t.Errorf("title starts at %v, left of the figure's edge %v", starts[0], canvas.Min.X)
	}
}
