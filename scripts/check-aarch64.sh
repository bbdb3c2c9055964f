#!/usr/bin/env bash
# CI check of the RK3588 build: cross build, core gtests and an end-to-end PPL under qemu-aarch64,
# the PPL equal to the native x86 build's within 1e-6 relative (bit-equal since kernels-v2). Called by scripts/test.sh.
# usage: scripts/check-aarch64.sh [native longrope]   (default ${BUILD_DIR:-build}/cli/longrope)
# Skips (exit 0, with a message) when qemu/the cross compiler cannot be installed or the test
# assets are absent; LONGROPE_SKIP_AARCH64=1 skips it on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
NATIVE=${1:-${BUILD_DIR:-build}/cli/longrope}
SHARED=${LONGROPE_SHARED:-../shared}
FX=$SHARED/models/fixture-llama-5m
REL_TOL=1e-6
if [ "${LONGROPE_SKIP_AARCH64:-0}" = 1 ]; then
  echo "aarch64: SKIP (LONGROPE_SKIP_AARCH64=1)"
  exit 0
fi

t0=$SECONDS
rc=0
scripts/setup-arm64.sh || rc=$?
if [ $rc -eq 77 ]; then
  echo "aarch64: SKIP: the cross compiler / qemu-user packages cannot be installed here"
  exit 0
elif [ $rc -ne 0 ]; then
  exit $rc
fi
t_setup=$((SECONDS - t0))
scripts/build-rk3588.sh --tests >/dev/null
t_build=$((SECONDS - t0 - t_setup))
echo "aarch64: sysroot ${t_setup} s, cross build (longrope + longrope_tests) ${t_build} s"
if [ ! -d "$FX" ] || [ ! -d "$SHARED/models/stories260K" ]; then
  echo "aarch64: SKIP tests: test assets missing at $SHARED"
  exit 0
fi
SHARED=$(cd "$SHARED" && pwd)
FX=$SHARED/models/fixture-llama-5m
QEMU=(qemu-aarch64 -L build-arm64/sysroot)
ARM="build-arm64/build/cli/longrope"
export OMP_NUM_THREADS=2

# Core suites (RoPE, attention, kernels, factors, loaders, tokenizers, generation, incremental
# decode, deployed factors) and the PyTorch goldens for every RoPE kind on their short sequences
# (17 and 40 tokens: qemu is ~100x slower than native; the e2e PPL below covers long contexts).
FILTER='Rope*:Attention*:Kernels*:Memory*:Factors*:Deployed*:DType*:Loaders*:Tokenizer*:Generate*'
FILTER+=':GemmInt8.*:GemmPacked.*'
FILTER+=':ArchTable.*:ArchReference.TableFeaturesLoaded'
FILTER+=':Models/IncrementalDecode.SlidingWindowAndOneTokenPrefill/hf:Models/Golden.*'
FILTER+='-Deployed.HfRopeScalingReadBackEqualsCommandLineScaling'  # 300-token passes: slow here
t1=$SECONDS
LONGROPE_SHARED=$SHARED LONGROPE_GOLDEN_MAX_TOKENS=40 "${QEMU[@]}" \
  build-arm64/build/tests/unit/longrope_tests --gtest_filter="$FILTER" --gtest_brief=1
echo "aarch64: gtests under qemu $((SECONDS - t1)) s"

# End to end: tokenize one book with each build, then eval ppl with each build (HF folder: 256
# tokens unscaled and 1024 tokens YaRN s=4; f32 GGUF: 512 tokens YaRN s=2); x86 and aarch64 must
# agree within REL_TOL.
t2=$SECONDS
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
BOOK=$SHARED/data/pg19-like/valid/pg14263.txt
"$NATIVE" tokenize -q --tokenizer "$FX" --input "$BOOK" --output "$T/x86.h5" >/dev/null
"${QEMU[@]}" "$ARM" tokenize -q --tokenizer "$FX" --input "$BOOK" --output "$T/arm.h5" >/dev/null
fail=0
# The last spec runs --compute int8 (x86: AVX-512 VNNI or scalar; aarch64: sdot): equal too.
for spec in "$FX|256,1024|f32" "$SHARED/models/fixture-llama-5m.f32.gguf|512|f32" "$FX|512|int8"; do
  IFS='|' read -r model lengths compute <<<"$spec"
  for build in x86 arm; do
    run=("$NATIVE")
    [ $build = arm ] && run=("${QEMU[@]}" "$ARM")
    kernels=auto
    [ "$compute" = int8 ] && [ $build = x86 ] && ! grep -q avx512_vnni /proc/cpuinfo && kernels=scalar
    "${run[@]}" eval ppl -q --threads 2 --model "$model" --data "$T/$build.h5" --tokenizer "$FX" \
      --num-tokens "$lengths" --samples 1 --rope yarn --compute "$compute" --kernels "$kernels" \
      --output "$T/$build.csv" >/dev/null
  done
  # csv: length,ppl
  if ! paste -d, "$T/x86.csv" "$T/arm.csv" | tail -n +2 | awk -F, -v tol=$REL_TOL -v m="$(basename "$model")" -v c="$compute" '
    { rel = ($4 - $2) / $2; if (rel < 0) rel = -rel
      printf "aarch64: ppl %s %s n=%s: x86 %.8f aarch64 %.8f rel %.2e\n", m, c, $1, $2, $4, rel
      if ($1 != $3 || rel > tol || $2 != $2 + 0) bad = 1 }
    END { exit bad || NR == 0 }'; then
    echo "aarch64: FAIL: $(basename "$model") PPL differs from x86 by more than $REL_TOL relative"
    fail=1
  fi
done
echo "aarch64: e2e ppl $((SECONDS - t2)) s; total $((SECONDS - t0)) s"
exit $fail
