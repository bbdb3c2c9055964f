#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, build-asan/) and runs each for SECONDS.
# usage: scripts/fuzz.sh [SECONDS=600] [TARGET...]      (FUZZ_JOBS, BUILD_DIR, LONGROPE_SHARED)
# Seeds are derived from ../shared into BUILD_DIR/fuzz/seeds (never into the repository); the
# growing corpus stays in BUILD_DIR/fuzz/corpus. Prints one table row per target (docs/testing.md's
# fuzzing table) and exits non-zero when a target found a crash, leak or timeout; the input is
# kept in BUILD_DIR/fuzz/artifacts/TARGET/ (copy it to tests/fuzz/regressions/TARGET/ once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
shift || true
BUILD=${BUILD_DIR:-build-asan}
SHARED=${LONGROPE_SHARED:-$(pwd)/../shared}
ALL=(archive bpe_text factors gguf hf_json hyperparams llama2c safetensors shard spm tokbin tokenizer_json)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

if ! command -v clang++ >/dev/null; then echo "fuzz: clang++ is needed (apt-get install clang)" >&2; exit 1; fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLONGROPE_FUZZ=ON >/dev/null
fi
cmake --build "$BUILD" -j"$(nproc)" --target longrope $(printf 'fuzz_%s ' "${TARGETS[@]}") >/dev/null

W=$BUILD/fuzz
mkdir -p "$W"
python3 scripts/fuzz_seeds.py "$W/seeds" "$SHARED" "$BUILD/cli/longrope" 2>/dev/null || true
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=suppressions=$(pwd)/tests/sanitizers/lsan.supp:print_suppressions=0
status=0
printf '| target | seconds | executions | coverage (edges) | features | corpus | crashes |\n'
printf '|---|---|---|---|---|---|---|\n'
for t in "${TARGETS[@]}"; do
  mkdir -p "$W/corpus/$t" "$W/artifacts/$t" "$W/seeds/$t"
  log=$W/$t.log
  stamp=$W/$t.start; touch "$stamp"
  dict=(); [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # HDF5 targets read each input first in a forked child (h5util.cpp, check_isolated), where
  # libFuzzer's malloc limit would report libhdf5's allocation for a corrupt length as a
  # finding although the parent refuses the file cleanly; production caps the child with
  # RLIMIT_AS, ASan builds cannot, so ASan refuses allocations over 1 GiB instead (returning
  # null, as the capped child sees), below libFuzzer's limit.
  asan=$ASAN_OPTIONS mlimit=1024
  case $t in archive|shard) asan="$asan:max_allocation_size_mb=1024:allocator_may_return_null=1" mlimit=2048 ;; esac
  set +e
  t0=$(date +%s)
  ASAN_OPTIONS=$asan "$BUILD/tests/fuzz/fuzz_$t" "$W/corpus/$t" "$W/seeds/$t" \
    -max_total_time="$SECONDS_EACH" "${dict[@]}" \
    -rss_limit_mb=2048 -malloc_limit_mb=$mlimit -timeout=60 -print_final_stats=1 \
    -artifact_prefix="$W/artifacts/$t/" -close_fd_mask=1 >"$log" 2>&1
  rc=$?
  ran=$(($(date +%s) - t0))  # libFuzzer stops at its first finding: the seconds it really ran
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov:' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(find "$W/artifacts/$t" -type f -newer "$stamp" ! -name 'slow-unit-*' | wc -l)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$ran" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found"
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    echo "fuzz: $t failed (exit $rc); log $log, inputs in $W/artifacts/$t/:" >&2
    grep -E 'ERROR|SUMMARY|terminate|runtime error' "$log" | head -5 >&2 || true
  fi
done
exit $status
