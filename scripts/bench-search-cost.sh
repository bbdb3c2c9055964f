#!/usr/bin/env bash
# Search efficiency: held-out PPL of the factors a search finds against the forward-pass tokens
# it spent, for the plain GA and the cheaper variants (racing, length screen), over seeds.
#   stories260K 512 -> 4096: search on tinystories-like docs 01-06, judged on 07-12;
#   fixture-llama-5m 256 -> 2048: search on pg19-like/valid, judged on pg19-like/test.
# Finished runs are kept and reused (delete results/search-cost/ to start over). Outputs in
# results/search-cost/: runs.csv (one row per run), curve.csv (held-out PPL of each
# iteration's best vs tokens spent so far), table.md (means over seeds), curve.png (gnuplot).
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
MODELS=${MODELS:-"stories fixture"}
HPS=${HPS:-quick}                 # hyperparams/<name>.json; "quick dim_mono" adds the default size
VARIANTS=${VARIANTS:-"plain racing"}   # plain | racing | racing-z1 (z = 1) | screen | racing-screen | racing-screen-q
                                       # | cmaes | xnes | pso_gen | gaco | pso_gen-screen | gaco-screen | longrope2 | longrope2-cmaes
SEEDS=${SEEDS:-"0 1 2"}
START_TOKENS=${START_TOKENS:-1}   # 1: search n̂ too (as the demo and the paper do)
THREADS=${THREADS:-2}
OUT=${OUT:-results/search-cost}
# ---------------------------------------------------------------------------------------
[ -x build/cli/longrope ] || scripts/setup.sh
BIN=build/cli/longrope
PY=/usr/bin/python3
mkdir -p "$OUT"

setup_model() {  # sets MODEL TARGET SAMPLES SEARCH JUDGE for $1
  case $1 in
    stories)
      MODEL=$SHARED/models/stories260K/stories260K.bin; TARGET=4096; SAMPLES=5
      SEARCH=$OUT/stories-search.h5; JUDGE=$OUT/stories-judge.h5
      [ -f "$SEARCH" ] || $BIN tokenize -q --tokenizer "$MODEL" --output "$SEARCH" \
        --input $(ls "$SHARED"/data/tinystories-like/doc0[1-6].txt) >/dev/null
      [ -f "$JUDGE" ] || $BIN tokenize -q --tokenizer "$MODEL" --output "$JUDGE" \
        --input $(ls "$SHARED"/data/tinystories-like/doc0[7-9].txt "$SHARED"/data/tinystories-like/doc1[0-2].txt) >/dev/null ;;
    fixture)
      MODEL=$SHARED/models/fixture-llama-5m; TARGET=2048; SAMPLES=3
      SEARCH=$OUT/fixture-search.h5; JUDGE=$OUT/fixture-judge.h5
      [ -f "$SEARCH" ] || $BIN tokenize -q --tokenizer "$MODEL" --input "$SHARED/data/pg19-like/valid" --output "$SEARCH" >/dev/null
      [ -f "$JUDGE" ] || $BIN tokenize -q --tokenizer "$MODEL" --input "$SHARED/data/pg19-like/test" --output "$JUDGE" >/dev/null ;;
    *) echo "bench-search-cost: unknown model '$1'" >&2; exit 2 ;;
  esac
}

heldout() {  # factors-file [rope [n̂ [mscale]]] -> held-out PPL at TARGET (truncate, every document)
  local rope=${2:-longrope} extra=()
  [ "$rope" = longrope ] && extra=(--factors "$1")
  [ -n "${3:-}" ] && extra+=(--start-tokens "$3")  # CSV factors carry no n̂; JSON does
  [ -n "${4:-}" ] && extra+=(--mscale "$4")        # nor a searched attention factor
  $BIN eval ppl -q --model "$MODEL" --data "$JUDGE" --num-tokens "$TARGET" --samples 0 \
    --rope "$rope" "${extra[@]}" --threads "$THREADS" --output "$OUT/e-$$.csv" >/dev/null
  tail -1 "$OUT/e-$$.csv" | cut -d, -f2; rm -f "$OUT/e-$$.csv"
}

