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
check "unsupported GGUF tensor type"  "Q4_K"                      $E --model "$SHARED/models/fixture-llama-5m.q4_k.gguf"
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
check "export: output not ours"       "not written by longrope"   $X --format json --factors "$T/ones32.csv" --output "$T/notashard.h5"
check "export: folder not ours"       "not written by longrope"   $X --format hf --factors "$T/ones32.csv" --model "$FX" --output "$T/trunc"
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
echo "$pass passed, $failn failed"
[ $failn -eq 0 ]
