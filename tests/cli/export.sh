#!/usr/bin/env bash
# `longrope export` for every format, from a tiny search on the fixture model (256 -> 512):
#  - json/csv schema and values; hf config.json schema, links not copies;
#  - the HF folder and the GGUF read back by our engine reproduce the searched PPL
#    (relative 1e-6) and `eval ppl --rope longrope` of the source at T and at a short length;
#  - GGUF: every untouched key, tensor entry and tensor byte identical (raw-byte check);
#  - rkllm: server files and the linear/dynamic report; n̂ > 0 is reported, not exported.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a/b-1; if(d<0)d=-d; exit !(a>0 && d<t)}'; }
ppl_of() { tail -n +2 "$1" | awk -F, -v n="$2" '$1==n{print $2}'; }
GG=$SHARED/models/fixture-llama-5m.f32.gguf
"$BIN" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/fx.h5" >/dev/null
"$BIN" search --model "$FX" --data "$T/fx.h5" --target-length 512 --samples 1 --seed 3 \
  --set population_size=4 --set max_time_budget=1 --set mutation_numbers=2 --set crossover_size=2 \
  --set parents_size=2 --baselines false -q --threads 2 --output-dir "$T/run" >/dev/null || bad "search"
A=$T/run/archive.h5
best=$($PY -c "import json; print(repr(json.load(open('$T/run/result_final.json'))['ppl']))")

# --- json and csv ---------------------------------------------------------------------------
"$BIN" export --format json --archive "$A" --output "$T/e.json" >/dev/null || bad "export json"
$PY - "$T/e.json" "$A" <<'EOF' && ok "json: schema, factors and PPL of the archive's best, su mscale" || bad "json schema"
import json, math, sys, h5py
j = json.load(open(sys.argv[1])); f = h5py.File(sys.argv[2])
best = int(f.attrs["final_best_id"]); i = list(f["individuals/id"][:]).index(best)
assert j["kind"] == "longrope-export" and j["format"] == "json"
assert j["long_factor"] == list(f["individuals/lambda"][i]), "factors"
assert j["short_factor"] == [1.0] * 32 and j["start_tokens"] == int(f["individuals/start_tokens"][i])
assert j["target_length"] == 512 and j["original_max_position"] == 256 and j["scale"] == 2
assert abs(j["attention_factor"] - math.sqrt(1 + math.log(2) / math.log(256))) < 1e-12
assert j["mscale"] == "su" and j["ppl"] == f["individuals/ppl"][i]
p = j["provenance"]
assert p["archive"] == sys.argv[2] and p["individual_id"] == best and p["toolkit"].startswith("longrope ")
EOF
"$BIN" export --format csv --archive "$A" --id 0 --output "$T/e.csv" >/dev/null || bad "export csv"
$PY -c "
import h5py, sys
f = h5py.File('$A'); v = [float(x) for x in open('$T/e.csv')]
sys.exit(0 if v == list(f['individuals/lambda'][0]) and len(v) == 32 else 1)" \
  && ok "csv: --id 0, 32 factors one per line, exactly the archived values" || bad "csv"

# --- hf ---------------------------------------------------------------------------------------
"$BIN" export --format hf --archive "$A" --model "$FX" --output "$T/hf" >/dev/null || bad "export hf"
$PY - "$FX" "$T/hf" <<'EOF' && ok "hf: config.json schema, other keys unchanged, every other file a link" || bad "hf folder"
import json, math, os, sys
src, out = sys.argv[1], sys.argv[2]
a = json.load(open(src + "/config.json")); b = json.load(open(out + "/config.json"))
rs = b["rope_scaling"]
assert b["original_max_position_embeddings"] == 256 and b["max_position_embeddings"] == 512
assert set(rs) == {"rope_type", "long_factor", "short_factor", "factor", "attention_factor"}
assert rs["rope_type"] == "longrope" and rs["factor"] == 2.0 and len(rs["long_factor"]) == 32
assert abs(rs["attention_factor"] - math.sqrt(1 + math.log(2) / math.log(256))) < 1e-12
for k, v in a.items():
    assert k in ("max_position_embeddings", "rope_scaling") or b[k] == v, k
for name in os.listdir(src):
    if name == "config.json":
        continue
    p = os.path.join(out, name)
    assert os.path.islink(p) and os.path.samefile(p, os.path.join(src, name)), name
assert not os.path.islink(out + "/config.json")
assert json.load(open(out + "/longrope_export.json"))["kind"] == "longrope-export"
EOF
"$BIN" eval ppl -q --model "$T/hf" --data "$T/fx.h5" --num-tokens 512,128 --samples 1 --output "$T/hf.csv" >/dev/null
"$BIN" eval ppl -q --model "$FX" --data "$T/fx.h5" --num-tokens 512,128 --samples 1 --rope longrope \
  --factors "$T/e.json" --target-length 512 --output "$T/ref.csv" >/dev/null
