#!/usr/bin/env bash
# LongRoPE2 mode through the CLI (search --critical-dim): a tiny search on stories260K (4 pairs,
# trained at 512, 512 -> 1024) and a needle-fitness one on the fixture model. result_final.json
# must have pairs >= K at >= s and pairs below on λ_K^(i/K) (to the 0.01 grid); every archived
# individual must satisfy the constraint; bad values are one error line naming --critical-dim.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3; CHK=$ROOT/tests/reference/check_archive.py
"$BIN" tokenize -q --tokenizer "$ST/stories260K.bin" --input "$SHARED"/data/tinystories-like/doc0[1-3].txt \
  --output "$T/stories.h5" >/dev/null
SMALL=(--set population_size=6 --set max_time_budget=2 --set mutation_numbers=2 --set crossover_size=2
       --set parents_size=3 --baselines false -q --threads 2)

# $1 result_final.json, $2 expected K, $3 s: the factors follow the LongRoPE2 constraint.
follows() {
  $PY - "$1" "$2" "$3" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1])); k, s = int(sys.argv[2]), float(sys.argv[3]); f = j["factors"]
assert j["critical_pair"] == k, f"critical_pair {j['critical_pair']} != {k}"
assert all(v >= s - 1e-9 for v in f[k:]), f"pairs >= {k} below s: {f}"
assert all(abs(f[i] - f[k] ** (i / k)) <= 0.005 + 1e-9 for i in range(k)), f"not on the curve: {f}"
assert f[0] == 1.0 and all(b >= a for a, b in zip(f, f[1:])), f"not monotonic from 1: {f}"
print(f)
PYEOF
}

"$BIN" search --model "$ST/stories260K.bin" --data "$T/stories.h5" --target-length 1024 --samples 1 \
  --critical-dim auto "${SMALL[@]}" --output-dir "$T/a" >/dev/null 2>"$T/a.err" \
  && f=$(follows "$T/a/result_final.json" 2 2.0) \
  && $PY "$CHK" check "$T/a/archive.h5" >/dev/null \
  && ok "stories260K --critical-dim auto: K = 2, pairs 2-3 >= s, 0-1 on the curve: $f" \
  || bad "stories260K --critical-dim auto: $(cat "$T/a.err")"

"$BIN" search --resume "$T/a/archive.h5" --critical-dim 3 -q --baselines false >/dev/null 2>"$T/r.err"
[ $? -eq 2 ] && grep -q -- '--critical-dim "3" (the run has "auto")' "$T/r.err" \
  && ok "--resume with another --critical-dim: refused" || bad "--resume --critical-dim 3: $(cat "$T/r.err")"

"$BIN" search --model "$FX" --fitness needle --target-length 512 --samples 1 --critical-dim 20 \
  "${SMALL[@]}" --output-dir "$T/n" >/dev/null 2>"$T/n.err" \
  && f=$(follows "$T/n/result_final.json" 20 2.0) && $PY "$CHK" check "$T/n/archive.h5" >/dev/null \
  && ok "fixture --fitness needle --critical-dim 20: constrained" \
  || bad "needle --critical-dim 20: $(cat "$T/n.err")"

refused() {  # $1 what is expected in the one error line; the rest: extra options
  local want=$1; shift
  "$BIN" search --model "$ST/stories260K.bin" --data "$T/stories.h5" --target-length 1024 --samples 1 \
    "${SMALL[@]}" --output-dir "$T/x" "$@" >/dev/null 2>"$T/x.err"
  local rc=$?
  if [ $rc -eq 2 ] && [ "$(grep -c '^longrope: error: ' "$T/x.err")" = 1 ] && grep -q -- "$want" "$T/x.err"; then
    ok "refused: $* ($want)"
  else
    bad "$* -> rc $rc: $(cat "$T/x.err")"
  fi
}
refused "--critical-dim 4: the critical pair must be in 1..3" --critical-dim 4
refused "--critical-dim 0: the critical pair must be in 1..3" --critical-dim 0
refused "--critical-dim must be 'auto' or" --critical-dim two
refused "--critical-dim works with --algorithm dim_mono" --critical-dim auto --algorithm dim_piece_mono
refused "--critical-dim bounds long factors by s" --critical-dim auto --search-short-factors
echo "$passes passed, $fails failed"; [ $fails -eq 0 ]
