package evaluate

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteFiles writes report.md, roc.png and hist.png into dir, creating it.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.WriteMarkdown(f); err != nil {
		f.Close()
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.WriteROC(filepath.Join(dir, "roc.png")); err != nil {
		return err
	}
	return r.WriteHistogram(filepath.Join(dir, "hist.png"))
}

// WriteROC draws the ROC curves, pooled and for every category with both
// labels, into a PNG (or any format gonum/plot knows from the extension).
func (r *Report) WriteROC(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("ROC — %s, attack %s", r.Model, r.attackName())
	p.X.Label.Text = "false-positive rate (human text flagged)"
	p.Y.Label.Text = "true-positive rate (machine text flagged)"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())

	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return fmt.Errorf("plot roc: %w", err)
	}
	diag.Color = color.Gray{Y: 160}
	diag.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(diag)

	curves := []struct {
		name string
		s    Scores
	}{{"all", r.Samples}}
	byCat := map[string]Scores{}
	for _, s := range r.Samples {
		byCat[s.Category] = append(byCat[s.Category], s)
	}
	for _, m := range r.ByCategory {
		if m.Humans > 0 && m.Machines > 0 {
			curves = append(curves, struct {
				name string
				s    Scores
			}{m.Group, byCat[m.Group]})
		}
	}
	for i, c := range curves {
		pts := thin(c.s.ROC())
		if len(pts) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(pts))
		for j, pt := range pts {
			xys[j] = plotter.XY{X: pt.FPR, Y: pt.TPR}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("plot roc %s: %w", c.name, err)
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1)
		if i == 0 {
			l.Width = vg.Points(2.5)
			l.Color = color.Black
		} else {
			l.Color = plotutil.Color(i - 1)
			l.Dashes = plotutil.Dashes((i - 1) / len(plotutil.DefaultColors))
		}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (AUROC %s)", c.name, num(c.s.AUROC(), "%.3f")), l)
	}
	if err := p.Save(7*vg.Inch, 6*vg.Inch, path); err != nil {
		return fmt.Errorf("plot roc: %w", err)
	}
	return nil
}

// thin drops ROC points closer than 0.002 to the last kept one, keeping
// the curve's shape and the plot small.
func thin(pts []Point) []Point {
	if len(pts) < 2 {
		return pts
	}
	out := []Point{pts[0]}
	for _, p := range pts[1 : len(pts)-1] {
		last := out[len(out)-1]
		if math.Abs(p.FPR-last.FPR) >= 0.002 || math.Abs(p.TPR-last.TPR) >= 0.002 {
			out = append(out, p)
		}
	}
	return append(out, pts[len(pts)-1])
}

// histBins is the number of histogram bins over [0, 1].
const histBins = 40

// WriteHistogram draws the score distributions of human and machine text,
// each as the share of its label's texts per bin, and the threshold.
func (r *Report) WriteHistogram(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Scores — %s, attack %s", r.Model, r.attackName())
	p.X.Label.Text = "score (probability of machine)"
	p.Y.Label.Text = "share of texts with this label"
	p.X.Min, p.X.Max = 0, 1
	p.Legend.Top = true
	p.Add(plotter.NewGrid())

	for _, lab := range []struct {
		name    string
		machine bool
		fill    color.Color
	}{
		{"human", false, color.NRGBA{R: 31, G: 119, B: 180, A: 140}},
		{"machine", true, color.NRGBA{R: 214, G: 39, B: 40, A: 140}},
	} {
		h := histogram(r.Samples, lab.machine)
		if h == nil {
			continue
		}
		h.FillColor = lab.fill
		h.LineStyle.Width = vg.Points(0.5)
		h.LineStyle.Color = color.Gray{Y: 80}
		p.Add(h)
		p.Legend.Add(lab.name, h)
	}
	thr, err := plotter.NewLine(plotter.XYs{{X: r.Threshold, Y: 0}, {X: r.Threshold, Y: 1}})
	if err != nil {
		return fmt.Errorf("plot histogram: %w", err)
	}
	thr.Color = color.Black
	thr.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(thr)
	p.Legend.Add(fmt.Sprintf("threshold %.3f", r.Threshold), thr)
	if err := p.Save(7*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return fmt.Errorf("plot histogram: %w", err)
	}
	return nil
}

// histogram bins one label's scores over [0, 1]; nil when it has none.
func histogram(samples Scores, machine bool) *plotter.Histogram {
	const width = 1.0 / histBins
	bins := make([]plotter.HistogramBin, histBins)
	for i := range bins {
		bins[i].Min, bins[i].Max = float64(i)*width, float64(i+1)*width
	}
	n := 0
	for _, s := range samples {
		if s.Machine != machine {
			continue
		}
		i := int(math.Floor(s.Score * histBins))
		i = min(max(i, 0), histBins-1)
		bins[i].Weight++
		n++
	}
	if n == 0 {
		return nil
	}
	for i := range bins {
		bins[i].Weight /= float64(n)
	}
	return &plotter.Histogram{Bins: bins, Width: width, LineStyle: draw.LineStyle{}}
}
