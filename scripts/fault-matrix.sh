#!/usr/bin/env bash
# Fault matrix of `longrope search` (docs/testing.md, "Fault matrix of search"): SIGKILL at seeded random moments,
# disk full, corrupt and truncated archives, conflicting --resume options, a killed MPI worker,
# a model or shard changed between runs. Every resumed run must end with the archive and
# result_final.* identical to an uninterrupted run, and no finished evaluation is redone.
# usage: scripts/fault-matrix.sh path/to/longrope [--full] [--seed N]
#   default (CI, a ctest test): 6 kill moments, a chain of 4 kills, 6 corruptions, MPI kill
#   --full: 20 kill moments, a chain of 20 kills in one search, 20 corruptions
set -u
BIN=$(realpath "${1:?usage: $0 path/to/longrope [--full] [--seed N]}"); shift
FULL=0; SEED=1
while [ $# -gt 0 ]; do
  case $1 in --full) FULL=1 ;; --seed) SEED=$2; shift ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
  shift
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${LONGROPE_SHARED:-$ROOT/../shared}
FX=$SHARED/models/fixture-llama-5m
[ -d "$FX" ] || { echo "SKIP: test assets missing at $SHARED"; exit 77; }
/usr/bin/python3 -c 'import h5py' 2>/dev/null || { echo "SKIP: python3-h5py missing"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3; CHK=$ROOT/tests/reference/check_archive.py
if [ $FULL -eq 1 ]; then KILLS=20; CHAIN=20; CORRUPT=20; else KILLS=6; CHAIN=4; CORRUPT=6; fi
RANDOM=$SEED
pass=0; failn=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; failn=$((failn+1)); }
one_error_line() {  # FILE: exactly one "longrope: error:" line and no sanitizer/abort report
  [ "$(grep -c 'longrope: error:' "$1")" -eq 1 ] && ! grep -qE 'Sanitizer|runtime error|terminate called|Aborted' "$1"
}

"$BIN" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/books.h5" >/dev/null
ARGS=(--model "$FX" --data "$T/books.h5" --target-length 512 --samples 1 --seed 3 --search-start-tokens
      --set population_size=6 --set max_time_budget=3 --set mutation_numbers=2 --set crossover_size=2
      --set parents_size=3 --baselines false -q --threads 1)
same_run() {  # DIR: archive and result_final.* identical to the reference run
  $PY "$CHK" same "$T/ref/archive.h5" "$1/archive.h5" >/dev/null 2>&1 &&
    cmp -s "$T/ref/result_final.csv" "$1/result_final.csv" &&
    cmp -s "$T/ref/result_final.json" "$1/result_final.json"
}
evals() { sed -n 's/.*(\([0-9]*\) evaluations run, \([0-9]*\) reused[,)].*/\1 \2/p' "$1"; }
count() { if [ -f "$1" ]; then $PY "$CHK" count "$1" 2>/dev/null || echo corrupt; else echo 0; fi; }

t0=$(date +%s.%N)
"$BIN" search "${ARGS[@]}" --output-dir "$T/ref" >"$T/ref.out" || { echo "FAIL reference run"; exit 1; }
t1=$(date +%s.%N)
read -r TOTAL _ <<<"$(evals "$T/ref.out")"
DUR_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%d", (b-a)*1000}')
echo "reference: $TOTAL evaluations in $DUR_MS ms"

# --- 1. SIGKILL at seeded random moments, each followed by --resume ----------------------
moment() { echo $(( (RANDOM * 32768 + RANDOM) % (DUR_MS * 11 / 10 + 1) )); }  # ms in [0, 1.1 T]
for k in $(seq 1 "$KILLS"); do
  ms=$(moment); d=$T/kill$k
  "$BIN" search "${ARGS[@]}" --output-dir "$d" >/dev/null 2>&1 &
  pid=$!; sleep "$(awk -v m="$ms" 'BEGIN{print m/1000}')"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  kept=$(count "$d/archive.h5")
  if [ -f "$d/archive.h5" ]; then
    "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >"$d.out" 2>&1
  else
    "$BIN" search "${ARGS[@]}" --output-dir "$d" >"$d.out" 2>&1
  fi
  read -r ran reused <<<"$(evals "$d.out")"
  if same_run "$d" && [ "${reused:-x}" = "$kept" ] && [ $((ran + reused)) -eq "$TOTAL" ]; then
    ok "SIGKILL at ${ms} ms: $kept evaluations kept, $ran run after resume, identical result"
  else
    bad "SIGKILL at ${ms} ms: kept $kept, ran ${ran:-?}, reused ${reused:-?}; $(head -c 300 "$d.out")"
  fi
done

