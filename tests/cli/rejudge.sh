#!/usr/bin/env bash
# Searches in int8 re-judge their finalists in F32; eval rank-precision compares precisions:
#  - an int8 search (stories260K, 256 -> 1024, tiny budget) writes both PPLs of its finalists into
#    result_final.json and archive.h5 (ppl_f32), picks the best by F32 among them, and a --resume
#    of the finished run reuses every re-judgement and ends the same (so does `mpirun -np 3`);
#  - the F32 figures equal `eval ppl` of those factors;
#  - eval rank-precision: N CSV rows, the F32 column equals the archive's F32 figures, Spearman in
#    [-1, 1] and equal to the one recomputed from the CSV; bad input is one error line.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
# int8 runs on AVX-512 VNNI, or anywhere with --kernels scalar (slower, same bits).
"$BIN" tokenize -q --tokenizer "$ST/stories260K.bin" --input "$SHARED/data/tinystories-like" --output "$T/ts.h5" >/dev/null
K=()
"$BIN" eval ppl --model "$ST/stories260K.bin" --data "$T/ts.h5" --num-tokens 64 --samples 1 -q \
  --compute int8 >/dev/null 2>&1 || K=(--kernels scalar)
ARGS=(--model "$ST/stories260K.bin" --data "$T/ts.h5" --target-length 1024 --original-max-position 256
      --samples 2 --seed 5 --set population_size=8 --set max_time_budget=2 --set mutation_numbers=3
      --set crossover_size=3 --set parents_size=4 --baselines false -q --compute int8 "${K[@]}")
if ! "$BIN" search "${ARGS[@]}" --rejudge-f32 3 --output-dir "$T/s" >"$T/s.out" 2>&1; then
  if grep -q "int8" "$T/s.out"; then echo "SKIP: int8 refused here: $(cat "$T/s.out")"; exit 77; fi
  bad "int8 search: $(cat "$T/s.out")"
fi
check=$($PY - "$T/s" <<'PY'
import json, sys, h5py, math
d = sys.argv[1]
j = json.load(open(d + "/result_final.json"))
f = h5py.File(d + "/archive.h5", "r")
ids = list(f["individuals/id"][:]); f32 = f["individuals/ppl_f32"][:]; ppl = f["individuals/ppl"][:]
judged = {int(i): float(v) for i, v in zip(ids, f32) if v > 0}
r = j["rejudged_f32"]
assert len(r) == 3 and len(judged) == 3, (r, judged)
assert {x["id"] for x in r} == set(judged), "archive and JSON name the same finalists"
for x in r:
    k = ids.index(x["id"])
    assert x["ppl_f32"] == judged[x["id"]] and x["ppl"] == ppl[k] and x["ppl"] != x["ppl_f32"]
best = min(r, key=lambda x: (x["ppl_f32"], x["id"]))
assert j["id"] == best["id"] and j["ppl_f32"] == best["ppl_f32"], (j["id"], best)
assert j["result"] == "best_f32_of_rejudged" and j["compute"] == "int8"
assert f.attrs["final_best_id"] == j["id"]
last = f["iterations/population"][-1]
assert [x["id"] for x in r] == [int(i) for i in last[:3]], "the last generation's 3 best"
print("ok", j["ppl_f32"], json.dumps(j["factors"]), j["start_tokens"])
PY
) && ok "result_final.json and archive.h5: both figures, the best by F32" || bad "rejudged result: $check"

# The F32 figure is the fitness in F32: eval ppl of the chosen factors, truncate, 2 documents.
$PY -c "import json,sys; print('\n'.join(map(str, json.load(open(sys.argv[1]))['factors'])))" \
  "$T/s/result_final.json" > "$T/f.csv"
st=$(echo "$check" | awk '{print $NF}')
e=$("$BIN" eval ppl --model "$ST/stories260K.bin" --data "$T/ts.h5" --num-tokens 1024 --samples 2 \
  --original-max-position 256 --rope longrope --factors "$T/f.csv" --start-tokens "$st" \
  --output "$T/e.csv" -q "${K[@]}" >/dev/null && tail -1 "$T/e.csv" | cut -d, -f2)
$PY -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-9 * a)" \
  "$e" "$(echo "$check" | awk '{print $2}')" && ok "ppl_f32 = eval ppl in f32 ($e)" || bad "ppl_f32 vs eval ppl: $e vs $check"

