#!/usr/bin/env bash
# Builds and runs every test (unit, golden vs PyTorch reference, CLI bad-input and acceptance).
# Tests that need ../shared skip with a message when it is absent (LONGROPE_SHARED overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 1200
