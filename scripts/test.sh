#!/usr/bin/env bash
# Builds and runs every test (unit, golden vs PyTorch reference, CLI bad-input and acceptance).
# Tests that need ../shared skip with a message when it is absent (LONGROPE_SHARED overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 1200
# The RK3588 (aarch64) build under qemu-aarch64 vs this build (README "Building for RK3588").
"$ROOT/scripts/check-aarch64.sh"
