#!/usr/bin/env bash
# The projection and FFN matrix products alone (the target "largest GEMMs ≥ 70 % of the FP32 FMA
# peak"): each distinct per-layer matrix of a shape through the engine's matmul, random weights,
# `longrope-bench-model gemm`, best of REPS after a warm-up, 1 and 2 threads.
# SHAPES (default qwen2.5-0.5b), TYPES (default "F32 Q8_0 Q4_K_M"), TOKENS (default 2048),
# THREADS_LIST (default "1 2"), REPS (default 3). Results: results/bench-models/bench-gemm.csv
# (one row per matrix and an "all layers" row per run) and bench-gemm.md (% of the derived peak).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=results/bench-models
mkdir -p "$DIR"
[ -x build/bench/longrope-bench-model ] || scripts/setup.sh
CSV=$DIR/bench-gemm.csv
[ -f "$CSV" ] || echo "shape,file_type,threads,load1,matmul_path,matrix,type,rows,cols,layers,tokens,seconds,gflops" > "$CSV"
read -r peak peak_how < <(scripts/cpu-peak.sh)
for shape in ${SHAPES:-qwen2.5-0.5b}; do
  for type in ${TYPES:-F32 Q8_0 Q4_K_M}; do
    for t in ${THREADS_LIST:-1 2}; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      echo "== $shape $type, $t threads (load $load)" >&2
      OMP_NUM_THREADS=$t build/bench/longrope-bench-model gemm "$shape" "$type" \
        --tokens "${TOKENS:-2048}" --reps "${REPS:-3}" | tail -n +2 |
        sed "s/^/$shape,$type,$t,$load,${LONGROPE_MATMUL:-tile},/" >> "$CSV"
    done
  done
done
{
  echo "Machine: $peak_how; $(nproc) cores online."
  echo
  echo "| shape | type | threads | matmul | tokens | all layers GFLOP/s | % of peak | slowest matrix (any run) | GFLOP/s | runs | load |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  # Best run per (shape, type, threads, path); its slowest matrix from the same run's rows.
  awk -F, -v peak="$peak" 'NR > 1 {
      k = $1 FS $2 FS $3 FS $5
      if ($6 != "all layers") { if (!(k in lo) || $13 + 0 < lo[k] + 0) { lo[k] = $13; lom[k] = $6 " " $7 }; next }
      runs[k]++; if (!(k in best) || $13 + 0 > best[k] + 0) { best[k] = $13; ld[k] = $4; tk[k] = $11 }
      if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
    END { for (i = 1; i <= n; i++) { k = order[i]; split(k, f, FS)
      printf "| %s | %s | %s | %s | %s | %.1f | %.0f %% | %s | %.1f | %d | %s |\n", f[1], f[2], f[3], f[4],
        tk[k], best[k], 100 * best[k] / (peak * f[3]), lom[k], lo[k], runs[k], ld[k] } }' "$CSV"
} | tee "$DIR/bench-gemm.md"
