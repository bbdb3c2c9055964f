#!/usr/bin/env bash
# The main job on the embedded defaults: tokenize, then compare RoPE scalings by perplexity.
#   1. fixture-llama-5m (trained at 256) on the pg19-like validation books, 256 and 2048 tokens;
#   2. stories260K (trained at 512) on tinystories-like, 512 and 4096 tokens (s = 8).
# Results go to results/demo/ (CSV + JSON). Set SHARED to point elsewhere than ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
SHARED=${SHARED:-../shared}
if [ ! -d "$SHARED/models" ]; then
  echo "demo: no test assets at $SHARED; run with SHARED=/path/to/shared (models/ and data/)" >&2
  exit 1
fi
BIN=build/cli/longrope
OUT=results/demo
mkdir -p "$OUT"
THREADS=${THREADS:-0}

echo "== fixture-llama-5m: pg19-like/valid, truncate mode (LongRoPE repo semantics)"
$BIN tokenize --tokenizer "$SHARED/models/fixture-llama-5m" --input "$SHARED/data/pg19-like/valid" \
  --output "$OUT/pg19-like-valid.h5" --quiet | head -1
for rope in none linear ntk yarn; do
  echo "-- rope $rope"
  $BIN eval ppl --model "$SHARED/models/fixture-llama-5m" --data "$OUT/pg19-like-valid.h5" \
    --num-tokens 256,2048 --rope $rope --threads "$THREADS" \
    --output "$OUT/fixture-$rope.csv" --json "$OUT/fixture-$rope.json"
done

echo "== stories260K: tinystories-like, llama.cpp chunking (second half of each chunk scored)"
$BIN tokenize --tokenizer "$SHARED/models/stories260K/stories260K.bin" \
  --input "$SHARED/data/tinystories-like" --output "$OUT/tinystories-like.h5" --quiet | head -1
for rope in none linear ntk yarn; do
  echo "-- rope $rope"
  $BIN eval ppl --model "$SHARED/models/stories260K/stories260K.bin" --data "$OUT/tinystories-like.h5" \
    --num-tokens 512,4096 --mode llamacpp --rope $rope --threads "$THREADS" \
    --output "$OUT/stories-$rope.csv" --json "$OUT/stories-$rope.json"
done
echo "demo: results in $OUT/"
