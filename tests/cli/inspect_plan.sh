#!/usr/bin/env bash
# `inspect --archive` and `plan` through the CLI: a tiny stories260K search written here, its
# text/JSON summary against result_final.json, the gnuplot figure (PNG and SVG, kept script),
# the missing-gnuplot error; plan figures of the fixture and of a bare 7B config.json.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3

"$BIN" tokenize -q --tokenizer "$ST/tok512.bin" --input "$SHARED/data/tinystories-like" \
  --output "$T/st.h5" >/dev/null || exit 1
"$BIN" search -q --model "$ST/stories260K.bin" --data "$T/st.h5" --target-length 2048 --samples 1 \
  --seed 1 --set population_size=6 --set max_time_budget=2 --set mutation_numbers=2 \
  --set crossover_size=2 --set parents_size=3 --output-dir "$T/run" >/dev/null || exit 1
A=$T/run/archive.h5

"$BIN" inspect --archive "$A" > "$T/text.txt" 2>&1 \
  && grep -q "finished, " "$T/text.txt" && grep -q "^best  *id" "$T/text.txt" \
  && grep -q "L = 512 -> T = 2048 tokens, s = 4" "$T/text.txt" && grep -q "^summary.csv" "$T/text.txt" \
  && ok "text summary" || { bad "text summary"; cat "$T/text.txt"; }

"$BIN" inspect --archive "$A" --json > "$T/a.json" && $PY - "$T/a.json" "$T/run/result_final.json" <<'EOF' \
  && ok "JSON summary matches result_final.json" || bad "JSON summary"
import json, math, sys
a, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["finished"] and a["best"]["id"] == r["id"] and a["best"]["factors"] == r["factors"]
assert a["best"]["ppl"] == r["ppl"], (a["best"]["ppl"], r["ppl"])
assert len(a["iterations"]) == 3 and a["iterations"][-1]["best_ppl"] == r["ppl"]
assert a["compare_factors"]["pi"] == [4.0] * 4 and a["compare_factors"]["yarn"] is not None
assert [b["method"] for b in a["summary_csv"]] == ["longrope (searched)", "linear", "ntk", "yarn"]
EOF

if command -v gnuplot >/dev/null; then
  "$BIN" inspect --archive "$A" --plot "$T/fig.png" --plot-script "$T/fig.gp" >/dev/null 2>&1 \
    && [ "$(head -c 8 "$T/fig.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] \
    && [ "$(stat -c %s "$T/fig.png")" -gt 20000 ] && ok "PNG figure" || bad "PNG figure"
  rm -f "$T/fig.png"; (cd "$T" && gnuplot fig.gp) && [ -s "$T/fig.png" ] \
    && ok "kept script redraws the figure" || bad "kept script"
  "$BIN" inspect --archive "$A" --plot "$T/fig.svg" >/dev/null 2>&1 && grep -q "<svg" "$T/fig.svg" \
    && ok "SVG figure" || bad "SVG figure"
else
  bad "gnuplot not installed (scripts/setup.sh installs gnuplot-nox)"
fi
out=$(PATH=/nonexistent "$BIN" inspect --archive "$A" --plot "$T/x.png" 2>&1 >/dev/null); rc=$?
[ $rc -eq 5 ] && [ "$(echo "$out" | grep -c 'longrope: error: --plot needs gnuplot')" -eq 1 ] \
  && ok "missing gnuplot: one error line" || bad "missing gnuplot: rc $rc, $out"

"$BIN" plan --model "$FX" --num-tokens 1024,8192 --json "$T/p.json" > "$T/p.txt" \
  && $PY - "$T/p.json" <<'EOF' && ok "plan: fixture figures" || { bad "plan fixture"; cat "$T/p.txt"; }
import json, sys
j = json.load(open(sys.argv[1]))
p = j["parameters"]
assert j["weights_stored_bytes"] == 4 * p == j["weights_engine_bytes"]  # F32 safetensors
l = j["lengths"][1]
assert l["tokens"] == 8192 and l["kv_cache_bytes"] == 4 * 2 * 64 * 8192 * 2 * 2
# activations at 8192: 8192*(256*2 + 256*2 + 128*2) + 512*768*2 + 128*4096 floats
assert l["eval"]["activations"] == 4 * (8192 * 1280 + 512 * 768 * 2 + 128 * 4096)
assert l["serving_fits"] and l["eval_fits"]
EOF

cat > "$T/config.json" <<'EOF'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
 "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
 "num_key_value_heads": 32, "vocab_size": 32000, "torch_dtype": "float16"}
EOF
"$BIN" plan --model "$T/config.json" --num-tokens 4096 --device-mem 24GiB --kv-type q8_0 \
  --json - > "$T/7b.json" && $PY - "$T/7b.json" <<'EOF' && ok "plan: bare 7B config.json" || bad "plan 7B"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["weights_stored_estimated"] and j["weights_stored_bytes"] == 2 * 6738415616
l = j["lengths"][0]
assert l["kv_cache_bytes"] == (2 << 30) * 34 // 64
# Our engine holds the F16 matrices as stored and the norms as F32: 13.0 GiB eval fits too.
assert j["weights_engine_bytes"] == 2 * 6738415616 + 2 * (32 * 2 * 4096 + 4096)
assert l["serving_fits"] and l["eval_fits"]
EOF
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
