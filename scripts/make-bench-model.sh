#!/usr/bin/env bash
# Writes a seeded random-weight LLaMA model of a named shape through our GGUF writer (bench/),
# and beside it a random-id token shard for it: OUT and OUT without .gguf + .tokens.h5.
# usage: scripts/make-bench-model.sh SHAPE TYPE OUT.gguf
#   SHAPE  qwen2.5-0.5b | qwen2.5-1.5b | llama-7b | tiny | tiny-k  (longrope-bench-model shapes)
#   TYPE   F32 | F16 | Q8_0 | Q4_K_M (llama.cpp's mix)
#   SEED (default 0), DOCS (5) × TOKENS (16384) random ids in the shard.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '4,8p' "$0" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GEN=${GEN:-$ROOT/build/bench/longrope-bench-model}
[ -x "$GEN" ] || "$ROOT/scripts/setup.sh"
OUT=$3
mkdir -p "$(dirname "$OUT")"
"$GEN" model "$1" "$2" "$OUT" --seed "${SEED:-0}"
"$GEN" shard "$OUT" "${OUT%.gguf}.tokens.h5" --docs "${DOCS:-5}" --tokens "${TOKENS:-16384}" \
  --seed "${SEED:-0}"
