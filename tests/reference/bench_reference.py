"""Times one prefill of the PyTorch reference (float32, full attention) for scripts/bench-ppl.sh.

usage: bench_reference.py MODEL_DIR SHARD LENGTH THREADS -> prints "tok/s GFLOP/s peak_rss_mib"
"""
import os
import resource
import sys
import time

import h5py
import torch

sys.path.insert(0, os.path.dirname(__file__))
import reference as R  # noqa: E402

model_dir, shard, n, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float32)
m = R.load_hf(model_dir)
m.w = {k: v.float() for k, v in m.w.items()}
with h5py.File(shard, "r") as f:
    tokens = [1] + [int(t) for t in f["tokens"][: n - 1]]
c = m.cfg
with torch.no_grad():
    t0 = time.time()
    R.logprobs(m, tokens, {"kind": "none"})
    dt = time.time() - t0
per_tok = 2 * c["n_layers"] * (c["dim"] * (c["n_heads"] + 2 * c["n_kv"]) * c["head_dim"]
                               + c["n_heads"] * c["head_dim"] * c["dim"] + 3 * c["dim"] * m.w["model.layers.0.mlp.up_proj.weight"].shape[0])
flops = per_tok * n + 2 * 2 * c["n_layers"] * c["n_heads"] * c["head_dim"] * n * n / 2 \
    + 2 * (n - 1) * c["dim"] * c["vocab"]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{n / dt:.1f} {flops / dt / 1e9:.2f} {rss:.0f}")