for n in 512 128; do
  close "$(ppl_of "$T/hf.csv" $n)" "$(ppl_of "$T/ref.csv" $n)" 1e-6 \
    && ok "hf read back = --rope longrope --factors --target-length at $n ($(ppl_of "$T/hf.csv" $n))" \
    || bad "hf read back at $n: $(ppl_of "$T/hf.csv" $n) vs $(ppl_of "$T/ref.csv" $n)"
done
close "$(ppl_of "$T/hf.csv" 512)" "$best" 1e-6 && ok "hf read back = archived PPL ($best)" \
  || bad "hf read back $(ppl_of "$T/hf.csv" 512) vs archived $best"
"$BIN" export --format hf --archive "$A" --model "$FX" --output "$T/hf" >/dev/null 2>"$T/again.err"
rc=$?
[ $rc -eq 3 ] && grep -q "error: $T/hf exists; .*--overwrite" "$T/again.err" \
  && [ -f "$T/hf/longrope_export.json" ] \
  && ok "hf: an existing output, even an earlier export, is refused without --overwrite" \
  || bad "hf re-export without --overwrite: exit $rc, $(cat "$T/again.err")"
"$BIN" export --format hf --archive "$A" --model "$FX" --output "$T/hf" --overwrite >/dev/null \
  && ok "hf: an earlier export is replaced with --overwrite" || bad "hf re-export --overwrite"
[ -z "$(ls -A "$T" | grep -F '.hf.')" ] && ok "hf: no temporary or old folder left beside it" \
  || bad "hf leftovers: $(ls -A "$T" | grep -F '.hf.')"

# --- an existing output of another program: refused by name, then replaced with --overwrite ----
mkdir -p "$T/own" && echo keep > "$T/own/notes.txt" && echo '{"mine": 1}' > "$T/own.json"
"$BIN" export --format hf --archive "$A" --model "$FX" --output "$T/own" >/dev/null 2>"$T/own.err"
rc=$?
[ $rc -eq 3 ] && [ "$(wc -l < "$T/own.err")" -eq 1 ] \
  && grep -q "error: $T/own exists; .*--overwrite" "$T/own.err" \
  && [ "$(ls -A "$T/own")" = notes.txt ] && [ "$(cat "$T/own/notes.txt")" = keep ] \
  && ok "hf: a folder of another program is refused (exit 3, one line naming it) and left as it was" \
  || bad "hf foreign folder: exit $rc, $(cat "$T/own.err"), $(ls -A "$T/own")"
"$BIN" export --format hf --archive "$A" --model "$FX" --output "$T/own" --overwrite >/dev/null \
  || bad "hf --overwrite"
$PY - "$T" <<'EOF2' && ok "hf --overwrite: replaced by the export, nothing left beside it" || bad "hf --overwrite result"
import json, os, sys
t = sys.argv[1]; d = t + "/own"
assert json.load(open(d + "/config.json"))["rope_scaling"]["rope_type"] == "longrope"
assert json.load(open(d + "/longrope_export.json"))["kind"] == "longrope-export"
assert not os.path.exists(d + "/notes.txt") and os.path.islink(d + "/model.safetensors")
assert [n for n in os.listdir(t) if n.startswith(".own")] == [], os.listdir(t)
EOF2
"$BIN" export --format json --archive "$A" --output "$T/own.json" >/dev/null 2>"$T/ownj.err"
rc=$?
[ $rc -eq 3 ] && grep -q "own.json exists; " "$T/ownj.err" \
  && [ "$(cat "$T/own.json")" = '{"mine": 1}' ] \
  && "$BIN" export --format json --archive "$A" --output "$T/own.json" --overwrite >/dev/null \
  && $PY -c "import json,sys; sys.exit(json.load(open('$T/own.json'))['kind'] != 'longrope-export')" \
  && ok "json: a file of another program is refused (kept), replaced with --overwrite" \
  || bad "json foreign file: exit $rc, $(cat "$T/ownj.err")"

# --- gguf -------------------------------------------------------------------------------------
"$BIN" export --format gguf --archive "$A" --model "$GG" --output "$T/g.gguf" --data "$T/fx.h5" \
  --tokenizer "$FX" --samples 1 -q > "$T/g.out" || bad "export gguf"
$PY "$ROOT/tests/cli/gguf_identity.py" "$GG" "$T/g.gguf" --changed llama.context_length \
  --added llama.rope.scaling.attn_factor,llama.rope.scaling.original_context_length,longrope.export,t:rope_freqs.weight \
  > "$T/id.out" && ok "gguf: untouched keys/tensors byte-identical ($(tail -1 "$T/id.out"))" \
  || { bad "gguf identity"; cat "$T/id.out"; }
