#!/usr/bin/env bash
# Byte-level BPE through the CLI: GGUF and HF tokenizers give llama.cpp's ids, shards carry a
# fingerprint that separates pre-tokenizers, and unsupported tokenizers are refused by name.
set -u
source "$(dirname "$0")/common.sh"
VT=$SHARED/data/vocab-tests
M=$SHARED/models
if [ ! -f "$VT/qwen2-excerpt.txt" ] || [ ! -f "$M/qwen2-random-fixture.f16.gguf" ] ||
   [ ! -f "$M/llama3-random-fixture.f16.gguf" ]; then
  echo "SKIP: vocab-tests or BPE fixtures missing"; exit 77
fi
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3  # Debian python3-h5py
pass=0; failn=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { failn=$((failn+1)); echo "FAIL $1"; }

# tokenize: prints "... N tokens (tokenizer KIND, fingerprint F)"; the shard must hold the ids
# llama.cpp gives (read with python3-h5py).
tok() {  # name tokenizer expected-ids-file
  local out; out=$("$BIN" tokenize --tokenizer "$2" --input "$VT/qwen2-excerpt.txt" --output "$T/$1.h5" -q) ||
    { bad "$1: tokenize failed"; return; }
  echo "$out" | head -1 | sed 's/.*fingerprint \([0-9a-f]*\).*/\1/' > "$T/$1.fp"
  if $PY - "$T/$1.h5" "$3" <<'PYEOF'
import sys, h5py
ids = [int(x) for x in open(sys.argv[2]).read().split()]
got = h5py.File(sys.argv[1], "r")["tokens"][:].tolist()
sys.exit(0 if got == ids else 1)
PYEOF
  then ok "$1: shard equals $(basename "$3")"; else bad "$1: shard differs from $(basename "$3")"; fi
}
tok qwen2-gguf "$M/qwen2-random-fixture.f16.gguf" "$VT/qwen2-excerpt.ids"
tok qwen2-hf "$M/qwen2-random-fixture" "$VT/qwen2-excerpt.ids"
tok llama3-gguf "$M/llama3-random-fixture.f16.gguf" "$VT/llama3-excerpt.ids"
[ "$(cat "$T/qwen2-gguf.fp")" = "$(cat "$T/qwen2-hf.fp")" ] && ok "qwen2 GGUF and HF: one fingerprint" ||
  bad "qwen2 GGUF and HF fingerprints differ"
[ "$(cat "$T/qwen2-gguf.fp")" != "$(cat "$T/llama3-gguf.fp")" ] &&
  ok "same vocabulary, other pre-tokenizer: other fingerprint" || bad "qwen2 and llama3 share a fingerprint"

# Refusals: one "longrope: error:" line naming the problem, Unsupported/Io exit codes.
check() {  # name want-fragment want-exit args...
  local name=$1 want=$2 code=$3; shift 3
  local out rc; out=$("$BIN" "$@" -q 2>&1 >/dev/null); rc=$?
  if [ $rc -eq "$code" ] && [ "$(printf '%s\n' "$out" | grep -c 'longrope: error:')" -eq 1 ] &&
     printf '%s' "$out" | grep -q -- "$want"; then ok "$name (exit $rc)"; else bad "$name: exit $rc, got: $out"; fi
}
python3 - "$VT/ggml-vocab-gpt-2.gguf" "$T/gpt9.gguf" <<'PYEOF'
import sys
data = open(sys.argv[1], "rb").read()
key = b"tokenizer.ggml.pre"
at = data.index(key) + len(key) + 4 + 8  # value type (u32), string length (u64)
assert data[at:at + 5] == b"gpt-2"
open(sys.argv[2], "wb").write(data[:at] + b"gpt-9" + data[at + 5:])
PYEOF
X="--input $VT/qwen2-excerpt.txt --output $T/x.h5"
check "unknown GGUF pre-tokenizer" "pre-tokenizer 'gpt-9' is not supported" 5 tokenize --tokenizer "$T/gpt9.gguf" $X
mkdir -p "$T/meta" "$T/empty"
python3 -c "import json; json.dump({'model': {'type': 'BPE', 'vocab': {'a': 0}, 'merges': []},
  'pre_tokenizer': {'type': 'Metaspace'}, 'decoder': {'type': 'ByteLevel'}}, open('$T/meta/tokenizer.json', 'w'))"
check "tokenizer.json Metaspace" "pre_tokenizer 'Metaspace' is not supported" 5 tokenize --tokenizer "$T/meta" $X
check "folder without tokenizer" "no tokenizer.model or tokenizer.json" 3 tokenize --tokenizer "$T/empty" $X
echo "$pass passed, $failn failed"
[ $failn -eq 0 ]
