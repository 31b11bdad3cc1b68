package model

import (
	"bytes"
	"testing"
)

func TestKindGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, domain, want string
	}{
		{"pr", "", KindGroupPR},
		{"pr_title", "", KindGroupPR},
		{"issue", "", KindGroupComment},
		{"comment", "", KindGroupComment},
		{"review", "", KindGroupComment},
		{"review_comment", "", KindGroupComment},
		{"pr_comment", "", KindGroupComment},
		{"commit", "", KindGroupCommit},
		{"message", "", KindGroupChat},
		{"", "chat", KindGroupChat},
		{"", "comment", KindGroupComment},
		{"", "review", ""}, // a product review, not a code review
		{"", "essay", ""},
		{"file", "", ""},
		{"", "", ""},
		{"commit", "chat", KindGroupCommit}, // the kind wins over the domain
	}
	for _, tt := range tests {
		if got := KindGroup(tt.kind, tt.domain); got != tt.want {
			t.Errorf("KindGroup(%q, %q) = %q, want %q", tt.kind, tt.domain, got, tt.want)
		}
	}
	// A group's name is a kind of that group, so callers can pass a group.
	for _, g := range KindGroups {
		if got := KindGroup(g, ""); got != g {
			t.Errorf("KindGroup(%q) = %q, want itself", g, got)
		}
	}
}

func TestMachineThreshold(t *testing.T) {
	t.Parallel()
	h := Header{Thresholds: Thresholds{Machine: 0.99, Human: 0.35}, KindThresholds: map[string]float64{KindGroupPR: 0.95}}
	for _, tt := range []struct {
		kind string
		want float64
	}{{"pr", 0.95}, {"pr_title", 0.95}, {"commit", 0.99}, {"", 0.99}, {"file", 0.99}} {
		if got := h.MachineThreshold(tt.kind, ""); got != tt.want {
			t.Errorf("MachineThreshold(%q) = %v, want %v", tt.kind, got, tt.want)
		}
	}
	old := Header{Thresholds: Thresholds{Machine: 0.99, Human: 0.35}}
	if got := old.MachineThreshold("pr", ""); got != 0.99 {
		t.Errorf("a header without kind thresholds gives %v for a PR, want its one threshold 0.99", got)
	}
}

func TestKindThresholdsRoundTripAndStayOptional(t *testing.T) {
	t.Parallel()
	f := testFile(t)
	plain, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain, []byte("kind_thresholds")) {
		t.Error("a model without kind thresholds writes the field; older readers' files would change")
	}
	f.Header.KindThresholds = map[string]float64{KindGroupChat: 0.97}
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Header.KindThresholds[KindGroupChat]; got != 0.97 {
		t.Errorf("chat threshold after a round trip %v, want 0.97", got)
	}
}
