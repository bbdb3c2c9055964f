#!/usr/bin/env bash
# Needle-driven vs perplexity fitness on the passkey fixture (trained at 256): search factors
# at 4x (1024) and 8x (2048) with each fitness and each seed, then judge every set by passkey
# accuracy at 256, 1024 and 2048 (eval passkey, prompts the needle fitness never saw) beside
# none and YaRN. Outputs in results/bench-needle/: table-<tag>.md (one row per search, then the
# means over seeds), one folder per search (<tag>-<fitness>-<target>-s<seed>), accuracy CSVs;
# <tag> is the hyperparameter set, plus -n<samples> when SAMPLES is not 5.
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/fixture-passkey-3m}
TARGETS=${TARGETS:-"1024 2048"}
HP=${HP:-quick}
SEEDS=${SEEDS:-"0 1 2"}
FITNESSES=${FITNESSES:-"ppl needle"}
SAMPLES=${SAMPLES:-5}          # documents / needle prompts per fitness evaluation
JUDGE_SAMPLES=${JUDGE_SAMPLES:-20}
THREADS=${THREADS:-2}
OUT=${OUT:-results/bench-needle}
EXTRA=${EXTRA:-}               # more search flags, e.g. "--optimizer cmaes"
VTAG=${VTAG:-}                 # a name for them in the run folders and the table (e.g. cmaes)
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
TAG=$HP; [ "$SAMPLES" = 5 ] || TAG=$HP-n$SAMPLES  # names runs and the table
[ -n "$VTAG" ] && TAG=$TAG+$VTAG
rows=$(mktemp); trap 'rm -f "$rows"' EXIT
for t in $TARGETS; do
  for f in $FITNESSES; do
    for seed in $SEEDS; do
      name=$TAG-$f-$t-s$seed; run=$OUT/$name
      data=(); [ $f = ppl ] && data=(--data "$OUT/books.h5")
      if [ ! -f "$run/result_final.json" ]; then
        if [ -f "$run/archive.h5" ]; then
          $BIN search --resume "$run/archive.h5" --threads "$THREADS" --baselines false -q >/dev/null
        else
          $BIN search --model "$MODEL" "${data[@]}" --fitness $f --target-length "$t" --samples "$SAMPLES" \
            --hyperparams "hyperparams/$HP.json" --seed "$seed" --threads "$THREADS" --baselines false \
            $EXTRA -q --output-dir "$run" >/dev/null
        fi
      fi
    done
  done
done
# The table lists every finished search of this tag (earlier invocations' seeds included).
for run in "$OUT/$TAG"-ppl-*-s* "$OUT/$TAG"-needle-*-s*; do
  [ -f "$run/result_final.json" ] || continue
  name=${run##*/}; rest=${name#"$TAG"-}; f=${rest%%-*}; rest=${rest#*-}; t=${rest%%-*}; seed=${rest##*-s}
  read -r ev tok fit <<< "$(/usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['evaluations'], j['tokens_processed'], '%.4f' % j['ppl'])" "$run/result_final.json")"
  # Judged as searched: s = t / 256 at every length (the factors are for that scale).
  read -r a b c <<< "$(judge "$name" --rope longrope --factors "$run/result_final.json" --scale "$(( t / 256 ))")"
  echo "$t,$f,$seed,$ev,$tok,$fit,$a,$b,$c" >> "$rows"
done
sort -t, -k1,1n -k2,2r -k3,3n -o "$rows" "$rows"
{
echo "| factors | searched at | fitness | seed | evaluations | tokens spent | fitness PPL (key tokens for needle) | passkey @256 | @1024 | @2048 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
read -r a b c <<< "$(judge none)"; echo "| none | — | — | — | — | — | — | $a | $b | $c |"
read -r a b c <<< "$(judge yarn --rope yarn --original-max-position 256)"; echo "| YaRN (s = length/256) | — | — | — | — | — | — | $a | $b | $c |"
awk -F, -v hp="$TAG" '{ printf "| longrope (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", hp, $1, $2, $3, $4, $5, $6, $7, $8, $9
  k = $1 "," $2; n[k]++; s1[k] += $7; s2[k] += $8; s3[k] += $9; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
  END { for (i = 1; i <= m; i++) { k = order[i]; split(k, p, ",")
    printf "| longrope (%s), mean of %d seeds | %s | %s | — | — | — | — | %.2f | %.2f | %.2f |\n", hp, n[k], p[1], p[2], s1[k] / n[k], s2[k] / n[k], s3[k] / n[k] } }' "$rows"
} | tee "$OUT/table-$TAG.md"
