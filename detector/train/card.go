package train

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/detector/evaluate"
	"github.com/slopguard/slopguard/detector/model"
)

// Card describes a trained model for the people who use it: what it was
// trained on, how, and how well it did on held-out and dev data.
type Card struct {
	Name       string           `json:"name"`
	Training   model.Training   `json:"training"`
	Thresholds model.Thresholds `json:"thresholds"`
	// ThresholdSetBy names what set the machine threshold on the held-out
	// texts: the source whose human texts bound it, "pooled" or "limit"
	// (see chooseThresholdSetBy).
	ThresholdSetBy string `json:"threshold_set_by,omitempty"`
	// KindThresholds are the kind groups' own machine thresholds with
	// their held-out figures (empty when no group has one).
	KindThresholds []KindThreshold `json:"kind_thresholds,omitempty"`
	// Calibration is the shipped calibration.
	Calibration model.Calibration `json:"calibration"`
	Duration    string            `json:"training_duration"`
	// Holdout metrics are on the held-out tenth of split=train.
	Holdout map[string]float64 `json:"holdout"`
	// HoldoutSources are the held-out metrics within each source that has
	// both labels there: the figures to choose settings by (dev is for
	// reporting, not choosing).
	HoldoutSources []evaluate.Metrics `json:"holdout_sources,omitempty"`
	// CalibrationCheck compares calibration without and with length terms
	// out of fold on the held-out texts (see calibrationCheck).
	CalibrationCheck map[string]float64 `json:"calibration_check,omitempty"`
	// AttackCheck is the held-out texts scored again after cheap evasions
	// (see attackCheck).
	AttackCheck map[string]float64 `json:"attack_check,omitempty"`
	// Dev is the dev-split evaluation (Markdown), when one was run.
	Dev string `json:"-"`
	// DevMetrics are the same dev-split figures as data.
	DevMetrics *evaluate.Report `json:"dev,omitempty"`
	// Licences maps a source (file base name) to the licence its data
	// states, as the data's README gives it; "" when not recorded.
	Licences map[string]string `json:"licences,omitempty"`
}

// UnseenSections are the names of the card's sections that the
// generalisation benchmark (slopguard unseen) fills: the card carries
// their markers empty, since training does not run the benchmark. The
// -full ones hold the benchmark with every fold trained as the shipped
// model is (make loo-full, make lofo-full).
var UnseenSections = []string{"loo", "lofo", "loo-full", "lofo-full"}

