# Shared header of the CLI test scripts: binary, asset paths, a temporary folder, skip rule.
BIN=${1:?usage: $0 path/to/longrope}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${LONGROPE_SHARED:-$ROOT/../shared}
FX=$SHARED/models/fixture-llama-5m
ST=$SHARED/models/stories260K
if [ ! -d "$FX" ] || [ ! -d "$ST" ]; then echo "SKIP: test assets missing at $SHARED"; exit 77; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# Pass/fail bookkeeping; scripts end with: echo "$passes passed, $fails failed"; [ $fails -eq 0 ]
fails=0; passes=0
ok() { echo "ok   $1"; passes=$((passes+1)); }
bad() { echo "FAIL $1"; fails=$((fails+1)); }
# `search` with the script's ARGS and "$@" must fail with one `longrope: error:` line matching
# the second argument: refuse NAME EXPECTED_PART ARGS...
refuse() {
  local name=$1 want=$2; shift 2
  local out; out=$("$BIN" search "${ARGS[@]}" --output-dir "$T/r" "$@" 2>&1)
  local rc=$?
  [ $rc -ne 0 ] && [ "$(echo "$out" | grep -c .)" = 1 ] && echo "$out" | grep -q "longrope: error: .*$want" \
    && ok "refused: $name" || bad "$name (rc $rc): $out"
}
