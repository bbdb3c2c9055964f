#!/usr/bin/env bash
# The long-vs-short front end to end: a tiny stories260K GA search with --short-length (512 ->
# 2048, short PPL at 512), `inspect --archive` (text, JSON, figure) shows the front and its knee
# (checked against the rule recomputed here), `export --pick knee|id=N|short<=X` writes that
# member, and `eval ppl` of the exported factors on the same documents gives its archived PPLs;
# an --optimizer nsga2 run records the knee, the front and the baselines at both lengths.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
TOL=1e-9  # relative (equal to the last bit here: the same documents, scaling and engine)
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a/b-1; if(d<0)d=-d; exit !(a>0 && d<=t)}'; }

"$BIN" tokenize -q --tokenizer "$ST/tok512.bin" --input "$SHARED/data/tinystories-like" \
  --output "$T/st.h5" >/dev/null || exit 1
"$BIN" search -q --model "$ST/stories260K.bin" --data "$T/st.h5" --target-length 2048 --samples 2 \
  --short-length 512 --seed 1 --set population_size=6 --set max_time_budget=2 \
  --set mutation_numbers=2 --set crossover_size=2 --set parents_size=3 --threads 2 \
  --output-dir "$T/run" >/dev/null || exit 1
A=$T/run/archive.h5

# The front and knee recomputed from the archive by the documented rule.
$PY - "$A" > "$T/expect.txt" <<'EOF'
import math, sys, h5py
f = h5py.File(sys.argv[1]); g = f["individuals"]
rows = [(float(p), float(s), int(i)) for p, s, i, r in
        zip(g["ppl"][:], g["short_ppl"][:], g["id"][:], g["rejected"][:])
        if not r and math.isfinite(p) and p > 0 and math.isfinite(s) and s > 0]
front, low = [], math.inf
for p, s, i in sorted(rows):
    if s < low:
        front.append((p, s, i)); low = s
if len(front) <= 2:
    knee = front[0][2]
else:
    x0, x1, y0, y1 = front[0][0], front[-1][0], front[-1][1], front[0][1]
    knee = max(front, key=lambda m: (1 - (m[0] - x0) / (x1 - x0) - (m[1] - y0) / (y1 - y0), -m[2]))[2]
off = [i for p, s, i in rows if i not in [m[2] for m in front]]
print(knee, len(rows), off[0] if off else front[-1][2], " ".join(str(m[2]) for m in front))
EOF
read -r KNEE NROWS OTHER FRONT < "$T/expect.txt"
echo "front: $FRONT; knee $KNEE; another id $OTHER; $NROWS evaluated at both lengths"
[ "${NROWS:-0}" -ge 6 ] && [ -n "$FRONT" ] && ok "every individual has a short PPL" \
  || bad "short PPLs: ${NROWS:-none}"
arch() {  # arch ID FIELD: the archived value, repr precision
  $PY -c "import h5py; g = h5py.File('$A')['individuals']; i = list(g['id'][:]).index($1); print(repr(float(g['$2'][i])))"
}

# --- inspect ---------------------------------------------------------------------------------
"$BIN" inspect --archive "$A" > "$T/text.txt" 2>&1 && grep -q "^front  *long vs short PPL" "$T/text.txt" \
  && grep -Eq "^\* +$KNEE " "$T/text.txt" \
  && [ "$(grep -Ec '^[* ] +[0-9]+ +[0-9.]+ +[0-9.]+$' "$T/text.txt")" -eq "$(echo $FRONT | wc -w)" ] \
  && ok "inspect text: the front, knee $KNEE marked" || { bad "inspect text"; cat "$T/text.txt"; }
"$BIN" inspect --archive "$A" --json > "$T/a.json" && $PY - "$T/a.json" "$KNEE" "$FRONT" <<'EOF' \
  && ok "inspect JSON: front members and knee as recomputed" || bad "inspect JSON front"
import json, sys
a = json.load(open(sys.argv[1]))["front"]
assert a["knee_id"] == int(sys.argv[2]) and a["short_length"] == 512, a
assert [m["id"] for m in a["members"]] == [int(x) for x in sys.argv[3].split()], a
assert a["baselines"] == []  # a GA run: result_final.json holds no baselines with short PPLs
EOF
if command -v gnuplot >/dev/null; then
  "$BIN" inspect --archive "$A" --plot "$T/fig.png" --plot-script "$T/fig.gp" >/dev/null 2>&1 \
    && [ "$(head -c 8 "$T/fig.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] \
    && grep -q '^\$front << EOD' "$T/fig.gp" && grep -q "(c) long vs short PPL" "$T/fig.gp" \
    && grep -q "knee: id $KNEE " "$T/fig.gp" && grep -q "multiplot layout 3,1" "$T/fig.gp" \
    && ok "figure: third panel with the front and the knee" || bad "front figure"
