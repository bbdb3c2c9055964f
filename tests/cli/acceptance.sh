#!/usr/bin/env bash
# Acceptance checks through the CLI:
#  - fixture HF folder and F32 GGUF give the same PPL at 256 and 2048, with and without scaling;
#  - stories260K .bin and GGUF give the same PPL; PPL < 4 at 512; beyond it (llama.cpp
#    chunking, s = 8) unscaled PPL explodes (> 50) and PI and YaRN bring it far down.
set -u
source "$(dirname "$0")/common.sh"
fails=0
ppl() { "$BIN" eval ppl -q --threads 2 --output "$T/o.csv" "$@" >/dev/null || { echo "FAIL: eval $*"; exit 1; }; tail -n +2 "$T/o.csv" | cut -d, -f2 | paste -sd' '; }
same() {  # same "label" "a b" "c d": equal to 1e-6 relative
  if awk -v a="$2" -v b="$3" 'BEGIN{n=split(a,x," ");split(b,y," ");for(i=1;i<=n;i++){d=x[i]/y[i]-1;if(d<0)d=-d;if(d>1e-6)exit 1};exit n==0}'; then
    echo "ok   $1: $2"; else echo "FAIL $1: $2 vs $3"; fails=$((fails+1)); fi
}
holds() { if awk "BEGIN{exit !($2)}"; then echo "ok   $1 ($2)"; else echo "FAIL $1 ($2)"; fails=$((fails+1)); fi; }

"$BIN" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/books.h5" >/dev/null
for rope in none yarn linear; do
  a=$(ppl --model "$FX" --data "$T/books.h5" --num-tokens 256,2048 --rope $rope)
  # one shard for both (tokenized by the HF tokenizer.model; --tokenizer says so to the GGUF)
  b=$(ppl --model "$SHARED/models/fixture-llama-5m.f32.gguf" --data "$T/books.h5" --tokenizer "$FX" --num-tokens 256,2048 --rope $rope)
  same "fixture HF == GGUF, rope $rope (256, 2048)" "$a" "$b"
done

# Sharded safetensors (model.safetensors.index.json) with F16 / BF16 matrices, 1-D tensors F32.
/usr/bin/python3 - "$FX" "$T" <<'PYEOF'
import json, os, shutil, struct, sys
import numpy as np
src, t = sys.argv[1], sys.argv[2]
data = open(os.path.join(src, "model.safetensors"), "rb").read()
(hlen,) = struct.unpack_from("<Q", data, 0)
header = json.loads(data[8:8 + hlen]); base = 8 + hlen
names = sorted(k for k in header if k != "__metadata__")
for kind in ("f16", "bf16"):
    d = os.path.join(t, "sharded-" + kind); os.makedirs(d)
    shutil.copy(os.path.join(src, "config.json"), d)
    weight_map = {}
    for part, chunk in enumerate([names[: len(names) // 2], names[len(names) // 2:]]):
        fname = f"model-{part + 1:05d}-of-00002.safetensors"
        hdr, blobs, off = {}, [], 0
        for n in chunk:
            info = header[n]; b, e = info["data_offsets"]
            a = np.frombuffer(data[base + b:base + e], dtype="<f4").reshape(info["shape"])
            if a.ndim == 2 and kind == "f16":
                raw, dt = a.astype("<f2").tobytes(), "F16"
            elif a.ndim == 2:
                u = a.view(np.uint32).astype(np.uint64)
                raw = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2").tobytes(); dt = "BF16"
            else:
                raw, dt = a.tobytes(), "F32"
            hdr[n] = {"dtype": dt, "shape": info["shape"], "data_offsets": [off, off + len(raw)]}
            blobs.append(raw); off += len(raw); weight_map[n] = fname
        hb = json.dumps(hdr).encode(); hb += b" " * (-len(hb) % 8)
        with open(os.path.join(d, fname), "wb") as f:
            f.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
    json.dump({"weight_map": weight_map}, open(os.path.join(d, "model.safetensors.index.json"), "w"))
PYEOF
f16_st=$(ppl --model "$T/sharded-f16" --data "$T/books.h5" --num-tokens 256,2048 --tokenizer "$FX")
f16_gguf=$(ppl --model "$SHARED/models/fixture-llama-5m.f16.gguf" --data "$T/books.h5" --tokenizer "$FX" --num-tokens 256,2048)
same "sharded F16 safetensors == F16 GGUF (256, 2048)" "$f16_st" "$f16_gguf"
f32=$(ppl --model "$FX" --data "$T/books.h5" --num-tokens 256)
bf16=$(ppl --model "$T/sharded-bf16" --data "$T/books.h5" --num-tokens 256 --tokenizer "$FX")
holds "sharded BF16 safetensors within 2% of F32 ($bf16 vs $f32)" "$bf16 / $f32 < 1.02 && $f32 / $bf16 < 1.02"

"$BIN" tokenize -q --tokenizer "$ST/stories260K.bin" --input "$SHARED/data/tinystories-like" --output "$T/ts.h5" >/dev/null
a=$(ppl --model "$ST/stories260K.bin" --data "$T/ts.h5" --num-tokens 512,1024 --samples 4)
b=$(ppl --model "$ST/stories260K.gguf" --data "$T/ts.h5" --num-tokens 512,1024 --samples 4)
same "stories260K .bin == GGUF (512, 1024)" "$a" "$b"
p512=${a%% *}
holds "stories260K PPL at 512 below 4" "$p512 < 4"
cat "$SHARED"/data/tinystories-like/*.txt > "$T/ts-joined.txt"  # llama.cpp reads one joined file
"$BIN" tokenize -q --tokenizer "$ST/stories260K.gguf" --input "$T/ts-joined.txt" --output "$T/tsg.h5" >/dev/null
L="--model $ST/stories260K.gguf --data $T/tsg.h5 --num-tokens 4096 --mode llamacpp --samples 6 --original-max-position 512"
none=$(ppl $L --rope none); pi=$(ppl $L --rope linear); yarn=$(ppl $L --rope yarn)
holds "unscaled PPL at 4096 explodes" "$none > 50"
holds "PI (s=8) far below unscaled" "$pi < $none / 3"
holds "YaRN (s=8) far below unscaled" "$yarn < $none / 10"
echo "$((fails == 0 ? 1 : 0)) passed, $fails failed" | sed 's/^1 passed/all passed/;s/^0 passed/some failed/'
[ $fails -eq 0 ]
