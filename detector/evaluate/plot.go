package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WriteFiles writes report.md, report.json (the same numbers, null where a
// group cannot have a metric), roc.png, roc-categories.png (when a category
// has enough texts of each label), hist.png and report.html (the report
// with the plots inline, one file) into dir, creating it.
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
	cats, err := r.WriteROCCategories(filepath.Join(dir, "roc-categories.png"))
	if err != nil {
		return err
	}
	if err := r.WriteHistogram(filepath.Join(dir, "hist.png")); err != nil {
		return err
	}
	images := []string{"roc.png", "roc-categories.png", "hist.png"}
	if !cats {
		images = []string{"roc.png", "hist.png"}
		// A stale file from an earlier run would not match this report.
		if err := os.Remove(filepath.Join(dir, "roc-categories.png")); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("write report: %w", err)
		}
	}
	pngs := map[string][]byte{}
	for _, name := range images {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		pngs[name] = b
	}
	var html bytes.Buffer
	if err := r.WriteHTML(&html, pngs); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.html"), html.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// rocMinPerLabel is how many texts of each label a category needs to get
// its own ROC curve; smaller ones are too noisy to read.
const rocMinPerLabel = 20

// rocLogMin is where the log-scale panel's FPR axis starts; points at FPR 0
// are drawn there.
const rocLogMin = 1e-4

// rocMaxPanels is how many categories get a small ROC panel of their own,
// the largest first; the by-category table has every one.
const rocMaxPanels = 24

// rocCols is how many small panels make a row.
const rocCols = 6

// rocCurve is one group's ROC curve.
type rocCurve struct {
	name string
	n    int
	pts  []Point
	auc  float64
}

// rocCategories returns the curves of the categories with at least
// rocMinPerLabel texts of each label, largest first (then by name), at
// most rocMaxPanels of them, and how many more qualified.
func (r *Report) rocCategories() (drawn []rocCurve, more int) {
	byCat := map[string]Scores{}
	for _, s := range r.Samples {
		byCat[s.Category] = append(byCat[s.Category], s)
	}
	var all []Metrics
	for _, m := range r.ByCategory {
		if m.Humans >= rocMinPerLabel && m.Machines >= rocMinPerLabel {
			all = append(all, m)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].N != all[j].N {
			return all[i].N > all[j].N
		}
		return all[i].Group < all[j].Group
	})
	for i, m := range all {
		if i == rocMaxPanels {
			return drawn, len(all) - rocMaxPanels
		}
		drawn = append(drawn, rocCurve{m.Group, m.N, thin(byCat[m.Group].ROC()), m.AUROC})
	}
	return drawn, 0
}

// rocLine is a curve as a line; on a log FPR axis, FPR 0 is drawn at rocLogMin.
func rocLine(pts []Point, logX bool) (*plotter.Line, error) {
	xys := make(plotter.XYs, len(pts))
	for j, pt := range pts {
		x := pt.FPR
		if logX {
			x = math.Max(x, rocLogMin)
		}
		xys[j] = plotter.XY{X: x, Y: pt.TPR}
	}
	return plotter.NewLine(xys)
}

// chance is the diagonal of a random detector, dashed grey.
func chance(logX bool) (*plotter.Line, error) {
	diag := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}
	if logX {
		diag = nil // curved on a log axis
		for e := math.Log10(rocLogMin); e <= 0; e += 0.05 {
			diag = append(diag, plotter.XY{X: math.Pow(10, e), Y: math.Pow(10, e)})
		}
	}
	d, err := plotter.NewLine(diag)
	if err != nil {
		return nil, err
	}
	d.Color = color.Gray{Y: 170}
	d.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	return d, nil
}

// WriteROC draws the pooled ROC curve large, as a PNG with two panels:
// linear axes, and FPR on a log scale to show the low-FPR region a
// moderation tool runs in. The categories with at least 20 texts of each
// label get small panels of their own (WriteROCCategories), so that no
// curve hides another and no legend covers them.
func (r *Report) WriteROC(path string) error {
	pooled := thin(r.Samples.ROC())
	panels := make([]*plot.Plot, 2)
	for k, logX := range []bool{false, true} {
		p := plot.New()
		p.Y.Label.Text = "true-positive rate (machine text flagged)"
		p.Y.Min, p.Y.Max = 0, 1
		p.Add(plotter.NewGrid())
		if logX {
			p.Title.Text = "low-FPR region (log scale)"
			p.X.Label.Text = fmt.Sprintf("false-positive rate (0 drawn at %g)", rocLogMin)
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{Prec: -1}
			p.X.Min, p.X.Max = rocLogMin, 1
		} else {
			p.Title.Text = fmt.Sprintf("ROC, all %d texts: AUROC %s (model %s, attack %s)", r.Overall.N, num(r.Overall.AUROC, "%.3f"), r.Model, r.attackName())
			p.X.Label.Text = "false-positive rate (human text flagged)"
			p.X.Min, p.X.Max = 0, 1
		}
		d, err := chance(logX)
		if err != nil {
			return fmt.Errorf("plot roc: %w", err)
		}
		p.Add(d)
		if len(pooled) > 0 {
			l, err := rocLine(pooled, logX)
			if err != nil {
				return fmt.Errorf("plot roc: %w", err)
			}
			l.Width, l.Color = vg.Points(2.5), color.Black
			p.Add(l)
		}
		panels[k] = p
	}
	return savePanels(path, 13*vg.Inch, 6*vg.Inch, [][]*plot.Plot{panels})
}

