package web

import (
	"bytes"
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/slopguard/slopguard/store"
)

// The chart colours match the page's: warm for machine, cool for human.
var (
	colMachine = color.RGBA{0xc2, 0x41, 0x0c, 0xff}
	colHuman   = color.RGBA{0x1d, 0x5f, 0xa8, 0xff}
	colUnsure  = color.RGBA{0xa8, 0xae, 0xb7, 0xff}
)

// chartW and chartH are the size of a dashboard chart.
const (
	chartW = 14 * vg.Centimeter
	chartH = 8 * vg.Centimeter
)

// dayTicks labels every few days so that the labels never overlap.
type dayTicks struct {
	days []time.Time
}

// Ticks implements plot.Ticker.
func (t dayTicks) Ticks(min, max float64) []plot.Tick {
	step := max1(len(t.days) / 10)
	var out []plot.Tick
	for i, d := range t.days {
		tk := plot.Tick{Value: float64(i)}
		if i%step == 0 {
			tk.Label = d.Format("Jan 2")
		}
		out = append(out, tk)
	}
	return out
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// daysChart draws decisions per day, stacked by verdict, for the days
// from since to until (UTC), as SVG.
func daysChart(st store.ScopeStats, since, until time.Time) ([]byte, error) {
	start := since.UTC().Truncate(24 * time.Hour)
	var days []time.Time
	for d := start; !d.After(until); d = d.Add(24 * time.Hour) {
		days = append(days, d)
	}
	idx := map[time.Time]int{}
	for i, d := range days {
		idx[d] = i
	}
	machine, unsure, human := make(plotter.Values, len(days)), make(plotter.Values, len(days)), make(plotter.Values, len(days))
	for _, dc := range st.Days {
		i, ok := idx[dc.Day]
		if !ok {
			continue
		}
		machine[i], unsure[i], human[i] = float64(dc.Machine), float64(dc.Unsure), float64(dc.Human)
	}
	p := plot.New()
	p.Y.Label.Text = "decisions"
	p.X.Tick.Marker = dayTicks{days}
	p.Y.Min = 0
	w := max(chartW*0.85/vg.Length(max1(len(days))), 1)
	var bars []*plotter.BarChart
	for _, s := range []struct {
		name string
		v    plotter.Values
		c    color.Color
	}{{"human", human, colHuman}, {"unsure", unsure, colUnsure}, {"machine", machine, colMachine}} {
		b, err := plotter.NewBarChart(s.v, w)
		if err != nil {
			return nil, fmt.Errorf("days chart: %w", err)
		}
		b.Color, b.LineStyle.Width = s.c, 0
		if n := len(bars); n > 0 {
			b.StackOn(bars[n-1])
		}
		bars = append(bars, b)
		p.Add(b)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(days))-0.5
	top := 1.0
	for i := range days {
		top = max(top, machine[i]+unsure[i]+human[i])
	}
	p.Y.Max = top * 1.08
	return svg(p)
}

// scoresChart draws the histogram of scores as SVG: bins below 0.5 in the
// human colour, the rest in the machine colour.
func scoresChart(st store.ScopeStats) ([]byte, error) {
	p := plot.New()
	p.X.Label.Text = "score (0 human, 1 machine)"
	p.Y.Label.Text = "texts"
	p.Y.Min = 0
	low, high := make(plotter.Values, store.ScoreBins), make(plotter.Values, store.ScoreBins)
	for i, n := range st.Scores {
		if i < store.ScoreBins/2 {
			low[i] = float64(n)
		} else {
			high[i] = float64(n)
		}
	}
	w := chartW * 0.85 / store.ScoreBins
	for _, s := range []struct {
		v plotter.Values
		c color.Color
	}{{low, colHuman}, {high, colMachine}} {
		b, err := plotter.NewBarChart(s.v, w)
		if err != nil {
			return nil, fmt.Errorf("scores chart: %w", err)
		}
		b.Color, b.LineStyle.Width = s.c, 0
		p.Add(b)
	}
	var ticks []plot.Tick
	for i := 0; i <= store.ScoreBins; i++ {
		tk := plot.Tick{Value: float64(i) - 0.5}
		if i%5 == 0 {
			tk.Label = fmt.Sprintf("%.2g", float64(i)/store.ScoreBins)
		}
		ticks = append(ticks, tk)
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, store.ScoreBins-0.5
	top := 1.0
	for _, n := range st.Scores {
		top = max(top, float64(n))
	}
	p.Y.Max = top * 1.08
	return svg(p)
}

// intTicks marks whole numbers only, about five of them: the charts count.
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(min, max float64) []plot.Tick {
	step := 1
steps:
	for m := 1; ; m *= 10 {
		for _, k := range []int{1, 2, 5} {
			if step = k * m; float64(step)*5 >= max-min {
				break steps
			}
		}
	}
	var out []plot.Tick
	for v := 0; float64(v) <= max; v += step {
		out = append(out, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	return out
}

// sans is the charts' font, the page's look.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(10)}

func svg(p *plot.Plot) ([]byte, error) {
	p.BackgroundColor = color.White
	p.X.Padding, p.Y.Padding = 0, 0
	p.Y.Tick.Marker = intTicks{}
	for _, ts := range []*text.Style{&p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label} {
		ts.Font = sans
	}
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = color.Gray{0xe0}
	p.Add(grid)
	wt, err := p.WriterTo(chartW, chartH, "svg")
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}
