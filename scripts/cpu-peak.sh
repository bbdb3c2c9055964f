#!/usr/bin/env bash
# This machine's FP32 FMA peak per core, derived from lscpu: GHz × FMA units × SIMD lanes × 2.
# Prints "GFLOPS_PER_CORE<TAB>how it was derived" (scripts/bench-ppl.sh, scripts/bench-shapes.sh).
# The clock is lscpu's "CPU max MHz", else /proc/cpuinfo's "cpu MHz" (VMs report no maximum);
# lanes from the flags (AVX-512F 16, AVX2+FMA 8, ASIMD 4, else SSE 4 with no FMA). FMA_UNITS
# (default 2) is an assumption: most x86 cores since Haswell / Zen 2 have two FMA pipes; Zen 4
# runs AVX-512 on 256-bit pipes (set FMA_UNITS=1 there), Cortex-A76 has two 128-bit pipes.
set -euo pipefail
info=$(LC_ALL=C lscpu)
model=$(sed -n 's/^Model name: *//p' <<<"$info" | head -1)
family=$(sed -n 's/^CPU family: *//p' <<<"$info" | head -1)
mhz=$(sed -n 's/^CPU max MHz: *//p' <<<"$info" | head -1)
clock="lscpu max"
if [ -z "$mhz" ]; then
  mhz=$(awk -F': *' '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  clock="/proc/cpuinfo (no max MHz reported)"
fi
[ -n "$mhz" ] || { echo "cpu-peak.sh: no clock rate in lscpu or /proc/cpuinfo" >&2; exit 1; }
flags=" $(sed -n 's/^Flags: *//p' <<<"$info") "
units=${FMA_UNITS:-2}
fma=2  # flops per lane per FMA
if [[ $flags == *" avx512f "* ]]; then lanes=16; isa=AVX-512F
elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then lanes=8; isa="AVX2+FMA"
elif [[ $flags == *" asimd "* || $(uname -m) == aarch64 ]]; then lanes=4; isa="NEON"
else lanes=4; isa="SSE (no FMA: one mul + one add pipe)"; units=1
fi
awk -v mhz="$mhz" -v u="$units" -v l="$lanes" -v f="$fma" -v model="$model" -v fam="$family" \
    -v isa="$isa" -v clock="$clock" 'BEGIN {
  g = mhz / 1000 * u * l * f
  printf "%.1f\t%s (family %s), %.2f GHz (%s) × %d FMA units × %d fp32 lanes (%s) × 2 flops = %.1f GFLOP/s per core\n",
         g, model, fam, mhz / 1000, clock, u, l, isa, g }'
