package ci

import (
	"io"

	"github.com/slopguard/slopguard/integrations/web"
)

// WriteHTML writes the report as one self-contained HTML file: every input
// with the spans its reasons point at marked, as on slopguard's decision
// pages. The file loads nothing from elsewhere and runs no script; it suits
// a CI artifact or a browser on the machine that ran the check.
func WriteHTML(w io.Writer, r *Report) error {
	summary := r.totals()
	if !r.Mode.Checks() {
		summary = "Mode is off in the policy; nothing was checked."
	}
	items := make([]web.ReportItem, 0, len(r.Entries))
	for _, e := range r.Entries {
		it := web.ReportItem{Name: e.Input.Name, Checked: e.Checked, Flagged: e.Flagged, Failed: e.Failed, Skipped: e.Skipped, Err: e.Err}
		if e.Checked {
			it.Text = e.Input.Item.Text()
			it.Result = e.Verdict.Result
			it.Result.Note = e.note()
		}
		items = append(items, it)
	}
	return web.WriteReport(w, "slopguard check", summary, r.Threshold, items)
}
