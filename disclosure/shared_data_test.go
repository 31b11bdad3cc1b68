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
	Signature string `json:"signature"`
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
		if r.Signature == "" {
			continue
		}
		if !ok {
			markerLists++
			continue
		}
		sigs++
		ms := Scan(r.Signature, "text")
		if len(ms) > 0 && ms[0].Agent == agent {
			found++
		} else {
			t.Errorf("%s signature %q not recognised (got %+v)", r.Generator, r.Signature, ms)
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