func newCard(f *model.File, exs, hold []*example, probs []float64, opts Options, took time.Duration) Card {
	type counts struct{ h, m int }
	bySource := map[string]*counts{}
	weight := map[string]float64{}
	for _, e := range exs {
		c := bySource[e.rec.File]
		if c == nil {
			c = &counts{}
			bySource[e.rec.File] = c
		}
		if e.y == 1 {
			c.m++
		} else {
			c.h++
		}
		weight[e.rec.File] += e.weight
	}
	var sources []model.SourceCount
	var total float64
	for _, w := range weight {
		total += w
	}
	for file, c := range bySource {
		sources = append(sources, model.SourceCount{File: file, Human: c.h, Machine: c.m, Weight: math.Round(1e4*weight[file]/total) / 1e4})
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].File < sources[j].File })

	samples := make(evaluate.Scores, len(hold))
	for i, e := range hold {
		v := detector.Human
		if probs[i] >= f.Header.Thresholds.Machine {
			v = detector.Machine
		}
		samples[i] = evaluate.Sample{Score: probs[i], Machine: e.y == 1, Verdict: v, Source: e.rec.File}
	}
	fpr, tpr := samples.RatesAt(f.Header.Thresholds.Machine)
	holdout := map[string]float64{
		"auroc":         round4(samples.AUROC()),
		"tpr_at_1pct":   round4(samples.TPRAtFPR(0.01).TPR),
		"fpr_threshold": round4(fpr),
		"tpr_threshold": round4(tpr),
	}
	settings := map[string]string{
		"vocab_size":         fmt.Sprint(opts.VocabSize),
		"hash_bits":          fmt.Sprint(opts.Features.HashBits),
		"char_ngrams":        fmt.Sprintf("%d-%d", opts.Features.CharMin, opts.Features.CharMax),
		"word_ngrams":        fmt.Sprint(opts.Features.WordNgrams),
		"masked_ngrams":      maskedRange(opts.Features.MaskedNgrams),
		"fold_mixed_case":    fmt.Sprint(opts.Features.FoldMixedCase),
		"stat_bins":          fmt.Sprint(opts.Features.StatBins),
		"learning_rate":      fmt.Sprint(opts.LearningRate),
		"l2":                 fmt.Sprint(opts.L2),
		"max_weight":         fmt.Sprint(opts.MaxWeight),
		"max_per_group":      fmt.Sprint(opts.MaxPerGroup),
		"flatten_rate":       fmt.Sprint(opts.FlattenRate),
		"holdout":            fmt.Sprint(opts.HoldoutFraction),
		"target_fpr":         fmt.Sprint(opts.TargetFPR),
		"source_fpr":         fmt.Sprint(opts.SourceFPR),
		"feedback_weight":    fmt.Sprint(opts.FeedbackWeight),
		"one_label_factor":   fmt.Sprint(opts.OneLabelFactor),
		"length_calibration": fmt.Sprint(!opts.PlainCalibration),
		"source_factors":     sourceFactors(opts.SourceFactor),
	}
	// Settings added after a model shipped are recorded only when used, so
	// retraining with the old settings gives the old file byte for byte.
	if opts.MatchedSample {
		settings["matched_sample"] = "true"
	}
	if opts.LowercaseRate > 0 {
		settings["lowercase_rate"] = fmt.Sprint(opts.LowercaseRate)
	}
	if opts.TypoRate > 0 {
		settings["typo_rate"] = fmt.Sprint(opts.TypoRate)
	}
	if opts.FamilyBalance > 0 {
		settings["family_balance"] = fmt.Sprint(opts.FamilyBalance)
	}
	if opts.WorstSourceStep > 0 {
		settings["worst_source_step"] = fmt.Sprint(opts.WorstSourceStep)
	}
	if opts.Features.LMStats {
		settings["lm_stats"] = "true"
	}
	if opts.Features.Presence {
		settings["ngram_presence"] = "true"
	}
	if opts.Features.ShapeMax > 0 {
		settings["shape_ngrams"] = fmt.Sprintf("%d-%d", opts.Features.ShapeMin, opts.Features.ShapeMax)
	}
	if opts.Features.ShapeFoldCase {
		settings["shape_fold_case"] = "true"
	}
	if opts.HardHumanBoost > 0 {
		settings["hard_human_boost"] = fmt.Sprint(opts.HardHumanBoost)
	}
	if opts.HardMachineBoost > 0 {
		settings["hard_machine_boost"] = fmt.Sprint(opts.HardMachineBoost)
	}
	if opts.PairWeight > 0 {
		settings["pair_weight"] = fmt.Sprint(opts.PairWeight)
		settings["max_pairs_per_group"] = fmt.Sprint(opts.MaxPairsPerGroup)
	}
	return Card{
		Name: f.Header.Name,
		Training: model.Training{
			CreatedAt: opts.Date.UTC().Format(time.RFC3339),
			Seed:      opts.Seed,
			Epochs:    opts.Epochs,
			Sources:   sources,
			Settings:  settings,
			Metrics:   holdout,
		},
		Thresholds:     f.Header.Thresholds,
		ThresholdSetBy: setBy(probs, hold, opts),
		KindThresholds: kindThresholds(&f.Header, hold, probs, opts),
		Calibration:    f.Header.Calibration,
		Duration:       took.Round(time.Second).String(),
		Holdout:        holdout,
		HoldoutSources: holdoutSources(samples),
	}
}

// describeSetBy says in words what set a threshold (chooseThresholdSetBy).
func describeSetBy(by string) string {
	switch by {
	case setByPooled:
		return "the held-out human texts pooled (at most the target share of them reach it)"
	case setByLimit:
		return "its floor or cap (0.5, 0.999)"
	}
	return "the held-out human texts of " + by + " (at most the per-source share of them reach it)"
}

// kindGroupMembers says in words which kinds each group holds (model.KindGroup).
var kindGroupMembers = map[string]string{
	model.KindGroupPR:      "PR descriptions and titles",
	model.KindGroupComment: "issues, comments, reviews, review comments",
	model.KindGroupCommit:  "commit messages",
	model.KindGroupChat:    "chat messages (Discord; data: Slack, IRC, Gitter, chat sets)",
}

// KindThreshold is one kind group's machine threshold and what it does on
// the held-out texts of that group, against the default threshold.
type KindThreshold struct {
	Group     string  `json:"group"`
	Threshold float64 `json:"threshold"`
	Humans    int     `json:"humans"`
	Machines  int     `json:"machines"`
	// FPR and Recall are at the group's threshold; DefaultFPR and
	// DefaultRecall at the model's default threshold.
	FPR           float64 `json:"fpr"`
	Recall        float64 `json:"recall"`
	DefaultFPR    float64 `json:"default_fpr"`
	DefaultRecall float64 `json:"default_recall"`
	// SetBy names what set the group's threshold, as Card.ThresholdSetBy.
	SetBy string `json:"set_by,omitempty"`
}

