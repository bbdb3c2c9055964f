#!/usr/bin/env bash
# eval passkey through the CLI on fixture-passkey-3m: the acceptance bar at 256 tokens (HF and
# GGUF), CSV/JSON schema, same seed -> identical JSON, the --depths grid, --save-prompts.
set -u
source "$(dirname "$0")/common.sh"
PK=$SHARED/models/fixture-passkey-3m
[ -d "$PK" ] || { echo "SKIP: $PK missing"; exit 77; }
PY=/usr/bin/python3

A=(eval passkey --num-tokens 256 --samples 20 --seed 3 -q)
"$BIN" "${A[@]}" --model "$PK" --output "$T/hf.csv" --json "$T/hf.json" > "$T/hf.txt" || bad "HF run"
# CSV: header, one row (length 256, depth random), accuracy >= 0.9 (MODEL_CARD: 20/20 at ~236).
$PY - "$T/hf.csv" "$T/hf.json" <<'PYEOF' && ok "HF folder: accuracy >= 0.9, CSV and JSON schema" || bad "HF schema/accuracy"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0].keys()) == ["length", "depth", "accuracy", "samples"], rows[0].keys()
assert len(rows) == 1 and rows[0]["length"] == "256" and rows[0]["depth"] == "random"
acc = float(rows[0]["accuracy"]); assert 0.9 <= acc <= 1.0, acc
assert rows[0]["samples"] == "20"
j = json.load(open(sys.argv[2]))
for k in ["toolkit", "model", "seed", "samples", "rope", "cells", "prompts"]: assert k in j, k
assert len(j["prompts"]) == 20 and len(j["cells"]) == 1
keys = {"length", "prompt_tokens", "n", "i", "depth", "key", "generated_text", "answer", "correct"}
for p in j["prompts"]:
    assert keys <= p.keys(), p.keys()
    assert 1 <= p["key"] <= 50000 and 0 <= p["i"] < p["n"] and p["depth"] == "random"
    assert p["prompt_tokens"] <= 256 and 256 - p["prompt_tokens"] < 30
    assert p["correct"] == (p["answer"] == p["key"])
assert sum(p["correct"] for p in j["prompts"]) / 20 == acc
PYEOF
grep -q "random" "$T/hf.txt" && ok "table on stdout" || bad "table on stdout"

"$BIN" "${A[@]}" --model "$PK" --json "$T/hf2.json" >/dev/null && cmp -s "$T/hf.json" "$T/hf2.json" \
  && ok "same seed gives identical JSON" || bad "same seed, different JSON"
"$BIN" eval passkey --num-tokens 256 --samples 20 --seed 4 -q --model "$PK" --json "$T/s4.json" >/dev/null
cmp -s "$T/hf.json" "$T/s4.json" && bad "another seed gives the same JSON" || ok "another seed, other prompts"

GG=$SHARED/models/fixture-passkey-3m.f32.gguf
if [ -f "$GG" ]; then
  "$BIN" "${A[@]}" --model "$GG" --output "$T/gg.csv" --json "$T/gg.json" >/dev/null || bad "GGUF run"
  $PY - "$T/hf.json" "$T/gg.json" <<'PYEOF' && ok "F32 GGUF: accuracy >= 0.9, same prompts and answers as HF" || bad "GGUF"
import json, sys
a, b = (json.load(open(f))["prompts"] for f in sys.argv[1:3])
assert [(p["key"], p["i"], p["prompt_tokens"]) for p in a] == [(p["key"], p["i"], p["prompt_tokens"]) for p in b]
assert [p["answer"] for p in a] == [p["answer"] for p in b]
assert sum(p["correct"] for p in b) >= 18
PYEOF
fi

# Depth grid: lengths x depths cells in order, i = round(d * n / 100), prompts saved for llama.cpp.
"$BIN" eval passkey --model "$PK" --num-tokens 256,400 --depths 0,50,100 --samples 2 --seed 1 -q \
  --output "$T/d.csv" --json "$T/d.json" --save-prompts "$T/prompts" > "$T/d.txt" || bad "depth run"
$PY - "$T/d.csv" "$T/d.json" "$T/prompts" <<'PYEOF' && ok "--depths grid, i = round(d*n/100), --save-prompts" || bad "depth grid"
import csv, json, os, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [(r["length"], r["depth"]) for r in rows] == [(l, d) for l in ("256", "400") for d in ("0", "50", "100")]
assert all(r["samples"] == "2" for r in rows)
j = json.load(open(sys.argv[2]))
assert len(j["prompts"]) == 12
for p in j["prompts"]:
    assert p["i"] == int(p["depth"] * p["n"] / 100 + 0.5), p
    text = open(os.path.join(sys.argv[3], p["prompt_file"]), "rb").read().decode()
    assert text.startswith("There is an important info") and text.endswith("The pass key is")
    assert ("The pass key is %d. Remember it. %d is the pass key." % (p["key"], p["key"])) in text
    assert text.count(" The grass is green.") == p["n"]
idx = open(os.path.join(sys.argv[3], "index.tsv")).read().splitlines()
assert idx[0].split("\t")[:3] == ["file", "length", "prompt_tokens"] and len(idx) == 13
PYEOF
head -1 "$T/d.txt" | grep -q "0 .*50 .*100" && ok "table has a column per depth" || bad "depth table header"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
