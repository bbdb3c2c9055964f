#!/usr/bin/env bash
# Needle-driven vs perplexity fitness on the passkey fixture (trained at 256): search factors
# at 4x (1024) and 8x (2048) with each fitness, then judge every set by passkey accuracy at
# 256, 1024 and 2048 (eval passkey, prompts the needle fitness never saw) beside none and YaRN.
# Outputs in results/bench-needle/: table.md, one folder per search, accuracy CSVs.
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/fixture-passkey-3m}
TARGETS=${TARGETS:-"1024 2048"}
HP=${HP:-quick}
SAMPLES=${SAMPLES:-5}          # documents / needle prompts per fitness evaluation
JUDGE_SAMPLES=${JUDGE_SAMPLES:-20}
SEED=${SEED:-0}
THREADS=${THREADS:-2}
OUT=${OUT:-results/bench-needle}
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
mkdir -p "$OUT"
[ -f "$OUT/books.h5" ] || $BIN tokenize -q --tokenizer "$MODEL" --input "$SHARED/data/pg19" --output "$OUT/books.h5" >/dev/null
LENGTHS=256,1024,2048
judge() {  # name rope-args... -> "acc@256 acc@1024 acc@2048"
  local name=$1; shift
  [ -f "$OUT/acc-$name.csv" ] || $BIN eval passkey -q --model "$MODEL" --num-tokens "$LENGTHS" \
    --samples "$JUDGE_SAMPLES" --seed 3 --threads "$THREADS" "$@" --output "$OUT/acc-$name.csv" >/dev/null
  tail -n +2 "$OUT/acc-$name.csv" | cut -d, -f3 | tr '\n' ' '
}
{
echo "| factors | searched at | fitness | evaluations | tokens spent | passkey @256 | @1024 | @2048 |"
echo "|---|---|---|---|---|---|---|---|"
read -r a b c <<< "$(judge none)"; echo "| none | — | — | — | — | $a | $b | $c |"
read -r a b c <<< "$(judge yarn --rope yarn --original-max-position 256)"; echo "| YaRN (s = length/256) | — | — | — | — | $a | $b | $c |"
for t in $TARGETS; do
  for f in ppl needle; do
    run=$OUT/$f-$t
    data=(); [ $f = ppl ] && data=(--data "$OUT/books.h5")
    if [ ! -f "$run/result_final.json" ]; then
      if [ -f "$run/archive.h5" ]; then
        $BIN search --resume "$run/archive.h5" --threads "$THREADS" --baselines false -q >/dev/null
      else
        $BIN search --model "$MODEL" "${data[@]}" --fitness $f --target-length "$t" --samples "$SAMPLES" \
          --hyperparams "hyperparams/$HP.json" --seed "$SEED" --threads "$THREADS" --baselines false \
          -q --output-dir "$run" >/dev/null
      fi
    fi
    read -r ev tok <<< "$(/usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['evaluations'], j['tokens_processed'])" "$run/result_final.json")"
    # Judged as searched: s = t / 256 at every length (the factors are for that scale).
    read -r a b c <<< "$(judge "$f-$t" --rope longrope --factors "$run/result_final.json" --scale "$(( t / 256 ))")"
    echo "| longrope | $t | $f | $ev | $tok | $a | $b | $c |"
  done
done
} | tee "$OUT/table.md"
