#!/usr/bin/env bash
# Search-cost options through the CLI with the real engine (fixture, 256 -> 512, tiny budget):
#  - --racing: fewer forward-pass tokens than the plain GA; the same archive with
#    --parallel-candidates 2 and under mpirun; SIGKILL + --resume ends identically;
#  - --fitness needle (passkey fixture): scores passkey prompts, no --data needed;
#  - --fitness llamacpp: the best's fitness is `eval ppl --mode llamacpp` of its factors;
#  - --screen-length: half of each generation screened out at 128 tokens, fewer tokens,
#    SIGKILL + --resume ends identically;
#  - refused combinations.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3; CHK=$ROOT/tests/reference/check_archive.py
PK=$SHARED/models/fixture-passkey-3m
"$BIN" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/books.h5" >/dev/null
ARGS=(--model "$FX" --data "$T/books.h5" --target-length 512 --samples 4 --seed 5
      --set population_size=8 --set max_time_budget=4 --set mutation_numbers=3 --set crossover_size=3
      --set parents_size=4 --baselines false -q)
field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

"$BIN" search "${ARGS[@]}" --threads 1 --output-dir "$T/plain" >/dev/null || bad "plain run"
"$BIN" search "${ARGS[@]}" --racing --threads 1 --output-dir "$T/race" >/dev/null || bad "racing run"
tp=$(field "$T/plain/result_final.json" tokens_processed); tr=$(field "$T/race/result_final.json" tokens_processed)
out=$(field "$T/race/result_final.json" raced_out)
[ "$out" -gt 0 ] && [ "$tr" -lt "$tp" ] && ok "racing: $out raced out, $tr tokens vs $tp plain" \
  || bad "racing saved nothing: $out raced out, $tr vs $tp tokens"
$PY "$CHK" check "$T/race/archive.h5" >/dev/null && ok "constraint checker: racing archive" || bad "racing constraints"
$PY - "$T/race/archive.h5" <<'PYEOF' && ok "archive: raced-out candidates keep their partial record" || bad "racing records"
import h5py, sys, numpy as np
g = h5py.File(sys.argv[1])["individuals"]
rej, sc, tok, nll = g["rejected"][:], g["items_scored"][:], g["tokens"][:], g["item_nll"][:]
n = nll.shape[1]  # documents long enough for 512 tokens (3 of the 4 asked for)
assert n == 3 and rej.any(), (n, rej)
assert (sc[rej == 1] < n).all() and (sc[rej == 0] == n).all(), (rej, sc)
assert (tok == sc * 512).all(), tok  # Truncate items are 512 tokens each
for i in np.nonzero(rej)[0]:  # ppl of a raced-out one is the estimate from what it scored
    assert abs(np.exp(nll[i, :sc[i]].mean()) / g["ppl"][i] - 1) < 1e-12
PYEOF

"$BIN" inspect --archive "$T/race/archive.h5" --json > "$T/race.json" && $PY - "$T/race.json" "$T/race/result_final.json" <<'PYEOF' \
  && ok "inspect: racing counts and tokens, best = result_final.json" || bad "inspect of a racing archive"
import json, sys
s, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s["raced_out"] == r["raced_out"] > 0 and s["tokens_processed"] == r["tokens_processed"], s
assert s["best"]["id"] == r["id"] and s["run"]["racing"] is True, s["best"]
PYEOF

"$BIN" search "${ARGS[@]}" --racing --threads 2 --parallel-candidates 2 --output-dir "$T/race-p" >/dev/null \
  && $PY "$CHK" same "$T/race/archive.h5" "$T/race-p/archive.h5" >/dev/null \
  && ok "racing: --parallel-candidates 2 gives the same archive" || bad "racing parallel differs"
if command -v mpirun >/dev/null; then
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe --allow-run-as-root -np 3 \
    "$BIN" search "${ARGS[@]}" --racing --threads 1 --output-dir "$T/race-m" >/dev/null 2>"$T/mpi.err" \
    && $PY "$CHK" same "$T/race/archive.h5" "$T/race-m/archive.h5" >/dev/null \
    && ok "racing: mpirun -np 3 gives the same archive" || { bad "racing mpirun"; cat "$T/mpi.err"; }