# --- 2. one search killed CHAIN times, resumed after each kill ----------------------------
d=$T/chain; prev=0; mono=1
"$BIN" search "${ARGS[@]}" --output-dir "$d" >/dev/null 2>&1 &
pid=$!
for k in $(seq 1 "$CHAIN"); do
  sleep "$(awk -v m="$(( $(moment) / 3 ))" 'BEGIN{print m/1000}')"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  n=$(count "$d/archive.h5"); [ "$n" = corrupt ] && mono=0
  [ "$n" != corrupt ] && [ "$n" -lt "$prev" ] && mono=0; prev=$n
  if [ -f "$d/archive.h5" ]; then
    "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >/dev/null 2>&1 &
  else
    "$BIN" search "${ARGS[@]}" --output-dir "$d" >/dev/null 2>&1 &
  fi
  pid=$!
done
wait $pid
kept=$(count "$d/archive.h5")
"$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >"$d.out" 2>&1
read -r ran reused <<<"$(evals "$d.out")"
if same_run "$d" && [ $mono -eq 1 ] && [ "$ran" -eq 0 ] && [ "$reused" -eq "$TOTAL" ]; then
  ok "one search killed $CHAIN times (archive never shrank, always readable): identical result"
else
  bad "chain of $CHAIN kills: mono $mono, ran ${ran:-?} reused ${reused:-?} of $TOTAL"
fi

# --- 3. disk full while writing the archive (ulimit -f) ----------------------------------
d=$T/full; mkdir -p "$d"
limit_kb=$(( ($(stat -c %s "$T/ref/archive.h5") - 1500) / 1024 ))  # the last writes fail
( ulimit -f "$limit_kb"; exec "$BIN" search "${ARGS[@]}" --output-dir "$d" ) >/dev/null 2>"$d.err"
rc=$?
kept=$(count "$d/archive.h5")
if [ $rc -eq 3 ] && one_error_line "$d.err" && grep -q 'archive.h5' "$d.err" && [ "$kept" != corrupt ] &&
   [ -z "$(ls -A "$d" | grep -F '.tmp.')" ]; then
  ok "disk full (ulimit -f $limit_kb KiB): exit 3, '$(grep -o 'error: .*' "$d.err" | cut -c1-70)...', archive intact ($kept kept)"
else
  bad "disk full: exit $rc, kept $kept: $(cat "$d.err")"
fi
"$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >"$d.out" 2>&1
read -r ran reused <<<"$(evals "$d.out")"
same_run "$d" && [ "$reused" = "$kept" ] && ok "disk full, then --resume: identical result, $kept reused" ||
  bad "resume after disk full: $(head -c 300 "$d.out")"

# --- 4. corrupt and truncated archives on --resume ---------------------------------------
size=$(stat -c %s "$T/ref/archive.h5")
for frac in 0 10 50 90 99; do
  d=$T/trunc$frac; mkdir -p "$d"; head -c $(( size * frac / 100 )) "$T/ref/archive.h5" > "$d/archive.h5"
  "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >/dev/null 2>"$d.err"; rc=$?
  if [ $rc -ne 0 ] && [ $rc -lt 128 ] && one_error_line "$d.err"; then
    ok "archive truncated to $frac%: refused (exit $rc): $(grep -o 'error: .*' "$d.err" | cut -c1-60)"
  else bad "truncated $frac%: exit $rc: $(cat "$d.err")"; fi
done
for k in $(seq 1 "$CORRUPT"); do  # 16 random bytes overwritten at a seeded offset
  d=$T/corrupt$k; mkdir -p "$d"; cp "$T/ref/archive.h5" "$d/archive.h5"
  off=$(( (RANDOM * 32768 + RANDOM) % size ))
  head -c 16 /dev/urandom | dd of="$d/archive.h5" bs=1 seek=$off conv=notrunc status=none
  "$BIN" search --resume "$d/archive.h5" --threads 1 --baselines false -q >"$d.out" 2>"$d.err"; rc=$?
  if [ $rc -ne 0 ] && [ $rc -lt 128 ] && one_error_line "$d.err"; then
    ok "16 bytes corrupted at offset $off: refused (exit $rc)"
  elif [ $rc -eq 0 ] && ! grep -qE 'Sanitizer|runtime error' "$d.err" && same_run "$d"; then
    ok "16 bytes corrupted at offset $off: bytes unused by the reader, identical result"
  else bad "corrupted at $off: exit $rc: $(head -c 300 "$d.err")"; fi
done
d=$T/shrunk; mkdir -p "$d"; cp "$T/ref/archive.h5" "$d/archive.h5"
$PY - "$d/archive.h5" <<'PYEOF'
import h5py, sys
with h5py.File(sys.argv[1], "r+") as f:
    p = f["individuals/ppl"][:-1]; del f["individuals/ppl"]; f["individuals/ppl"] = p
    w = f["individuals/wall_time"][:].astype("int64"); del f["individuals/wall_time"]; f["individuals/wall_time"] = w
PYEOF
"$BIN" search --resume "$d/archive.h5" --threads 1 -q >/dev/null 2>"$d.err"; rc=$?
[ $rc -eq 4 ] && one_error_line "$d.err" && grep -q 'individuals/ppl\|wall_time' "$d.err" &&
  ok "dataset of the wrong size / type: refused (exit 4), naming it" || bad "shrunk dataset: exit $rc $(cat "$d.err")"

