package plots

import (
	"bytes"
	"image/png"
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

// TestLegendRoom: the legend strip fits its longest name drawn a fifth
// wider than measured, as a viewer without the SVG's font draws it (the
// browser test's Chromium cut "bneck-quarter" to "bneck-quart").
func TestLegendRoom(t *testing.T) {
	c := Chart{Series: []Series{{Name: "nin", X: []float64{8}, Y: []float64{1}}, {Name: "bneck-quarter-e20", X: []float64{8}, Y: []float64{1}}}}
	_, leg, err := c.plot()
	if err != nil {
		t.Fatal(err)
	}
	text := leg.TextStyle.Width("bneck-quarter-e20")
	if room := legendWidth(leg) - leg.ThumbnailWidth - 3*leg.Padding; room < text*1.2 {
		t.Errorf("legend strip leaves %v for a name measured at %v; a fallback font needs %v", room, text, text*1.2)
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
