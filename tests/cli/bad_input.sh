#!/usr/bin/env bash
# Bad-input table: every case must print one clear "longrope: error:" line naming the
# problem and exit non-zero without a crash (exit code < 128, no sanitizer/abort output).
set -u
source "$(dirname "$0")/common.sh"
PY=python3

# --- fixtures for the cases -----------------------------------------------------------
mkdir -p "$T/trunc" "$T/pastend" "$T/dtype" "$T/shape" "$T/arch"
for d in trunc pastend dtype shape arch; do cp "$FX/config.json" "$T/$d/"; done
printf 'abc' > "$T/trunc/model.safetensors"
$PY - "$FX/model.safetensors" "$T" <<'PYEOF'
import json, struct, sys
src, t = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
(hlen,) = struct.unpack_from("<Q", data, 0)
open(t + "/pastend/model.safetensors", "wb").write(struct.pack("<Q", 10**9) + data[8:4096])
h = json.loads(data[8:8 + hlen])
h["model.norm.weight"]["dtype"] = "I32"
hb = json.dumps(h).encode(); hb += b" " * (-len(hb) % 8)
open(t + "/dtype/model.safetensors", "wb").write(struct.pack("<Q", len(hb)) + hb + data[8 + hlen:])
PYEOF
ln -s "$FX/model.safetensors" "$T/shape/model.safetensors"
sed -i 's/"intermediate_size": 768/"intermediate_size": 700/' "$T/shape/config.json"
ln -s "$FX/model.safetensors" "$T/arch/model.safetensors"
sed -i 's/LlamaForCausalLM/GPT2LMHeadModel/; s/"model_type": "llama"/"model_type": "gpt2"/' "$T/arch/config.json"
printf 'NOPE0000000000000000' > "$T/bad.gguf"
head -c 300000 "$SHARED/models/fixture-llama-5m.f32.gguf" > "$T/trunc.gguf"
head -c 50000 "$ST/stories260K.bin" > "$T/trunc.bin"
printf '1.0\n1.1\n1.2\n' > "$T/count.csv"
{ for i in $(seq 1 31); do echo 1.0; done; echo nan; } > "$T/nan.csv"
{ for i in $(seq 1 31); do echo 1.5; done; echo 1.2; } > "$T/mono.csv"
{ echo 0.5; for i in $(seq 1 31); do echo 1.5; done; } > "$T/below.csv"
: > "$T/empty.csv"
echo '{"factors": [1.0, 2.0' > "$T/broken.json"
echo "not hdf5" > "$T/notashard.h5"
for i in $(seq 1 32); do echo 1.0; done > "$T/ones32.csv"
for i in $(seq 1 16); do echo 1.0; done > "$T/ones16.csv"
mkdir -p "$T/ropeyarn"; ln -s "$FX/model.safetensors" "$T/ropeyarn/model.safetensors"
sed 's/"vocab_size"/"rope_scaling": {"rope_type": "yarn", "factor": 4.0}, "vocab_size"/' "$FX/config.json" > "$T/ropeyarn/config.json"
"$BIN" tokenize --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid/pg3261.txt" --output "$T/fx.h5" -q >/dev/null || exit 1
"$BIN" tokenize --tokenizer "$ST/tok512.bin" --input "$SHARED/data/tinystories-like/doc01.txt" --output "$T/st.h5" -q >/dev/null || exit 1
# Search archives and shards, corrupted in the ways the reader must refuse.
"$BIN" search --model "$FX" --data "$T/fx.h5" --target-length 512 --samples 1 --set population_size=2 \
  --set max_time_budget=0 --set parents_size=2 --baselines false -q --threads 1 --output-dir "$T/run" >/dev/null || exit 1
