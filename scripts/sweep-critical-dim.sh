#!/usr/bin/env bash
# LongRoPE2's critical-dimension sweep: one search per critical pair K (search --critical-dim K),
# as the paper sweeps it by separate runs, then the best by fitness PPL.
# Defaults: stories260K (4 pairs, trained at 512) at 8x (512 -> 4096), hyperparams/quick.json,
# tinystories-like documents 01-06; "off" in DIMS adds the plain GA for comparison. For
# LLaMA3-8B (auto = 35) e.g. DIMS="31 33 35 37 auto".
# Outputs: $OUT/k<K>/ (each run, resumed when its archive exists), $OUT/sweep.csv, and one line
# "sweep: best ..." on stdout. Set SHARED when the test assets are not at ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
DIMS=${DIMS:-"off 1 2 3"}                   # critical pairs to try: numbers, auto, off
MODEL=${MODEL:-$SHARED/models/stories260K/stories260K.bin}
TARGET=${TARGET:-4096}
SAMPLES=${SAMPLES:-5}
HYPERPARAMS=${HYPERPARAMS:-hyperparams/quick.json}
SEED=${SEED:-0}
OUT=${OUT:-results/sweep-critical-dim-$(basename "${MODEL%.*}")-$TARGET}
EXTRA=${EXTRA:-}                            # more flags for every run, e.g. "--fitness needle"
# ---------------------------------------------------------------------------------------
mkdir -p "$OUT"
csv=$OUT/sweep.csv
echo "critical_dim,critical_pair,ppl,start_tokens,evaluations,factors" > "$csv"
for k in $DIMS; do
  flag=""; [ "$k" != off ] && flag="--critical-dim $k"
  echo "== sweep: critical dim $k" >&2
  SHARED=$SHARED MODEL=$MODEL TARGET=$TARGET SAMPLES=$SAMPLES HYPERPARAMS=$HYPERPARAMS SEED=$SEED \
    OUT=$OUT/k$k EXTRA="$flag --baselines false $EXTRA" scripts/search.sh >&2
  /usr/bin/env python3 - "$OUT/k$k/result_final.json" "$k" >> "$csv" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
f = " ".join(f"{v:g}" for v in j["factors"])
print(f'{sys.argv[2]},{j.get("critical_pair", -1)},{j["ppl"]:.6f},{j["start_tokens"]},{j.get("evaluations", "")},{f}')
PYEOF
done
best=$(tail -n +2 "$csv" | sort -t, -k3,3g | head -1)
IFS=, read -r bk bp bppl bn _ bf <<< "$best"
echo "sweep: best critical dim $bk (pair $bp): fitness PPL $bppl, n̂ $bn, factors [$bf] ($csv)"
