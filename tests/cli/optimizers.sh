#!/usr/bin/env bash
# The pagmo2 optimizers through the CLI (stories260K, 512 -> 2048, tiny budgets):
#  - --optimizer cmaes / nsga2 run, archive valid candidates, record the optimizer and settings;
#  - the same seed gives the same archive; SIGKILL + --resume ends on the same result;
#  - --max-evaluations stops between generations; resume refuses changed settings;
#  - racing, a screen without a batch, unknown optimizers and settings are refused by name.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3; CHK=$ROOT/tests/reference/check_archive.py
if ! "$BIN" search --help | grep -q cmaes; then echo "SKIP: no --optimizer"; exit 77; fi
"$BIN" tokenize -q --tokenizer "$ST/stories260K.bin" --output "$T/s.h5" \
  --input "$SHARED"/data/tinystories-like/doc0[1-3].txt >/dev/null
ARGS=(--model "$ST/stories260K.bin" --data "$T/s.h5" --target-length 2048 --samples 1 --seed 4
      --search-start-tokens --baselines false --threads 1 -q)
final() { $PY -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['factors'], j['start_tokens'], repr(j['ppl']), j['evaluations'])" "$1"; }
cfg() { $PY -c "import h5py,json,sys; c=json.loads(h5py.File(sys.argv[1]).attrs['config']); print(c.get('optimizer'), json.dumps(c.get('optimizer_settings'), sort_keys=True))" "$1"; }

if "$BIN" search "${ARGS[@]}" --optimizer cmaes --set generations=3 --set population_size=6 \
     --output-dir "$T/c" >/dev/null 2>"$T/c.err"; then
  $PY "$CHK" check "$T/c/archive.h5" >/dev/null && ok "cmaes: every archived candidate feasible" || bad "cmaes constraints"
  cfg "$T/c/archive.h5" | grep -q '^cmaes .*"generations": 3.*"population_size": 6.*"sigma0": 0.25' \
    && ok "cmaes: optimizer and settings archived" || bad "cmaes config: $(cfg "$T/c/archive.h5")"
  n=$(final "$T/c/result_final.json" | awk '{print $NF}')
  [ "$n" -ge 7 ] && [ "$n" -le 24 ] && ok "cmaes: $n evaluations (seeds + 3 x 6 at most)" || bad "cmaes evaluations $n"
else
  bad "cmaes run: $(cat "$T/c.err")"
fi
"$BIN" search "${ARGS[@]}" --optimizer cmaes --set generations=3 --set population_size=6 \
  --output-dir "$T/c2" >/dev/null 2>&1 && $PY "$CHK" same "$T/c/archive.h5" "$T/c2/archive.h5" >/dev/null \
  && ok "cmaes: same seed, same archive" || bad "cmaes: same seed differs"

want=$(final "$T/c/result_final.json")
for delay in 0.5 1.5; do
  d="$T/k$delay"
  "$BIN" search "${ARGS[@]}" --optimizer cmaes --set generations=3 --set population_size=6 \
    --output-dir "$d" >/dev/null 2>&1 &
  pid=$!; sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  if [ -f "$d/archive.h5" ]; then
    "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >/dev/null 2>&1
  else
    "$BIN" search "${ARGS[@]}" --optimizer cmaes --set generations=3 --set population_size=6 \
      --output-dir "$d" >/dev/null 2>&1
  fi
  [ "$(final "$d/result_final.json")" = "$want" ] && ok "cmaes: kill -9 after ${delay}s + resume, same result" \
    || bad "cmaes resume after ${delay}s: $(final "$d/result_final.json") vs $want"
done
"$BIN" inspect --archive "$T/c/archive.h5" | grep -q '^optimizer    cmaes {.*"sigma0":0.25' \
  && ok "inspect names the optimizer and its settings" || bad "inspect: no optimizer line"
out=$("$BIN" search --resume "$T/c/archive.h5" --set sigma0=0.5 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "longrope: error: .*sigma0=0.5 (the run has 0.25)" \
  && ok "resume refuses another sigma0" || bad "resume with another sigma0: $out"

if "$BIN" search "${ARGS[@]}" --optimizer nsga2 --set generations=2 --set population_size=8 \
     --output-dir "$T/n" >/dev/null 2>"$T/n.err"; then
  $PY - "$T/n/archive.h5" <<'PYEOF' && ok "nsga2: both objectives archived (short at L)" || bad "nsga2 short PPL"
import h5py, sys, numpy as np
g = h5py.File(sys.argv[1])["individuals"]
s = g["short_ppl"][:]
sys.exit(0 if len(s) >= 8 and (s > 1).all() and (g["ppl"][:] > 1).all() else 1)
PYEOF
  # The short objective is what a one-set runtime computes at L: the factors with the target's
  # attention factor (eval ppl's deployed rule, --target-length), to the printed digits.
  want=$($PY -c "import json,sys; print('%.9f' % json.load(open(sys.argv[1]))['short_ppl'])" "$T/n/result_final.json")
  "$BIN" eval ppl -q --model "$ST/stories260K.bin" --data "$T/s.h5" --num-tokens 512 --samples 1 \
    --rope longrope --factors "$T/n/result_final.json" --target-length 2048 --threads 1 --output "$T/n.csv" >/dev/null
  got=$(tail -1 "$T/n.csv" | cut -d, -f2)
  $PY -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= 1e-8*b else 1)" "$got" "$want" \
    && ok "nsga2: the knee's short PPL = eval ppl at L with the target's attention factor ($got)" \
    || bad "nsga2 short PPL $want vs eval ppl $got"
else
  bad "nsga2 run: $(cat "$T/n.err")"
fi

"$BIN" search "${ARGS[@]}" --optimizer xnes --set generations=4 --set population_size=6 \
  --max-evaluations 8 --output-dir "$T/b" >/dev/null 2>&1
n=$(final "$T/b/result_final.json" | awk '{print $NF}')
[ "${n:-0}" -ge 8 ] && [ "${n:-99}" -lt 14 ] && ok "--max-evaluations 8 stops after the generation reaching it ($n)" \
  || bad "--max-evaluations: $n evaluations"

refuse "unknown optimizer" "unknown optimizer 'adam'" --optimizer adam
refuse "racing with cmaes" "--racing.*--optimizer ga" --optimizer cmaes --racing
refuse "screen with cmaes" "--screen-length.*one candidate at a time" --optimizer cmaes --screen-length 512
refuse "unknown setting" "unknown hyperparameter 'sigma'" --optimizer cmaes --set sigma=0.3
refuse "bad sigma0" "sigma0 must be in" --optimizer xnes --set sigma0=2
refuse "nsga2 population" "multiple of 4" --optimizer nsga2 --set population_size=10
refuse "settings file with the GA" "--optimizer-settings" --optimizer-settings hyperparams/cmaes.json
echo "$passes passed, $fails failed"; [ $fails -eq 0 ]
