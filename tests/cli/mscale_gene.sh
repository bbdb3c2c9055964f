#!/usr/bin/env bash
# The searched attention factor (--search-mscale; stories260K, 512 -> 2048, tiny budgets):
#  - every candidate's factor archived on the 0.001 grid within the bounds, the seeds at su's;
#  - result_final.json carries it: eval ppl of that file gives the archived PPL, export writes it;
#  - NSGA-II's short objective uses it at L, as a one-set runtime does; MPI ranks get it;
#  - kill -9 + resume ends alike; inspect names the gene; other bounds on resume, the GA, short factors and bad bounds are refused by name.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3; CHK=$ROOT/tests/reference/check_archive.py
if ! "$BIN" search --help | grep -q search-mscale || ! "$BIN" search --help | grep -q cmaes; then
  echo "SKIP: no --search-mscale or no pagmo optimizers"; exit 77
fi
"$BIN" tokenize -q --tokenizer "$ST/stories260K.bin" --output "$T/s.h5" \
  --input "$SHARED"/data/tinystories-like/doc0[1-3].txt >/dev/null
ARGS=(--model "$ST/stories260K.bin" --data "$T/s.h5" --target-length 2048 --samples 1 --seed 2
      --baselines false --threads 1 -q)
jget() { $PY -c "import json,sys; print(repr(json.load(open(sys.argv[1]))[sys.argv[2]]))" "$1" "$2"; }
close() { $PY -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= 1e-8*b else 1)" "$1" "$2"; }

if "$BIN" search "${ARGS[@]}" --optimizer cmaes --set generations=3 --set population_size=6 \
     --search-mscale auto --output-dir "$T/c" >/dev/null 2>"$T/c.err"; then
  $PY "$CHK" check "$T/c/archive.h5" >/dev/null && ok "archive valid" || bad "archive check"
  # s = 4, L = 512: su = 1.10554 (seeds 1.106), auto bounds [1, 1.25 * yarn's 1.13863 = 1.42329].
  $PY - "$T/c/archive.h5" <<'PYEOF' && ok "factors on the grid within [1, 1.423], seeds at 1.106" || bad "archived factors"
import h5py, json, sys, numpy as np
f = h5py.File(sys.argv[1]); g = f["individuals"]; m = g["mscale"][:]
c = json.loads(f.attrs["config"])
ok = (m >= 1.0).all() and (m <= 1.42329).all() and np.allclose(m * 1000, np.round(m * 1000))
ok = ok and (m[g["origin"][:] == 0] == 1.106).all() and len(set(m)) > 1
ok = ok and abs(c["mscale_bounds"][1] - 1.25 * (1 + 0.1 * np.log(4))) < 1e-12
sys.exit(0 if ok else 1)
PYEOF
  m=$(jget "$T/c/result_final.json" mscale); p=$(jget "$T/c/result_final.json" ppl)
  "$BIN" eval ppl -q --model "$ST/stories260K.bin" --data "$T/s.h5" --num-tokens 2048 --samples 1 \
    --rope longrope --factors "$T/c/result_final.json" --threads 1 --output "$T/e.csv" >/dev/null
  got=$(tail -1 "$T/e.csv" | cut -d, -f2)
  close "$got" "$p" && ok "eval ppl of result_final.json (mscale $m) = the archived PPL ($got)" \
    || bad "eval ppl $got vs archived $p (mscale $m)"
  "$BIN" export -q --archive "$T/c/archive.h5" --format json --output "$T/x.json" >/dev/null 2>&1
  [ "$(jget "$T/x.json" attention_factor)" = "$m" ] && ok "export writes attention_factor $m" \
    || bad "export attention_factor $(jget "$T/x.json" attention_factor) vs $m"
  "$BIN" inspect --archive "$T/c/archive.h5" > "$T/i.txt"
  grep -q "^mscale gene  searched in \[1.0,1.42" "$T/i.txt" && grep -q "attention factor $m (searched)" "$T/i.txt" \
    && ok "inspect names the gene and the best's factor" || bad "inspect: $(grep -i mscale "$T/i.txt")"
  # kill -9 mid-run + --resume: the archived factors replay, the run ends on the same result.
  CM=(--optimizer cmaes --set generations=3 --set population_size=6 --search-mscale auto)
  "$BIN" search "${ARGS[@]}" "${CM[@]}" --output-dir "$T/k" >/dev/null 2>&1 &
  pid=$!; sleep 1; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  if [ -f "$T/k/archive.h5" ]; then
    "$BIN" search --resume "$T/k/archive.h5" --threads 1 --baselines false -q >/dev/null 2>&1
  else
    "$BIN" search "${ARGS[@]}" "${CM[@]}" --output-dir "$T/k" >/dev/null 2>&1
  fi
  $PY "$CHK" same "$T/c/archive.h5" "$T/k/archive.h5" >/dev/null \
    && ok "kill -9 + resume: the same archive, factors included" || bad "resumed archive differs"
  out=$("$BIN" search --resume "$T/c/archive.h5" --search-mscale 1:1.2 2>&1)
  [ $? -ne 0 ] && echo "$out" | grep -q 'longrope: error: .*--search-mscale "1:1.2" (the run has "auto")' \
    && ok "resume refuses other bounds" || bad "resume with other bounds: $out"
