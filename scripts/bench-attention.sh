#!/usr/bin/env bash
# Attention alone against this machine's FMA peak (issue: long context near the peak):
#   1. the pure FMA loop (longrope-bench-model fma) on 1..THREADS threads for every kernel path
#      this CPU runs (scalar, AVX2, AVX-512 / NEON): what the cores give;
#   2. attention_tiled for every LENGTH x HEAD_DIM x GQA (query heads per KV head, one KV head),
#      FLOPs = heads * 4 * n^2/2 * head_dim (causal), as GFLOP/s and % of the FMA loop's figure
#      on the same threads, measured in the same run; COMPUTES="f32 int8" adds --compute int8's
#      kernel (int8 scores and P·V; its GFLOP/s count the same FLOPs, so the % can pass 100).
# Writes results/bench-attention/{fma.csv,attention.csv,table.md} and names the CPU.
# The default matrix is about half an hour on 2 idle cores (64k tokens dominate); set LENGTHS.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS_LIST=${THREADS_LIST:-"1 2"}
LENGTHS=${LENGTHS:-"2048 8192 16384 32768 65536"}
HEAD_DIMS=${HEAD_DIMS:-"64 128"}
GQAS=${GQAS:-"1 7 8"}
REPS=${REPS:-1}
COMPUTES=${COMPUTES:-f32}
OUT=${OUT:-results/bench-attention}
BIN=build/bench/longrope-bench-model
[ -x "$BIN" ] || scripts/setup.sh
mkdir -p "$OUT"
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
max_t=$(for t in $THREADS_LIST; do echo "$t"; done | sort -n | tail -1)
"$BIN" fma --threads "$max_t" > "$OUT/fma.csv"
echo "path,compute,threads,tokens,head_dim,heads,kv_heads,seconds,gflops,fma_peak_gflops,pct_of_peak" \
  > "$OUT/attention.csv"
for t in $THREADS_LIST; do for n in $LENGTHS; do for d in $HEAD_DIMS; do for g in $GQAS; do
  for c in $COMPUTES; do
    "$BIN" attention --threads "$t" --tokens "$n" --head-dim "$d" --heads "$g" --kv-heads 1 \
      --reps "$REPS" --int8 "$([ "$c" = int8 ] && echo 1 || echo 0)" | tail -1 |
      tee -a "$OUT/attention.csv" >&2
  done
done; done; done; done
/usr/bin/python3 - "$OUT" "$cpu" > "$OUT/table.md" <<'PYEOF'
import csv, sys
out, cpu = sys.argv[1], sys.argv[2]
fma = list(csv.DictReader(open(f"{out}/fma.csv")))
att = list(csv.DictReader(open(f"{out}/attention.csv")))
print(f"CPU: {cpu}; attention on the kernel path {att[0]['path'] if att else '?'}.\n")
print("| kernel path | threads | FMA loop GFLOP/s | per thread | vs 1 thread |")
print("|---|---|---|---|---|")
for r in fma:
    print(f"| {r['path']} | {r['threads']} | {float(r['gflops']):.1f} | {float(r['per_thread']):.1f} | {float(r['vs_1_thread']):.2f} |")
print("\n| compute | threads | tokens | head_dim | query heads per KV head | seconds | GFLOP/s | % of the FMA loop |")
print("|---|---|---|---|---|---|---|---|")
for r in att:
    print(f"| {r['compute']} | {r['threads']} | {int(r['tokens']):,} | {r['head_dim']} | {r['heads']} | "
          f"{float(r['seconds']):.3f} | {float(r['gflops']):.1f} | {float(r['pct_of_peak']):.0f} % |")
PYEOF
cat "$OUT/table.md"
