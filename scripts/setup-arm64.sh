#!/usr/bin/env bash
# Installs the aarch64 cross toolchain + qemu-user and assembles the arm64 sysroot (idempotent).
# usage: scripts/setup-arm64.sh     (sysroot in build-arm64/sysroot; LONGROPE_ARM64_SYSROOT overrides)
# Exit 77 when the host packages cannot be installed (the CI check then skips with a message).
#
# libhdf5-dev and libsentencepiece-dev cannot be installed for arm64 beside amd64, so the arm64
# libraries are not installed at all: apt resolves them against an empty package database of its
# own (lists and downloads in build-arm64/apt, nothing on the host changes, no
# `dpkg --add-architecture`), downloads the whole dependency closure and `dpkg -x` unpacks each
# .deb into the sysroot. No maintainer scripts run; absolute symlinks are made sysroot-relative.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST_PACKAGES=(g++-aarch64-linux-gnu qemu-user pkg-config cmake)
# Everything the engine, the CLI and the gtest binary link against (MPI is left out: the
# cross build is configured with -DLONGROPE_MPI=OFF). Eigen and nlohmann are headers only.
ARM64_PACKAGES=(libstdc++6 libgomp1 libhdf5-dev libsentencepiece-dev libpcre2-dev
  libboost-program-options-dev libgtest-dev libeigen3-dev nlohmann-json3-dev)

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-arm64: installing ${missing[*]}" >&2
  if ! { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null; }; then
    echo "setup-arm64: cannot install ${missing[*]}" >&2
    exit 77
  fi
fi

SYSROOT=$(realpath -m "${LONGROPE_ARM64_SYSROOT:-build-arm64/sysroot}")
STAMP="$SYSROOT/.longrope-sysroot"
want="packages: ${ARM64_PACKAGES[*]}"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

APTDIR=$(dirname "$SYSROOT")/apt
rm -rf "$SYSROOT" "$APTDIR"
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$SYSROOT"
: >"$APTDIR/status"
APT=(-o "Dir::State::Lists=$APTDIR/lists" -o "Dir::State::status=$APTDIR/status"
  -o "Dir::Cache=$APTDIR/cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1
  -o APT::Sandbox::User=root -qq)
echo "setup-arm64: downloading the arm64 sysroot into $SYSROOT" >&2
apt-get "${APT[@]}" update
apt-get "${APT[@]}" install -y --download-only --no-install-recommends "${ARM64_PACKAGES[@]}" >/dev/null
n=0
for deb in "$APTDIR"/cache/archives/*.deb; do
  dpkg -x "$deb" "$SYSROOT"
  n=$((n + 1))
done
# e.g. usr/lib/aarch64-linux-gnu/libm.so -> /lib/aarch64-linux-gnu/libm.so.6: point inside.
find "$SYSROOT" -type l -lname '/*' | while read -r link; do
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$SYSROOT$(readlink "$link")")" "$link"
done
rm -rf "$APTDIR"   # the .debs are unpacked
echo "$want" >"$STAMP"
echo "setup-arm64: $n packages unpacked into $SYSROOT ($(du -sh "$SYSROOT" | cut -f1))" >&2
