#!/usr/bin/env bash
# Searches LongRoPE factors, like the original repo's evolution/search example scripts.
# Defaults: stories260K (trained at 512) extended 8x to 4096 on tinystories-like documents
# 01-06 (07-12 are kept for scripts/evaluate.sh). Second example (fixture model, 256 -> 2048,
# pg19-like/valid): MODEL=$SHARED/models/fixture-llama-5m DATA_DIR=$SHARED/data/pg19-like/valid TARGET=2048
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/stories260K/stories260K.bin}
DATA_FILES=${DATA_FILES:-$(ls $SHARED/data/tinystories-like/doc0[1-6].txt 2>/dev/null | tr '\n' ' ')}
DATA_DIR=${DATA_DIR:-}                      # a folder instead of DATA_FILES
TARGET=${TARGET:-4096}                      # target length
ORIGINAL=${ORIGINAL:-0}                     # original length (0 = the model's)
SAMPLES=${SAMPLES:-5}                       # documents per fitness evaluation
ALGORITHM=${ALGORITHM:-dim_mono}            # dim_mono | dim_piece_mono
HYPERPARAMS=${HYPERPARAMS:-hyperparams/$ALGORITHM.json}
SEED=${SEED:-0}
START_TOKENS=${START_TOKENS:-1}             # 1: search n̂ too
PARALLEL=${PARALLEL:-1}                     # candidates evaluated at once
MPI_RANKS=${MPI_RANKS:-0}                   # > 1: run under mpirun with this many ranks
OUT=${OUT:-results/search-$(basename "${MODEL%.*}")-$TARGET}
EXTRA=${EXTRA:-}                            # more flags, e.g. "--set max_time_budget=10"
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
mkdir -p "$OUT"
if [ ! -f "$OUT/search-data.h5" ]; then
  $BIN tokenize --tokenizer "$MODEL" --input ${DATA_DIR:-$DATA_FILES} --output "$OUT/search-data.h5" --quiet | head -1
fi
flags=(--model "$MODEL" --data "$OUT/search-data.h5" --target-length "$TARGET"
       --original-max-position "$ORIGINAL" --samples "$SAMPLES" --algorithm "$ALGORITHM"
       --hyperparams "$HYPERPARAMS" --seed "$SEED" --output-dir "$OUT")
[ "$START_TOKENS" = 1 ] && flags+=(--search-start-tokens)
if [ -f "$OUT/archive.h5" ]; then
  echo "search.sh: resuming $OUT/archive.h5" >&2
  flags=(--resume "$OUT/archive.h5")
fi
if [ "$MPI_RANKS" -gt 1 ]; then
  mpirun --oversubscribe --allow-run-as-root -np "$MPI_RANKS" $BIN search "${flags[@]}" --threads 1 $EXTRA
else
  $BIN search "${flags[@]}" --parallel-candidates "$PARALLEL" $EXTRA
fi
