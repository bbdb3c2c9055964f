#!/usr/bin/env bash
# The main job on the embedded defaults (about 5 minutes on 2 cores):
#   tokenize -> `quick` LongRoPE search for stories260K at 8x (512 -> 4096 tokens) on
#   tinystories-like documents 01-06 -> judge the winner against PI, NTK and YaRN on documents
#   07-12, which the search never saw, as it deploys (HF/vLLM rule: short factors at <= 512
#   tokens, ones unless SHORT_SEARCH=1 searches them, +1.5 min; the long ones above).
# Outputs in results/demo/. Set SHARED when the test assets are not at ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
SHARED=${SHARED:-../shared}
if [ ! -d "$SHARED/models/stories260K" ]; then
  echo "demo: no test assets at $SHARED; run with SHARED=/path/to/shared (models/ and data/)" >&2
  exit 1
fi
OUT=results/demo
rm -rf "$OUT"   # a fresh run each time (scripts/search.sh resumes instead)
echo "== 1. search: stories260K, 512 -> 4096 tokens, hyperparams/quick.json" >&2
SHARED=$SHARED OUT=$OUT HYPERPARAMS=hyperparams/quick.json TARGET=4096 SAMPLES=5 \
  PARALLEL=${PARALLEL:-1} scripts/search.sh
FACTORS=$OUT/result_final.json   # the long factors; with SHORT_SEARCH=1 the pair
if [ "${SHORT_SEARCH:-0}" = 1 ]; then
  echo "== 1b. short factors at 512 beside the long ones (search --search-short-factors)" >&2
  build/cli/longrope search --model "$SHARED/models/stories260K/stories260K.bin" \
    --data "$OUT/search-data.h5" --target-length 4096 --samples 5 --search-short-factors \
    --long-factors "$OUT/result_final.json" --hyperparams hyperparams/quick.json \
    --output-dir "$OUT/short" --quiet > "$OUT/short.log"
  FACTORS=$OUT/short/result_final.json   # long_factor + short_factor, deployed at 4096
fi
echo "== 2. judge on held-out documents (truncate mode, every document; deployed rule)" >&2
SHARED="$SHARED" FACTORS="$FACTORS" OUT="$OUT/eval" scripts/evaluate.sh
echo "== 3. the same with llama.cpp chunking (positions 2048-4095 scored)" >&2
SHARED="$SHARED" FACTORS="$FACTORS" OUT="$OUT/eval-llamacpp" MODE=llamacpp \
  scripts/evaluate.sh
echo "demo: factors in $OUT/result_final.json, archive $OUT/archive.h5, tables in $OUT/eval*/table.txt"
