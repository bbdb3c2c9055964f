"""Independent PyTorch reference of the LLaMA-family forward pass and every RoPE scaling.

Plain, unoptimised float64 code: full attention matrices, cos/sin tables as in the original
LongRoPE repo (rope/*.py). Used to write the goldens the C++ engine is tested against.
Loads a Hugging Face folder (config.json + model.safetensors in F32/F16/BF16, rotate_half
pairs; llama/mistral, qwen2 biases, qwen3 q/k norm and head_dim, phi3 fused qkv/gate_up and
its LongRoPE factors, LLaMA-3.1 rope_scaling) or a llama2.c .bin (adjacent pairs).
"""
import json
import math
import os
import struct

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------- loading
def _decode(raw, dtype, shape):
    if dtype == "F32":
        arr = np.frombuffer(raw, dtype="<f4")
    elif dtype == "F16":
        arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    elif dtype == "BF16":
        arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        raise ValueError("unsupported safetensors dtype " + dtype)
    return torch.from_numpy(arr.reshape(shape).astype(np.float64))


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + hlen])
    base = 8 + hlen
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = _decode(data[base + b:base + e], info["dtype"], info["shape"])
    return out


class Model:
    """Config + weights with HF names; layout 'half' (HF) or 'adjacent' (llama2.c)."""

    def __init__(self, cfg, w, layout):
        self.cfg, self.w, self.layout = cfg, w, layout


def llama3_factors(d, theta, rs):
    """Hugging Face's llama3 rope type as per-dimension divisors θ_i / θ'_i."""
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    L = rs["original_max_position_embeddings"]
    out = []
    for inv in base_inv_freq(d, theta).tolist():
        wavelen = 2 * math.pi / inv
        if wavelen < L / high:
            new = inv
        elif wavelen > L / low:
            new = inv / factor
        else:
            smooth = (L / wavelen - low) / (high - low)
            new = (1 - smooth) * inv / factor + smooth * inv
        out.append(inv / new)
    return out


def file_rope(cfg, c):
    """The RoPE scaling config.json carries: dict(long, short, attn, orig) or None."""
    rs = cfg.get("rope_scaling")
    if not rs:
        return None
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "llama3":
        return dict(long=llama3_factors(c["head_dim"], c["theta"], rs), short=None, attn=1.0,
                    orig=c["max_pos"])
    assert kind in ("longrope", "su"), kind
    L = cfg["original_max_position_embeddings"]
    s = cfg["max_position_embeddings"] / L
    attn = rs.get("attention_factor", math.sqrt(1 + math.log(s) / math.log(L)) if s > 1 else 1.0)
    return dict(long=rs["long_factor"], short=rs["short_factor"], attn=attn, orig=L)


def load_hf(folder):
    """A Hugging Face folder: llama/mistral, qwen2 (biases), qwen3 (q/k norm), phi3 (fused)."""
    cfg = json.load(open(os.path.join(folder, "config.json")))
    w = load_safetensors(os.path.join(folder, "model.safetensors"))
    H, hidden = cfg["num_attention_heads"], cfg["hidden_size"]
    c = dict(dim=hidden, n_layers=cfg["num_hidden_layers"], n_heads=H,
             n_kv=cfg.get("num_key_value_heads") or H,
             head_dim=cfg.get("head_dim") or hidden // H,
             vocab=cfg["vocab_size"], eps=cfg["rms_norm_eps"], theta=cfg.get("rope_theta", 1e4),
             max_pos=cfg.get("original_max_position_embeddings", cfg["max_position_embeddings"]))
    c["file_rope"] = file_rope(cfg, c)
    qd, kvd, hid = c["n_heads"] * c["head_dim"], c["n_kv"] * c["head_dim"], cfg["intermediate_size"]
    for l in range(c["n_layers"]):  # phi3: split the fused matrices
        p = f"model.layers.{l}."
        qkv = w.pop(p + "self_attn.qkv_proj.weight", None)
        if qkv is not None:
            w[p + "self_attn.q_proj.weight"] = qkv[:qd]
            w[p + "self_attn.k_proj.weight"] = qkv[qd:qd + kvd]
            w[p + "self_attn.v_proj.weight"] = qkv[qd + kvd:]
        gu = w.pop(p + "mlp.gate_up_proj.weight", None)
        if gu is not None:
            w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"] = gu[:hid], gu[hid:]
    if "lm_head.weight" not in w:
        w["lm_head.weight"] = w["model.embed_tokens.weight"]
    return Model(c, w, "half")