// setBy names what sets the machine threshold chosen on hold by opts'
// bounds (chooseThresholdSetBy).
func setBy(probs []float64, hold []*example, opts Options) string {
	_, by := chooseThresholdSetBy(probs, hold, opts.TargetFPR, opts.SourceFPR)
	return by
}

// kindThresholds describes the header's kind thresholds on the held-out texts.
func kindThresholds(h *model.Header, hold []*example, probs []float64, opts Options) []KindThreshold {
	var out []KindThreshold
	for _, g := range model.KindGroups {
		t, ok := h.KindThresholds[g]
		if !ok {
			continue
		}
		var s evaluate.Scores
		var groupHold []*example
		var groupProbs []float64
		for i, e := range hold {
			if model.KindGroup(e.rec.Kind, e.rec.Domain) == g {
				s = append(s, evaluate.Sample{Score: probs[i], Machine: e.y == 1})
				groupHold, groupProbs = append(groupHold, e), append(groupProbs, probs[i])
			}
		}
		k := KindThreshold{Group: g, Threshold: round4(t), SetBy: setBy(groupProbs, groupHold, opts)}
		for _, x := range s {
			if x.Machine {
				k.Machines++
			} else {
				k.Humans++
			}
		}
		fpr, tpr := s.RatesAt(t)
		k.FPR, k.Recall = round4(fpr), round4(tpr)
		fpr, tpr = s.RatesAt(h.Thresholds.Machine)
		k.DefaultFPR, k.DefaultRecall = round4(fpr), round4(tpr)
		out = append(out, k)
	}
	return out
}

