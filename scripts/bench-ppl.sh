#!/usr/bin/env bash
# Prefill benchmark of any model: tokens/s, achieved GFLOP/s (and % of the machine's FP32 FMA
# peak, scripts/cpu-peak.sh), PPL and peak RSS per length, for our engine and for the PyTorch
# reference (float32, full attention) in the same run. One process per length and
# implementation, so peak RSS is per length.
# MODEL (default the fixture), LENGTHS, THREADS, REFERENCE (0 skips PyTorch), ENGINE (0 skips
# ours), BIN, CSV.
# Tokens: DATA if set; else the random-id shard beside a scripts/make-bench-model.sh model
# (MODEL without .gguf + .tokens.h5); else pg19-like/valid tokenized with the model's tokenizer.
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
CSV=${CSV:-$OUT/bench-ppl.csv}
if [ -n "${DATA:-}" ]; then SHARD=$DATA
elif [ -f "${MODEL%.gguf}.tokens.h5" ]; then SHARD=${MODEL%.gguf}.tokens.h5
else
  SHARD=$OUT/pg19-like-valid.h5
  [ -f "$SHARD" ] || $BIN tokenize --tokenizer "$MODEL" --input "$SHARED/data/pg19-like/valid" --output "$SHARD" --quiet >/dev/null
fi
weights=$($BIN inspect --model "$MODEL" | awk -F': ' '/weights_mib/ {gsub(",","",$2); printf "%.1f", $2}')
read -r peak_core peak_how < <(scripts/cpu-peak.sh)
peak=$(awk -v p="$peak_core" -v t="$THREADS" 'BEGIN{printf "%.1f", p*t}')
echo "model $MODEL (weights ${weights} MiB as stored), tokens $SHARD, $THREADS threads, $($BIN version | sed -n 's/^kernels: \([a-z0-9]*\).*/kernels \1/p')"
echo "peak $peak GFLOP/s = $THREADS × $peak_how"
printf "%-10s %7s %10s %9s %6s %11s %10s %12s\n" impl length tok/s GFLOP/s %peak ppl peak_MiB "over_weights"
{
echo "impl,length,threads,tokens_per_s,gflops,pct_peak,ppl,peak_rss_mib,cpu_s,wall_s"
for n in $LENGTHS; do
  if [ "${ENGINE:-1}" = 1 ]; then
    line=$( { /usr/bin/time -f "RSS %M CPU %U %S WALL %e" $BIN eval ppl --model "$MODEL" --data "$SHARD" --num-tokens "$n" \
              --samples 1 --threads "$THREADS" --quiet; } 2>&1 )
    read -r ppl tps gf < <(echo "$line" | awk -v n="$n" '$1==n {print $3, $5, $6}')
    read -r rss cpu wall < <(echo "$line" | awk '/^RSS/ {printf "%.1f %.1f %.1f\n", $2/1024, $4+$5, $7}')
    [ -n "$tps" ] || { echo "$line" >&2; exit 1; }
    pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN{printf "%.1f", 100*g/p}')
    printf "%-10s %7s %10s %9s %6s %11s %10s %12s\n" longrope "$n" "$tps" "$gf" "$pct" "$ppl" "$rss" "$(awk -v r=$rss -v w=$weights 'BEGIN{printf "%+.1f", r-w}')" >&2
    echo "longrope,$n,$THREADS,$tps,$gf,$pct,$ppl,$rss,$cpu,$wall"
  fi
  if [ "$REFERENCE" = 1 ]; then
    read -r rtps rgf rrss rppl < <(OMP_NUM_THREADS=$THREADS /usr/bin/python3 tests/reference/bench_reference.py "$MODEL" "$SHARD" "$n" "$THREADS") \
      || { echo "pytorch reference failed at $n tokens (out of memory?)" >&2; continue; }
    rpct=$(awk -v g="$rgf" -v p="$peak" 'BEGIN{printf "%.1f", 100*g/p}')
    printf "%-10s %7s %10s %9s %6s %11s %10s %12s\n" pytorch "$n" "$rtps" "$rgf" "$rpct" "$rppl" "$rrss" "" >&2
    echo "pytorch,$n,$THREADS,$rtps,$rgf,$rpct,$rppl,$rrss,,"
  fi
done
} > "$CSV"
echo "written $CSV"
