#!/usr/bin/env bash
# Installs every Debian package the toolkit needs (idempotent) and builds Release into build/.
# usage: scripts/setup.sh            (BUILD_DIR; LONGROPE_NATIVE=OFF for portable binaries)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config git
  libeigen3-dev nlohmann-json3-dev libhdf5-dev libboost-program-options-dev
  libsentencepiece-dev libpcre2-dev libopenmpi-dev openmpi-bin libgtest-dev libbenchmark-dev
  python3 python3-torch python3-sentencepiece python3-numpy python3-h5py
  libopenblas0-pthread clang-format time gnuplot-nox
  clang libclang-rt-dev libomp-dev libpagmo-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLONGROPE_NATIVE="${LONGROPE_NATIVE:-ON}" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
echo "setup: built $BUILD_DIR/cli/longrope" >&2
