#!/usr/bin/env bash
# The benchmark matrix on random-weight models of real shapes (scripts/make-bench-model.sh,
# written into results/bench-models/ when missing): qwen2.5-0.5b in F32/F16/Q8_0/Q4_K_M at 2048
# and 8192 tokens, qwen2.5-1.5b Q4_K_M likewise, llama-7b Q4_K_M at 2048; 1 and 2 threads each;
# the PyTorch reference for F32 0.5B only (the one that fits in memory beside everything else).
# ONLY=REGEX picks rows by "shape type" (e.g. ONLY=0.5b), THREADS_LIST (e.g. 2) overrides
# "1 2"; LENGTHS_7B (default 2048) and REF_LENGTHS (default 2048 8192) shorten the slow rows;
# REFERENCE=0 skips PyTorch. Results: results/bench-models/
# bench-shapes.csv and .md (table + projected wall time of a full default search).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=results/bench-models
mkdir -p "$DIR"
[ -x build/cli/longrope ] && [ -x build/bench/longrope-bench-model ] || scripts/setup.sh
ROWS=(  # shape type lengths threads reference
  "qwen2.5-0.5b F32 2048,8192 1,2 1"
  "qwen2.5-0.5b F16 2048,8192 1,2 0"
  "qwen2.5-0.5b Q8_0 2048,8192 1,2 0"
  "qwen2.5-0.5b Q4_K_M 2048,8192 1,2 0"
  "qwen2.5-1.5b Q4_K_M 2048,8192 1,2 0"
  "llama-7b Q4_K_M ${LENGTHS_7B:-2048} 1,2 0"
)
CSV=$DIR/bench-shapes.csv
[ -f "$CSV" ] || echo "shape,type,file_mib,load1,impl,length,threads,tokens_per_s,gflops,pct_peak,ppl,peak_rss_mib,cpu_s,wall_s" > "$CSV"
for row in "${ROWS[@]}"; do
  read -r shape type lengths threads ref <<<"$row"
  [[ "$shape $type" =~ ${ONLY:-.} ]] || continue
  model=$DIR/$shape.$type.gguf
  [ -f "$model" ] || nice -n 10 scripts/make-bench-model.sh "$shape" "$type" "$model"
  mib=$(du -m --apparent-size "$model" | cut -f1)
  [ "${REFERENCE:-1}" = 1 ] || ref=0
  for t in ${THREADS_LIST:-${threads//,/ }}; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "== $shape $type, $t threads, lengths ${lengths//,/ } (load $load)"
    nice -n 10 env MODEL="$model" LENGTHS="${lengths//,/ }" THREADS=$t REFERENCE=0 \
      CSV="$DIR/last.csv" scripts/bench-ppl.sh
    tail -n +2 "$DIR/last.csv" | sed "s/^/$shape,$type,$mib,$load,/" >> "$CSV"
    if [ "$ref" = 1 ]; then  # the reference separately: its lengths may differ
      nice -n 10 env MODEL="$model" LENGTHS="${REF_LENGTHS:-2048 8192}" THREADS=$t REFERENCE=1 ENGINE=0 \
        CSV="$DIR/last.csv" scripts/bench-ppl.sh >/dev/null || true
      grep '^pytorch' "$DIR/last.csv" | sed "s/^/$shape,$type,$mib,$load,/" >> "$CSV"
    fi
  done
done
rm -f "$DIR/last.csv"

# The table and the projection from every run so far (re-running rows adds runs; the machine is
# shared, so each cell is the best tok/s of its runs, with the load average before that run).
# A full default search is 64 + 40×32 = 1344 evaluations of 5 documents × 2048 tokens.
read -r _ peak_how < <(scripts/cpu-peak.sh)
{
  echo "Machine: $peak_how; $(nproc) cores online."
  echo
  echo "| shape | type | file MiB | impl | threads | tokens | tok/s | GFLOP/s | % of peak | PPL | peak RSS MiB | CPU s | runs | load |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  tail -n +2 "$CSV" | awk -F, '{k=$1 FS $2 FS $5 FS $6 FS $7; runs[k]++
      if(!(k in best) || $8+0 > best[k]+0){best[k]=$8; row[k]=$0}
      if(!(k in seen)){seen[k]=1; order[++n]=k}}
    END {for(i=1;i<=n;i++){k=order[i]; split(row[k],f,",");
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n",
        f[1],f[2],f[3],f[5],f[7],f[6],f[8],f[9],f[10],f[11],f[12],f[13],runs[k],f[4]}}'
  echo
  echo "Projected full default search (1344 evaluations × 5 documents × 2048 tokens, 2 threads):"
  tail -n +2 "$CSV" | awk -F, '$1=="qwen2.5-0.5b" && $5=="longrope" && $6==2048 && $7==2 && $8+0>tps[$2]+0 {tps[$2]=$8}
    END {for (t in tps) printf "- qwen2.5-0.5b %s: %.1f tok/s, %.0f s per evaluation, %.1f h\n", t, tps[t], 5*2048/tps[t], 1344*5*2048/tps[t]/3600}'
} | tee "$DIR/bench-shapes.md"