[ -f "$OUT/runs.csv" ] || echo "model,hp,variant,seed,evaluations,raced_out,tokens,search_ppl,heldout_ppl,wall_s" > "$OUT/runs.csv"
[ -f "$OUT/curve.csv" ] || echo "model,hp,variant,seed,iteration,tokens,heldout_ppl" > "$OUT/curve.csv"
[ -f "$OUT/baselines.csv" ] || echo "model,method,heldout_ppl" > "$OUT/baselines.csv"
for m in $MODELS; do
  setup_model "$m"
  if ! grep -q "^$m,yarn," "$OUT/baselines.csv"; then
    for r in linear ntk yarn; do echo "$m,$r,$(heldout - $r)" >> "$OUT/baselines.csv"; done
  fi
  for hp in $HPS; do for seed in $SEEDS; do for v in $VARIANTS; do  # pairs finish together
    key="$m,$hp,$v,$seed,"
    grep -q "^$key" "$OUT/runs.csv" && continue
    run=$OUT/$m-$hp-$v-s$seed
    extra=(); [ "$START_TOKENS" = 1 ] && extra=(--search-start-tokens)
    case $v in
      plain) ;; racing) extra+=(--racing) ;; racing-z1) extra+=(--racing --racing-z 1) ;;
      # Length screen: children first scored at a quarter of the target, the better half in full.
      screen) extra+=(--screen-length $((TARGET / 4)) --screen-keep 0.5) ;;
      racing-screen) extra+=(--racing --screen-length $((TARGET / 4)) --screen-keep 0.5) ;;
      # The same keeping a quarter: a child costs at most 1/4 + 1/4 of a full evaluation.
      racing-screen-q) extra+=(--racing --screen-length $((TARGET / 4)) --screen-keep 0.25) ;;
      # pagmo2's optimizers with their hyperparams/<optimizer>.json (the GA's file sets the grid).
      cmaes|xnes|pso_gen|gaco) extra+=(--optimizer "$v") ;;
      # The batch optimizers with the length screen (T/4, keeping half).
      pso_gen-screen|gaco-screen) extra+=(--optimizer "${v%-screen}" --screen-length $((TARGET / 4)) --screen-keep 0.5) ;;
      # LongRoPE2: only the pairs above the critical dimension searched (GA, CMA-ES).
      longrope2) extra+=(--critical-dim auto) ;;
      longrope2-cmaes) extra+=(--critical-dim auto --optimizer cmaes) ;;
      # CMA-ES with the attention factor as a gene (--search-mscale auto).
      cmaes-mscale) extra+=(--optimizer cmaes --search-mscale auto) ;;
      *) echo "bench-search-cost: unknown variant '$v'" >&2; exit 2 ;;
    esac
    echo "== $m $hp $v seed $seed" >&2
    t0=$(date +%s.%N)
    if [ -f "$run/archive.h5" ]; then
      $BIN search --resume "$run/archive.h5" --threads "$THREADS" --baselines false -q >/dev/null
    else
      $BIN search --model "$MODEL" --data "$SEARCH" --target-length "$TARGET" --samples "$SAMPLES" \
        --hyperparams "hyperparams/$hp.json" --seed "$seed" --threads "$THREADS" "${extra[@]}" \
        --baselines false -q --output-dir "$run" >/dev/null
    fi
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    # Held-out PPL of every iteration's best, against the tokens spent up to that iteration.
    while read -r it tok nhat ms; do
      echo "$key$it,$tok,$(heldout "$(printf "%s/result_it%03d.csv" "$run" "$it")" longrope "$nhat" "$ms")" >> "$OUT/curve.csv"
    done < <($PY - "$run/archive.h5" <<'PYEOF'
import h5py, sys, numpy as np
f = h5py.File(sys.argv[1]); g = f["individuals"]
it, tok, ids, st = g["iteration"][:], g["tokens"][:], g["id"][:], g["start_tokens"][:]
ms = g["mscale"][:] if "mscale" in g else np.zeros(len(ids))  # --search-mscale runs only
for i, best in zip(f["iterations/iteration"][:], f["iterations/best_id"][:]):
    m = ms[ids == best][0]
    print(i, int(tok[it <= i].sum()), int(st[ids == best][0]), repr(float(m)) if m > 0 else "")
PYEOF
)
    # raced_out: candidates stopped early (raced out, or screened out by the length screen).
    read -r evals out tokens sppl < <($PY -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['evaluations'], j['raced_out'] + j.get('screened_out', 0), j['tokens_processed'], j['ppl'])" "$run/result_final.json")
    echo "$key$evals,$out,$tokens,$sppl,$(heldout "$run/result_final.json"),$wall" >> "$OUT/runs.csv"
  done; done; done
done

$PY - "$OUT" <<'PYEOF'
import csv, sys, collections, statistics as st
out = sys.argv[1]
runs = list(csv.DictReader(open(f"{out}/runs.csv")))
base = collections.defaultdict(dict)
for r in csv.DictReader(open(f"{out}/baselines.csv")):
    base[r["model"]][r["method"]] = float(r["heldout_ppl"])
groups = collections.defaultdict(list)
for r in runs:
    groups[(r["model"], r["hp"], r["variant"])].append(r)
curve = collections.defaultdict(list)  # (model, hp, variant, seed) -> [(tokens, held-out PPL)]
for r in csv.DictReader(open(f"{out}/curve.csv")):
    curve[(r["model"], r["hp"], r["variant"], r["seed"])].append((int(r["tokens"]), float(r["heldout_ppl"])))

