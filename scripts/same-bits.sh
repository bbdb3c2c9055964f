#!/usr/bin/env bash
# Same seed, same search: runs small seeded GA searches (plain, --racing, --screen-length) with
# two builds of `longrope` and compares result_final.csv byte for byte and the archives
# (genomes, n̂, PPL, per-item NLL, lineage, populations: tests/reference/check_archive.py same).
# For refactors that must not change results.
# usage: scripts/same-bits.sh OLD_LONGROPE NEW_LONGROPE   (SHARED: test assets, default ../shared)
set -uo pipefail
OLD=${1:?usage: $0 OLD_LONGROPE NEW_LONGROPE}; NEW=${2:?usage: $0 OLD_LONGROPE NEW_LONGROPE}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
FX=$SHARED/models/fixture-llama-5m
[ -d "$FX" ] || { echo "same-bits: $FX missing (set SHARED)"; exit 2; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$NEW" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/books.h5" >/dev/null
ARGS=(--model "$FX" --data "$T/books.h5" --target-length 512 --samples 2 --seed 7 --search-start-tokens
      --set population_size=8 --set max_time_budget=4 --set mutation_numbers=3 --set crossover_size=3
      --set parents_size=4 --baselines false --threads 1 -q)
fail=0
for variant in plain racing screen; do
  extra=()
  [ $variant = racing ] && extra=(--racing)
  [ $variant = screen ] && extra=(--screen-length 256 --screen-keep 0.5)
  for b in old new; do
    bin=$OLD; [ $b = new ] && bin=$NEW
    "$bin" search "${ARGS[@]}" "${extra[@]}" --output-dir "$T/$variant-$b" >/dev/null ||
      { echo "FAIL: $variant search with $bin"; fail=1; continue 2; }
  done
  if cmp -s "$T/$variant-old/result_final.csv" "$T/$variant-new/result_final.csv" &&
     /usr/bin/python3 "$ROOT/tests/reference/check_archive.py" same "$T/$variant-old/archive.h5" \
       "$T/$variant-new/archive.h5" >/dev/null; then
    echo "same: $variant ($(($(wc -l < "$T/$variant-new/result_final.csv") - 1)) result rows, $(/usr/bin/python3 "$ROOT/tests/reference/check_archive.py" count "$T/$variant-new/archive.h5") individuals)"
  else
    echo "DIFFERENT: $variant"; diff "$T/$variant-old/result_final.csv" "$T/$variant-new/result_final.csv" | head -5
    fail=1
  fi
done
exit $fail
