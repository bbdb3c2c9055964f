#!/usr/bin/env bash
# Kernel hashes of every path of this build equal those of a static aarch64 build (NEON and
# scalar) run under qemu-aarch64: the kernels give the same bits on x86 and ARM.
set -uo pipefail
HASH=${1:?usage: $0 path/to/kernels_hash}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CXX=${AARCH64_CXX:-aarch64-linux-gnu-g++}
command -v "$CXX" >/dev/null && command -v qemu-aarch64 >/dev/null ||
  { echo "SKIP: $CXX or qemu-aarch64 missing"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
flags="-std=c++20 -O2 -ffp-contract=off -I$ROOT -I/usr/include/eigen3"
# The kernels library for aarch64 (its one dispatcher also picks the quantized dots, which
# decode ggml blocks through core/tensor).
for f in kernels/dispatch kernels/scalar kernels/scalar_attention kernels/scalar_gemm kernels/compute kernels/neon kernels/qdot_scalar \
         kernels/qdot_avx2 kernels/qdot_neon tensor/dtype tensor/quant_blocks tensor/ggml_types; do
  "$CXX" $flags -c "$ROOT/core/$f.cpp" -o "$T/${f//\//_}.o" || { echo "FAIL: cross-compiling $f.cpp"; exit 1; }
done
"$CXX" $flags -static "$ROOT/tests/tools/kernels_hash.cpp" "$T"/*.o -o "$T/arm" || { echo "FAIL: link"; exit 1; }
"$HASH" > "$T/host.txt" && qemu-aarch64 "$T/arm" > "$T/arm.txt" || { echo "FAIL: running"; exit 1; }
cat "$T/host.txt" "$T/arm.txt"
grep -q '^neon ' "$T/arm.txt" || { echo "FAIL: no neon path in the aarch64 build"; exit 1; }
n=$(cut -d' ' -f2- "$T/host.txt" "$T/arm.txt" | sed 's/  */ /g' | sort -u | wc -l)
[ "$n" = 1 ] && echo "ok: $(wc -l < "$T/host.txt") host paths and $(wc -l < "$T/arm.txt") aarch64 paths give the same bits" ||
  { echo "FAIL: kernel results differ between paths"; exit 1; }
