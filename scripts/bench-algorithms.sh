#!/usr/bin/env bash
# Optimizers against the paper's GA: held-out quality against forward-pass tokens, 3 seeds each,
# for the plain GA, GA + racing + screen, CMA-ES, xNES, a batch optimizer (PSO with the length
# screen), LongRoPE2 mode (critical dimension; GA and CMA-ES) and CMA-ES with --search-mscale:
#   stories260K 512 -> 4096 (search tinystories-like 01-06, judge 07-12) and
#   fixture-llama-5m 256 -> 2048 (search pg19-like/valid, judge pg19-like/test) through
#   scripts/bench-search-cost.sh (table.md: tokens vs the plain GA, improvement kept, the tokens
#   each needed to reach the plain GA's final held-out PPL);
#   fixture-passkey-3m at 8x (2048) with the needle fitness, judged by eval passkey, through
#   scripts/bench-needle.sh (one table per optimizer).
# Default-size GA runs take 20-25 min each on 2 cores: the whole benchmark is hours. Finished
# runs are reused; an interrupted one resumes. Outputs in results/bench-algorithms/.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
OUT=${OUT:-results/bench-algorithms}
SEEDS=${SEEDS:-"0 1 2"}
MODELS=${MODELS:-"stories fixture"}
VARIANTS=${VARIANTS:-"plain racing-screen-q cmaes xnes pso_gen-screen longrope2 longrope2-cmaes cmaes-mscale"}
PASSKEY_VARIANTS=${PASSKEY_VARIANTS:-"ga cmaes xnes"}
THREADS=${THREADS:-2}
SHARED=$SHARED OUT=$OUT SEEDS=$SEEDS MODELS=$MODELS HPS=dim_mono VARIANTS=$VARIANTS \
  THREADS=$THREADS scripts/bench-search-cost.sh
for v in $PASSKEY_VARIANTS; do
  extra=""; [ "$v" = ga ] || extra="--optimizer $v"
  SHARED=$SHARED OUT=$OUT/passkey SEEDS=$SEEDS TARGETS=2048 FITNESSES=needle HP=dim_mono \
    EXTRA="$extra" VTAG=$v THREADS=$THREADS scripts/bench-needle.sh
done
echo "bench-algorithms: $OUT/table.md, $OUT/passkey/table-dim_mono+*.md" >&2
