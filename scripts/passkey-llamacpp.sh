#!/usr/bin/env bash
# Runs prompts saved by `longrope eval passkey --save-prompts DIR` through llama.cpp (greedy,
# 10 tokens) and compares its answers with ours. Needs a llama.cpp build; nothing here uses one.
#   PROMPTS=DIR GGUF=model.gguf KIND=yarn OURS=ours.json scripts/passkey-llamacpp.sh > llamacpp.csv
# KIND (none|linear|ntk|yarn) must be the --rope of the longrope run; the scale of each prompt
# comes from DIR/index.tsv. Output CSV: file,length,key,answer,correct[,ours,agree].
set -euo pipefail
# ---- variables ------------------------------------------------------------------------
PROMPTS=${PROMPTS:?set PROMPTS to the --save-prompts folder}
GGUF=${GGUF:?set GGUF to the model file}
LLAMA=${LLAMA:-llama-cli}            # builds where llama-cli is chat-only: llama-completion
KIND=${KIND:-none}
ORIG=${ORIG:-256}                    # trained context L (YaRN's --yarn-orig-ctx)
BASE=${BASE:-10000}; HEAD_DIM=${HEAD_DIM:-64}   # NTK: base' = base * s^(d/(d-2))
NEW=${NEW:-10}
OURS=${OURS:-}                       # our --json, to report agreement per prompt
# ---------------------------------------------------------------------------------------
rope_flags() {  # $1 = scale
  [ "$1" = 1 ] && return 0
  case $KIND in
    none) ;;
    linear) echo "--rope-scaling linear --rope-scale $1" ;;
    yarn) echo "--rope-scaling yarn --rope-scale $1 --yarn-orig-ctx $ORIG" ;;
    ntk) echo "--rope-freq-base $(python3 -c "print($BASE * $1 ** ($HEAD_DIM / ($HEAD_DIM - 2)))")" ;;
    *) echo "passkey-llamacpp.sh: KIND must be none, linear, ntk or yarn" >&2; exit 2 ;;
  esac
}
out=$(mktemp); trap 'rm -f "$out"' EXIT
echo "file,length,key,answer,correct" > "$out"
tail -n +2 "$PROMPTS/index.tsv" | while IFS=$'\t' read -r file length tokens n i depth key scale; do
  # shellcheck disable=SC2046
  text=$("$LLAMA" -m "$GGUF" -f "$PROMPTS/$file" -n "$NEW" --temp 0 -c $((tokens + NEW + 16)) \
         -no-cnv --no-display-prompt $(rope_flags "$scale") 2>/dev/null </dev/null || true)
  answer=$(printf '%s' "$text" | grep -o '[0-9]\+' | head -1 || true)
  echo "$file,$length,$key,${answer:-},$([ "${answer:-x}" = "$key" ] && echo 1 || echo 0)" >> "$out"
done
if [ -n "$OURS" ]; then
  python3 - "$out" "$OURS" <<'PYEOF'
import csv, json, sys
ours = {p["prompt_file"]: p for p in json.load(open(sys.argv[2]))["prompts"]}
rows = list(csv.DictReader(open(sys.argv[1])))
w = csv.writer(sys.stdout); w.writerow(list(rows[0].keys()) + ["ours", "agree"])
agree = 0
for r in rows:
    a = ours[r["file"]]["answer"]; a = "" if a is None else str(a)
    agree += a == r["answer"]; w.writerow(list(r.values()) + [a, int(a == r["answer"])])
print(f"# {agree}/{len(rows)} answers agree with longrope", file=sys.stderr)
PYEOF
else
  cat "$out"
fi