# --- 5. --resume with conflicting options ------------------------------------------------
cp -r "$T/ref" "$T/conf"
"$BIN" tokenize -q --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid/pg3261.txt" --output "$T/other.h5" >/dev/null
for c in "--model $SHARED/models/fixture-passkey-3m|--model" "--data $T/other.h5|--data" \
         "--target-length 1024|--target-length" "--seed 4|--seed" "--set population_size=8|--set"; do
  opt=${c%%|*}; want=${c##*|}
  "$BIN" search --resume "$T/conf/archive.h5" $opt -q >/dev/null 2>"$T/conf.err"; rc=$?
  [ $rc -eq 2 ] && one_error_line "$T/conf.err" && grep -q -- "$want" "$T/conf.err" &&
    ok "--resume with $opt: refused, naming $want" || bad "--resume $opt: exit $rc $(cat "$T/conf.err")"
done
"$BIN" search --resume "$T/conf/archive.h5" --model "$FX/" --target-length 512 --threads 1 -q \
  >"$T/conf.out" 2>&1 && ok "--resume repeating the same options (path spelled differently): accepted" ||
  bad "--resume with equal options: $(cat "$T/conf.out")"

# --- 6. a model or shard changed between runs --------------------------------------------
mkdir -p "$T/m"; cp "$FX"/config.json "$FX"/tokenizer.model "$T/m/"; ln -s "$FX/model.safetensors" "$T/m/"
cp "$T/books.h5" "$T/b.h5"
ARGS2=(); for a in "${ARGS[@]}"; do [ "$a" = "$FX" ] && a=$T/m; [ "$a" = "$T/books.h5" ] && a=$T/b.h5; ARGS2+=("$a"); done
"$BIN" search "${ARGS2[@]}" --output-dir "$T/chg" >/dev/null 2>&1
sed -i 's/"rope_theta": *\([0-9.]*\)/"rope_theta": 20000.0/' "$T/m/config.json"
"$BIN" search --resume "$T/chg/archive.h5" -q >/dev/null 2>"$T/chg.err"; rc=$?
[ $rc -eq 6 ] && one_error_line "$T/chg.err" && grep -q 'model.*changed' "$T/chg.err" &&
  ok "model changed between runs: refused (fingerprint)" || bad "model changed: exit $rc $(cat "$T/chg.err")"
cp "$FX/config.json" "$T/m/config.json"
cp "$T/other.h5" "$T/b.h5"
"$BIN" search --resume "$T/chg/archive.h5" -q >/dev/null 2>"$T/chg.err"; rc=$?
[ $rc -eq 6 ] && one_error_line "$T/chg.err" && grep -q 'shard.*changed' "$T/chg.err" &&
  ok "shard changed between runs: refused (SHA-256)" || bad "shard changed: exit $rc $(cat "$T/chg.err")"

# --- 7. an MPI worker rank killed mid-evaluation -----------------------------------------
if command -v mpirun >/dev/null; then
  d=$T/mpi
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe --allow-run-as-root -np 3 "$BIN" search "${ARGS[@]}" --output-dir "$d" \
    >/dev/null 2>"$d.err" &
  mpid=$!
  for _ in $(seq 1 200); do [ "$(count "$d/archive.h5")" -ge 3 ] 2>/dev/null && break; sleep 0.05; done
  victim=""
  for p in $(pgrep -P $mpid); do
    r=$(tr '\0' '\n' < /proc/$p/environ 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    [ "$r" = 2 ] && victim=$p
  done
  [ -n "$victim" ] && kill -9 "$victim"
  wait $mpid; rc=$?
  kept=$(count "$d/archive.h5")
  if [ -n "$victim" ] && [ $rc -ne 0 ] && $PY "$CHK" subset "$d/archive.h5" "$T/ref/archive.h5" >/dev/null; then
    ok "MPI rank 2 killed: job ended (exit $rc), $kept finished evaluations archived, all as in the reference"
  else
    bad "MPI kill: victim '${victim}', exit $rc, kept $kept"
  fi
  for np in 2 1; do
    e=$T/mpi$np; cp -r "$d" "$e"
    if [ $np -gt 1 ]; then
      ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe --allow-run-as-root -np $np "$BIN" search --resume "$e/archive.h5" \
        --threads 1 --baselines false -q >"$e.out" 2>&1
    else
      "$BIN" search --resume "$e/archive.h5" --threads 1 --baselines false -q >"$e.out" 2>&1
    fi
    read -r ran reused <<<"$(evals "$e.out")"
    same_run "$e" && [ "$reused" = "$kept" ] &&
      ok "after the MPI kill, --resume with $np rank(s): identical result, $kept reused" ||
      bad "MPI resume with $np: ran ${ran:-?} reused ${reused:-?}; $(head -c 300 "$e.out")"
  done
else
  echo "SKIP MPI cases: mpirun not installed"
fi
echo "$pass passed, $failn failed"
[ $failn -eq 0 ]
