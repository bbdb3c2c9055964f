#!/usr/bin/env bash
# End to end on a Qwen2-shaped and a Qwen3-shaped tiny model written here (random weights, GPT-2
# vocabulary size; tokenizer.json linked from the qwen2 random fixture): tokenize, eval ppl
# (truncate and llamacpp), a seconds-long search, export --format hf, and the exported folder
# read back reproducing the searched PPL (its factors as float32: exactly; the search's: 1e-5).
set -u
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
Q=$SHARED/models/qwen2-random-fixture
X=$SHARED/data/vocab-tests/qwen2-excerpt.txt
[ -f "$Q/tokenizer.json" ] && [ -f "$X" ] || { echo "SKIP: $Q/tokenizer.json or $X missing"; exit 77; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a/b-1; if(d<0)d=-d; exit !(a>0 && d<t)}'; }
for arch in qwen2 qwen3; do
  M=$T/$arch
  $PY "$ROOT/tests/reference/arch_models.py" --hf-only $arch 50257 "$M" || { bad "$arch: write model"; continue; }
  ln -s "$Q/tokenizer.json" "$M/tokenizer.json"; ln -s "$Q/tokenizer_config.json" "$M/tokenizer_config.json"
  "$BIN" tokenize -q --tokenizer "$M" --input "$X" --output "$T/$arch.h5" >/dev/null \
    && ok "$arch: tokenize (tokenizer.json)" || bad "$arch: tokenize"
  "$BIN" eval ppl -q --model "$M" --data "$T/$arch.h5" --num-tokens 128,256 --samples 1 \
    --output "$T/$arch-ppl.csv" >/dev/null && [ "$(wc -l < "$T/$arch-ppl.csv")" -eq 3 ] \
    && ok "$arch: eval ppl 128,256: $(tail -1 "$T/$arch-ppl.csv")" || bad "$arch: eval ppl"
  "$BIN" eval ppl -q --model "$M" --data "$T/$arch.h5" --num-tokens 128 --samples 2 --mode llamacpp \
    --output "$T/$arch-lc.csv" >/dev/null && ok "$arch: eval ppl --mode llamacpp" || bad "$arch: llamacpp"
  "$BIN" search --model "$M" --data "$T/$arch.h5" --target-length 256 --samples 1 --seed 3 \
    --set population_size=4 --set max_time_budget=1 --set mutation_numbers=2 --set crossover_size=2 \
    --set parents_size=2 --baselines false -q --threads 2 --output-dir "$T/$arch-run" >/dev/null \
    && [ -f "$T/$arch-run/result_final.json" ] && ok "$arch: search" || { bad "$arch: search"; continue; }
  "$BIN" export --format hf --factors "$T/$arch-run/result_final.json" --model "$M" \
    --output "$T/$arch-hf" >/dev/null && ok "$arch: export --format hf" || { bad "$arch: export"; continue; }
  best=$($PY -c "import json; print(repr(json.load(open('$T/$arch-run/result_final.json'))['ppl']))")
  "$BIN" eval ppl -q --model "$T/$arch-hf" --data "$T/$arch.h5" --num-tokens 256 --samples 1 \
    --output "$T/$arch-back.csv" >/dev/null
  got=$(tail -1 "$T/$arch-back.csv" | cut -d, -f2)
  # config.json's factors are read as float32 (as HF and GGUF hold them): the same PPL as the
  # searched factors rounded to float32, and within 1e-5 of the search's own (doubles)
  $PY -c "import json,struct; d=json.load(open('$T/$arch-run/result_final.json')); \
d['factors']=[struct.unpack('f',struct.pack('f',x))[0] for x in d['factors']]; \
json.dump(d,open('$T/$arch-f32.json','w'))"
  "$BIN" eval ppl -q --model "$M" --rope longrope --factors "$T/$arch-f32.json" --data "$T/$arch.h5" \
    --num-tokens 256 --samples 1 --output "$T/$arch-f32.csv" >/dev/null
  f32=$(tail -1 "$T/$arch-f32.csv" | cut -d, -f2)
  close "$got" "$f32" 1e-12 && close "$got" "$best" 1e-5 \
    && ok "$arch: exported folder reads back with the searched PPL $got (float32 factors)" \
    || bad "$arch: read-back PPL $got, search $best, float32 factors $f32"
done
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