A=$T/run/archive.h5
head -c 3000 "$A" > "$T/trunc-archive.h5"
echo '{"population_size": 8,' > "$T/broken-hp.json"
printf '{"tokens": 3}' > "$T/badtok.json"
head -c 3000 "$ST/tok512.bin" > "$T/trunc-tok.bin"
mkdir -p "$T/nots"; cp "$FX/config.json" "$T/nots/"
printf '\x02\x00\x00\x00\x00\x00\x00\x00\x7b\x7d' > "$T/nots/model.safetensors"
mkdir -p "$T/escape"; cp "$FX/config.json" "$T/escape/"
echo '{"weight_map": {"a": "../../etc/passwd"}}' > "$T/escape/model.safetensors.index.json"
/usr/bin/python3 - "$A" "$T" "$T/fx.h5" <<'PYEOF' || exit 1
import shutil, sys, h5py, numpy as np
a, t, shard = sys.argv[1:4]
def edit(name, fn, src=a):
    shutil.copy(src, t + "/" + name); f = h5py.File(t + "/" + name, "r+"); fn(f); f.close()
def shrink(f):
    p = f["individuals/ppl"][:-1]; del f["individuals/ppl"]; f["individuals/ppl"] = p
def retype(f):
    x = f["individuals/start_tokens"][:].astype("float64"); del f["individuals/start_tokens"]
    f["individuals/start_tokens"] = x
def noiter(f): del f["iterations"]
def badcfg(f):  # as an archive from before content_sha256 would be read
    f.attrs["config"] = '{"model": 5, "target_length": "long"}'; del f.attrs["content_sha256"]
def badorigin(f):
    o = f["individuals/origin"][:]; o[0] = 7; f["individuals/origin"][:] = o
def huge(f):
    del f["individuals/id"]; f.create_dataset("individuals/id", shape=(2**40,), dtype="int64")
def editppl(f): p = f["individuals/ppl"][:]; p[0] *= 0.5; f["individuals/ppl"][:] = p
edit("editppl.h5", editppl)
edit("shrunk.h5", shrink); edit("retyped.h5", retype); edit("noiter.h5", noiter)
edit("badcfg.h5", badcfg); edit("badorigin.h5", badorigin); edit("huge.h5", huge)
def oov(f): tk = f["tokens"][:]; tk[5] = 10**6; f["tokens"][:] = tk
def ftok(f): x = f["tokens"][:].astype("float32"); del f["tokens"]; f["tokens"] = x
edit("oov.h5", oov, shard); edit("ftok.h5", ftok, shard)
PYEOF

