#!/usr/bin/env bash
# Search through the CLI with the real engine (fixture model, 256 -> 512 tokens, tiny budget):
#  - --parallel-candidates 2 and `mpirun -np 3` produce the same archive as one process;
#  - SIGKILL at several points + --resume ends with the same final factors, n̂ and PPL;
#  - every archived individual satisfies the constraints; eval ppl takes result_final.json.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3; CHK=$ROOT/tests/reference/check_archive.py
"$BIN" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/books.h5" >/dev/null
ARGS=(--model "$FX" --data "$T/books.h5" --target-length 512 --samples 1 --seed 3 --search-start-tokens
      --set population_size=6 --set max_time_budget=3 --set mutation_numbers=2 --set crossover_size=2
      --set parents_size=3 --baselines false -q)

"$BIN" search "${ARGS[@]}" --threads 1 --output-dir "$T/a" >/dev/null || bad "reference run"
$PY "$CHK" check "$T/a/archive.h5" >/dev/null && ok "constraint checker: reference archive" || bad "constraints"
[ -f "$T/a/result_final.csv" ] && [ -f "$T/a/result_it003.csv" ] && ok "result CSVs written" || bad "result CSVs"

"$BIN" search "${ARGS[@]}" --threads 2 --parallel-candidates 2 --output-dir "$T/p" >/dev/null \
  && $PY "$CHK" same "$T/a/archive.h5" "$T/p/archive.h5" >/dev/null \
  && ok "--parallel-candidates 2 gives the same archive" || bad "parallel candidates differ"

if command -v mpirun >/dev/null; then
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe --allow-run-as-root -np 3 "$BIN" search "${ARGS[@]}" --threads 1 \
    --output-dir "$T/m" >/dev/null 2>"$T/mpi.err" \
    && $PY "$CHK" same "$T/a/archive.h5" "$T/m/archive.h5" >/dev/null \
    && ok "mpirun -np 3 gives the same archive" || { bad "mpirun -np 3"; cat "$T/mpi.err"; }
else
  bad "mpirun not installed"
fi

final() { $PY -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['factors'], j['start_tokens'], repr(j['ppl']))" "$1"; }
want=$(final "$T/a/result_final.json")
for delay in 0.3 0.9 1.6 2.4; do
  d="$T/k$delay"
  "$BIN" search "${ARGS[@]}" --threads 1 --output-dir "$d" >/dev/null 2>&1 &
  pid=$!; sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  n=$( [ -f "$d/archive.h5" ] && $PY -c "import h5py,sys; print(len(h5py.File(sys.argv[1])['individuals/id']))" "$d/archive.h5" || echo 0)
  if [ -f "$d/archive.h5" ]; then
    "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >/dev/null 2>&1
  else  # killed before the first evaluation finished: nothing to resume, start again
    "$BIN" search "${ARGS[@]}" --threads 1 --output-dir "$d" >/dev/null 2>&1
  fi
  got=$(final "$d/result_final.json" 2>/dev/null)
  if [ "$got" = "$want" ] && $PY "$CHK" same "$T/a/archive.h5" "$d/archive.h5" >/dev/null; then
    ok "SIGKILL after ${delay}s ($n evaluations kept) + resume: identical result"
  else
    bad "kill at ${delay}s: got '$got' want '$want'"
  fi
done

# --resume with the options the run was started with (incl. --hyperparams, compared by the values
# it gives, by any path): accepted; a differing option refused, naming each; --threads may differ.
printf '{"population_size": 6, "max_time_budget": 3, "mutation_numbers": 2, "crossover_size": 2, "parents_size": 3}\n' > "$T/hp.json"
"$BIN" search "${ARGS[@]}" --hyperparams "$T/hp.json" --threads 1 --output-dir "$T/h" >/dev/null || bad "run with --hyperparams"
cp "$T/h/result_final.csv" "$T/h.csv"; rm -f "$T/h/result_final."*
"$BIN" search --resume "$T/h/archive.h5" "${ARGS[@]}" --hyperparams "$T/./hp.json" --threads 1 \
  --output-dir "$T/h" >/dev/null 2>"$T/h.err" && [ "$(final "$T/h/result_final.json")" = "$want" ] \
  && cmp -s "$T/h.csv" "$T/h/result_final.csv" && $PY "$CHK" same "$T/a/archive.h5" "$T/h/archive.h5" >/dev/null \
  && ok "--resume with the run's own options (incl. --hyperparams): accepted, same result" \
  || bad "--resume with the run's own options: $(cat "$T/h.err")"