def at_half_budget(m, hp, v, rs, best_base, plain):
    """Improvement over the best baseline kept by this variant's best so far once it has spent
    half of the plain GA's tokens (same seed): mean held-out PPL there against the plain GA's
    final mean (ratio of means, as the column before; per-seed ratios explode on tiny gains)."""
    at_half, final = [], []
    for r in rs:
        p = next((q for q in plain if q["seed"] == r["seed"]), None)
        c = sorted(curve.get((m, hp, v, r["seed"]), []))
        within = [h for t, h in c if p and t <= 0.5 * int(p["tokens"])]
        if within:
            at_half.append(within[-1])
            final.append(float(p["heldout_ppl"]))
    gain = best_base - st.mean(final) if final else 0
    return f"{100 * (best_base - st.mean(at_half)) / gain:.0f} %" if gain > 0 else "—"

def to_reach(m, hp, v, rs, plain):
    """Tokens this variant's best so far needed to reach the plain GA's final held-out PPL
    (same seed), as a share of the plain GA's tokens: the mean over the seeds that reached it,
    with how many did."""
    shares, n = [], 0
    for r in rs:
        p = next((q for q in plain if q["seed"] == r["seed"]), None)
        if not p:
            continue
        n += 1
        c = sorted(curve.get((m, hp, v, r["seed"]), []))
        hit = next((t for t, h in c if h <= float(p["heldout_ppl"]) + 1e-9), None)
        if hit is not None:
            shares.append(hit / int(p["tokens"]))
    if not n:
        return "—"
    return (f"{100 * st.mean(shares):.0f} % ({len(shares)} of {n})" if shares else f"never (0 of {n})")

lines = ["| model | hp | variant | seeds | evaluations | raced or screened out | tokens (vs plain) | held-out PPL (mean ± sd) | improvement over best of PI/NTK/YaRN kept | kept at 50 % of plain's tokens | tokens to reach plain's final PPL |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for (m, hp, v), rs in sorted(groups.items()):
    tok = st.mean(int(r["tokens"]) for r in rs)
    ppl = [float(r["heldout_ppl"]) for r in rs]
    seeds = {r["seed"] for r in rs}  # compare with the plain GA on the same seeds only
    plain = [p for p in groups.get((m, hp, "plain"), []) if p["seed"] in seeds]
    ref_tok = st.mean(int(r["tokens"]) for r in plain) if plain else None
    best_base = min(base[m].values()) if base[m] else None
    kept, half = "—", "—"
    if plain and best_base:
        half = at_half_budget(m, hp, v, rs, best_base, plain)
        gain_plain = best_base - st.mean(float(r["heldout_ppl"]) for r in plain)
        if gain_plain > 0:
            kept = f"{100 * (best_base - st.mean(ppl)) / gain_plain:.0f} %"
    rel = f" ({100 * tok / ref_tok:.0f} %)" if ref_tok else ""
    sd = st.stdev(ppl) if len(ppl) > 1 else 0.0
    lines.append(f"| {m} | {hp} | {v} | {len(rs)} | {st.mean(int(r['evaluations']) for r in rs):.0f} | "
                 f"{st.mean(int(r['raced_out']) for r in rs):.0f} | {tok:.3g}{rel} | {st.mean(ppl):.3f} ± {sd:.3f} | {kept} | {half} | {to_reach(m, hp, v, rs, plain)} |")
for m, b in sorted(base.items()):
    lines.append(f"\nheld-out baselines, {m}: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(b.items())))
open(f"{out}/table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PYEOF

if command -v gnuplot >/dev/null; then
  # One panel per model: held-out PPL of the best so far vs tokens, a line per run.
  for m in $MODELS; do
    plots=""
    while IFS=, read -r mm hp v seed; do
      f="$OUT/curve-$mm-$hp-$v-s$seed.dat"
      awk -F, -v k="$mm,$hp,$v,$seed" 'index($0, k ",") == 1 {print $6, $7}' "$OUT/curve.csv" > "$f"
      plots="$plots${plots:+, }'$f' with linespoints title '$hp $v s$seed'"
    done < <(awk -F, -v m="$m" 'NR > 1 && $1 == m {print $1","$2","$3","$4}' "$OUT/runs.csv")
    [ -n "$plots" ] && gnuplot -e "set terminal pngcairo size 900,600; set output '$OUT/curve-$m.png';
      set xlabel 'forward-pass tokens spent'; set ylabel 'held-out PPL of the best so far';
      set title '$m: search cost'; set key outside; set logscale x; plot $plots" 2>/dev/null \
      && echo "plot: $OUT/curve-$m.png" >&2
  done
fi