# --- the table: name | expected message fragment | arguments ----------------------------
pass=0; failn=0
check() {
  local name=$1 want=$2; shift 2
  local out rc
  out=$("$BIN" "$@" -q 2>&1 >/dev/null); rc=$?
  local lines; lines=$(printf '%s\n' "$out" | grep -c 'longrope: error:')
  if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$lines" -eq 1 ] && printf '%s' "$out" | grep -qi -- "$want"; then
    pass=$((pass+1)); echo "ok   $name (exit $rc)"
  else
    failn=$((failn+1)); echo "FAIL $name: exit $rc, wanted '$want', got: $out"
  fi
}
E="eval ppl --data $T/fx.h5 --num-tokens 256"
check "missing model file"            "does not exist"            $E --model "$T/nope.gguf"
check "truncated safetensors header"  "truncated"                 $E --model "$T/trunc"
check "header length past EOF"        "past the end"              $E --model "$T/pastend"
check "wrong dtype"                   "unsupported type I32"      $E --model "$T/dtype"
check "tensor shape mismatch"         "has shape"                 $E --model "$T/shape"
check "unknown architecture"          "GPT2LMHeadModel"           $E --model "$T/arch"
check "bad GGUF magic"                "bad magic"                 $E --model "$T/bad.gguf"
check "truncated GGUF"                "truncated or corrupt"      $E --model "$T/trunc.gguf"
# A llama-quantize Q4_K_M file with one tensor's type id patched to Q2_K (10), which we do not decode.
/usr/bin/python3 - "$SHARED/models/fixture-llama-5m.q4_k.gguf" "$T/q2k.gguf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
name = b"blk.0.attn_q.weight"
i = b.index(len(name).to_bytes(8, "little") + name) + 8 + len(name)  # then n_dims, dims, type
i += 4 + 8 * int.from_bytes(b[i:i + 4], "little")
b[i:i + 4] = (10).to_bytes(4, "little")
open(sys.argv[2], "wb").write(b)
PY
check "unsupported GGUF tensor type"  "Q2_K"                      $E --model "$T/q2k.gguf"
check "truncated llama2.c checkpoint" "truncated or corrupt"      eval ppl --data "$T/st.h5" --model "$T/trunc.bin"
check "factor file wrong count"       "needs head_dim/2 = 32"     $E --model "$FX" --rope longrope --factors "$T/count.csv"
check "factor file NaN"               "not finite"                $E --model "$FX" --rope longrope --factors "$T/nan.csv"
check "factor file non-monotonic"     "not non-decreasing"        $E --model "$FX" --rope longrope --factors "$T/mono.csv"
check "factor below one"              "below 1"                   $E --model "$FX" --rope longrope --factors "$T/below.csv"
check "factor file empty"             "empty"                     $E --model "$FX" --rope longrope --factors "$T/empty.csv"
check "factor JSON broken"            "not valid JSON"            $E --model "$FX" --rope longrope --factors "$T/broken.json"
check "longrope without factors"      "needs --factors"           $E --model "$FX" --rope longrope
check "shard for another tokenizer"   "another tokenizer"         eval ppl --model "$FX" --data "$T/st.h5" --num-tokens 256
check "num-tokens longer than any doc" "no document has"          eval ppl --model "$FX" --data "$T/fx.h5" --num-tokens 1000000
check "shard not HDF5"                "not an HDF5 file"          eval ppl --model "$FX" --data "$T/notashard.h5"
# A fuzzed shard whose vlen strings claim 2.7 GB: refused from the capped child, not read.
check "shard with a huge vlen length"  "oom-vlen-length-2.7GB.h5"  eval ppl --model "$FX" --data "$ROOT/tests/fuzz/regressions/shard/oom-vlen-length-2.7GB.h5"
check "missing shard"                 "does not exist"            eval ppl --model "$FX" --data "$T/none.h5"
check "unknown rope"                  "unknown --rope"            $E --model "$FX" --rope rotary
check "bad num-tokens"                "bad value"                 eval ppl --model "$FX" --data "$T/fx.h5" --num-tokens 256,abc
check "unknown option"                "unrecognised option\|unrecognized option" $E --model "$FX" --bogus
check "unknown command"               "unknown command"           frobnicate
check "short factors without target"  "need --target-length"      $E --model "$FX" --rope longrope --factors "$T/ones32.csv" --short-factors "$T/ones32.csv"
check "target length and scale"       "exclude each other"        $E --model "$FX" --rope longrope --factors "$T/ones32.csv" --target-length 2048 --scale 8
check "longrope over file factors"    "already carries"           $E --model "$SHARED/models/llama3-random-fixture.f16.gguf" --rope longrope --factors "$T/ones16.csv"
check "HF rope_scaling not supported" "rope_scaling type 'yarn'"  $E --model "$T/ropeyarn"
Q2=$SHARED/models/qwen2-random-fixture; P3=$SHARED/models/phi3-random-fixture
if [ -d "$Q2" ] && [ -d "$P3" ]; then  # table features the engine does not have: refused by name
  mkdir -p "$T/qswa" "$T/prot"; ln -s "$Q2/model.safetensors" "$T/qswa/"; ln -s "$P3/model.safetensors" "$T/prot/"
  sed 's/"use_sliding_window": false/"use_sliding_window": true/' "$Q2/config.json" > "$T/qswa/config.json"
  sed 's/"partial_rotary_factor": 1.0/"partial_rotary_factor": 0.75/' "$P3/config.json" > "$T/prot/config.json"
  check "qwen2 use_sliding_window"    "use_sliding_window true"   $E --model "$T/qswa"
  check "phi3 partial rotary"         "partial_rotary_factor 0.75" $E --model "$T/prot"
