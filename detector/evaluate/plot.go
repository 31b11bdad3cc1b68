package evaluate

import (
	"encoding/json"
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
	"gonum.org/v1/plot/vg/vgimg"
)

// WriteFiles writes report.md, report.json (the same numbers, null where a
// group cannot have a metric), roc.png and hist.png into dir, creating it.
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
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.WriteROC(filepath.Join(dir, "roc.png")); err != nil {
		return err
	}
	return r.WriteHistogram(filepath.Join(dir, "hist.png"))
}

// rocMinPerLabel is how many texts of each label a category needs to get
// its own ROC curve; smaller ones are too noisy to read.
const rocMinPerLabel = 20

// rocLogMin is where the log-scale panel's FPR axis starts; points at FPR 0
// are drawn there.
const rocLogMin = 1e-4

// WriteROC draws the ROC curves, pooled and for every category with at
// least 20 texts of each label, as a PNG with two panels: linear axes, and
// FPR on a log scale to show the low-FPR region a moderation tool runs in.
func (r *Report) WriteROC(path string) error {
	type curve struct {
		name string
		pts  []Point
		auc  float64
	}
	curves := []curve{{"all", thin(r.Samples.ROC()), r.Overall.AUROC}}
	byCat := map[string]Scores{}
	for _, s := range r.Samples {
		byCat[s.Category] = append(byCat[s.Category], s)
	}
	for _, m := range r.ByCategory {
		if m.Humans >= rocMinPerLabel && m.Machines >= rocMinPerLabel {
			curves = append(curves, curve{m.Group, thin(byCat[m.Group].ROC()), m.AUROC})
		}
	}
	panels := make([]*plot.Plot, 2)
	for k, logX := range []bool{false, true} {
		p := plot.New()
		p.Y.Label.Text = "true-positive rate (machine text flagged)"
		p.Y.Min, p.Y.Max = 0, 1
		p.Add(plotter.NewGrid())
		diag := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}
		if logX {
			p.Title.Text = "low-FPR region (log scale)"
			p.X.Label.Text = fmt.Sprintf("false-positive rate (0 drawn at %g)", rocLogMin)
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{Prec: -1}
			p.X.Min, p.X.Max = rocLogMin, 1
			diag = nil // the chance line, curved on a log axis
			for e := math.Log10(rocLogMin); e <= 0; e += 0.05 {
				diag = append(diag, plotter.XY{X: math.Pow(10, e), Y: math.Pow(10, e)})
			}
		} else {
			p.Title.Text = fmt.Sprintf("ROC — model %s, attack %s", r.Model, r.attackName())
			p.X.Label.Text = "false-positive rate (human text flagged)"
			p.X.Min, p.X.Max = 0, 1
			p.Legend.Top = false
			p.Legend.Left = false
		}
		d, err := plotter.NewLine(diag)
		if err != nil {
			return fmt.Errorf("plot roc: %w", err)
		}
		d.Color = color.Gray{Y: 160}
		d.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(d)
		for i, c := range curves {
			if len(c.pts) == 0 {
				continue
			}
			xys := make(plotter.XYs, len(c.pts))
			for j, pt := range c.pts {
				x := pt.FPR
				if logX {
					x = math.Max(x, rocLogMin)
				}
				xys[j] = plotter.XY{X: x, Y: pt.TPR}
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return fmt.Errorf("plot roc %s: %w", c.name, err)
			}
			if i == 0 {
				l.Width = vg.Points(2.5)
				l.Color = color.Black
			} else {
				l.Width = vg.Points(1)
				l.Color = plotutil.Color(i - 1)
				l.Dashes = plotutil.Dashes((i - 1) / len(plotutil.DefaultColors))
			}
			p.Add(l)
			if !logX {
				p.Legend.Add(fmt.Sprintf("%s (AUROC %s)", c.name, num(c.auc, "%.3f")), l)
			}
		}
		panels[k] = p
	}
	return savePanels(path, 13*vg.Inch, 6*vg.Inch, panels)
}

// savePanels draws plots side by side into one PNG.
func savePanels(path string, w, h vg.Length, panels []*plot.Plot) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Points(20), PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("plot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
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
	p.Title.Text = fmt.Sprintf("Scores — model %s, attack %s", r.Model, r.attackName())
	p.X.Label.Text = "score (probability of machine)"
	p.Y.Label.Text = "share of texts with this label"
	p.X.Min, p.X.Max = 0, 1
	p.Add(plotter.NewGrid())

	top := 0.0
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
		for _, b := range h.Bins {
			top = math.Max(top, b.Weight)
		}
		h.FillColor = lab.fill
		h.LineStyle.Width = vg.Points(0.5)
		h.LineStyle.Color = color.Gray{Y: 80}
		p.Add(h)
		p.Legend.Add(lab.name, h)
	}
	if top == 0 {
		top = 1
	}
	// Room above the bars for the legend, which sits at the top centre
	// where neither label's scores usually pile up.
	p.Y.Min, p.Y.Max = 0, math.Min(1, top*1.25)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = 2.6 * vg.Inch
	thr, err := plotter.NewLine(plotter.XYs{{X: r.Threshold, Y: 0}, {X: r.Threshold, Y: p.Y.Max}})
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
