#!/usr/bin/env bash
# leave-one-out.sh [TRAIN FLAG...]
#
# How the detector does on a source it never saw. For each two-label source
# below, trains a model on every other file of $DATA (split=train, as
# `slopguard train` always does), then evaluates it on that source's dev
# split, and prints one Markdown row per source: AUROC, TPR at 1% FPR and the
# FPR at the model's threshold, for that model and for the embedded model
# (which saw the source in training). Extra arguments go to `slopguard train`
# (e.g. --max-weight 1), to compare settings on this measure.
#
# About a minute per source on 2 cores. Work files go to $OUT
# (default loo-out/).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-loo-out}
SOURCES=${SOURCES:-"hc3_sc203_subsets hh_rlhf_turns outfox_essays aidev_pop_v1_review aidev_pop_v1_commit"}
if [ ! -d "$DATA" ]; then
	echo "leave-one-out.sh: no data directory $DATA (set DATA)" >&2
	exit 2
fi
mkdir -p "$OUT"
go build -o "$OUT/slopguard" ./cmd/slopguard

# row FILE: AUROC, TPR@1% and FPR from the "all" row of an eval report.
row() { awk -F'|' '/^\| all/ {gsub(/ /, ""); print $6 " | " $7 " | " $9; exit}' "$1"; }

echo "| held-out source | AUROC | TPR@1% | FPR at threshold | with the source in training: AUROC | TPR@1% | FPR |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for src in $SOURCES; do
	held=""
	args=()
	for f in "$DATA"/*/*.jsonl; do
		if [ "$(basename "$f" .jsonl)" = "$src" ]; then
			held=$f
		else
			args+=(--data "$f")
		fi
	done
	if [ -z "$held" ]; then
		echo "leave-one-out.sh: no $src.jsonl under $DATA" >&2
		exit 2
	fi
	"$OUT/slopguard" train --quiet --no-dev "$@" "${args[@]}" --out "$OUT/$src.model" >"$OUT/$src.log" 2>&1
	"$OUT/slopguard" eval --data "$held" --model "$OUT/$src.model" --out "$OUT/$src" >>"$OUT/$src.log" 2>&1
	"$OUT/slopguard" eval --data "$held" --out "$OUT/$src-seen" >>"$OUT/$src.log" 2>&1
	echo "| $src | $(row "$OUT/$src/report.md") | $(row "$OUT/$src-seen/report.md") |"
done
