"""Re-runs the reference on the goldens' short sequences and compares with the committed values.

usage: /usr/bin/python3 tests/reference/check_goldens.py [SHARED_DIR]; exit 77 when assets are
missing (ctest: skipped), 1 on a mismatch.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import reference as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                         os.environ.get("LONGROPE_SHARED", os.path.join(ROOT, "..", "shared")))
MODELS = {"fixture-llama-5m": lambda: R.load_hf(os.path.join(SHARED, "models", "fixture-llama-5m")),
          "stories260K": lambda: R.load_llama2c(os.path.join(SHARED, "models", "stories260K", "stories260K.bin"))}

if not os.path.isdir(os.path.join(SHARED, "models")):
    print("SKIP: no test assets at", SHARED)
    sys.exit(77)
worst, checked = 0.0, 0
for name, load in MODELS.items():
    g = json.load(open(os.path.join(ROOT, "tests", "golden", name + ".json")))
    model = load()
    for seq in g["sequences"]:
        if len(seq["tokens"]) > 320:
            continue
        for c in seq["cases"]:
            lp = R.logprobs(model, seq["tokens"], c["rope"])
            d = max(abs(float(a) - b) for a, b in zip(lp, c["logprobs"]))
            worst = max(worst, d)
            checked += 1
            if d > 2e-6:
                print(f"FAIL {name} n={len(seq['tokens'])} {c['name']}: max diff {d}")
                sys.exit(1)
print(f"reference reproduces {checked} golden cases (max diff {worst:.2e})")
print(f"{checked} passed, 0 failed")