// holdoutSources computes the metrics of every source with both labels
// among the held-out samples, sorted by source.
func holdoutSources(samples evaluate.Scores) []evaluate.Metrics {
	bySource := map[string]evaluate.Scores{}
	for _, s := range samples {
		bySource[s.Source] = append(bySource[s.Source], s)
	}
	var out []evaluate.Metrics
	for source, s := range bySource {
		if h, m := s.Counts(); h > 0 && m > 0 {
			out = append(out, evaluate.Compute(source, s))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// sourceFactors is the source_factors setting: "name=x" pairs by name, or
// "none".
func sourceFactors(m map[string]float64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for name, x := range m {
		parts = append(parts, fmt.Sprintf("%s=%g", name, x))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// maskedRange is the masked_ngrams setting: the n-gram lengths used, as
// char_ngrams gives them, or "off".
func maskedRange(maxN int) string {
	if maxN < 2 {
		return "off"
	}
	return fmt.Sprintf("2-%d", maxN)
}

// describeModel is the model card's sentence on what the model looks at
// and how its scores are calibrated, from the card's settings.
func describeModel(settings map[string]string) string {
	grams := []string{"token"}
	if settings["word_ngrams"] == "true" {
		grams = append(grams, "word")
	}
	grams = append(grams, "character")
	if m := settings["masked_ngrams"]; m != "" && m != "off" {
		grams = append(grams, "masked-word")
	}
	if settings["shape_ngrams"] != "" {
		grams = append(grams, "text-shape")
	}
	list := grams[0]
	if n := len(grams); n > 1 {
		list = strings.Join(grams[:n-1], ", ") + " and " + grams[n-1]
	}
	cal := "Platt calibration"
	if settings["length_calibration"] == "true" {
		cal += " with terms for length"
	}
	counted := ""
	if settings["ngram_presence"] == "true" {
		counted = " (each counted once per text)"
	}
	return fmt.Sprintf("Linear model over hashed %s n-grams%s and binned document statistics; %s.", list, counted, cal)
}

func round4(x float64) float64 {
	if math.IsNaN(x) {
		return -1
	}
	return math.Round(x*1e4) / 1e4
}

// WriteJSON writes the card as indented JSON.
func (c Card) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteMarkdown writes the card for people.
func (c Card) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Model card: %s\n\n", c.Name)
	fmt.Fprintf(&b, "Trained %s in %s, seed %d, %d epochs. %s\n\n",
		c.Training.CreatedAt, c.Duration, c.Training.Seed, c.Training.Epochs, describeModel(c.Training.Settings))
	fmt.Fprintf(&b, "Thresholds: machine at score >= %.4f, human at score <= %.4f, unsure between (and for texts too short or not in English).", c.Thresholds.Machine, c.Thresholds.Human)
	if c.ThresholdSetBy != "" {
		fmt.Fprintf(&b, " The machine threshold is set by %s.", describeSetBy(c.ThresholdSetBy))
	}
	b.WriteString("\n\n")
	if len(c.KindThresholds) > 0 {
		b.WriteString("Machine thresholds per kind of item (the App, the bot and the CI check pass the item's kind; other kinds use the default above), each chosen on the held-out texts of its kinds so that human FPR is at most the target pooled and at most the per-source bound in each of its sources with 30 or more human texts (\"set by\": the source whose held-out humans bound it, or pooled):\n\n")
		b.WriteString("| kind group | kinds | threshold | set by | held-out human | held-out machine | FPR | recall | recall at default threshold |\n|---|---|---:|---|---:|---:|---:|---:|---:|\n")
		for _, k := range c.KindThresholds {
			fmt.Fprintf(&b, "| %s | %s | %.4f | %s | %d | %d | %.4f | %.4f | %.4f |\n", k.Group, kindGroupMembers[k.Group], k.Threshold, cmp.Or(k.SetBy, "–"), k.Humans, k.Machines, k.FPR, k.Recall, k.DefaultRecall)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Training data (split=train only)\n\n")
	b.WriteString("The licence is the one the data states for the source; \"none stated\" sources were published by their authors for detection research, and a user who needs licensed data only must retrain without them.\n\n")
	b.WriteString("| source | human | machine | weight share | licence |\n|---|---:|---:|---:|---|\n")
	for _, s := range c.Training.Sources {
		lic := c.Licences[s.File]
		if lic == "" {
			lic = "not recorded"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f | %s |\n", s.File, s.Human, s.Machine, s.Weight, lic)
	}
	b.WriteString("\n## Settings\n\n| setting | value |\n|---|---|\n")
	keys := make([]string, 0, len(c.Training.Settings))
	for k := range c.Training.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s |\n", k, c.Training.Settings[k])
	}
	b.WriteString("\n## Held-out tenth of split=train (used for calibration and the threshold)\n\n| metric | value |\n|---|---:|\n")
	for _, k := range []string{"auroc", "tpr_at_1pct", "fpr_threshold", "tpr_threshold"} {
		fmt.Fprintf(&b, "| %s | %.4f |\n", k, c.Holdout[k])
	}
	if len(c.HoldoutSources) > 0 {
		b.WriteString("\nWithin each held-out source with both labels (its own threshold for TPR at 1% FPR):\n\n")
		b.WriteString("| source | human | machine | AUROC | TPR at 1% FPR |\n|---|---:|---:|---:|---:|\n")
		for _, m := range c.HoldoutSources {
			fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.4f |\n", m.Group, m.Humans, m.Machines, m.AUROC, m.At1.TPR)
		}
	}
	if ac := c.AttackCheck; ac != nil {
		b.WriteString("\n## Evasions, checked on the held-out texts\n\n")
		b.WriteString("The held-out texts perturbed before scoring, at the same threshold (clean: ")
		fmt.Fprintf(&b, "AUROC %.4f, FPR %.4f, TPR %.4f).\n\n", c.Holdout["auroc"], c.Holdout["fpr_threshold"], c.Holdout["tpr_threshold"])
		b.WriteString("| evasion | AUROC | FPR at threshold | TPR at threshold |\n|---|---:|---:|---:|\n")
		for _, name := range checkedAttacks {
			fmt.Fprintf(&b, "| %s | %.4f | %.4f | %.4f |\n", name, ac[name+"_auroc"], ac[name+"_fpr_threshold"], ac[name+"_tpr_threshold"])
		}
	}
	if cc := c.CalibrationCheck; cc != nil {
		b.WriteString("\n## Calibration, checked out of fold\n\n")
		b.WriteString("Each half of the held-out texts scored by a calibration fitted on the other half: ")
		b.WriteString("Platt's two parameters alone, and with the terms for length the model ships with.\n\n")
		b.WriteString("| calibration | AUROC | TPR at 1% FPR |\n|---|---:|---:|\n")
		fmt.Fprintf(&b, "| Platt (A·z + B) | %.4f | %.4f |\n", cc["plain_auroc"], cc["plain_tpr_at_1pct"])
		fmt.Fprintf(&b, "| with length (+ (C + D·z)·ln(1+runes)) | %.4f | %.4f |\n", cc["length_auroc"], cc["length_tpr_at_1pct"])
		fmt.Fprintf(&b, "\nShipped: A=%.4f B=%.4f C=%.4f D=%.4f.\n", c.Calibration.A, c.Calibration.B, c.Calibration.C, c.Calibration.D)
	}
	b.WriteString("\n## Sources and generator families never seen in training\n\n")
	b.WriteString("Filled by `make loo` and `make lofo` (`slopguard unseen`): one model per left-out source or family, trained with these settings on a sample of the rest. See docs/evaluation.md.\n\n")
	for _, name := range UnseenSections {
		if name == "loo-full" {
			b.WriteString("Trained as shipped (up to 12,000 texts per source and label), filled by `make loo-full` and `make lofo-full`:\n\n")
		}
		fmt.Fprintf(&b, "<!-- %s:begin -->\n<!-- %s:end -->\n\n", name, name)
	}
	if c.Dev != "" {
		b.WriteString("\n## Dev split\n\n")
		b.WriteString(c.Dev)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