if command -v mpirun >/dev/null; then  # rank 0 re-judges alone; the result is the same
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe --allow-run-as-root -np 3 \
    "$BIN" search "${ARGS[@]}" --rejudge-f32 3 --threads 1 --output-dir "$T/m" >"$T/m.out" 2>&1 \
    && $PY -c "import json,sys; a, b = (json.load(open(p)) for p in sys.argv[1:]); sys.exit(a != b)" \
      "$T/s/result_final.json" "$T/m/result_final.json" \
    && ok "mpirun -np 3: the same result_final.json" || bad "mpirun -np 3: $(cat "$T/m.out")"
fi
cp "$T/s/result_final.json" "$T/before.json"
"$BIN" search --resume "$T/s/archive.h5" --baselines false -q --compute int8 "${K[@]}" >/dev/null 2>&1 \
  && cmp -s "$T/before.json" "$T/s/result_final.json" && [ "$(grep -c 'F32 re-judging: .*archived' "$T/s/search.log")" = 3 ] \
  && ok "--resume of the finished run: the same result, re-judgements reused" || bad "resume changed the result"

out=$("$BIN" eval rank-precision --archive "$T/s/archive.h5" --candidates 6 --compute int8 "${K[@]}" \
  --output "$T/rank.csv" --json "$T/rank.json" -q 2>&1)
$PY - "$T/rank.csv" "$T/rank.json" "$T/s/archive.h5" <<'PY' && ok "eval rank-precision: 6 rows, Spearman in [-1, 1], by hand" || bad "rank-precision: $out"
import csv, json, sys, h5py
rows = list(csv.DictReader(open(sys.argv[1]))); s = json.load(open(sys.argv[2]))
assert len(rows) == 6 and s["candidates"] == 6
f = h5py.File(sys.argv[3], "r"); ids = list(f["individuals/id"][:]); f32 = f["individuals/ppl_f32"][:]
for r in rows:  # an archived F32 figure is the same F32 score
    k = ids.index(int(r["id"]))
    assert f32[k] == 0 or float(r["ppl_f32"]) == f32[k]
    assert abs(float(r["rel_change"]) - (float(r["ppl_other"]) / float(r["ppl_f32"]) - 1)) < 1e-12
def ranks(v):
    o = sorted(range(len(v)), key=lambda i: v[i]); r = [0.0] * len(v); i = 0
    while i < len(o):
        j = i
        while j + 1 < len(o) and v[o[j + 1]] == v[o[i]]: j += 1
        for k in range(i, j + 1): r[o[k]] = (i + j) / 2 + 1
        i = j + 1
    return r
a = ranks([float(r["ppl_f32"]) for r in rows]); b = ranks([float(r["ppl_other"]) for r in rows])
m = (len(a) + 1) / 2
rho = sum((x - m) * (y - m) for x, y in zip(a, b)) / (sum((x - m) ** 2 for x in a) * sum((y - m) ** 2 for y in b)) ** 0.5
assert -1 <= s["spearman"] <= 1 and abs(s["spearman"] - rho) < 1e-12, (s, rho)
best = min(rows, key=lambda r: (float(r["ppl_f32"]), int(r["id"])))
assert s["best_f32"] == int(best["id"]) and s["same_best"] == (s["best_f32"] == s["best_other"])
PY

one_line() {  # NAME EXPECTED ARGS...: one `longrope: error:` line naming EXPECTED, non-zero exit
  local name=$1 want=$2; shift 2
  local o; o=$("$BIN" eval rank-precision "$@" 2>&1); local rc=$?
  [ $rc -ne 0 ] && [ "$(echo "$o" | grep -c .)" = 1 ] && echo "$o" | grep -q "longrope: error: .*$want" \
    && ok "refused: $name" || bad "$name (rc $rc): $o"
}
one_line "f32 against itself" "compute int8" --archive "$T/s/archive.h5"
one_line "missing archive" "$T/none.h5" --archive "$T/none.h5" --compute int8 "${K[@]}"
echo junk > "$T/junk.h5"
one_line "not an archive" "$T/junk.h5" --archive "$T/junk.h5" --compute int8 "${K[@]}"
one_line "zero candidates" "candidates" --archive "$T/s/archive.h5" --candidates 0 --compute int8 "${K[@]}"
o=$("$BIN" search "${ARGS[@]}" --rejudge-f32 -1 --output-dir "$T/x" 2>&1)
[ $? -ne 0 ] && echo "$o" | grep -q "longrope: error: --rejudge-f32 must be >= 0" && ok "refused: --rejudge-f32 -1" || bad "--rejudge-f32 -1: $o"
echo "$passes passed, $fails failed"; [ $fails -eq 0 ]
