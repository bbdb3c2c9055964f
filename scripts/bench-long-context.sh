#!/usr/bin/env bash
# Issue 19's end-to-end table on this machine (x86 or an RK3588's Cortex-A76): the 0.5B shape
# at 2048 and 16,384 tokens and the 1.5B shape at 2048, Q8_0, 1 and 2 threads: tok/s, GFLOP/s
# and % of the pure FMA loop measured on the same threads right before each row, plus peak RSS.
# BIN (default build/cli/longrope) is the build to measure; OLD_BIN, when set, is run on every
# row too, alternating with BIN, for a side-by-side comparison in one run. ROWS overrides the
# rows ("shape:type:tokens" words), THREADS_LIST the threads ("1 2"), OUT the folder
# (results/bench-long-context), COMPUTES the precisions ("f32 int8"; a precision this CPU or
# build lacks is written as a row of "refused"). Models and token shards are written once by
# scripts/make-bench-model.sh (0.5B Q8_0: 0.5 GiB, 1.5B: 1.6 GiB). On 2 AMD EPYC cores the
# default matrix takes about 25 minutes (16k rows dominate).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/cli/longrope}
GEN=${GEN:-build/bench/longrope-bench-model}
OUT=${OUT:-results/bench-long-context}
ROWS=${ROWS:-"qwen2.5-0.5b:Q8_0:2048 qwen2.5-0.5b:Q8_0:16384 qwen2.5-1.5b:Q8_0:2048"}
THREADS_LIST=${THREADS_LIST:-"1 2"}
COMPUTES=${COMPUTES:-"f32 int8"}
[ -x "$BIN" ] && [ -x "$GEN" ] || scripts/setup.sh
mkdir -p "$OUT"
CSV=$OUT/long-context.csv
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
echo "cpu,build,compute,shape,type,tokens,threads,tok_s,gflops,fma_loop_gflops,pct_of_fma_loop,peak_rss_mib,ppl" > "$CSV"
fma() {  # the FMA loop's GFLOP/s on $1 threads, best kernel path (the last line per thread count)
  "$GEN" fma --threads "$1" | awk -F, -v t="$1" '$2 == t {g = $3} END {print g}'
}
for row in $ROWS; do
  IFS=: read -r shape type tokens <<<"$row"
  model=$OUT/$shape.$type.gguf
  [ -f "$model" ] || scripts/make-bench-model.sh "$shape" "$type" "$model" >/dev/null
  for t in $THREADS_LIST; do
    for c in $COMPUTES; do for b in "$BIN" ${OLD_BIN:+"$OLD_BIN"}; do
      peak=$(fma "$t")
      carg=()  # f32 is the default: builds older than --compute run it too
      [ "$c" = f32 ] || carg=(--compute "$c")
      if ! /usr/bin/time -f "%M" -o "$OUT/rss.txt" "$b" eval ppl -q --model "$model" \
        --data "${model%.gguf}.tokens.h5" --num-tokens "$tokens" --samples 1 --threads "$t" \
        "${carg[@]}" --output /dev/null > "$OUT/row.txt" 2> "$OUT/err.txt"; then
        grep -q "^longrope: error: --compute" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }
        echo "\"$cpu\",$b,$c,$shape,$type,$tokens,$t,refused,,,,," | tee -a "$CSV"
        continue
      fi
      # the printed table's last row: length, scale, ppl, docs, tok/s, GFLOP/s
      read -r _ _ ppl _ tps gf < <(tail -1 "$OUT/row.txt")
      rss=$(awk '{printf "%.1f", $1 / 1024}' "$OUT/rss.txt")
      pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN{printf "%.1f", 100 * g / p}')
      echo "\"$cpu\",$b,$c,$shape,$type,$tokens,$t,$tps,$gf,$peak,$pct,$rss,$ppl" | tee -a "$CSV"
    done; done
  done
done
echo "wrote $CSV"
