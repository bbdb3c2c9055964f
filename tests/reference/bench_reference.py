"""Times one prefill of the PyTorch reference (float32, full attention) for scripts/bench-ppl.sh.

usage: bench_reference.py MODEL SHARD LENGTH THREADS -> prints "tok/s GFLOP/s peak_rss_mib ppl"
MODEL: a Hugging Face folder, or a LLaMA GGUF file (every type gguf_dequant.py decodes, expanded
to float32; adjacent RoPE pairs as llama.cpp's GGUF layout), e.g. a scripts/make-bench-model.sh
model. Peak RSS includes the GGUF's memory-mapped pages read while decoding.
"""
import math
import os
import resource
import sys
import time

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import gguf_dequant as G  # noqa: E402
import reference as R  # noqa: E402

HF_NAMES = {"attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj",
            "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
            "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
            "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}


def load_gguf(path):
    """A LLaMA GGUF as a reference Model with Hugging Face tensor names (float32)."""
    meta = {}
    data, start, infos = G.read_gguf(path, meta)
    if meta.get("general.architecture") != "llama":
        raise SystemExit("bench_reference.py: only llama GGUF files are supported")
    w = {}
    for name, (ne, t, off) in infos.items():
        _, bs, bb = G.TYPES[t]
        n = int(np.prod(ne))
        arr = G.decode_row(data[start + off:start + off + n // bs * bb], t, ne[0])
        parts = name.split(".")
        if parts[0] == "blk":
            hf = "model.layers.%s.%s.weight" % (parts[1], HF_NAMES[parts[2]])
        else:
            hf = {"token_embd": "model.embed_tokens.weight", "output_norm": "model.norm.weight",
                  "output": "lm_head.weight"}[parts[0]]
        w[hf] = torch.from_numpy(arr.astype(np.float32).reshape(list(reversed(ne))))
    if "lm_head.weight" not in w:
        w["lm_head.weight"] = w["model.embed_tokens.weight"]
    k = "llama."
    H = meta[k + "attention.head_count"]
    dim = meta[k + "embedding_length"]
    c = dict(dim=dim, n_layers=meta[k + "block_count"], n_heads=H,
             n_kv=meta.get(k + "attention.head_count_kv", H), head_dim=dim // H,
             vocab=w["model.embed_tokens.weight"].shape[0],
             eps=meta.get(k + "attention.layer_norm_rms_epsilon", 1e-5),
             theta=meta.get(k + "rope.freq_base", 1e4), max_pos=meta[k + "context_length"])
    return R.Model(c, w, "adjacent")


model_path, shard, n, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float32)
m = load_gguf(model_path) if model_path.endswith(".gguf") else R.load_hf(model_path)
m.w = {k: v.float() for k, v in m.w.items()}
with h5py.File(shard, "r") as f:
    tokens = [1] + [int(t) for t in f["tokens"][: n - 1]]
c = m.cfg
with torch.no_grad():
    t0 = time.time()
    lp = R.logprobs(m, tokens, {"kind": "none"})
    dt = time.time() - t0
per_tok = 2 * c["n_layers"] * (c["dim"] * (c["n_heads"] + 2 * c["n_kv"]) * c["head_dim"]
                               + c["n_heads"] * c["head_dim"] * c["dim"] + 3 * c["dim"] * m.w["model.layers.0.mlp.up_proj.weight"].shape[0])
flops = per_tok * n + 2 * 2 * c["n_layers"] * c["n_heads"] * c["head_dim"] * n * n / 2 \
    + 2 * (n - 1) * c["dim"] * c["vocab"]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{n / dt:.1f} {flops / dt / 1e9:.2f} {rss:.0f} {math.exp(-lp.double().mean().item()):.4f}")
