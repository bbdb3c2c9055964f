#!/usr/bin/env bash
# Checks `plan --search` against real searches (no racing): for each run, the projected
# forward-pass tokens, wall and CPU time vs what `longrope search` printed and took; prints a
# markdown table (docs/benchmarks.md, "Planned vs measured search cost") into
# results/check-plan/table.md. About 5 minutes on 2 quiet cores (3 times that under load).
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
THREADS=${THREADS:-1}            # plan and search alike (0 = all cores); 1 keeps CPU time = idle wall
RUNS=${RUNS:-"st2048 st4096screen fx2048"}
OUT=${OUT:-results/check-plan}
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
PY=/usr/bin/python3
mkdir -p "$OUT"
ST=$SHARED/models/stories260K/stories260K.bin
FX=$SHARED/models/fixture-llama-5m
[ -f "$OUT/st.h5" ] || $BIN tokenize -q --tokenizer "$ST" --output "$OUT/st.h5" \
  --input $(ls "$SHARED"/data/tinystories-like/doc0[1-6].txt) >/dev/null
[ -f "$OUT/fx.h5" ] || $BIN tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" \
  --output "$OUT/fx.h5" >/dev/null

run_args() {  # the search options of run $1
  case $1 in
    st2048) echo "--model $ST --data $OUT/st.h5 --target-length 2048 --samples 5 \
      --hyperparams hyperparams/quick.json --set max_time_budget=4 --search-start-tokens" ;;
    st4096screen) echo "--model $ST --data $OUT/st.h5 --target-length 4096 --samples 3 \
      --hyperparams hyperparams/quick.json --set population_size=12 --set max_time_budget=3 \
      --set parents_size=6 --screen-length 1024 \
      --screen-keep 0.5 --search-start-tokens" ;;
    fx2048) echo "--model $FX --data $OUT/fx.h5 --target-length 2048 --samples 3 \
      --hyperparams hyperparams/quick.json --set max_time_budget=4 --search-start-tokens" ;;
    *) echo "check-plan: unknown run '$1'" >&2; exit 2 ;;
  esac
}

echo "run,projected_tokens,measured_tokens,projected_s,measured_s,projected_cpu_s,measured_cpu_s,load" \
  > "$OUT/runs.csv"
for r in $RUNS; do
  args=$(run_args "$r")
  # shellcheck disable=SC2086
  $BIN plan --search $args --threads "$THREADS" --ranks 1 --json "$OUT/$r.plan.json" > "$OUT/$r.plan.txt"
  rm -rf "$OUT/$r"
  load=$(cut -d' ' -f1 /proc/loadavg)
  TIMEFORMAT='%R %U %S'
  # shellcheck disable=SC2086
  { time $BIN search -q $args --threads "$THREADS" --output-dir "$OUT/$r" > "$OUT/$r.search.txt"; } \
    2> "$OUT/$r.time"
  measured=$(sed -n 's/.*; \([0-9]*\) forward-pass tokens).*/\1/p' "$OUT/$r.search.txt")
  $PY - "$OUT/$r.plan.json" "$r" "$measured" "$OUT/$r.time" "$load" >> "$OUT/runs.csv" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
wall, user, system = map(float, open(sys.argv[4]).read().split()[-3:])
print(f"{sys.argv[2]},{p['tokens']:.0f},{sys.argv[3]},{p['ranks'][0]['seconds']:.1f},{wall:.1f},"
      f"{p['cpu_seconds']:.1f},{user + system:.1f},{sys.argv[5]}")
EOF
  tail -1 "$OUT/runs.csv" >&2
done
$PY - "$OUT/runs.csv" > "$OUT/table.md" <<'EOF'
import csv, sys
print("| run | projected tokens | measured tokens | projected wall | measured wall | measured / "
      "projected | projected CPU | measured CPU | measured / projected | load before |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in csv.DictReader(open(sys.argv[1])):
    w = float(r["measured_s"]) / float(r["projected_s"])
    c = float(r["measured_cpu_s"]) / float(r["projected_cpu_s"])
    print(f"| {r['run']} | {int(r['projected_tokens']):,} | {int(r['measured_tokens']):,} | "
          f"{float(r['projected_s']):.1f} s | {float(r['measured_s']):.1f} s | {w:.2f} | "
          f"{float(r['projected_cpu_s']):.1f} s | {float(r['measured_cpu_s']):.1f} s | {c:.2f} | "
          f"{r['load']} |")
EOF
cat "$OUT/table.md"
