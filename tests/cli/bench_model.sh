#!/usr/bin/env bash
# scripts/make-bench-model.sh through the CLI: a tiny model of every type and its random-id
# shard are accepted by `longrope eval ppl` with a finite PPL; bad shapes and types exit 2.
set -uo pipefail
BIN=${1:?usage: $0 path/to/longrope path/to/longrope-bench-model}
export GEN=${2:?usage: $0 path/to/longrope path/to/longrope-bench-model}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok() { echo "ok   $1"; passes=$((passes+1)); }
bad() { echo "FAIL $1"; fails=$((fails+1)); }
for type in F32 F16 Q8_0 Q4_K_M; do
  M=$T/tiny-k.$type.gguf
  "$ROOT/scripts/make-bench-model.sh" tiny-k $type "$M" >/dev/null && [ -f "${M%.gguf}.tokens.h5" ] \
    || { bad "$type: make-bench-model.sh"; continue; }
  ppl=$("$BIN" eval ppl -q --model "$M" --data "${M%.gguf}.tokens.h5" --num-tokens 512 --samples 2 \
    --threads 2 | awk '$1==512 {print $3}')
  awk -v p="$ppl" 'BEGIN{exit !(p+0 > 1 && p+0 < 1e6)}' && ok "$type: eval ppl 512 = $ppl" \
    || bad "$type: eval ppl gave '$ppl'"
done
"$GEN" model tiny-k Q4_K_M "$T/t.gguf" | grep -q "13×Q4_K 3×Q6_K" && ok "Q4_K_M mix reported" \
  || bad "Q4_K_M mix not as planned"
"$GEN" model llama-70b F32 "$T/x.gguf" 2>/dev/null; [ $? = 2 ] && ok "unknown shape: exit 2" || bad "unknown shape"
"$GEN" model tiny Q4_0 "$T/x.gguf" 2>/dev/null; [ $? = 2 ] && ok "unknown type: exit 2" || bad "unknown type"
out=$("$GEN" gemm tiny F32 --tokens 32 --reps 1)
[ "$(echo "$out" | wc -l)" = 9 ] && echo "$out" | awk -F, '$1=="all layers" {exit !($8+0 > 0)}' \
  && ok "gemm: 7 matrices + all layers" || bad "gemm output: $out"
"$GEN" gemm tiny F32 --tokens 0 2>/dev/null; [ $? = 2 ] && ok "gemm --tokens 0: exit 2" || bad "gemm --tokens 0"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
