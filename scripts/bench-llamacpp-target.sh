#!/usr/bin/env bash
# The llama.cpp-mode search target: stories260K 512 -> 4096 judged like
# llama-perplexity (--mode llamacpp) on tinystories-like docs 07-12, long factors searched on
# docs 01-06, short factors beside them keeping PPL at 512. Also what each part buys: fitness
# (llama.cpp chunks vs Truncate documents), n̂, the short factors.
# Finished runs are reused (delete results/llamacpp-target/ to start over), an interrupted one
# resumes. Outputs in results/llamacpp-target/: table.md, judged.csv, one folder per search.
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
SEEDS=${SEEDS:-0}
HP=${HP:-dim_mono}                # long-factor search size (hyperparams/<name>.json)
SHORT_HP=${SHORT_HP:-quick}       # short-factor search size
SAMPLES=${SAMPLES:-5}             # llama.cpp chunks of 4096 per evaluation (the shard has 14)
MSCALES=${MSCALES:-"su one"}      # attention factor of the long search: su (the default) | one | X
THREADS=${THREADS:-1}
OUT=${OUT:-results/llamacpp-target}
COST=${COST:-results/search-cost}  # Truncate-fitness runs of bench-search-cost.sh, if any
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
PY=/usr/bin/python3
MODEL=$SHARED/models/stories260K/stories260K.bin
mkdir -p "$OUT"
SEARCH=$OUT/search.h5; JUDGE=$OUT/judge.h5
[ -f "$SEARCH" ] || $BIN tokenize -q --tokenizer "$MODEL" --output "$SEARCH" \
  --input $(ls "$SHARED"/data/tinystories-like/doc0[1-6].txt) >/dev/null
[ -f "$JUDGE" ] || $BIN tokenize -q --tokenizer "$MODEL" --output "$JUDGE" \
  --input $(ls "$SHARED"/data/tinystories-like/doc0[7-9].txt "$SHARED"/data/tinystories-like/doc1[0-2].txt) >/dev/null

search() {  # dir args... : runs, or resumes, a search into dir
  local dir=$1; shift
  if [ -f "$dir/result_final.json" ]; then return; fi
  if [ -f "$dir/archive.h5" ]; then
    $BIN search --resume "$dir/archive.h5" --threads "$THREADS" -q >/dev/null
  else
    $BIN search "$@" --threads "$THREADS" -q --output-dir "$dir" >/dev/null
  fi
}

judge() {  # label args... : llama.cpp-mode PPL at 512 and 4096 on the held-out docs (once)
  local label=$1; shift
  local have; have=$(awk -F, -v l="$label" '$1 == l' "$OUT/judged.csv")
  [ -n "$have" ] && { echo "$have"; return; }
  $BIN eval ppl -q --model "$MODEL" --data "$JUDGE" --num-tokens 512,4096 --samples 0 \
    --mode llamacpp --threads "$THREADS" "$@" --output "$OUT/j-$$.csv" >/dev/null
  echo "$label,$(sed -n 2p "$OUT/j-$$.csv" | cut -d, -f2),$(sed -n 3p "$OUT/j-$$.csv" | cut -d, -f2)" | tee -a "$OUT/judged.csv"
  rm -f "$OUT/j-$$.csv"
}

[ -f "$OUT/judged.csv" ] || echo "factors,ppl_512,ppl_4096" > "$OUT/judged.csv"
for r in none linear ntk yarn; do judge "$r" --rope "$r"; done
for seed in $SEEDS; do for ms in $MSCALES; do
  tag=$([ "$ms" = su ] && echo "s$seed" || echo "$ms-s$seed")
  long=$OUT/long-$HP-racing-$tag; short=$OUT/short-$tag
  echo "== $tag: long factors ($HP, llama.cpp chunks, racing, n̂ searched, mscale $ms)" >&2
  search "$long" --model "$MODEL" --data "$SEARCH" --target-length 4096 --samples "$SAMPLES" \
    --fitness llamacpp --hyperparams "hyperparams/$HP.json" --seed "$seed" --racing \
    --search-start-tokens --mscale "$ms"
  echo "== $tag: short factors ($SHORT_HP, llama.cpp chunks of 512)" >&2
  search "$short" --model "$MODEL" --data "$SEARCH" --target-length 4096 --samples "$SAMPLES" \
    --fitness llamacpp --hyperparams "hyperparams/$SHORT_HP.json" --seed "$seed" --mscale "$ms" \
    --search-short-factors --long-factors "$long/result_final.json"
  nhat=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['start_tokens'])" "$long/result_final.json")
  dep=(--rope longrope --target-length 4096 --factors "$long/result_final.json")
  judge "$tag long+short (deployed rule; n̂=$nhat)" "${dep[@]}" --short-factors "$short/result_final.csv"
  judge "$tag long+short (deployed rule; n̂=0 as llama.cpp computes)" "${dep[@]}" \
    --short-factors "$short/result_final.csv" --start-tokens 0
  printf '1\n1\n1\n1\n' > "$OUT/ones.csv"  # stories260K: head_dim 8, 4 pairs
  judge "$tag long+ones as short (deployed rule; n̂=$nhat)" "${dep[@]}" --short-factors "$OUT/ones.csv"
  judge "$tag long alone (n̂=$nhat)" --rope longrope --factors "$long/result_final.json"
  [ "$ms" = su ] || continue
  for v in plain racing; do  # the same budget with the Truncate fitness (bench-search-cost.sh)
    f=$COST/stories-$HP-$v-s$seed/result_final.json
    [ -f "$f" ] && judge "$tag long alone; Truncate fitness ($v)" --rope longrope --factors "$f"
  done
done; done
$PY - "$OUT" <<'PYEOF'
import csv, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/judged.csv")))
lines = ["| factors (held-out docs 07-12, llama.cpp chunks) | PPL @512 | PPL @4096 |", "|---|---|---|"]
lines += [f"| {r['factors']} | {float(r['ppl_512']):.3f} | {float(r['ppl_4096']):.3f} |" for r in rows]
open(f"{out}/table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PYEOF