def load_llama2c(path):
    data = open(path, "rb").read()
    dim, hid, L, H, KV, V, seq = struct.unpack_from("<7i", data, 0)
    shared = V > 0
    V = abs(V)
    hd = dim // H
    a = np.frombuffer(data[28:], dtype="<f4").astype(np.float64)
    p = 0

    def take(*shape):
        nonlocal p
        n = int(np.prod(shape))
        t = torch.from_numpy(a[p:p + n].reshape(shape).copy())
        p += n
        return t

    w = {"model.embed_tokens.weight": take(V, dim)}
    att_norm = take(L, dim); wq = take(L, H * hd, dim); wk = take(L, KV * hd, dim)
    wv = take(L, KV * hd, dim); wo = take(L, dim, H * hd); ffn_norm = take(L, dim)
    w1 = take(L, hid, dim); w2 = take(L, dim, hid); w3 = take(L, hid, dim)
    w["model.norm.weight"] = take(dim)
    p += seq * hd  # freq_cis_real + freq_cis_imag (seq * hd/2 each)
    w["lm_head.weight"] = w["model.embed_tokens.weight"] if shared else take(V, dim)
    for l in range(L):
        pre = f"model.layers.{l}."
        w[pre + "input_layernorm.weight"] = att_norm[l]
        w[pre + "self_attn.q_proj.weight"] = wq[l]
        w[pre + "self_attn.k_proj.weight"] = wk[l]
        w[pre + "self_attn.v_proj.weight"] = wv[l]
        w[pre + "self_attn.o_proj.weight"] = wo[l]
        w[pre + "post_attention_layernorm.weight"] = ffn_norm[l]
        w[pre + "mlp.gate_proj.weight"] = w1[l]
        w[pre + "mlp.down_proj.weight"] = w2[l]
        w[pre + "mlp.up_proj.weight"] = w3[l]
    c = dict(dim=dim, n_layers=L, n_heads=H, n_kv=KV, head_dim=hd, vocab=V, eps=1e-5,
             theta=10000.0, max_pos=seq)
    return Model(c, w, "adjacent")


# ----------------------------------------------------------------------------- RoPE
def base_inv_freq(d, theta):
    return 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))


