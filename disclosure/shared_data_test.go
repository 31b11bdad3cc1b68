package disclosure

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sharedData is where the labelled data sets live beside a checkout.
const sharedData = "../../shared/data/pr"

type record struct {
	Text      string `json:"text"`
	Title     string `json:"title"`
	Label     string `json:"label"`
	Generator string `json:"generator"`
	// Signature is a string in the pull request sets, a list elsewhere.
	Signature json.RawMessage `json:"signature"`
}

// signature is the record's signature when it is a string.
func (r record) signature() string {
	var s string
	if json.Unmarshal(r.Signature, &s) != nil {
		return ""
	}
	return s
}

func readRecords(t *testing.T, name string) []record {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedData, name))
	if err != nil {
		t.Skipf("labelled data not beside this checkout (%v); the measurement needs ../shared/data/pr", err)
	}
	defer f.Close()
	var out []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// TestSharedDataSignatures measures the table on real agent footers: the
// AIDev pull request set keeps, in "signature", the mark its builders
// stripped from each agent PR's text. For coding agents that is the
// wording itself, and every one must be recognised; for the review bots
// (CodeRabbit, Ellipsis, Sourcery) it is a list of marker names such as
// "ELLIPSIS_HIDDEN; This description was created by", not the wording, so
// those are counted apart. No human PR's text may carry a mark.
func TestSharedDataSignatures(t *testing.T) {
	recs := readRecords(t, "aidev_msr26_prs.jsonl")
	known := map[string]string{"claude-code": ClaudeCode, "openai-codex": Codex, "devin": Devin}
	var sigs, found, humans, humanMarks, markerLists int
	for _, r := range recs {
		if r.Label == "human" {
			humans++
			if ms := Scan(r.Title+"\n\n"+r.Text, "text"); len(ms) > 0 {
				humanMarks++
				t.Logf("human PR with a mark: %+v", ms[0])
			}
			continue
		}
		agent, ok := known[r.Generator]
		sig := r.signature()
		if sig == "" {
			continue
		}
		if !ok {
			markerLists++
			continue
		}
		sigs++
		ms := Scan(sig, "text")
		if len(ms) > 0 && ms[0].Agent == agent {
			found++
		} else {
			t.Errorf("%s signature %q not recognised (got %+v)", r.Generator, sig, ms)
		}
	}
	t.Logf("coding-agent signatures recognised: %d of %d (%d review-bot marker lists not scanned); human PRs with a mark: %d of %d",
		found, sigs, markerLists, humanMarks, humans)
	if humanMarks > 0 {
		t.Errorf("%d human PRs carry a mark", humanMarks)
	}
}

// TestSharedDataHumanPRs counts marks in PR descriptions people wrote
// (Google Summer of Code contributors), the false positives of the table.
func TestSharedDataHumanPRs(t *testing.T) {
	recs := readRecords(t, "gsoc_human_pr.jsonl")
	n := 0
	for _, r := range recs {
		if ms := Scan(r.Title+"\n\n"+r.Text, "text"); len(ms) > 0 {
			n++
			t.Logf("mark in a human PR: %+v", ms[0])
		}
	}
	t.Logf("human PRs with a mark: %d of %d", n, len(recs))
}

// TestSharedDataCommits measures the account and trailer patterns on the
// AIDev commits of agent pull requests, labelled by their author account:
// per generator, how many commits carry a mark in the author or the
// message; for people's commits, how many carry one wrongly.
func TestSharedDataCommits(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedData, "aidev_pop_v1_commit.jsonl"))
	if err != nil {
		t.Skipf("labelled data not beside this checkout (%v); the measurement needs ../shared/data/pr", err)
	}
	defer f.Close()
	type counts struct{ n, author, text int }
	by := map[string]*counts{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			Text, Label, Generator, Author string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		g := r.Generator
		if r.Label == "human" {
			g = "human"
		}
		c := by[g]
		if c == nil {
			c = &counts{}
			by[g] = c
			order = append(order, g)
		}
		c.n++
		if len(ScanAuthor(r.Author)) > 0 {
			c.author++
		}
		if len(Scan(r.Text, "commit")) > 0 {
			c.text++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, g := range order {
		c := by[g]
		t.Logf("%-14s commits %5d: author account recognised %5d (%.1f%%), mark in message %4d", g, c.n, c.author, 100*float64(c.author)/float64(c.n), c.text)
	}
	if h := by["human"]; h != nil && h.author+h.text > 0 {
		t.Errorf("%d human commits carry a mark", h.author+h.text)
	}
}

// TestSharedDataAgentPRs counts marks left in the AIDev agent pull request
// texts, per generator (the set's builders stripped most footers).
func TestSharedDataAgentPRs(t *testing.T) {
	recs := readRecords(t, "aidev_pop_v1_pr_agent.jsonl")
	n, marked := map[string]int{}, map[string]int{}
	var order []string
	for _, r := range recs {
		if n[r.Generator] == 0 {
			order = append(order, r.Generator)
		}
		n[r.Generator]++
		if len(Scan(r.Title+"\n\n"+r.Text, "text")) > 0 {
			marked[r.Generator]++
		}
	}
	for _, g := range order {
		t.Logf("%-14s PRs %5d: with a mark left in the text %4d", g, n[g], marked[g])
	}
}
