#!/usr/bin/env bash
# `eval ppl --mode llamacpp` equals llama.cpp's llama-perplexity, pinned to the figures quoted in
# the figures pinned (llama.cpp run by hand on the fixture F32 GGUF, F32 KV cache): the valid books joined
# in shell order into one file, tokenized with the GGUF's own vocabulary, BOS at the stream head.
#   -c 256 -b 256 --chunks 40 -> 344.2337; -c 2048 --chunks 5: none 418.876, PI
#   (--rope-scaling linear --rope-freq-scale 0.125) 417.286, YaRN (--yarn-orig-ctx 256) 353.071.
set -u
source "$(dirname "$0")/common.sh"
G=$SHARED/models/fixture-llama-5m.f32.gguf
fails=0; passes=0
cat "$SHARED"/data/pg19-like/valid/*.txt > "$T/valid.txt"
"$BIN" tokenize -q --tokenizer "$G" --input "$T/valid.txt" --output "$T/valid.h5" >/dev/null || exit 1
check() {  # label, want, relative tolerance, eval args...
  local label=$1 want=$2 tol=$3; shift 3
  "$BIN" eval ppl -q --model "$G" --data "$T/valid.h5" --mode llamacpp --output "$T/o.csv" "$@" >/dev/null
  local got; got=$(tail -1 "$T/o.csv" | cut -d, -f2)
  if awk -v a="$got" -v b="$want" -v t="$tol" 'BEGIN{d=a/b-1; if(d<0)d=-d; exit !(d<=t)}'; then
    echo "ok   $label: $got (llama.cpp $want)"; passes=$((passes+1))
  else
    echo "FAIL $label: $got, llama.cpp $want (tolerance $tol relative)"; fails=$((fails+1))
  fi
}
# Tolerances: half a unit of the last quoted digit.
check "256 tokens, 40 chunks"      344.2337 2e-7 --num-tokens 256 --samples 40
check "2048, 5 chunks, unscaled"   418.876  2e-6 --num-tokens 2048 --samples 5
check "2048, 5 chunks, PI s=8"     417.286  2e-6 --num-tokens 2048 --samples 5 --rope linear
check "2048, 5 chunks, YaRN s=8"   353.071  2e-6 --num-tokens 2048 --samples 5 --rope yarn
# A shard from the HF folder's tokenizer.model (same vocabulary, other normaliser) is refused.
"$BIN" tokenize -q --tokenizer "$FX" --input "$T/valid.txt" --output "$T/spm.h5" >/dev/null
if "$BIN" eval ppl -q --model "$G" --data "$T/spm.h5" --tokenizer "$FX" --mode llamacpp --num-tokens 256 --samples 1 2>&1 >/dev/null | grep -q "own tokenizer"; then
  echo "ok   llamacpp mode refuses a shard from another tokenizer of the same vocabulary"; passes=$((passes+1))
else
  echo "FAIL llamacpp mode accepted a tokenizer.model shard"; fails=$((fails+1))
fi
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
