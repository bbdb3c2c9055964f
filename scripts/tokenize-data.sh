#!/usr/bin/env bash
# Tokenizes the evaluation corpora into HDF5 shards for one tokenizer, like the original
# repo's data preparation: PG19-style books, Proof-pile-style mathematics, and (optionally)
# HOL Light proofs taken from Debian's hol-light package.
set -euo pipefail
cd "$(dirname "$0")/.."
# ---- variables ------------------------------------------------------------------------
SHARED=${SHARED:-../shared}
TOKENIZER=${TOKENIZER:-$SHARED/models/stories260K/stories260K.bin}   # or $SHARED/models/fixture-llama-5m
NAME=${NAME:-$(basename "${TOKENIZER%.*}")}
OUT=${OUT:-results/data/$NAME}
MIN_TOKENS=${MIN_TOKENS:-0}
WITH_HOL_LIGHT=${WITH_HOL_LIGHT:-0}                                  # 1: also fetch hol-light
# ---------------------------------------------------------------------------------------
BIN=build/cli/longrope
[ -x "$BIN" ] || scripts/setup.sh
mkdir -p "$OUT"
run() { echo "-- $2"; $BIN tokenize --tokenizer "$TOKENIZER" --input $1 --output "$OUT/$2.h5" --min-tokens "$MIN_TOKENS" --quiet | head -1; }
[ -d "$SHARED/data/tinystories-like" ] && run "$SHARED/data/tinystories-like" tinystories-like
[ -d "$SHARED/data/pg19" ] && run "$SHARED/data/pg19" pg19
for split in valid test; do
  [ -d "$SHARED/data/pg19-like/$split" ] && run "$SHARED/data/pg19-like/$split" "pg19-like-$split"
done
[ -d "$SHARED/data/proof-pile-like" ] && run "$SHARED/data/proof-pile-like" proof-pile-like
if [ "$WITH_HOL_LIGHT" = 1 ]; then
  work=$(mktemp -d); chmod a+rwx "$work"   # apt-get download runs as _apt
  (cd "$work" && apt-get download hol-light >/dev/null && dpkg -x hol-light_*.deb root)
  run "$(find "$work/root" -name '*.ml' -size +20k | sort | tr '\n' ' ')" hol-light
  rm -rf "$work"
fi
echo "shards in $OUT/"