def yarn_inv_freq(d, theta, s, L, beta_fast, beta_slow):
    """jquesnelle/yarn (copied into LongRoPE's rope/LlamaYaRNScaledRotaryEmbedding.py)."""
    def corr_dim(rot):
        return (d * math.log(L / (rot * 2 * math.pi))) / (2 * math.log(theta))
    low = max(math.floor(corr_dim(beta_fast)), 0)
    high = min(math.ceil(corr_dim(beta_slow)), d - 1)
    if low == high:
        high += 0.001
    ramp = torch.clamp((torch.arange(d // 2, dtype=torch.float64) - low) / (high - low), 0, 1)
    mask = 1 - ramp
    pos = theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    return (1.0 / (s * pos)) * (1 - mask) + (1.0 / pos) * mask


def cos_sin(model, rope, n, layer):
    """(n, d/2) cos and sin with mscale folded in, as the original repo's caches."""
    c = model.cfg
    d, theta = c["head_dim"], c["theta"]
    kind = rope.get("kind", "none")
    s = rope.get("factor", 1.0)
    L = rope.get("original_max_position", c["max_pos"])
    own = c.get("file_rope")
    base_inv = base_inv_freq(d, theta)
    base_ms = 1.0
    if own is not None and not rope.get("replace_file_factors"):
        row = own["short"] if own["short"] is not None and n <= own["orig"] else own["long"]
        base_inv = base_inv / torch.tensor(row, dtype=torch.float64)
        base_ms = own["attn"]
    inv = base_inv
    mscale = 1.0
    if kind == "linear":
        inv = inv / s
    elif kind == "ntk":
        inv = base_inv_freq(d, theta * s ** (d / (d - 2)))
    elif kind == "dynamic-ntk":
        k = rope.get("dynamic_factor", 1.0)
        if n > L:
            inv = base_inv_freq(d, theta * ((k * n / L) - (k - 1)) ** (d / (d - 2)))
    elif kind == "yarn":
        inv = yarn_inv_freq(d, theta, s, L, rope.get("beta_fast", 32), rope.get("beta_slow", 1))
        mscale = 0.1 * math.log(s) + 1.0 if s > 1 else 1.0
    elif kind == "longrope":
        f = rope["factors"]
        if rope.get("target_length"):  # deployed (HF): mscale from target / L, short set up to L
            s = rope["target_length"] / L
            if rope.get("short_factors") and n <= L:
                f = rope["short_factors"]
        row = f[layer] if isinstance(f[0], list) else f
        inv = inv / torch.tensor(row, dtype=torch.float64)
        mscale = math.sqrt(math.log(s * L) / math.log(L)) if s > 1 else 1.0
    ms = rope.get("mscale")
    if ms == "su":
        mscale = math.sqrt(math.log(s * L) / math.log(L)) if s > 1 else 1.0
    elif ms == "yarn":
        mscale = 0.1 * math.log(s) + 1.0 if s > 1 else 1.0
    elif isinstance(ms, (int, float)):
        mscale = float(ms)
    t = torch.arange(n, dtype=torch.float64)
    ang = torch.outer(t, inv)
    cos, sin = ang.cos() * mscale * base_ms, ang.sin() * mscale * base_ms
    st = rope.get("start_tokens", 0)
    if st > 0:  # original RoPE (no factors, no mscale) for the first positions
        ang0 = torch.outer(t[:st], base_inv)
        cos[:st], sin[:st] = ang0.cos() * base_ms, ang0.sin() * base_ms
    return cos, sin


def apply_rope(x, cos, sin, layout):
    """x: (heads, n, d)."""
    d = x.shape[-1]
    if layout == "half":
        x1, x2 = x[..., : d // 2], x[..., d // 2:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = x1 * cos - x2 * sin
    out[..., 1::2] = x2 * cos + x1 * sin
    return out


# ----------------------------------------------------------------------------- forward
def rmsnorm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def logprobs(model, tokens, rope):
    """log p(tokens[t+1] | tokens[:t+1]) for t = 0..n-2."""
    c, w = model.cfg, model.w
    n, H, KV, hd = len(tokens), c["n_heads"], c["n_kv"], c["head_dim"]
    x = w["model.embed_tokens.weight"][torch.tensor(tokens)]
    dt = x.dtype  # float64 for goldens; the benchmark runs float32 weights
    mask = torch.full((n, n), float("-inf"), dtype=dt).triu(1)
    for l in range(c["n_layers"]):
        p = f"model.layers.{l}."
        cos, sin = (t.to(dt) for t in cos_sin(model, rope, n, l))
        h = rmsnorm(x, w[p + "input_layernorm.weight"], c["eps"])
        q, k, v = (h @ w[p + f"self_attn.{x}_proj.weight"].T for x in "qkv")
        if p + "self_attn.q_proj.bias" in w:  # qwen2
            q, k, v = (t + w[p + f"self_attn.{x}_proj.bias"] for t, x in zip((q, k, v), "qkv"))
        q, k, v = q.view(n, H, hd), k.view(n, KV, hd), v.view(n, KV, hd)
        if p + "self_attn.q_norm.weight" in w:  # qwen3: every head normalised before RoPE
            q = rmsnorm(q, w[p + "self_attn.q_norm.weight"], c["eps"])
            k = rmsnorm(k, w[p + "self_attn.k_norm.weight"], c["eps"])
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        q, k = apply_rope(q, cos, sin, model.layout), apply_rope(k, cos, sin, model.layout)
        k = k.repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + mask, dim=-1) @ v
        x = x + att.transpose(0, 1).reshape(n, H * hd) @ w[p + "self_attn.o_proj.weight"].T
        h = rmsnorm(x, w[p + "post_attention_layernorm.weight"], c["eps"])
        g = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T)
        u = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (g * u) @ w[p + "mlp.down_proj.weight"].T
    x = rmsnorm(x, w["model.norm.weight"], c["eps"])
    lp = torch.log_softmax(x[:-1] @ w["lm_head.weight"].T, dim=-1)
    return lp.gather(1, torch.tensor(tokens[1:]).unsqueeze(1)).squeeze(1)
