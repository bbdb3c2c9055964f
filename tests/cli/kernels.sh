#!/usr/bin/env bash
# Kernel paths through the CLI: every path this CPU runs gives the same per-document NLLs (bit
# for bit) on the fixture, and a bad or unavailable path is one clear error.
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
[ $fails = 0 ] && echo "all kernel-path checks passed" || { echo "$fails failed"; exit 1; }