else
  bad "gnuplot not installed (scripts/setup.sh installs gnuplot-nox)"
fi

# --- export --pick, then eval ppl of the export on the same documents -------------------------
# The CSV (long factors only) at 2048 and at 512 without --target-length: s = max(1, n / L) per
# length, as the search scores both (mscale 1 at L). The JSON carries the deployed pair (ones as
# short factors within L), so it is evaluated at the target only.
E="$BIN eval ppl -q --model $ST/stories260K.bin --data $T/st.h5 --samples 2 --rope longrope"
json_ppl() { $PY -c "import json; print(repr({r['length']: r['ppl'] for r in json.load(open('$1'))['results']}[$2]))"; }
check_member() {  # label ID CSV JSON
  local label=$1 id=$2 csv=$3 js=$4 p s want_p want_s
  $E --factors "$csv" --num-tokens 2048,512 --json "$T/ev.json" >/dev/null || { bad "$label: eval"; return; }
  p=$(json_ppl "$T/ev.json" 2048); s=$(json_ppl "$T/ev.json" 512)
  want_p=$(arch "$id" ppl); want_s=$(arch "$id" short_ppl)
  close "$p" "$want_p" $TOL && close "$s" "$want_s" $TOL \
    && ok "$label: csv evaluates to id $id's archived PPLs ($p at 2048, $s at 512)" \
    || bad "$label: csv $p / $s vs archived $want_p / $want_s"
  $E --factors "$js" --num-tokens 2048 --json "$T/ev.json" >/dev/null || { bad "$label: eval json"; return; }
  p=$(json_ppl "$T/ev.json" 2048)
  $PY - "$js" "$A" "$id" <<'EOF' && close "$p" "$want_p" $TOL \
    && ok "$label: json records id $id, its factors and both PPLs; evaluates to $p at 2048" \
    || bad "$label: json ($p vs $want_p)"
import json, sys, h5py
j = json.load(open(sys.argv[1])); g = h5py.File(sys.argv[2])["individuals"]
i = list(g["id"][:]).index(int(sys.argv[3]))
assert j["long_factor"] == list(g["lambda"][i]) and j["provenance"]["individual_id"] == int(sys.argv[3])
assert j["ppl"] == g["ppl"][i] and j["short_ppl"] == g["short_ppl"][i]
assert j["provenance"]["pick"]
EOF
}
"$BIN" export --format csv --archive "$A" --pick knee --output "$T/knee.csv" > "$T/out.txt" \
  && "$BIN" export --format json --archive "$A" --pick knee --output "$T/knee.json" >/dev/null \
  && grep -q "picked: --pick knee" "$T/out.txt" && grep -q "(individual $KNEE)" "$T/out.txt" \
  && ok "export --pick knee: individual $KNEE" || { bad "export --pick knee"; cat "$T/out.txt"; }
check_member "knee" "$KNEE" "$T/knee.csv" "$T/knee.json"
"$BIN" export --format csv --archive "$A" --pick "id=$OTHER" --output "$T/other.csv" >/dev/null \
  && "$BIN" export --format json --archive "$A" --pick "id=$OTHER" --output "$T/other.json" >/dev/null \
  || bad "export --pick id=$OTHER"