else
  bad "cmaes --search-mscale run: $(cat "$T/c.err")"
fi

if "$BIN" search "${ARGS[@]}" --optimizer nsga2 --set generations=1 --set population_size=8 \
     --search-mscale 1:1.3 --output-dir "$T/n" >/dev/null 2>"$T/n.err"; then
  want=$(jget "$T/n/result_final.json" short_ppl)
  "$BIN" eval ppl -q --model "$ST/stories260K.bin" --data "$T/s.h5" --num-tokens 512 --samples 1 \
    --rope longrope --factors "$T/n/result_final.json" --target-length 2048 --threads 1 --output "$T/n.csv" >/dev/null
  got=$(tail -1 "$T/n.csv" | cut -d, -f2)
  close "$got" "$want" && ok "nsga2: the knee's short PPL uses its own factor at L ($got)" \
    || bad "nsga2 short PPL $want vs eval ppl $got"
else
  bad "nsga2 --search-mscale run: $(cat "$T/n.err")"
fi

# The factor travels to MPI ranks: a batch optimizer over 3 ranks archives what one process does.
if command -v mpirun >/dev/null; then
  PSO=(--optimizer pso_gen --set generations=2 --set population_size=6 --search-mscale auto)
  "$BIN" search "${ARGS[@]}" "${PSO[@]}" --output-dir "$T/p1" >/dev/null 2>&1
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe --allow-run-as-root \
    -np 3 "$BIN" search "${ARGS[@]}" "${PSO[@]}" --output-dir "$T/p3" >/dev/null 2>&1
  $PY "$ROOT/tests/reference/check_archive.py" same "$T/p1/archive.h5" "$T/p3/archive.h5" >/dev/null \
    && ok "mpirun -np 3: the same archive, factors included" || bad "mpirun archive differs"
fi

refuse "the GA" "--search-mscale is a gene of the pagmo optimizers" --search-mscale auto
refuse "bad bounds" "--search-mscale must be 'auto' or LO:HI" --optimizer cmaes --search-mscale 2:1
refuse "one grid point" "one grid point" --optimizer cmaes --search-mscale 1.1:1.1004
refuse "short factors" "a short-factor search keeps the long factors' own" --optimizer cmaes \
  --search-mscale auto --search-short-factors --long-factors "$T/c/result_final.json"
# A short-factor search beside searched long factors takes their factor, and refuses another.
refuse "another --mscale for searched long factors" "--mscale su differs from the mscale" \
  --search-short-factors --long-factors "$T/c/result_final.json" --mscale su
"$BIN" search "${ARGS[@]}" --search-short-factors --long-factors "$T/c/result_final.json" \
  --set population_size=4 --set max_time_budget=1 --set mutation_numbers=2 --set crossover_size=2 \
  --set parents_size=2 --output-dir "$T/sf" >/dev/null 2>"$T/sf.err"
[ "$(jget "$T/sf/result_final.json" mscale)" = "'$(jget "$T/c/result_final.json" mscale)'" ] \
  && ok "short-factor search keeps the searched long factors' mscale $(jget "$T/sf/result_final.json" mscale)" \
  || bad "short-factor search mscale $(jget "$T/sf/result_final.json" mscale 2>&1 | tail -1): $(cat "$T/sf.err")"
echo "$passes passed, $fails failed"; [ $fails -eq 0 ]
