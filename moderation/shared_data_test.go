package moderation

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/slopguard/slopguard/detector"
)

// TestSharedDataAgentVerdicts measures what disclosures add to the model on
// the AIDev agent pull requests (title and description, as the App scores
// them): machine verdicts of the model alone against Judge's. The figures
// are logged (go test -v -run SharedDataAgentVerdicts ./moderation/). A
// machine verdict is lost only where a review bot's block (scored apart,
// as not the author's) was what made it; the test fails on any other loss.
func TestSharedDataAgentVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 5,214 texts")
	}
	f, err := os.Open(filepath.Join("..", "..", "shared", "data", "pr", "aidev_pop_v1_pr_agent.jsonl"))
	if err != nil {
		t.Skipf("labelled data not beside this checkout (%v); the measurement needs ../shared/data/pr", err)
	}
	defer f.Close()
	d, err := detector.Open("")
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ n, own, model, judged, lostToBlock int }
	by := map[string]*counts{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct{ Text, Title, Generator string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		it := Item{Kind: KindPullRequest, Title: r.Title, Body: r.Text}
		model := d.ScoreOnly(it.Text())
		res, disc := Judge(d.ScoreOnly, it)
		lost := model.Verdict == detector.Machine && res.Verdict != detector.Machine
		if lost && (disc == nil || !disc.Pasted || disc.Own) {
			t.Errorf("%s: a disclosure turned a machine verdict into %s", r.Generator, res.Verdict)
		}
		for _, g := range []string{r.Generator, "all"} {
			c := by[g]
			if c == nil {
				c = &counts{}
				by[g] = c
				order = append(order, g)
			}
			c.n++
			if disc != nil && disc.Own {
				c.own++
			}
			if model.Verdict == detector.Machine {
				c.model++
			}
			if res.Verdict == detector.Machine {
				c.judged++
			}
			if lost {
				c.lostToBlock++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, g := range order {
		c := by[g]
		t.Logf("%-14s PRs %5d, disclosing an agent %4d: machine by the model alone %5d (%.1f%%), with disclosures %5d (%.1f%%); machine only through a pasted bot block %d",
			g, c.n, c.own, c.model, 100*float64(c.model)/float64(c.n), c.judged, 100*float64(c.judged)/float64(c.n), c.lostToBlock)
	}
}
