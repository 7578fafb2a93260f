package nb

import (
	"fmt"
	"html"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/ninbench/nin/ninlib/plots"
	"github.com/ninbench/nin/ninlib/runs"
)

// live draws a run's learning curves while it trains: loss and accuracy
// against steps, training (averaged over a few dozen steps) and
// validation (after each epoch), with a progress line and the epoch's ETA,
// redrawn in place every few seconds (GoNB's updatable display). Each run
// of an experiment gets its own display, which keeps its last drawing.
type live struct {
	id                 string
	runs               int
	lastDraw, epochT0  time.Time
	epoch, step, steps int
	lastLoss           float64
	// Training curve: averages over buckets of steps.
	bucket                 int
	sumLoss, sumAcc        float64
	trainX, trainL, trainA []float64
	valX, valL, valA       []float64
}

// liveCharts opens the row that holds the two live charts side by side
// (wrapping on a narrow page): the classic notebook styles an output's
// images as blocks, which stacked them one above the other.
const liveCharts = `<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">`

// redraw is how often the live display is redrawn.
const redraw = 3 * time.Second

func newLive() *live { return &live{} }

// onStep receives every training step.
func (l *live) onStep(epoch, step, steps int, loss, acc float64) {
	if epoch == 1 && step == 1 || l.id == "" {
		l.reset()
	}
	if step == 1 {
		l.epochT0 = time.Now()
	}
	l.epoch, l.step, l.steps, l.lastLoss = epoch, step, steps, loss
	size := max(1, steps/40)
	l.sumLoss, l.sumAcc = l.sumLoss+loss, l.sumAcc+acc
	if l.bucket++; l.bucket == size {
		x := float64((epoch-1)*steps + step)
		l.trainX = append(l.trainX, x)
		l.trainL, l.trainA = append(l.trainL, l.sumLoss/float64(size)), append(l.trainA, l.sumAcc/float64(size))
		l.bucket, l.sumLoss, l.sumAcc = 0, 0, 0
	}
	if time.Since(l.lastDraw) >= redraw {
		l.draw()
	}
}

// onEpoch receives every committed epoch.
func (l *live) onEpoch(r runs.Epoch) {
	l.valX = append(l.valX, float64(r.Step))
	l.valL, l.valA = append(l.valL, r.ValLoss), append(l.valA, r.ValAcc)
	l.draw()
}

// done draws the last state.
func (l *live) done() {
	if l.id != "" {
		l.draw()
	}
}

// reset starts the display of a new run.
func (l *live) reset() {
	if l.id != "" {
		l.draw()
	}
	*l = live{id: "live_" + gonbui.UniqueID(), runs: l.runs + 1, lastDraw: time.Now()}
}

// draw updates the display: the progress line and the two charts.
func (l *live) draw() {
	l.lastDraw = time.Now()
	rate := float64(l.step) / max(time.Since(l.epochT0).Seconds(), 1e-3)
	eta := time.Duration(float64(l.steps-l.step) / max(rate, 1e-9) * float64(time.Second)).Round(time.Second)
	line := fmt.Sprintf("run %d of this cell · epoch %d · step %d/%d · loss %.4f · %.1f steps/s · epoch ETA %s",
		l.runs, l.epoch, l.step, l.steps, l.lastLoss, rate, eta)
	out := "<div><code>" + html.EscapeString(line) + "</code></div>" + liveCharts
	for _, c := range []plots.Chart{
		l.chart("loss", l.trainL, l.valL),
		l.chart("accuracy", l.trainA, l.valA),
	} {
		if f, err := c.Figure(); err == nil {
			out += fmt.Sprintf(`<img src="%s" style="flex:0 1 48%%;max-width:520px;min-width:0;margin:0">`, pngDataURI(f.PNG))
		}
	}
	gonbui.UpdateHTML(l.id, out+"</div>")
}

// chart is one of the live charts: training (dashed) and validation.
func (l *live) chart(what string, train, val []float64) plots.Chart {
	c := plots.Chart{Title: what + " during training", XLabel: "step", YLabel: what, Width: 330, Height: 220}
	if len(train) > 0 {
		c.Series = append(c.Series, plots.Series{Name: "train", X: l.trainX, Y: train, Dashed: true})
	}
	if len(val) > 0 {
		c.Series = append(c.Series, plots.Series{Name: "validation", X: l.valX, Y: val, Color: 1})
	}
	return c
}