grep -q "applies rope_freqs at every length" "$T/g.out" && ok "gguf: says llama.cpp has no short factors" \
  || bad "gguf note"
"$BIN" eval ppl -q --model "$T/g.gguf" --data "$T/fx.h5" --tokenizer "$FX" --num-tokens 512 --samples 1 --output "$T/g.csv" >/dev/null
"$BIN" eval ppl -q --model "$GG" --data "$T/fx.h5" --tokenizer "$FX" --num-tokens 512 --samples 1 --rope longrope \
  --factors "$T/e.json" --target-length 512 --original-max-position 256 --output "$T/gref.csv" >/dev/null
g=$(ppl_of "$T/g.csv" 512)
close "$g" "$(ppl_of "$T/gref.csv" 512)" 1e-6 && close "$g" "$best" 1e-6 \
  && ok "gguf read back = source + --rope longrope at 512 = archived PPL ($g)" \
  || bad "gguf read back $g vs $(ppl_of "$T/gref.csv" 512) / $best"
printed=$(awk '/read back/{print $NF}' "$T/g.out")
close "$printed" "$g" 1e-6 && ok "gguf: export prints the read-back PPL ($printed)" || bad "printed $printed"
if "$BIN" export --format gguf --archive "$A" --model "$T/g.gguf" --output "$T/g2.gguf" 2>/dev/null; then
  bad "a GGUF that carries rope_freqs was accepted"
else
  "$BIN" export --format gguf --archive "$A" --model "$T/g.gguf" --output "$T/g2.gguf" \
    --replace-file-factors >/dev/null && ok "gguf: rope_freqs source refused, accepted with --replace-file-factors" \
    || bad "--replace-file-factors"
fi

# --- rkllm ------------------------------------------------------------------------------------
"$BIN" export --format rkllm --archive "$A" --model "$FX" --output "$T/rk" --name fx-512 \
  --data "$T/fx.h5" --samples 1 -q > "$T/rk.out" || bad "export rkllm"
$PY - "$T/rk" "$best" <<'EOF' && ok "rkllm: HF folder, server files, linear/dynamic report beside longrope" || bad "rkllm files"
import json, os, sys
d = sys.argv[1]
assert json.load(open(d + "/config.json"))["rope_scaling"]["rope_type"] == "longrope"
assert os.path.islink(d + "/model.safetensors")
i = json.load(open(d + "/inference_config.json"))
assert i["model_defaults"]["max_context_len"] == 512 and i["model_defaults"]["n_keep"] == -1
assert i["model_defaults"]["max_new_tokens"] > 0 and i["hardware"]["embed_flash"] == 0
m = json.load(open(d + "/model_registry.json"))["models"]["fx-512"]
assert set(m) == {"path", "architecture", "max_context", "description"} and m["max_context"] == 512
r = json.load(open(d + "/rkllm_report.json"))
grid = r["grid"]
assert {g["rope_scaling"]["type"] for g in grid} == {"linear", "dynamic"} and len(grid) >= 4
assert max(g["factor"] for g in grid) <= 1.25 * 2 + 1e-9
assert r["best_alternative"]["ppl"] == min(g["ppl"] for g in grid)
assert abs(r["longrope"]["ppl"] / float(sys.argv[2]) - 1) < 1e-6
EOF
grep -q "best RKLLM-documented alternative" "$T/rk.out" && ok "rkllm: stdout names the best alternative" || bad "rkllm stdout"

# --- n̂ > 0 ------------------------------------------------------------------------------------
$PY -c "
import json; j = json.load(open('$T/run/result_final.json')); j['start_tokens'] = 4
json.dump(j, open('$T/nhat.json', 'w'))"
"$BIN" export --format csv --factors "$T/nhat.json" --model "$FX" --data "$T/fx.h5" --samples 1 \
  --output "$T/nhat.csv" -q > "$T/nhat.out" || bad "export n̂ > 0"
"$BIN" eval ppl -q --model "$FX" --data "$T/fx.h5" --num-tokens 512 --samples 1 --rope longrope \
  --factors "$T/nhat.json" --output "$T/nh.csv" >/dev/null
searched=$(awk '/^searched/{print $NF}' "$T/nhat.out"); exported=$(awk '/^exported variant/{print $NF}' "$T/nhat.out")
grep -q "n̂ = 4 cannot be expressed in csv" "$T/nhat.out" && close "$searched" "$(ppl_of "$T/nh.csv" 512)" 1e-6 \
  && close "$exported" "$best" 1e-6 \
  && ok "n̂ = 4: refused by name, PPL searched $searched vs exported (n̂ = 0) $exported" \
  || { bad "n̂ report"; cat "$T/nhat.out"; }
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
