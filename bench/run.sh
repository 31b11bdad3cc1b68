#!/usr/bin/env bash
# bench/run.sh — train and score slopguard, fastText (its default model and a
# small one) and scikit-learn on the same data and write bench/RESULTS.md.
# See docs/benchmarks.md.
#
#   ./bench/run.sh                  # full run (well under 30 minutes on 2 cores)
#   BENCH_QUICK=1 ./bench/run.sh    # a few thousand documents per split, a couple of minutes
#
# Environment (all optional):
#   DATA=../shared/data          labelled JSONL corpus
#   BENCH_WORK=bench/work        scratch directory (models, scores, timings)
#   BENCH_OUT=bench/RESULTS.md   the report
#   BENCH_QUICK=1                quick mode: QUICK_TRAIN / QUICK_DEV records per source file (300 / 100)
#   SCORE_RUNS=3                 whole-dev scoring runs per system (fastest wall time is reported)
#   COLD_RUNS=7                  cold-start runs per system (fastest is reported)
#   SLOPGUARD=path               slopguard binary (default: built from ./cmd/slopguard)
#   SLOPGUARD_TRAIN_ARGS='train --quiet --data {traindir} --out {model}'
#   SLOPGUARD_SCORE_ARGS='score --model {model} {input}'
#                                argument templates: {train} = the per-source train JSONL files,
#                                {traindir} = their directory, {model} = the model path,
#                                {input} = the JSONL to score ({"id","text"} per line).
#                                SLOPGUARD_TRAIN_ARGS=none skips training: then {model} is
#                                SLOPGUARD_MODEL (an existing model file), or leave {model} out of
#                                the score args to score with the model embedded in the binary.
#
# Every tool is installed with apt-get when missing: fasttext, python3-sklearn,
# time, hyperfine. Python is Debian's /usr/bin/python3 on purpose (a pyenv
# python would not see python3-sklearn).
set -euo pipefail

cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
WORK=${BENCH_WORK:-bench/work}
OUT=${BENCH_OUT:-bench/RESULTS.md}
QUICK=${BENCH_QUICK:-0}
QUICK_TRAIN=${QUICK_TRAIN:-300}
QUICK_DEV=${QUICK_DEV:-100}
SCORE_RUNS=${SCORE_RUNS:-3}
COLD_RUNS=${COLD_RUNS:-7}
PY=/usr/bin/python3
SLOPGUARD_TRAIN_ARGS=${SLOPGUARD_TRAIN_ARGS:-'train --quiet --data {traindir} --out {model}'}
SLOPGUARD_SCORE_ARGS=${SLOPGUARD_SCORE_ARGS:-'score --model {model} {input}'}
LATENCY_SIZES=1K,4K,16K,64K,1M

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- 1. tools
install_missing() {
	local pkgs=()
	command -v fasttext >/dev/null || pkgs+=(fasttext)
	"$PY" -c 'import sklearn' 2>/dev/null || pkgs+=(python3-sklearn)
	[[ -x /usr/bin/time ]] || pkgs+=(time)
	command -v hyperfine >/dev/null || pkgs+=(hyperfine)
	command -v taskset >/dev/null || pkgs+=(util-linux)
	((${#pkgs[@]})) || return 0
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	log "installing ${pkgs[*]} with apt-get"
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
}
install_missing
command -v go >/dev/null || die "go is required (see go.mod for the version)"
[[ -d $DATA ]] || die "no data directory $DATA (set DATA=...)"

mkdir -p "$WORK/bin"
rm -f "$WORK"/*.metrics "$WORK"/*.scores "$WORK"/latency.json "$WORK"/fasttext_latency.tsv
go build -o "$WORK/bin/prepare" ./bench/cmd/prepare
go build -o "$WORK/bin/report" ./bench/cmd/report

# time_into FILE CMD... runs CMD under /usr/bin/time; FILE gets "wall_s max_rss_kb".
time_into() {
	local file=$1
	shift
	/usr/bin/time -f '%e %M' -o "$file" "$@"
}

# score_best NAME OUTFILE CMD... runs a whole-dev scoring command SCORE_RUNS
# times pinned to core 0 and keeps the fastest wall time and the largest RSS.
score_best() {
	local name=$1 out=$2
	shift 2
	local best="" rss=0 i w r
	for ((i = 0; i < SCORE_RUNS; i++)); do
		time_into "$WORK/$name.score.time" taskset -c 0 "$@" >"$out" || return 1
		read -r w r <"$WORK/$name.score.time"
		[[ -z $best ]] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }' && best=$w
		((r > rss)) && rss=$r
	done
	printf 'score_s=%s\nscore_rss_kb=%s\n' "$best" "$rss" >>"$WORK/$name.metrics"
}

# cold_start NAME CMD... : fastest wall time of CMD (pinned) over COLD_RUNS runs.
cold_start() {
	local name=$1
	shift
	hyperfine -N --style none --warmup 1 --runs "$COLD_RUNS" --export-json "$WORK/$name.cold.json" \
		"taskset -c 0 $*" >/dev/null 2>&1 || return 1
	"$PY" -c 'import json,sys; print("cold_s=%.4f" % min(json.load(open(sys.argv[1]))["results"][0]["times"]))' \
		"$WORK/$name.cold.json" >>"$WORK/$name.metrics"
}

train_metrics() { # NAME: turn NAME.train.time into metrics lines
	local w r
	read -r w r <"$WORK/$1.train.time"
	printf 'train_s=%s\ntrain_rss_kb=%s\n' "$w" "$r" >>"$WORK/$1.metrics"
}

# why LOG: the line of a failed command's output that says why (a panic, an error, or the last line).
why() {
	local line
	line=$(grep -m1 -E '^(panic|fatal error):|[Ee]rror' "$1" || true)
	[[ -n $line ]] || line=$(tail -1 "$1")
	printf '%s' "${line:0:300}"
}

skip() { # NAME REASON
	log "$1: skipped ($2)"
	printf 'status=skipped\nreason=%s\n' "$2" >"$WORK/$1.metrics"
}

# ---------------------------------------------------------------- 2. data
quick_flags=()
mode=full
if [[ $QUICK == 1 ]]; then
	quick_flags=(-quick-train "$QUICK_TRAIN" -quick-dev "$QUICK_DEV")
	mode="quick ($QUICK_TRAIN train / $QUICK_DEV dev docs per source file at most)"
fi
log "preparing $DATA ($mode)"
"$WORK/bin/prepare" -data "$DATA" -out "$WORK" -latency-sizes "$LATENCY_SIZES" "${quick_flags[@]}"
mapfile -t TRAIN_FILES < <(find "$WORK/train" -name '*.jsonl' -size +0 | sort)

{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "mode=$mode"
	echo "host=$(uname -sr)"
	echo "cpu=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
	echo "cores=$(nproc)"
	echo "fasttext=Debian fasttext $(dpkg-query -W -f '${Version}' fasttext 2>/dev/null || echo '?')"
	echo "sklearn=scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)') on $("$PY" -V 2>&1)"
	echo "go=$(go env GOVERSION)"
	echo "load at start=$(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-min load average; timings are only comparable on an idle machine)"
} >"$WORK/run.env"
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v c="$(nproc)" 'BEGIN { exit !(l > c / 2) }'; then
	log "warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores: speed figures will be noisy"
fi

# ---------------------------------------------------------------- 3–4. fastText
# run_fasttext NAME EXTRA_TRAIN_ARGS...: train NAME.bin on train.ft with
# -wordNgrams 2 plus the extra arguments, then time it like every system.
run_fasttext() {
	local name=$1
	shift
	local train=(fasttext supervised -input "$WORK/train.ft" -output "$WORK/$name" -wordNgrams 2 "$@")
	local score=(fasttext predict-prob "$WORK/$name.bin" "$WORK/dev.txt" 2)
	log "$name: training"
	{
		echo "status=ok"
		echo "train_cmd=${train[*]}"
		echo "score_cmd=taskset -c 0 ${score[*]}"
	} >"$WORK/$name.metrics"
	time_into "$WORK/$name.train.time" "${train[@]}" >"$WORK/$name.train.log" 2>&1 ||
		die "$name training failed: see $WORK/$name.train.log"
	train_metrics "$name"
	echo "model_bytes=$(stat -c %s "$WORK/$name.bin")" >>"$WORK/$name.metrics"
	log "$name: scoring dev"
	score_best "$name" "$WORK/$name.scores" "${score[@]}" || die "$name scoring failed"
	cold_start "$name" fasttext predict-prob "$WORK/$name.bin" "$WORK/one.txt" 2 || die "$name cold start failed"
}
# The default command: 2,000,000 buckets of dim 100, a model of about 1 GB.
run_fasttext fasttext
# A small model (200,000 buckets of dim 50: 40 MB of buckets plus one vector
# per vocabulary word), so that fastText's load time cannot hide its scoring speed. Its files are fasttext_small.*.
run_fasttext fasttext_small -bucket 200000 -dim 50

# fastText's cost per document of each latency size, inside predict-prob: the
# difference between scoring N copies and one copy, divided by N-1.
log "fastText: per-document cost by size"
copies_mb=16
[[ $QUICK == 1 ]] && copies_mb=2
for size in ${LATENCY_SIZES//,/ }; do
	doc="$WORK/latency/$size.ft"
	n=$(((copies_mb << 20) / $(stat -c %s "$doc")))
	((n < 4)) && n=4
	for ((i = 0; i < n; i++)); do cat "$doc"; done >"$WORK/latency/$size.copies"
	hyperfine -N --style none --warmup 1 --runs 3 --export-json "$WORK/latency/$size.ft.json" \
		"taskset -c 0 fasttext predict-prob $WORK/fasttext.bin $doc 2" \
		"taskset -c 0 fasttext predict-prob $WORK/fasttext.bin $WORK/latency/$size.copies 2" >/dev/null 2>&1
	"$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
n = int(sys.argv[3])
print(sys.argv[2], n, "%.0f" % max(0.0, (min(r[1]["times"]) - min(r[0]["times"])) / (n - 1) * 1e9))
' "$WORK/latency/$size.ft.json" "$size" "$n" >>"$WORK/fasttext_latency.tsv"
	rm -f "$WORK/latency/$size.copies"
done

# ---------------------------------------------------------------- 3–4. scikit-learn
SK_TRAIN=("$PY" bench/sklearn_baseline.py train "$WORK/train.jsonl" "$WORK/sklearn.pkl")
SK_SCORE=("$PY" bench/sklearn_baseline.py score "$WORK/sklearn.pkl" "$WORK/dev.jsonl")
log "scikit-learn: training"
{
	echo "status=ok"
	echo "train_cmd=${SK_TRAIN[*]}"
	echo "score_cmd=OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 ${SK_SCORE[*]}"
} >"$WORK/sklearn.metrics"
time_into "$WORK/sklearn.train.time" "${SK_TRAIN[@]}" >"$WORK/sklearn.train.log" 2>&1 ||
	die "scikit-learn training failed: see $WORK/sklearn.train.log"
train_metrics sklearn
echo "model_bytes=$(stat -c %s "$WORK/sklearn.pkl")" >>"$WORK/sklearn.metrics"
log "scikit-learn: scoring dev"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
score_best sklearn "$WORK/sklearn.scores" "${SK_SCORE[@]}" || die "scikit-learn scoring failed"
cold_start sklearn "$PY" bench/sklearn_baseline.py score "$WORK/sklearn.pkl" "$WORK/one.jsonl" ||
	die "scikit-learn cold start failed"
unset OMP_NUM_THREADS OPENBLAS_NUM_THREADS MKL_NUM_THREADS

# ---------------------------------------------------------------- 3–5. slopguard
# sg_args TEMPLATE INPUT: expand an argument template into the array SG_ARGS.
sg_args() {
	local w
	SG_ARGS=()
	set -f
	for w in $1; do
		case $w in
		'{train}') SG_ARGS+=("${TRAIN_FILES[@]}") ;;
		*)
			w=${w//\{traindir\}/$WORK/train}
			w=${w//\{model\}/$SG_MODEL}
			w=${w//\{input\}/$2}
			SG_ARGS+=("$w")
			;;
		esac
	done
	set +f
}

run_slopguard() {
	SG=${SLOPGUARD:-$WORK/bin/slopguard}
	SG_MODEL=$WORK/slopguard.model
	if [[ $SLOPGUARD_TRAIN_ARGS == none ]]; then
		SG_MODEL=${SLOPGUARD_MODEL:-}
		[[ -z $SG_MODEL || -s $SG_MODEL ]] || { skip slopguard "no model file at SLOPGUARD_MODEL=$SG_MODEL"; return; }
	fi
	# The model scored is SG_MODEL only if the score arguments name it; else the embedded one.
	local uses_model=0
	[[ $SLOPGUARD_SCORE_ARGS == *'{model}'* && -n $SG_MODEL ]] && uses_model=1
	if [[ -z ${SLOPGUARD:-} ]]; then
		go build -o "$SG" ./cmd/slopguard 2>"$WORK/slopguard.build.log" ||
			{ skip slopguard "go build ./cmd/slopguard failed: $(why "$WORK/slopguard.build.log")"; return; }
	fi
	: >"$WORK/slopguard.metrics.tmp"
	if [[ $SLOPGUARD_TRAIN_ARGS != none ]]; then
		sg_args "$SLOPGUARD_TRAIN_ARGS" ""
		log "slopguard: training"
		echo "train_cmd=slopguard ${SG_ARGS[*]}" >>"$WORK/slopguard.metrics.tmp"
		rm -f "$SG_MODEL"
		time_into "$WORK/slopguard.train.time" "$SG" "${SG_ARGS[@]}" >"$WORK/slopguard.train.log" 2>&1 ||
			{ skip slopguard "slopguard train failed: $(why "$WORK/slopguard.train.log")"; return; }
		[[ -s $SG_MODEL ]] || { skip slopguard "slopguard train wrote no model at $SG_MODEL"; return; }
	fi
	sg_args "$SLOPGUARD_SCORE_ARGS" "$WORK/dev.jsonl"
	local score=("${SG_ARGS[@]}")
	sg_args "$SLOPGUARD_SCORE_ARGS" "$WORK/one.jsonl"
	local one=("${SG_ARGS[@]}")
	echo "score_cmd=taskset -c 0 slopguard ${score[*]}" >>"$WORK/slopguard.metrics.tmp"
	log "slopguard: scoring dev"
	echo "status=ok" >"$WORK/slopguard.metrics"
	cat "$WORK/slopguard.metrics.tmp" >>"$WORK/slopguard.metrics"
	rm -f "$WORK/slopguard.metrics.tmp"
	[[ -f $WORK/slopguard.train.time ]] && train_metrics slopguard
	((uses_model)) && echo "model_bytes=$(stat -c %s "$SG_MODEL")" >>"$WORK/slopguard.metrics"
	score_best slopguard "$WORK/slopguard.scores" "$SG" "${score[@]}" 2>"$WORK/slopguard.score.log" ||
		{ skip slopguard "slopguard score failed: $(why "$WORK/slopguard.score.log")"; return; }
	local got want
	got=$(wc -l <"$WORK/slopguard.scores")
	want=$(wc -l <"$WORK/dev.jsonl")
	[[ $got == "$want" ]] || { skip slopguard "slopguard score wrote $got lines for $want documents"; return; }
	cold_start slopguard "$SG" "${one[@]}" || { skip slopguard "slopguard cold start failed"; return; }
	local check_model=() r
	((uses_model)) && check_model=(--model "$SG_MODEL")
	if [[ -f $WORK/latency/1M.txt ]] &&
		time_into "$WORK/slopguard.check.time" "$SG" check "${check_model[@]}" "$WORK/latency/1M.txt" >/dev/null 2>&1; then
		read -r _ r <"$WORK/slopguard.check.time"
		echo "check_rss_kb=$r" >>"$WORK/slopguard.metrics"
	else
		log "slopguard check on the 1 MB document failed or was not run"
	fi

	log "slopguard: in-process latency"
	local model_flag=()
	((uses_model)) && model_flag=(-model "$SG_MODEL")
	if go build -o "$WORK/bin/latency" ./bench/cmd/latency 2>"$WORK/latency.build.log"; then
		taskset -c 0 "$WORK/bin/latency" "${model_flag[@]}" -docs "$WORK/latency" -sizes "$LATENCY_SIZES" \
			>"$WORK/latency.json" 2>"$WORK/latency.log" || { log "latency failed: $(why "$WORK/latency.log")"; rm -f "$WORK/latency.json"; }
	else
		log "latency tool did not build: $(why "$WORK/latency.build.log")"
	fi
}
rm -f "$WORK/slopguard.train.time"
run_slopguard

# ---------------------------------------------------------------- 5. report
echo "load at end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/run.env"
"$WORK/bin/report" -work "$WORK" -out "$OUT"
log "done: $OUT"
