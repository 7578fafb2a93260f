package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Grid draws rows of single-channel maps as a PNG image, each cell scaled
// up by Zoom with nearest-neighbour sampling and normalized to its own
// min..max (or to the row's, with RowScale), separated by Gap pixels.
// Row r, column c holds Cells[r][c] of size H x W (row-major values).
type Grid struct {
	Cells    [][][]float32
	H, W     []int // per column: each column may have its own size
	Zoom     int
	Gap      int
	RowScale bool // share min..max across the maps of a row (not column 0)
	// Heat colours maps from dark blue (low) to yellow (high), with that
	// colour scale drawn at the right of each row (high at the top); column
	// 0 is always drawn grey (the input image).
	Heat bool
}

// PNG renders the grid.
func (g Grid) PNG() ([]byte, error) {
	zoom := max(g.Zoom, 1)
	rows := len(g.Cells)
	cellW, cellH := 0, 0
	for c := range g.W {
		cellW += g.W[c]*zoom + g.Gap
		cellH = max(cellH, g.H[c]*zoom)
	}
	bar := 0 // the colour scale's width
	if g.Heat {
		bar = 3*zoom + 2*g.Gap
	}
	img := image.NewRGBA(image.Rect(0, 0, cellW+g.Gap+bar, rows*(cellH+g.Gap)+g.Gap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	if g.Heat { // low at the bottom, high at the top, beside every row
		for r := range rows {
			y0 := g.Gap + r*(cellH+g.Gap)
			for y := 0; y < cellH; y++ {
				c := colorOf(1-float32(y)/float32(max(cellH-1, 1)), true)
				for x := 0; x < 3*zoom; x++ {
					img.Set(cellW+2*g.Gap+x, y0+y, c)
				}
			}
		}
	}
	for r, row := range g.Cells {
		rlo, rhi := float32(math.Inf(1)), float32(math.Inf(-1))
		for c := 1; c < len(row); c++ {
			for _, v := range row[c] {
				rlo, rhi = min(rlo, v), max(rhi, v)
			}
		}
		x0 := g.Gap
		for c, cell := range row {
			lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
			for _, v := range cell {
				lo, hi = min(lo, v), max(hi, v)
			}
			if g.RowScale && c > 0 {
				lo, hi = rlo, rhi
			}
			span := hi - lo
			if span <= 0 {
				span = 1
			}
			y0 := g.Gap + r*(cellH+g.Gap)
			for y := 0; y < g.H[c]*zoom; y++ {
				for x := 0; x < g.W[c]*zoom; x++ {
					v := (cell[(y/zoom)*g.W[c]+x/zoom] - lo) / span
					img.Set(x0+x, y0+y, colorOf(v, g.Heat && c > 0))
				}
			}
			x0 += g.W[c]*zoom + g.Gap
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func colorOf(v float32, heat bool) color.RGBA {
	v = max(0, min(1, v))
	if !heat {
		b := uint8(v * 255)
		return color.RGBA{b, b, b, 255}
	}
	// A small viridis-like ramp: dark blue -> teal -> yellow.
	r := uint8(255 * max(0, min(1, 2*v-0.6)))
	gc := uint8(255 * max(0, min(1, 0.1+0.9*v)))
	b := uint8(255 * max(0, min(1, 0.55-0.5*v)))
	return color.RGBA{r, gc, b, 255}
}
