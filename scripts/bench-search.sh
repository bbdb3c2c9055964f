#!/usr/bin/env bash
# Wall time of a default-size search (64 + 40 x 32 = 1344 evaluations, 5 documents x 2048
# tokens, fixture model, 256 -> 2048) on this machine. By default it times a short search
# (2 iterations of the default operators) and extrapolates per evaluation; FULL=1 runs the
# whole default search (about half an hour on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/fixture-llama-5m}
THREADS=${THREADS:-2}
PARALLEL=${PARALLEL:-1}
FULL=${FULL:-0}
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
OUT=results/bench-search; mkdir -p "$OUT"
# 5 documents of >= 2048 tokens: the PG19-style novels (pg19-like/valid has only 3 books).
[ -f "$OUT/pg19.h5" ] || $BIN tokenize --tokenizer "$MODEL" --input "$SHARED/data/pg19" --output "$OUT/pg19.h5" --quiet >/dev/null
rm -rf "$OUT/run"
extra=(); [ "$FULL" = 1 ] || extra=(--set max_time_budget=2)
start=$(date +%s.%N)
$BIN search --model "$MODEL" --data "$OUT/pg19.h5" --target-length 2048 --samples 5 \
  --hyperparams hyperparams/dim_mono.json --seed 0 --output-dir "$OUT/run" --threads "$THREADS" \
  --parallel-candidates "$PARALLEL" --baselines false --quiet "${extra[@]}" > "$OUT/search.out"
end=$(date +%s.%N)
evals=$(/usr/bin/python3 -c "import h5py; print(len(h5py.File('$OUT/run/archive.h5')['individuals/id']))")
awk -v s="$start" -v e="$end" -v n="$evals" -v full="$FULL" 'BEGIN {
  t = e - s; per = t / n;
  printf "evaluations %d in %.1f s: %.2f s per evaluation (5 x 2048 tokens)\n", n, t, per;
  if (full == 1) printf "full default search: %.1f min wall time\n", t / 60;
  else printf "full default search (1344 evaluations), extrapolated: %.1f min\n", per * 1344 / 60 }' | tee "$OUT/bench-search.txt"