fi
want=$(cat "$T/race/result_final.json" | $PY -c "import json,sys; j=json.load(sys.stdin); print(j['factors'], j['ppl'], j['tokens_processed'])")
d="$T/race-k"
"$BIN" search "${ARGS[@]}" --racing --threads 1 --output-dir "$d" >/dev/null 2>&1 &
pid=$!; sleep 2; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
if [ -f "$d/archive.h5" ]; then
  "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >/dev/null 2>&1
else
  "$BIN" search "${ARGS[@]}" --racing --threads 1 --output-dir "$d" >/dev/null 2>&1
fi
got=$($PY -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['factors'], j['ppl'], j['tokens_processed'])" "$d/result_final.json" 2>/dev/null)
[ "$got" = "$want" ] && $PY "$CHK" same "$T/race/archive.h5" "$d/archive.h5" >/dev/null \
  && ok "racing: SIGKILL + --resume gives the identical result" || bad "racing resume: '$got' vs '$want'"

# Needle fitness on the passkey fixture: passkey prompts of 512 tokens, key tokens scored.
if [ -d "$PK" ]; then
  "$BIN" search --model "$PK" --fitness needle --target-length 512 --samples 3 --seed 1 \
    --set population_size=6 --set max_time_budget=2 --set mutation_numbers=2 --set crossover_size=2 \
    --set parents_size=3 --threads 2 -q --output-dir "$T/needle" > "$T/needle.out" || bad "needle search"
  $PY - "$T/needle/result_final.json" "$T/needle/summary.csv" "$T/needle/archive.h5" <<'PYEOF' \
    && ok "needle fitness: searched beats or ties the PI/NTK/YaRN seeds, items are prompts" || bad "needle result"
import csv, json, sys, h5py
j = json.load(open(sys.argv[1]))
assert j["fitness"] == "needle", j
rows = {r["method"]: float(r["needle_ppl"]) for r in csv.DictReader(open(sys.argv[2]))}
best = rows.pop("longrope (searched)")
assert best <= min(rows.values()) * (1 + 1e-9), (best, rows)
g = h5py.File(sys.argv[3])["individuals"]
assert g["item_nll"].shape[1] == 3
assert all(t > 3 * 500 for t in g["tokens"][:]), g["tokens"][:]  # ~512-token prompts
PYEOF
else
  echo "note: $PK missing, needle case skipped"
fi

# llama.cpp-chunk fitness: what the search reports for its best is eval ppl --mode llamacpp.
"$BIN" search "${ARGS[@]}" --fitness llamacpp --threads 2 --output-dir "$T/lcpp" >/dev/null || bad "llamacpp search"
"$BIN" eval ppl -q --model "$FX" --data "$T/books.h5" --num-tokens 512 --samples 4 --mode llamacpp \
  --rope longrope --factors "$T/lcpp/result_final.json" --output "$T/lcpp.csv" >/dev/null || bad "llamacpp eval"
$PY - "$T/lcpp/result_final.json" "$T/lcpp.csv" "$T/lcpp/archive.h5" <<'PYEOF' \
  && ok "llamacpp fitness: best = eval ppl --mode llamacpp (1e-9), chunks of 512 scored on 255" || bad "llamacpp fitness"
import json, sys, h5py
j = json.load(open(sys.argv[1])); want = float(open(sys.argv[2]).read().split()[-1].split(",")[1])
assert j["fitness"] == "llamacpp" and abs(j["ppl"] / want - 1) < 1e-9, (j["ppl"], want)
g = h5py.File(sys.argv[3])["individuals"]
assert g["item_nll"].shape[1] == 4 and (g["tokens"][:] == 4 * 512).all(), g["tokens"][:]
PYEOF

# Length screen: 6 children a generation, ceil(6 x 0.5) = 3 scored in full, 3 screened out.
"$BIN" search "${ARGS[@]}" --screen-length 128 --threads 1 --output-dir "$T/scr" >/dev/null || bad "screen run"
$PY - "$T/scr/result_final.json" "$T/scr/archive.h5" "$tp" <<'PYEOF' \
  && ok "screen: 12 of 24 children screened out at 128 tokens, tokens below the plain GA's" || bad "screen records"
