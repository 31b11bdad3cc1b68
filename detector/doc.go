// Package detector scores how likely a text is to be machine-generated and
// explains why. It is a small, deterministic library with no network access
// and no knowledge of any platform.
//
// The pipeline has four stages, each its own type:
//
//	normalise  Unicode NFKC, homoglyph folding, invisible-character removal,
//	           whitespace collapsing, UTF-8 repair, with a map to original offsets;
//	           then, if the model file says so, words of mixed case get their
//	           plain form (features.Config.Prepare), keeping every offset
//	tokenise   a byte-level BPE vocabulary trained by the project and stored in the model file
//	features   hashed token n-grams, hashed character n-grams and document statistics
//	model      a linear layer z = w·x + b over those features, then Platt calibration
//	           with terms for the length n (in runes) of the normalised text:
//	           p = 1 / (1 + exp(-(A·z + B + (C + D·z)·ln(1+n))))
//
// The verdict is Machine at or above the model's machine threshold. A model
// file may hold thresholds per kind of item (model.Header.KindThresholds,
// grouped by model.KindGroup): ScoreKind and ThresholdFor use the item's
// kind, Score and Threshold the default.
//
// A Detector is read-only after Load and safe for concurrent use.
package detector
