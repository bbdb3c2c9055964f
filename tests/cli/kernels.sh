#!/usr/bin/env bash
# Kernel paths through the CLI: every path this CPU runs gives the same per-document NLLs (bit
# for bit) on the fixture, and a bad or unavailable path is one clear error; likewise for
# --compute int8 (close to f32, refused by name where a path has no int8 tile).
set -uo pipefail
source "$(dirname "$0")/common.sh"
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

paths=$("$BIN" version | sed -n 's/^kernels: .*(this CPU runs: \(.*\))$/\1/p')
[ -n "$paths" ] || bad "version does not list the kernel paths"
echo "paths: $paths"
"$BIN" tokenize --tokenizer "$FX" --input "$SHARED/data/pg19-like/valid" --output "$T/s.h5" -q >/dev/null
first=""
for p in $paths; do
  "$BIN" eval ppl --model "$FX" --data "$T/s.h5" --num-tokens 256,1024 --samples 2 \
    --threads 2 --kernels "$p" --json "$T/$p.json" -q >/dev/null || bad "eval ppl on $p"
  # the PPL and per-document NLLs as the JSON writer prints them (shortest round-trip digits)
  python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
for r in d['results']: print(r['length'], repr(r['ppl']), *[repr(x['nll']) for x in r['docs']])" \
    "$T/$p.json" > "$T/$p.nll" && [ "$(wc -l < "$T/$p.nll")" = 2 ] || bad "no NLLs from $p"
  if [ -z "$first" ]; then first=$p
  elif cmp -s "$T/$first.nll" "$T/$p.nll"; then ok "$p gives the same NLLs as $first"
  else bad "$p NLLs differ from $first"; diff "$T/$first.nll" "$T/$p.nll" | head -5; fi
  LONGROPE_KERNELS=$p "$BIN" version | grep -q "^kernels: $p " && ok "LONGROPE_KERNELS=$p selects $p" \
    || bad "LONGROPE_KERNELS=$p not in force"
done

out=$(LONGROPE_KERNELS=sse9 "$BIN" eval ppl --model "$FX" --data "$T/s.h5" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "^longrope: error: LONGROPE_KERNELS=sse9: unknown kernel path" \
  && ok "unknown path: exit 2" || bad "unknown path: rc=$rc $out"
for p in avx2 avx512 neon; do
  case " $paths " in *" $p "*) continue ;; esac
  out=$("$BIN" eval ppl --kernels $p --model "$FX" --data "$T/s.h5" 2>&1); rc=$?
  [ $rc = 5 ] && echo "$out" | grep -q "kernel path $p is not available here" \
    && ok "$p unavailable here: exit 5" || bad "$p: rc=$rc $out"
done
# --compute int8: the same NLLs on every path that has an int8 tile (scalar always), the PPL
# within 1 % of f32's (and not equal to it), the precision in --json's numerics, refusals
int8_first=""
for p in $paths; do
  out=$("$BIN" eval ppl --model "$FX" --data "$T/s.h5" --num-tokens 256 --samples 2 --threads 2 \
    --kernels "$p" --compute int8 --json "$T/i8-$p.json" -q 2>&1 >/dev/null); rc=$?
  if [ $rc = 5 ]; then
    echo "$out" | grep -q "^longrope: error: --compute int8 needs AVX-512 VNNI (x86) or .* under the kernel path $p" \
      && ok "int8 refused by name on $p" || bad "int8 on $p: $out"
    continue
  fi
  [ $rc = 0 ] || { bad "eval ppl --compute int8 on $p: rc=$rc $out"; continue; }
  python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
for r in d['results']: print(r['length'], repr(r['ppl']), *[repr(x['nll']) for x in r['docs']])" \
    "$T/i8-$p.json" > "$T/i8-$p.nll"
  if [ -z "$int8_first" ]; then int8_first=$p
  elif cmp -s "$T/i8-$int8_first.nll" "$T/i8-$p.nll"; then ok "int8: $p gives the same NLLs as $int8_first"
  else bad "int8: $p NLLs differ from $int8_first"; fi
done
f32=$(python3 -c "import json; print(json.load(open('$T/$first.json'))['results'][0]['ppl'])")
i8=$(python3 -c "import json; print(json.load(open('$T/i8-$int8_first.json'))['results'][0]['ppl'])")
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(not (a != b and abs(b / a - 1) < 0.01))" \
  "$f32" "$i8" && ok "int8 PPL $i8 within 1 % of f32's $f32" || bad "int8 PPL $i8 vs f32 $f32"
out=$("$BIN" eval ppl --model "$FX" --data "$T/s.h5" --compute bf16 2>&1); rc=$?
[ $rc = 5 ] && echo "$out" | grep -q "^longrope: error: --compute bf16 is not built yet" \
  && ok "bf16 refused: exit 5" || bad "bf16: rc=$rc $out"
out=$("$BIN" eval ppl --model "$FX" --data "$T/s.h5" --compute fp4 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "^longrope: error: bad --compute 'fp4'" \
  && ok "unknown precision: exit 2" || bad "fp4: rc=$rc $out"
[ $fails = 0 ] && echo "all kernel-path checks passed" || { echo "$fails failed"; exit 1; }
