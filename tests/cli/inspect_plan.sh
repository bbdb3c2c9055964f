#!/usr/bin/env bash
# `inspect --archive` and `plan` through the CLI: a tiny stories260K search written here, its
# text/JSON summary against result_final.json, the gnuplot figure (PNG and SVG, kept script),
# the missing-gnuplot error; plan figures of the fixture and of a bare 7B config.json; `plan
# --search` of the same tiny search (tokens equal to what the search ran) and of a bare config.
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3

"$BIN" tokenize -q --tokenizer "$ST/tok512.bin" --input "$SHARED/data/tinystories-like" \
  --output "$T/st.h5" >/dev/null || exit 1
"$BIN" search -q --model "$ST/stories260K.bin" --data "$T/st.h5" --target-length 2048 --samples 1 \
  --seed 1 --set population_size=6 --set max_time_budget=2 --set mutation_numbers=2 \
  --set crossover_size=2 --set parents_size=3 --output-dir "$T/run" > "$T/search.txt" || exit 1
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
# plan --search of the tiny search above: 6 + 2 x 4 = 14 candidates x 1 document x 2048 tokens.
"$BIN" plan --search --model "$ST/stories260K.bin" --data "$T/st.h5" --target-length 2048 \
  --samples 1 --seed 1 --set population_size=6 --set max_time_budget=2 --set mutation_numbers=2 \
  --set crossover_size=2 --set parents_size=3 --ranks 1,3 --calibrate-seconds 1 \
  --json "$T/ps.json" > "$T/ps.txt" 2>&1 \
  && ran=$(sed -n 's/.*; \([0-9]*\) forward-pass tokens).*/\1/p' "$T/search.txt") \
  && planned=$(sed -n 's/^projected forward-pass tokens: \([0-9]*\).*/\1/p' "$T/ps.txt") \
  && [ -n "$ran" ] && [ "$planned" = 28672 ] && [ "$ran" -le "$planned" ] \
  && grep -q "^projected wall time, 1 process: " "$T/ps.txt" && grep -q "^  ranks  evaluating" "$T/ps.txt" \
  && grep -q "^forward speed (this machine" "$T/ps.txt" && grep -q "racing + screen (T/4, keep 1/4)" "$T/ps.txt" \
  && $PY - "$T/ps.json" <<'EOF' && ok "plan --search: $planned tokens planned, $ran run" \
  || { bad "plan --search (ran ${ran:-?}, planned ${planned:-?})"; cat "$T/ps.txt"; }
import json, sys
j = json.load(open(sys.argv[1]))
assert j["evaluations"] == 14 and j["generations"] == 3 and j["tokens"] == 14 * 2048
assert [r["ranks"] for r in j["ranks"]] == [1, 3] and j["ranks"][1]["rounds"] == 3 + 2 + 2  # 2 evaluate
assert j["speed"]["a"] >= 0 and j["speed"]["b"] >= 0 and len(j["speed"]["samples"]) >= 2
assert j["ranks"][0]["seconds"] > j["ranks"][1]["seconds"] > 0
EOF
# A bare config.json of 24 layers: random weights of its shape, 1 and 2 layers timed; 32k target.
cat > "$T/c24.json" <<'EOF'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 512,
 "intermediate_size": 1408, "num_hidden_layers": 24, "num_attention_heads": 8,
 "num_key_value_heads": 8, "vocab_size": 8000, "max_position_embeddings": 4096}
EOF
"$BIN" plan --search --model "$T/c24.json" --target-length 32768 --samples 5 \
  --calibrate-seconds 1 --ranks 1,9 > "$T/ps24.txt" 2>&1 \
  && grep -q "random weights of its shape, 1 and 2 layers timed, extrapolated to 24" "$T/ps24.txt" \
  && grep -q "L = 4096 -> T = 32768 (s = 8)" "$T/ps24.txt" \
  && grep -q "1344 candidates in 41 generations" "$T/ps24.txt" \
  && grep -q "^projected forward-pass tokens: 220200960 " "$T/ps24.txt" \
  && ok "plan --search: bare config.json at 32k" || { bad "plan --search config.json"; cat "$T/ps24.txt"; }
out=$("$BIN" plan --search --model "$ST/stories260K.bin" --samples 1 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(echo "$out" | grep -c '^longrope: error: ')" -eq 1 ] \
  && [ "$(echo "$out" | wc -l)" -eq 1 ] && ok "plan --search without a target: one error line" \
  || bad "plan --search error: rc $rc, $out"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
