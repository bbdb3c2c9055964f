#!/usr/bin/env bash
# Prefill benchmark on the fixture model: tokens/s, achieved GFLOP/s and peak RSS per length,
# for our engine and for the PyTorch reference (float32, full attention) in the same run.
# One process per length and implementation, so peak RSS is per length.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/fixture-llama-5m}
LENGTHS=${LENGTHS:-256 1024 2048 4096 8192}
THREADS=${THREADS:-2}
REFERENCE=${REFERENCE:-1}   # 0 skips the PyTorch reference
BIN=${BIN:-build/cli/longrope}   # e.g. a -DLONGROPE_NATIVE=ON build; LONGROPE_KERNELS picks a path
[ -x "$BIN" ] || scripts/setup.sh
OUT=results/bench; mkdir -p "$OUT"
SHARD=$OUT/pg19-like-valid.h5
[ -f "$SHARD" ] || $BIN tokenize --tokenizer "$MODEL" --input "$SHARED/data/pg19-like/valid" --output "$SHARD" --quiet >/dev/null
weights=$($BIN inspect --model "$MODEL" | awk -F': ' '/weights_mib/ {gsub(",","",$2); printf "%.1f", $2}')
echo "model $MODEL (weights ${weights} MiB F32), $THREADS threads, CPU: $(lscpu | sed -n 's/^Model name: *//p'), $($BIN version | sed -n 's/^kernels: \([a-z0-9]*\).*/kernels \1/p')"
printf "%-10s %7s %10s %9s %10s %12s\n" impl length tok/s GFLOP/s peak_MiB "over_weights"
{
echo "impl,length,tokens_per_s,gflops,peak_rss_mib"
for n in $LENGTHS; do
  line=$( { /usr/bin/time -f "RSS %M" $BIN eval ppl --model "$MODEL" --data "$SHARD" --num-tokens "$n" \
            --samples 1 --threads "$THREADS" --quiet; } 2>&1 )
  read -r tps gf < <(echo "$line" | awk -v n="$n" '$1==n {print $5, $6}')
  rss=$(echo "$line" | awk '/^RSS/ {printf "%.1f", $2/1024}')
  printf "%-10s %7s %10s %9s %10s %12s\n" longrope "$n" "$tps" "$gf" "$rss" "$(awk -v r=$rss -v w=$weights 'BEGIN{printf "%+.1f", r-w}')" >&2
  echo "longrope,$n,$tps,$gf,$rss"
  if [ "$REFERENCE" = 1 ]; then
    read -r rtps rgf rrss < <(OMP_NUM_THREADS=$THREADS /usr/bin/python3 tests/reference/bench_reference.py "$MODEL" "$SHARD" "$n" "$THREADS")
    printf "%-10s %7s %10s %9s %10s %12s\n" pytorch "$n" "$rtps" "$rgf" "$rrss" "" >&2
    echo "pytorch,$n,$rtps,$rgf,$rrss"
  fi
done
} > "$OUT/bench-ppl.csv"
echo "written $OUT/bench-ppl.csv"
