#!/usr/bin/env bash
# Judges searched factors against PI, NTK and YaRN on documents the search did not use, like
# the original repo's evaluation scripts. Defaults: stories260K, tinystories-like docs 07-12.
# The searched factors are judged as deployed (RULE=deployed, the HF/vLLM rule): short factors
# at lengths <= L, the long ones above, mscale from s = T/L at every length; the table's last
# column says which rule each row uses.
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
RULE=${RULE:-deployed}                      # deployed (short <= L, long > L) | long (long everywhere)
SHORT_FACTORS=${SHORT_FACTORS:-}            # deployed: short set (default: the JSON's short_factor, else ones)
TARGET=${TARGET:-}                          # deployed: T (default: the factors JSON's target_length)
OUT=${OUT:-$(dirname "$FACTORS")/eval}
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
[ -f "$FACTORS" ] || { echo "evaluate.sh: no factors at $FACTORS (run scripts/search.sh first)" >&2; exit 1; }
mkdir -p "$OUT"
$BIN tokenize --tokenizer "$MODEL" --input ${DATA_DIR:-$DATA_FILES} --output "$OUT/judge-data.h5" --quiet | head -1
common=(--model "$MODEL" --data "$OUT/judge-data.h5" --num-tokens "$LENGTHS" --samples "$SAMPLES"
        --original-max-position "$ORIGINAL" --mode "$MODE" --quiet)
case $RULE in deployed|long) ;; *) echo "evaluate.sh: RULE must be deployed or long" >&2; exit 2;; esac
longrope_flags=(--factors "$FACTORS")
longrope_rule="long factors at every length, s = max(1, n/L)"
if [ "$RULE" = deployed ]; then
  # T, the pair count and whether the file carries its own short set, from the factors file.
  read -r file_target pairs has_short < <(python3 - "$FACTORS" <<'PY'
import json, sys
p = sys.argv[1]
try:
    j = json.load(open(p))
except ValueError:  # a CSV: one factor per line (or one row)
    vals = [v for line in open(p) for v in line.replace(",", " ").split() if not line.startswith("#")]
    print(0, len(vals), 0); sys.exit()
f = j.get("long_factor", j.get("factors"))
f = f[0] if f and isinstance(f[0], list) else f
print(j.get("target_length", 0), len(f), 1 if "short_factor" in j else 0)
PY
)
  T=${TARGET:-$file_target}
  [ "${T:-0}" -gt 0 ] || { echo "evaluate.sh: RULE=deployed needs TARGET (the factors file has no target_length)" >&2; exit 2; }
  longrope_flags+=(--target-length "$T")
  if [ -n "$SHORT_FACTORS" ]; then
    longrope_flags+=(--short-factors "$SHORT_FACTORS"); short="searched short factors"
  elif [ "$has_short" = 1 ]; then
    short="the file's short factors"
  else
    python3 -c "print('\n'.join(['1.0'] * $pairs))" > "$OUT/short-ones.csv"
    longrope_flags+=(--short-factors "$OUT/short-ones.csv"); short="ones as short factors"
  fi
  longrope_rule="deployed (T = $T): $short at n <= L, long above; mscale from s = T/L at every n"
fi
printf "%-10s %s  %s\n" method "ppl at $LENGTHS" rule
for m in none linear ntk yarn longrope; do
  extra=(); [ $m = longrope ] && extra=("${longrope_flags[@]}")
  case $m in none) rule="unscaled";; longrope) rule=$longrope_rule;;
    *) rule="s = max(1, n/L) per length (n <= L: unscaled)";; esac
  $BIN eval ppl "${common[@]}" --rope $m "${extra[@]}" --output "$OUT/$m.csv" --json "$OUT/$m.json" >/dev/null
  printf "%-10s %s  %s\n" $m "$(tail -n +2 "$OUT/$m.csv" | cut -d, -f2 | awk '{printf "%10.4f", $1}')" "$rule"
done | tee "$OUT/table.txt"