fi
P="eval passkey --num-tokens 256 --samples 1"
check "passkey missing model"         "does not exist"            $P --model "$T/nope.gguf"
check "passkey depth above 100"       "bad value '150' in --depths" $P --model "$FX" --depths 0,150
check "passkey depth not a number"    "bad value 'mid' in --depths" $P --model "$FX" --depths mid
check "passkey length below skeleton" "too small"                 eval passkey --model "$FX" --num-tokens 40
check "passkey zero samples"          "samples must be >= 1"      eval passkey --model "$FX" --samples 0
check "passkey longrope no factors"   "needs --factors"           $P --model "$FX" --rope longrope
X="export --target-length 512 --original-max-position 256"
check "export: CSV without lengths"   "--target-length T and"     export --format json --factors "$T/ones32.csv" --output "$T/o.json"
check "export: missing factor file"   "does not exist"            $X --format json --factors "$T/none.csv" --output "$T/o.json"
check "export: no source"             "exactly one of"            $X --format json --output "$T/o.json"
check "export: broken factor JSON"    "not valid JSON"            $X --format json --factors "$T/broken.json" --output "$T/o.json"
check "export: wrong factor count"    "needs head_dim/2 = 32"     $X --format hf --factors "$T/count.csv" --model "$FX" --output "$T/o"
check "export: target below original" "below the original"        export --format json --factors "$T/ones32.csv" --target-length 128 --original-max-position 256 --output "$T/o.json"
check "export: existing output"     "exists; remove it"         $X --format json --factors "$T/ones32.csv" --output "$T/notashard.h5"
check "export: existing folder"     "exists; remove it"         $X --format hf --factors "$T/ones32.csv" --model "$FX" --output "$T/trunc"
check "export: non-llama GGUF"        "architecture 'qwen2'"      $X --format gguf --factors "$T/ones32.csv" --model "$SHARED/models/qwen2-random-fixture.f16.gguf" --output "$T/o.gguf"
check "export: GGUF has rope_freqs"   "already carries rope_freqs" $X --format gguf --factors "$T/ones16.csv" --model "$SHARED/models/llama3-random-fixture.f16.gguf" --output "$T/o.gguf"
check "export: gguf from HF folder"   "not a GGUF file"           $X --format gguf --factors "$T/ones32.csv" --model "$FX" --output "$T/o.gguf"
check "export: HF has rope_scaling"   "already has rope_scaling"  $X --format hf --factors "$T/ones32.csv" --model "$T/ropeyarn" --output "$T/o"
check "export: hf without model"      "needs --model"             $X --format hf --factors "$T/ones32.csv" --output "$T/o"
check "export: unknown format"        "unknown --format"          $X --format onnx --factors "$T/ones32.csv" --output "$T/o"
check "export: archive not HDF5"      "not an HDF5 file"          $X --format json --archive "$T/notashard.h5" --output "$T/o.json"
check "tokenize missing input"        "does not exist"            tokenize --tokenizer "$FX" --input "$T/nothing" --output "$T/x.h5"
check "plan: missing model"           "does not exist"            plan --model "$T/nope/config.json" --num-tokens 4096
check "plan: bad --device-mem"        "bad --device-mem '12XB'"   plan --model "$FX" --num-tokens 4096 --device-mem 12XB
check "plan: bad --kv-type"           "bad --kv-type 'q4'"        plan --model "$FX" --num-tokens 4096 --kv-type q4
check "plan: broken config.json"      "not valid JSON"            plan --model "$T/broken.json" --num-tokens 4096
check "plan: reserve above memory"    "smaller than --device-mem" plan --model "$FX" --num-tokens 4096 --device-mem 1GiB
check "inspect: missing archive"      "does not exist"            inspect --archive "$T/none.h5"
check "inspect: not an archive"       "not a longrope search archive" inspect --archive "$T/fx.h5"
check "inspect: bad plot type"        "unknown image type"        inspect --archive "$T/fx.h5" --plot "$T/fig.jpg"
check "inspect: plot without archive" "need --archive"            inspect --model "$FX" --plot "$T/fig.png"
S="search --resume"
check "resume: truncated archive"     "trunc-archive.h5"          $S "$T/trunc-archive.h5"
check "resume: not an archive"        "not a longrope search archive" $S "$T/fx.h5"
check "resume: dataset shorter"       "individuals/ppl has"       $S "$T/shrunk.h5"
check "resume: dataset wrong type"    "start_tokens' has the wrong type" $S "$T/retyped.h5"
check "resume: group missing"         "no iterations group"       $S "$T/noiter.h5"
check "resume: config values wrong"   "badcfg.h5: malformed search configuration" $S "$T/badcfg.h5"
check "resume: value edited"         "content checksum mismatch" $S "$T/editppl.h5"
check "resume: impossible origin"     "impossible id"             $S "$T/badorigin.h5"
check "resume: dataset larger than file" "more elements than the file" $S "$T/huge.h5"
check "resume: other model"           "conflicting: --model"      $S "$A" --model "$ST/stories260K.bin"
check "resume: other target"          "--target-length 1024"      $S "$A" --target-length 1024
check "resume: other hyperparameters" "--set/--hyperparams"       $S "$A" --set population_size=4
check "search: no model"              "needs --model"             search --data "$T/fx.h5" --target-length 512
check "search: broken hyperparams"    "broken-hp.json: not valid JSON" search --model "$FX" --data "$T/fx.h5" --target-length 512 --hyperparams "$T/broken-hp.json"
check "search: unknown hyperparameter" "unknown hyperparameter 'popsize'" search --model "$FX" --data "$T/fx.h5" --target-length 512 --set popsize=4
check "search: hyperparameter type"   "bad value for 'population_size'" search --model "$FX" --data "$T/fx.h5" --target-length 512 --set 'population_size="x"'
check "search: target below original" "must be >= the original"   search --model "$FX" --data "$T/fx.h5" --target-length 128
check "inspect: truncated archive"    "trunc-archive.h5"          inspect --archive "$T/trunc-archive.h5"
check "inspect: dataset shorter"      "individuals/ppl has"       inspect --archive "$T/shrunk.h5"
check "inspect: config values wrong"  "badcfg.h5: bad value in the config" inspect --archive "$T/badcfg.h5"
check "export: truncated archive"     "trunc-archive.h5"          $X --format json --archive "$T/trunc-archive.h5" --output "$T/o.json"
check "export: shard as archive"      "not a longrope search archive" $X --format json --archive "$T/fx.h5" --output "$T/o.json"
check "export: config values wrong"   "badcfg.h5: bad lengths"    export --format json --archive "$T/badcfg.h5" --output "$T/o.json"
check "export: no such id"            "no individual with id 99"  $X --format json --archive "$A" --id 99 --output "$T/o.json"
check "shard: token outside vocab"    "outside the vocabulary"    eval ppl --model "$FX" --data "$T/oov.h5" --num-tokens 256
check "shard: tokens not integers"    "'tokens' has the wrong type" eval ppl --model "$FX" --data "$T/ftok.h5" --num-tokens 256
check "tokenize: truncated tokenizer.bin" "trunc-tok.bin"         tokenize --tokenizer "$T/trunc-tok.bin" --input "$SHARED/data/tinystories-like/doc01.txt" --output "$T/x.h5"
check "tokenize: tokenizer.json broken" "badtok.json"             tokenize --tokenizer "$T/badtok.json" --input "$SHARED/data/tinystories-like/doc01.txt" --output "$T/x.h5"
check "plan: truncated GGUF"          "truncated or corrupt"      plan --model "$T/trunc.gguf" --num-tokens 4096
check "plan: bad num-tokens"          "num-tokens"                plan --model "$FX" --num-tokens -5
check "passkey: truncated GGUF"       "truncated or corrupt"      $P --model "$T/trunc.gguf"
check "passkey: factors file broken"  "not valid JSON"            $P --model "$FX" --rope longrope --factors "$T/broken.json"
check "passkey: unknown rope"         "unknown --rope"            $P --model "$FX" --rope rotary
check "safetensors without tensors"   "missing tensor\|not found\|no tensor" $E --model "$T/nots"
check "shard index escapes its folder" "outside the model folder" $E --model "$T/escape"
echo "$pass passed, $failn failed"
[ $failn -eq 0 ]
