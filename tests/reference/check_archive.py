"""Archive tools for tests: constraint check of every individual, and archive comparison.

usage: check_archive.py check ARCHIVE            -> exit 1 on any violated constraint
       check_archive.py same ARCHIVE_A ARCHIVE_B -> exit 1 unless genomes, PPLs, per-item NLLs,
                                                    lineage and per-iteration populations are identical
       check_archive.py subset PART FULL         -> exit 1 unless every individual of PART is in
                                                    FULL with the same id, genome and PPL
       check_archive.py count ARCHIVE            -> prints the number of archived individuals
"""
import json
import sys

import h5py
import numpy as np


def check(path):
    with h5py.File(path, "r") as f:
        cfg = json.loads(f.attrs["config"])
        hp = cfg["hyperparams"]
        step, s = hp["list_step"], cfg["scale"]
        lam = f["individuals/lambda"][:]
        st = f["individuals/start_tokens"][:]
        allowed = set(hp["start_token_set"]) if cfg["search_start_tokens"] else {0}
        hi = 1.25 * s if cfg["algorithm"] == "dim_mono" and not cfg.get("search_short_factors") else s
        k = cfg.get("critical_pair", -1)  # LongRoPE2 mode: pairs >= k in [s, 1.25 s], below derived
        lo_k = np.ceil((s - 1.0) / step - 1e-9) * step + 1.0
        # --search-mscale: each attention factor on the 0.001 grid within mscale_bounds.
        ms = f["individuals/mscale"][:] if "individuals/mscale" in f else np.zeros(len(lam))
        if "mscale_bounds" in cfg:
            m_lo, m_hi = cfg["mscale_bounds"]
            assert np.all(ms >= m_lo - 1e-12) and np.all(ms <= m_hi + 1e-12), "mscale bounds"
            assert np.all(np.abs(ms * 1000 - np.round(ms * 1000)) < 1e-6), "mscale off its grid"
        else:
            assert np.all(ms == 0), "an attention factor in a run that does not search it"
        seen = set()
        for i, (row, n) in enumerate(zip(lam, st)):
            if k > 0:
                assert np.all(row[k:] >= lo_k - 1e-9), f"{i}: pairs >= {k} below s {row}"
                want = np.floor((row[k] ** (np.arange(k) / k) - 1.0) / step + 0.5) * step + 1.0
                assert np.all(np.abs(row[:k] - want) < 1e-9), f"{i}: pairs < {k} not derived {row}"
            grid = (row - 1.0) / step
            assert np.all(np.abs(grid - np.round(grid)) < 1e-6), f"{i}: off grid {row}"
            assert np.all(row >= 1.0 - 1e-12) and np.all(row <= hi + 1e-9), f"{i}: bounds {row}"
            assert np.all(np.diff(row) >= -1e-12), f"{i}: not monotonic {row}"
            assert int(n) in allowed, f"{i}: n̂ {n} not allowed"
            key = (tuple(np.round(grid).astype(int)), int(n), int(round(ms[i] * 1000)))
            assert key not in seen, f"{i}: repeated genome"
            seen.add(key)
        ppl = f["individuals/ppl"][:]
        if "individuals/screen_ppl" in f:  # screened out: no full score (NaN), never pending
            g = f["individuals"]
            out = (g["screen_ppl"][:] > 0) & (g["rejected"][:] == 1) & (g["items_scored"][:] == 0)
            ppl = ppl[~out]
        assert np.all(np.isfinite(ppl)), "unevaluated individual archived"
    print(f"{path}: {len(lam)} individuals, no violation")


def same(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in ["individuals/id", "individuals/lambda", "individuals/start_tokens",
                     "individuals/ppl", "individuals/origin", "individuals/parent1",
                     "individuals/parent2", "individuals/iteration", "iterations/population",
                     "iterations/best_ppl", "individuals/screen_ppl", "individuals/item_nll",
                     "individuals/items_scored", "individuals/tokens", "individuals/mscale"]:
            if name not in fa and name not in fb:
                continue
            x, y = fa[name][:], fb[name][:]
            if x.shape != y.shape or not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                print(f"archives differ in {name}")
                sys.exit(1)
        assert fa.attrs["final_best_id"] == fb.attrs["final_best_id"], "final best differs"
    print(f"{a} == {b}")


def subset(part, full):
    with h5py.File(part, "r") as fp, h5py.File(full, "r") as ff:
        ids = {int(i): k for k, i in enumerate(ff["individuals/id"][:])}
        for k, i in enumerate(fp["individuals/id"][:]):
            j = ids.get(int(i))
            assert j is not None, f"individual {i} is not in {full}"
            for name in ["lambda", "start_tokens", "ppl", "origin", "parent1", "parent2"]:
                x, y = fp["individuals/" + name][k], ff["individuals/" + name][j]
                assert np.array_equal(x, y), f"individual {i} differs in {name}"
        print(f"{part}: {len(fp['individuals/id'])} individuals, all in {full}")


def count(path):
    with h5py.File(path, "r") as f:
        print(len(f["individuals/id"]))


if __name__ == "__main__":
    try:
        {"check": lambda: check(sys.argv[2]), "same": lambda: same(sys.argv[2], sys.argv[3]),
         "subset": lambda: subset(sys.argv[2], sys.argv[3]),
         "count": lambda: count(sys.argv[2])}[sys.argv[1]]()
    except AssertionError as e:
        print("VIOLATION:", e)
        sys.exit(1)