// WriteROCCategories draws one small ROC panel per category with at least
// 20 texts of each label, the largest rocMaxPanels of them, the pooled
// curve in light grey behind each for comparison. It writes nothing and
// reports false when no category qualifies.
func (r *Report) WriteROCCategories(path string) (bool, error) {
	curves, _ := r.rocCategories()
	if len(curves) == 0 {
		return false, nil
	}
	pooled := thin(r.Samples.ROC())
	rows := (len(curves) + rocCols - 1) / rocCols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, rocCols)
	}
	for i, c := range curves {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s\nn %d · AUROC %s", clipName(c.name, 28), c.n, num(c.auc, "%.3f"))
		p.Title.TextStyle.Font.Size = vg.Points(9)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.5, Label: ".5"}, {Value: 1, Label: "1"}})
		p.Y.Tick.Marker = p.X.Tick.Marker
		if i%rocCols == 0 {
			p.Y.Label.Text = "TPR"
		}
		if i/rocCols == rows-1 || i+rocCols >= len(curves) {
			p.X.Label.Text = "FPR"
		}
		p.Add(plotter.NewGrid())
		d, err := chance(false)
		if err != nil {
			return false, fmt.Errorf("plot roc %s: %w", c.name, err)
		}
		p.Add(d)
		for _, cv := range []struct {
			pts []Point
			col color.Color
			w   vg.Length
		}{{pooled, color.Gray{Y: 190}, vg.Points(1.5)}, {c.pts, color.RGBA{R: 0xc2, G: 0x41, B: 0x0c, A: 0xff}, vg.Points(1.5)}} {
			if len(cv.pts) == 0 {
				continue
			}
			l, err := rocLine(cv.pts, false)
			if err != nil {
				return false, fmt.Errorf("plot roc %s: %w", c.name, err)
			}
			l.Color, l.Width = cv.col, cv.w
			p.Add(l)
		}
		grid[i/rocCols][i%rocCols] = p
	}
	// Empty cells of the last row stay blank.
	for j := range grid[rows-1] {
		if grid[rows-1][j] == nil {
			p := plot.New()
			p.HideAxes()
			grid[rows-1][j] = p
		}
	}
	if err := savePanels(path, 13*vg.Inch, vg.Length(rows)*2.3*vg.Inch, grid); err != nil {
		return false, err
	}
	return true, nil
}

// clipName shortens a category name for a panel title.
func clipName(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// savePanels draws a grid of plots into one PNG.
func savePanels(path string, w, h vg.Length, panels [][]*plot.Plot) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: len(panels[0]), PadX: vg.Points(20), PadY: vg.Points(12),
		PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(10)}
	canvases := plot.Align(panels, tiles, dc)
	for i, row := range panels {
		for j, p := range row {
			p.Draw(canvases[i][j])
		}
	}
	return savePNG(path, img)
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
	p.Y.Min, p.Y.Max = 0, math.Min(1, top*1.08)
	thr, err := plotter.NewLine(plotter.XYs{{X: r.Threshold, Y: 0}, {X: r.Threshold, Y: p.Y.Max}})
	if err != nil {
		return fmt.Errorf("plot histogram: %w", err)
	}
	thr.Color = color.Black
	thr.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(thr)
	p.Legend.Add(fmt.Sprintf("threshold %.3f", r.Threshold), thr)
	return saveWithLegend(path, 8.5*vg.Inch, 4.5*vg.Inch, 1.7*vg.Inch, p)
}

// saveWithLegend draws p into a PNG with its legend in a column of width
// legendW to the right of the axes, where it covers nothing.
func saveWithLegend(path string, w, h, legendW vg.Length, p *plot.Plot) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	leg := p.Legend
	p.Legend = plot.NewLegend() // drawn apart, not over the data
	p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
	leg.Top, leg.Left = true, true
	leg.YOffs = -vg.Points(30)
	leg.Draw(draw.Crop(dc, w-legendW+vg.Points(8), 0, 0, 0))
	return savePNG(path, img)
}

// savePNG writes img as a PNG file.
func savePNG(path string, img *vgimg.Canvas) error {
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