import json, sys, h5py, numpy as np
j = json.load(open(sys.argv[1])); plain = int(sys.argv[3])
assert j["screened_out"] == 12 and j["raced_out"] == 0 and j["screen_length"] == 128, j
assert j["tokens_processed"] < plain, (j["tokens_processed"], plain)
g = h5py.File(sys.argv[2])["individuals"]
it, scr, rej, sc, tok = g["iteration"][:], g["screen_ppl"][:], g["rejected"][:], g["items_scored"][:], g["tokens"][:]
assert (scr[it == 0] == 0).all() and (scr[it > 0] > 1).all(), scr
out = rej == 1
assert out.sum() == 12 and (sc[out] == 0).all() and np.isnan(g["ppl"][:][out]).all()
n_screen = tok[out][0] // 128  # documents long enough for 128 tokens
assert (tok[out] == n_screen * 128).all() and (tok[(it > 0) & ~out] == n_screen * 128 + 3 * 512).all(), tok
for k in range(1, 5):  # the kept are the better half by screen PPL
    m = it == k
    assert scr[m & ~out].max() <= scr[m & out].min(), (k, scr[m])
PYEOF
$PY "$CHK" check "$T/scr/archive.h5" >/dev/null && ok "constraint checker: screen archive" || bad "screen constraints"
"$BIN" inspect --archive "$T/scr/archive.h5" --json > "$T/scr.json" && $PY - "$T/scr.json" <<'PYEOF' \
  && ok "inspect: screened-out count and screen length" || bad "inspect of a screen archive"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["screened_out"] == 12 and s["raced_out"] == 0 and s["run"]["screen_length"] == 128, s
PYEOF
d="$T/scr-k"
"$BIN" search "${ARGS[@]}" --screen-length 128 --threads 1 --output-dir "$d" >/dev/null 2>&1 &
pid=$!; sleep 2; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
if [ -f "$d/archive.h5" ]; then
  "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >/dev/null 2>&1
else
  "$BIN" search "${ARGS[@]}" --screen-length 128 --threads 1 --output-dir "$d" >/dev/null 2>&1
fi
$PY "$CHK" same "$T/scr/archive.h5" "$d/archive.h5" >/dev/null && cmp -s "$T/scr/result_final.json" "$d/result_final.json" \
  && ok "screen: SIGKILL + --resume gives the identical archive" || bad "screen resume differs"

expect_error() {  # label pattern args...
  local label=$1 pat=$2; shift 2
  if "$BIN" "$@" >/dev/null 2>"$T/err"; then bad "$label: exit 0"
  elif grep -q "^longrope: error: .*$pat" "$T/err"; then ok "$label"
  else bad "$label: $(cat "$T/err")"; fi
}
expect_error "--racing with --short-length refused" "cannot be combined with --short-length" \
  search "${ARGS[@]}" --racing --short-length 256 --short-weight 1 --output-dir "$T/x1"
expect_error "--fitness other refused" "--fitness must be ppl, needle or llamacpp" \
  search "${ARGS[@]}" --fitness bleu --output-dir "$T/x2"
expect_error "--racing-z negative refused" "racing-z must be >= 0" \
  search "${ARGS[@]}" --racing-z -1 --output-dir "$T/x3"
expect_error "resume with another --fitness refused" "conflicting: --fitness" \
  search --resume "$T/race/archive.h5" --fitness needle
expect_error "--screen-keep 1 refused" "screen-keep must be in (0, 1)" \
  search "${ARGS[@]}" --screen-length 128 --screen-keep 1 --output-dir "$T/x4"
expect_error "--screen-length at the target refused" "screen-length must be in 2..511" \
  search "${ARGS[@]}" --screen-length 512 --output-dir "$T/x5"
expect_error "--screen-length with needle refused" "works with --fitness ppl or llamacpp" \
  search "${ARGS[@]}" --screen-length 128 --fitness needle --output-dir "$T/x6"
expect_error "resume with another --screen-length refused" "conflicting: --screen-length" \
  search --resume "$T/scr/archive.h5" --screen-length 64
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
