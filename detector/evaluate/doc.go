// Package evaluate measures a detector on labelled text: it scores records
// (optionally perturbed by package attack) in parallel, computes metrics
// overall and per category, source file, generator and length bucket, and
// renders a Markdown report with ROC and score-histogram plots.
//
// The metrics, for human texts H and machine texts M:
//
//	AUROC       P(score(m) > score(h)) + ½·P(score(m) = score(h)), exact, via
//	            Mann–Whitney mid-ranks; needs both labels
//	TPR@x%FPR   share of M at or above the strictest threshold t with
//	            |{h ≥ t}| ≤ ⌊x·|H|⌋, t chosen on the group's own human scores,
//	            no interpolation; needs both labels
//	FPR, TPR    share of H, M whose verdict is Machine at the model's own
//	            threshold; an Unsure verdict is not a flag
//	unsure      share of texts with an Unsure verdict
//
// Many sources hold one label only, so a group reports only the metrics its
// labels allow; the rest are shown as "–".
package evaluate
