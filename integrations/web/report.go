package web

import (
	"fmt"
	"io"

	"github.com/slopguard/slopguard/detector"
)

// ReportItem is one input of a self-contained report.
type ReportItem struct {
	// Name labels the input: a file path, "stdin", "pr/12".
	Name string
	// Text is the scored text; the result's spans point into it.
	Text string
	// Checked is true when the text was scored; Result is valid only then.
	Checked bool
	Result  detector.Result
	// Flagged and Failed say whether the score reached the threshold and
	// the run's fail-on score.
	Flagged, Failed bool
	// Skipped or Err say why an input was not checked.
	Skipped, Err string
}

// reportItem is a ReportItem as the template reads it.
type reportItem struct {
	ReportItem
	Verdict, VerdictLabel string
	Score                 float64
	Note                  string
	Reasons               []ReasonView
	Segments              []Segment
}

// reportPage is the data of templates/report.html.
type reportPage struct {
	page
	Summary   string
	Threshold float64
	Items     []reportItem
}

// WriteReport writes one self-contained HTML file showing each input with
// its reasons marked, as a decision page does: the stylesheet is inline,
// allowed by a Content-Security-Policy that allows nothing else, so the
// file loads nothing and runs nothing. summary is a line under the title;
// threshold is the score at which inputs are flagged.
func WriteReport(w io.Writer, title, summary string, threshold float64, items []ReportItem) error {
	p := reportPage{page: selfContainedPage(title, "check report"), Summary: summary, Threshold: threshold}
	for _, it := range items {
		ri := reportItem{ReportItem: it}
		if it.Checked {
			ri.Score = it.Result.Score
			ri.Verdict = it.Result.Verdict.String()
			ri.VerdictLabel = ri.Verdict
			if it.Result.CannotJudge {
				ri.VerdictLabel = "could not judge"
			}
			ri.Note = it.Result.Note
			ri.Reasons = reasonViews(it.Result.Reasons)
			ri.Segments = Highlight(it.Text, it.Result.Reasons)
			// Segment IDs must be unique in the file, not just per input.
			for k := range ri.Segments {
				ri.Segments[k].ID = fmt.Sprintf("i%d%s", len(p.Items), ri.Segments[k].ID)
			}
		}
		p.Items = append(p.Items, ri)
	}
	return render(w, "report.html", p)
}
