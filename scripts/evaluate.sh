#!/usr/bin/env bash
# Judges searched factors against PI, NTK and YaRN on documents the search did not use, like
# the original repo's evaluation scripts. Defaults: stories260K, tinystories-like docs 07-12.
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/stories260K/stories260K.bin}
FACTORS=${FACTORS:-results/search-$(basename "${MODEL%.*}")-4096/result_final.json}
DATA_FILES=${DATA_FILES:-$(ls $SHARED/data/tinystories-like/doc0[7-9].txt $SHARED/data/tinystories-like/doc1[0-2].txt 2>/dev/null | tr '\n' ' ')}
DATA_DIR=${DATA_DIR:-}
LENGTHS=${LENGTHS:-512,4096}
ORIGINAL=${ORIGINAL:-0}
SAMPLES=${SAMPLES:-0}                       # 0 = every document long enough
MODE=${MODE:-truncate}                      # truncate | llamacpp
OUT=${OUT:-$(dirname "$FACTORS")/eval}
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
[ -f "$FACTORS" ] || { echo "evaluate.sh: no factors at $FACTORS (run scripts/search.sh first)" >&2; exit 1; }
mkdir -p "$OUT"
$BIN tokenize --tokenizer "$MODEL" --input ${DATA_DIR:-$DATA_FILES} --output "$OUT/judge-data.h5" --quiet | head -1
common=(--model "$MODEL" --data "$OUT/judge-data.h5" --num-tokens "$LENGTHS" --samples "$SAMPLES"
        --original-max-position "$ORIGINAL" --mode "$MODE" --quiet)
printf "%-10s %s\n" method "ppl at $LENGTHS"
for m in none linear ntk yarn longrope; do
  extra=(); [ $m = longrope ] && extra=(--factors "$FACTORS")
  $BIN eval ppl "${common[@]}" --rope $m "${extra[@]}" --output "$OUT/$m.csv" --json "$OUT/$m.json" >/dev/null
  printf "%-10s %s\n" $m "$(tail -n +2 "$OUT/$m.csv" | cut -d, -f2 | awk '{printf "%10.4f", $1}')"
done | tee "$OUT/table.txt"
