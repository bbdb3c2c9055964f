#!/usr/bin/env bash
# Builds longrope for RK3588 (Cortex-A76, -mcpu=cortex-a76): cross on x86, natively on the board.
# usage: scripts/build-rk3588.sh [--tests]     (--tests also builds <build>/tests/unit/longrope_tests)
#   x86_64 host: cross build into build-arm64/build (toolchain cmake/aarch64-linux-gnu.cmake,
#                sysroot from scripts/setup-arm64.sh, no MPI); run it with qemu-aarch64 -L build-arm64/sysroot
#   aarch64 host (the board, Debian 12 / Armbian bookworm): installs the Debian packages and
#                builds natively into build-rk3588 (with MPI)
# BUILD_DIR overrides the build folder, JOBS the parallel jobs (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

tests=OFF
targets=(--target longrope)
for a in "$@"; do
  case "$a" in
    --tests) tests=ON; targets+=(--target longrope_tests) ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "build-rk3588: unknown argument $a (see --help)" >&2; exit 2 ;;
  esac
done
JOBS=${JOBS:-$(nproc)}

if [ "$(uname -m)" = aarch64 ]; then
  PACKAGES=(build-essential cmake pkg-config git libeigen3-dev nlohmann-json3-dev libhdf5-dev
    libboost-program-options-dev libsentencepiece-dev libpcre2-dev libopenmpi-dev openmpi-bin)
  [ "$tests" = ON ] && PACKAGES+=(libgtest-dev)
  missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build-rk3588: installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  BUILD_DIR=${BUILD_DIR:-build-rk3588}
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLONGROPE_NATIVE=OFF \
    -DCMAKE_C_FLAGS=-mcpu=cortex-a76 -DCMAKE_CXX_FLAGS=-mcpu=cortex-a76 -DLONGROPE_TESTS=$tests >/dev/null
else
  scripts/setup-arm64.sh
  BUILD_DIR=${BUILD_DIR:-build-arm64/build}
  cmake -S . -B "$BUILD_DIR" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DLONGROPE_TESTS=$tests >/dev/null
fi
start=$SECONDS
cmake --build "$BUILD_DIR" -j"$JOBS" "${targets[@]}"
echo "build-rk3588: built $BUILD_DIR/cli/longrope ($((SECONDS - start)) s, -j$JOBS)" >&2