check_member "id=$OTHER" "$OTHER" "$T/other.csv" "$T/other.json"
# short<=X with X = the knee's short PPL: the member with the lowest long PPL among those with
# short PPL <= X (recomputed here).
KS=$(arch "$KNEE" short_ppl)
WANT=$($PY -c "
import json
m = json.load(open('$T/a.json'))['front']['members']
print(min((x for x in m if x['short_ppl'] <= $KS), key=lambda x: x['ppl'])['id'])")
"$BIN" export --format csv --archive "$A" --pick "short<=$KS" --output "$T/s.csv" > "$T/out.txt" \
  && grep -q "(individual $WANT)" "$T/out.txt" && ok "export --pick short<=$KS: individual $WANT" \
  || { bad "export --pick short<=X"; cat "$T/out.txt"; }

# --- errors: one line, exit 2 ----------------------------------------------------------------
expect_error() {  # label pattern args...
  local label=$1 pat=$2 rc; shift 2
  "$BIN" "$@" >/dev/null 2>"$T/err"; rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -qF -- "longrope: error: $pat" "$T/err"
  then ok "$label"; else bad "$label: exit $rc, $(cat "$T/err")"; fi
}
X="export --format csv --output $T/x.csv"
expect_error "--pick short<=0.5: no member" "$A: --pick short<=0.5: no front member satisfies it" \
  $X --archive "$A" --pick "short<=0.5"
expect_error "--pick id=9999: no such id" "$A: --pick id=9999: no such id" $X --archive "$A" --pick id=9999
expect_error "--pick malformed" "$A: --pick 'kne': malformed (expected knee, short<=X or id=N)" \
  $X --archive "$A" --pick kne
expect_error "--pick short<=abc: malformed" \
  "$A: --pick 'short<=abc': malformed: short<=X needs a number" $X --archive "$A" --pick "short<=abc"
expect_error "--pick with --id" "--pick and --id: give one of them" $X --archive "$A" --pick knee --id 0
expect_error "--pick without --archive" "--pick chooses a member of an archive" \
  $X --factors "$T/knee.csv" --target-length 2048 --original-max-position 512 --pick knee

# --- a two-objective run (--optimizer nsga2): the knee is the result, baselines at both lengths --
if "$BIN" search --help | grep -q nsga2; then
  "$BIN" search -q --model "$ST/stories260K.bin" --data "$T/st.h5" --target-length 2048 --samples 2 \
    --optimizer nsga2 --set generations=2 --set population_size=8 --seed 2 --threads 2 \
    --output-dir "$T/n" >/dev/null 2>"$T/n.err" || bad "nsga2 run: $(cat "$T/n.err")"
  N=$T/n/archive.h5
  "$BIN" inspect --archive "$N" --json > "$T/n.json" && "$BIN" inspect --archive "$N" > "$T/n.txt" \
    && $PY - "$T/n/result_final.json" "$T/n.json" "$N" "$T/n/summary.csv" <<'EOF' \
    && ok "nsga2: result_final.json holds the knee, the front and the baselines' short PPLs" \
    || { bad "nsga2 result_final.json"; cat "$T/n/result_final.json"; }
import csv, json, sys, h5py
r, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
f = h5py.File(sys.argv[3]); g = f["individuals"]; i = list(g["id"][:]).index(r["id"])
assert r["result"] == "knee" and r["id"] == a["front"]["knee_id"] == int(f.attrs["final_best_id"])
assert r["factors"] == list(g["lambda"][i]) and r["ppl"] == g["ppl"][i] and r["short_ppl"] == g["short_ppl"][i]
assert r["front"] == a["front"]["members"] and a["front"]["short_length"] == 512
names = ["longrope (searched)", "linear", "ntk", "yarn"]
assert [b["method"] for b in r["baselines"]] == names
assert all(b["short_ppl"] > 1 for b in r["baselines"]) and r["baselines"][0]["short_ppl"] == r["short_ppl"]
assert [b["method"] for b in a["front"]["baselines"]] == names
rows = list(csv.reader(open(sys.argv[4])))
assert rows[0] == ["method", "ppl", "start_tokens", "short_ppl"] and len(rows) == 5, rows
EOF
  grep -Eq "^ +YaRN +[0-9.]+ +[0-9.]+$" "$T/n.txt" && ok "nsga2: inspect lists the baselines beside the front" \
    || { bad "nsga2 inspect text"; cat "$T/n.txt"; }
  for k in linear ntk yarn; do  # the baselines at L as a runtime holds them: s = T / L = 4
    "$BIN" eval ppl -q --model "$ST/stories260K.bin" --data "$T/st.h5" --samples 2 --rope $k \
      --scale 4 --num-tokens 512 --json "$T/b.json" >/dev/null
    got=$(json_ppl "$T/b.json" 512)
    want=$($PY -c "import json; print(repr([b['short_ppl'] for b in json.load(open('$T/n/result_final.json'))['baselines'] if b['method'] == '$k'][0]))")
    close "$got" "$want" $TOL && ok "nsga2: $k baseline at 512 = eval ppl --rope $k --scale 4 ($got)" \
      || bad "nsga2: $k at 512: $got vs $want"
  done
  KN=$($PY -c "import json; print(json.load(open('$T/n/result_final.json'))['id'])")
  "$BIN" export --format csv --archive "$N" --output "$T/n.csv" > "$T/out.txt" \
    && grep -q "(individual $KN)" "$T/out.txt" \
    && ok "nsga2: export --archive without --pick takes the knee ($KN)" || { bad "nsga2 export"; cat "$T/out.txt"; }
else
  echo "(no --optimizer nsga2 in this build: the two-objective run is not tested)"
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
