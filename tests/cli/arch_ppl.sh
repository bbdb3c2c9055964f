#!/usr/bin/env bash
# `eval ppl --mode llamacpp` on Qwen2, LLaMA-3 and Phi-3 equals llama.cpp's llama-perplexity, pinned
# to the figures in the shared fixtures' MODEL_CARDs (F32 KV cache; -c C -b C --chunks N on
# data/vocab-tests/qwen2-excerpt.txt), from the GGUF and from the HF folder:
#   qwen2-random-fixture  --chunks 5: 256 81177.8950, 1024 88870.4164
#   llama3-random-fixture --chunks 3: 256 101004.1466, 1024 103923.7890 (rope_freqs applied once)
#   phi3-random-fixture   --chunks 3: 256 51002.4800 (short factors), 1024 51972.1221, 2048
#   50857.4956 (long); the HF folder has no tokenizer: it takes the GGUF's.
# Tolerance 1e-4 relative: llama.cpp multiplies F16 weights with F16-rounded activations, we
# convert the weights to F32 (measured gaps 2e-5 .. 9e-5).
set -u
source "$(dirname "$0")/common.sh"
M=$SHARED/models
X=$SHARED/data/vocab-tests/qwen2-excerpt.txt
for f in qwen2-random-fixture.f16.gguf llama3-random-fixture.f16.gguf phi3-random-fixture.f16.gguf \
         qwen2-random-fixture phi3-random-fixture; do
  [ -e "$M/$f" ] || { echo "SKIP: $M/$f missing"; exit 77; }
done
[ -f "$X" ] || { echo "SKIP: $X missing"; exit 77; }
fails=0; passes=0
tok() {  # tokenizer, output shard
  "$BIN" tokenize -q --tokenizer "$1" --input "$X" --output "$2" >/dev/null 2>"$T/tok.err" ||
    { echo "FAIL tokenize with $1: $(cat "$T/tok.err")"; exit 1; }
}
check() {  # label, model, shard, lengths, samples, wanted PPLs (one per length), extra args...
  local label=$1 model=$2 shard=$3 lens=$4 samples=$5 want=$6; shift 6
  if ! "$BIN" eval ppl -q --model "$model" --data "$shard" --mode llamacpp --num-tokens "$lens" \
      --samples "$samples" --output "$T/o.csv" "$@" >/dev/null 2>"$T/err"; then
    echo "FAIL $label: $(cat "$T/err")"; fails=$((fails+1)); return
  fi
  local i=0 w
  for w in ${want//,/ }; do
    i=$((i+1))
    local len got
    len=$(echo "$lens" | cut -d, -f$i)
    got=$(awk -F, -v n="$len" '$1==n{print $2}' "$T/o.csv")
    if awk -v a="$got" -v b="$w" 'BEGIN{d=a/b-1; if(d<0)d=-d; exit !(a>0 && d<=1e-4)}'; then
      echo "ok   $label @$len: $got (llama.cpp $w)"; passes=$((passes+1))
    else
      echo "FAIL $label @$len: $got, llama.cpp $w (tolerance 1e-4 relative)"; fails=$((fails+1))
    fi
  done
}
tok "$M/qwen2-random-fixture.f16.gguf" "$T/qg.h5"
tok "$M/qwen2-random-fixture" "$T/qh.h5"
check "qwen2 GGUF" "$M/qwen2-random-fixture.f16.gguf" "$T/qg.h5" 256,1024 5 81177.8950,88870.4164
check "qwen2 HF (tokenizer.json)" "$M/qwen2-random-fixture" "$T/qh.h5" 256,1024 5 81177.8950,88870.4164
tok "$M/llama3-random-fixture.f16.gguf" "$T/l3.h5"
check "llama3 GGUF" "$M/llama3-random-fixture.f16.gguf" "$T/l3.h5" 256,1024 3 101004.1466,103923.7890
tok "$M/phi3-random-fixture.f16.gguf" "$T/p3.h5"
check "phi3 GGUF" "$M/phi3-random-fixture.f16.gguf" "$T/p3.h5" 256,1024,2048 3 51002.4800,51972.1221,50857.4956
check "phi3 HF + GGUF tokenizer" "$M/phi3-random-fixture" "$T/p3.h5" 256,1024,2048 3 \
  51002.4800,51972.1221,50857.4956 --tokenizer "$M/phi3-random-fixture.f16.gguf"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