"$BIN" search --resume "$T/h/archive.h5" "${ARGS[@]}" --threads 2 --parallel-candidates 2 >/dev/null 2>"$T/h.err" \
  && [ "$(final "$T/h/result_final.json")" = "$want" ] \
  && ok "--resume with another --threads / --parallel-candidates: accepted" || bad "--resume --threads 2: $(cat "$T/h.err")"
"$BIN" search --resume "$T/h/archive.h5" --samples 2 --seed 3 -q >/dev/null 2>"$T/h.err"
grep -q -- "^longrope: error: .*conflicting: --samples 2 (the run has 1)$" "$T/h.err" \
  && ok "--resume with one differing option: refused, naming it alone" || bad "--resume --samples 2: $(cat "$T/h.err")"
"$BIN" search --resume "$T/h/archive.h5" --samples 2 --seed 4 --set parents_size=2 -q >/dev/null 2>"$T/h.err"
[ "$(grep -c 'longrope: error:' "$T/h.err")" = 1 ] && grep -q -- "--samples 2 .*--seed 4 .*--set/--hyperparams parents_size=2" "$T/h.err" \
  && ok "--resume with three differing options: one error line naming each" || bad "--resume, three differing: $(cat "$T/h.err")"
printf '{"population_size": 8}\n' > "$T/hp8.json"
"$BIN" search --resume "$T/h/archive.h5" --hyperparams "$T/hp8.json" -q >/dev/null 2>"$T/h.err"
grep -q -- "--set/--hyperparams population_size=8 (the run has 6)" "$T/h.err" \
  && ok "--resume with a --hyperparams file of other values: refused, naming the value" || bad "--resume hp8: $(cat "$T/h.err")"

# eval ppl of RESULT_JSON at LENGTH reproduces its archived PPL to 1e-6 relative.
reproduces() {  # label result.json length
  local best got
  best=$($PY -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['ppl']))" "$2")
  "$BIN" eval ppl -q --model "$FX" --data "$T/books.h5" --num-tokens "$3" --samples 1 --rope longrope \
    --factors "$2" --output "$T/e.csv" >/dev/null
  got=$(tail -1 "$T/e.csv" | cut -d, -f2)
  awk -v a="$got" -v b="$best" 'BEGIN{d=a/b-1; if(d<0)d=-d; exit !(d<1e-6)}' \
    && ok "$1 reproduces the archived PPL ($got)" || bad "$1: $got vs $best"
}
reproduces "eval ppl --factors result_final.json" "$T/a/result_final.json" 512
# Short factors: searched at L beside fixed long factors, deployed by length (HF rule).
$PY -c "print('\n'.join(str(1 + 0.05 * i) for i in range(32)))" > "$T/long.csv"
"$BIN" search --model "$FX" --data "$T/books.h5" --target-length 512 --samples 1 --seed 3 \
  --search-short-factors --long-factors "$T/long.csv" --set population_size=4 --set max_time_budget=2 \
  --set mutation_numbers=2 --set crossover_size=2 --set parents_size=2 --threads 2 -q \
  --output-dir "$T/short" >/dev/null || bad "short-factor search"
$PY "$CHK" check "$T/short/archive.h5" >/dev/null && ok "constraint checker: short archive (λ <= s)" || bad "short constraints"
$PY - "$T/short/result_final.json" "$T/long.csv" <<'PYEOF' && ok "short search: pair in result_final.json, λ in [1, s], monotonic" || bad "short result"
import json, sys
j = json.load(open(sys.argv[1])); long = [float(x) for x in open(sys.argv[2])]
sf = j["short_factor"]
assert "factors" not in j and j["long_factor"] == long and j["start_tokens"] == 0, j
assert all(1 <= x <= j["scale"] + 1e-9 for x in sf) and sf == sorted(sf), sf
PYEOF
reproduces "eval ppl of the long/short pair at L" "$T/short/result_final.json" 256
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
